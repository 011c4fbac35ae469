/*
 * test_json_scan.c: the element scanner (src/proto/json_scan.c).  Each
 * input is fed whole, one byte at a time and in pieces of 7, from a copy
 * that ends at a guard page; the trace of what the scanner reported
 * (begin, value, close) must be the same each way and as expected.
 */
#include "test.h"

#include "base/errors.h"
#include "proto/json_scan.h"

static char trace[8192];      /* what the callbacks saw */
static size_t tn;
static int split_to = 2;      /* split values up to this depth */
static int stop_at = -1;      /* begin of this index (depth 1) fails */

/* tr: append to the trace (printf style). */
#define tr(...) do { \
	int n_ = snprintf(trace + tn, sizeof(trace) - tn, __VA_ARGS__); \
	if (n_ > 0 && (size_t)n_ < sizeof(trace) - tn) \
		tn += (size_t)n_; \
} while (0)

static void
tr_key(const struct jscan_val *v)
{
	if (v->key.p != NULL && tn + v->key.n + 3 < sizeof(trace)) {
		trace[tn++] = '"';
		memcpy(trace + tn, v->key.p, v->key.n);
		tn += v->key.n;
		trace[tn++] = '"';
		trace[tn] = '\0';
	}
}

static int
on_begin(void *ctx, const struct jscan_val *v)
{
	(void)ctx;
	if (v->depth == 1 && v->index == stop_at)
		return ERR_QUERY;
	tr("<%d.%ld", v->depth, v->index);
	tr_key(v);
	tr(" %d@%ld", v->first, (long)v->at);
	tr(">");
	return v->depth < split_to ? JSCAN_SPLIT : JSCAN_TAKE;
}

static int
on_value(void *ctx, const struct jscan_val *v, const char *p, size_t n)
{
	(void)ctx;
	(void)v;
	if (tn + n + 3 < sizeof(trace)) {
		trace[tn++] = '[';
		memcpy(trace + tn, p, n);
		tn += n;
		trace[tn++] = ']';
		trace[tn] = '\0';
	}
	return 0;
}

static int
on_close(void *ctx, const struct jscan_val *v, long n)
{
	(void)ctx;
	tr("(%d:%ld)", v->depth, n);
	return 0;
}

static const struct jscan_ops ops = { on_begin, on_value, on_close };
static char buf[64];

/* scan: feed text in pieces of step bytes (0: whole); the trace, or ERR. */
static const char *
scan1(const char *text, size_t step, int seq, size_t cap)
{
	size_t len = strlen(text), i, k;
	const char *g = guard_copy(text, len);
	struct jscan s;
	int r = 0;

	tn = 0;
	trace[0] = '\0';
	jscan_init(&s, &ops, NULL, buf, cap, "TEST_CAP", seq);
	for (i = 0; i < len && r == 0; i += k) {
		k = step == 0 || step > len - i ? len - i : step;
		r = jscan_feed(&s, g + i, k);
	}
	if (r == 0)
		r = jscan_end(&s);
	if (r != 0)
		tr("ERR%d", r);
	return trace;
}

static char whole[8192];

/* scan: the trace fed whole, checked against byte by byte and by 7s. */
static const char *
scan_seq(const char *text, int seq, size_t cap)
{
	snprintf(whole, sizeof(whole), "%s", scan1(text, 0, seq, cap));
	CHECK_STR(scan1(text, 1, seq, cap), whole);
	CHECK_STR(scan1(text, 7, seq, cap), whole);
	return scan1(text, 0, seq, cap);
}

static const char *scan(const char *text) { return scan_seq(text, 0, sizeof(buf)); }

TEST(test_lists)
{
	split_to = 1;
	CHECK_STR(scan("[1, \"two\", {\"a\": [3]}, null]"),
	    "<0.0 91@0><1.0 49@1>[1]<1.1 34@4>[\"two\"]<1.2 123@11>"
	    "[{\"a\": [3]}]<1.3 110@23>[null](0:4)");
	CHECK_STR(scan(" [ ] "), "<0.0 91@1>(0:0)");
	CHECK_STR(scan("[[],{}]"), "<0.0 91@0><1.0 91@1>[[]]<1.1 123@4>[{}](0:2)");
	/* Brackets and quotes inside strings do not count. */
	CHECK_STR(scan("[\"a]\\\"[\", {\"k]\": \"}\"}]"),
	    "<0.0 91@0><1.0 34@1>[\"a]\\\"[\"]<1.1 123@10>[{\"k]\": \"}\"}](0:2)");
	/* An object's members, keys as written. */
	CHECK_STR(scan("{\"kind\": \"List\", \"items\": [1,2], \"k\\u0041\": -1.5e3}"),
	    "<0.0 123@0><1.0\"kind\" 34@9>[\"List\"]<1.1\"items\" 91@26>[[1,2]]"
	    "<1.2\"k\\u0041\" 45@44>[-1.5e3](0:3)");
	/* Two levels: the list inside the object. */
	split_to = 2;
	CHECK_STR(scan("{\"items\":[{\"n\":1},{\"n\":2}],\"x\":true}"),
	    "<0.0 123@0><1.0\"items\" 91@9><2.0 123@10>[{\"n\":1}]"
	    "<2.1 123@18>[{\"n\":2}](1:2)<1.1\"x\" 116@31>[true](0:2)");
	/* Scalars at the top, ended by the end of the text. */
	CHECK_STR(scan("42"), "<0.0 52@0>[42]");
	CHECK_STR(scan(" \"s\" "), "<0.0 34@1>[\"s\"]");
	CHECK_STR(scan("true"), "<0.0 116@0>[true]");
}

TEST(test_sequence)
{
	split_to = 1;
	CHECK_STR(scan_seq("{\"type\":\"ADDED\"}\n{\"type\":\"DELETED\"}\n", 1,
	    sizeof(buf)), "<0.0 123@0><1.0\"type\" 34@8>[\"ADDED\"](0:1)"
	    "<0.1 123@17><1.0\"type\" 34@25>[\"DELETED\"](0:1)");
	CHECK_STR(scan_seq("", 1, sizeof(buf)), "");
	CHECK_STR(scan_seq("1 2\n3", 1, sizeof(buf)),
	    "<0.0 49@0>[1]<0.1 50@2>[2]<0.2 51@4>[3]");
	/* Not in sequence mode: one value only. */
	CHECK_STR(scan("{} {}"), "<0.0 123@0>(0:0)ERR-400");
	CHECK_STR(err_detail(), "invalid at byte 3");
}

TEST(test_bad)
{
	static const char *const bad[][2] = {
		{ "[1 2]", "invalid at byte 3" },
		{ "[1,]", "invalid at byte 3" },
		{ "[,1]", "invalid at byte 1" },
		{ "{\"a\" 1}", "invalid at byte 5" },
		{ "{\"a\":1,}", "invalid at byte 7" },
		{ "{a:1}", "invalid at byte 1" },
		{ "{\"a\":1]", "invalid at byte 6" },
		{ "[1}", "invalid at byte 2" },
		{ "[1]x", "invalid at byte 3" },
		{ "[]]", "invalid at byte 2" },
		{ "{\"a\tb\":1}", "invalid at byte 3" },
		{ "{\"a\\q\":1}", "invalid at byte 4" },
		{ "{\"\\u12g4\":1}", "invalid at byte 6" },
		{ "[x]", "invalid at byte 1" },
		{ "}", "invalid at byte 0" },
		{ "[", "truncated" },
		{ "{\"a\":", "truncated" },
		{ "{\"a", "truncated" },
		{ "[\"abc", "truncated" },
		{ "[{\"a\":[1]", "truncated" },
		{ "", "empty" },
		{ " \n ", "empty" },
	};
	size_t i;

	split_to = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *t = scan(bad[i][0]);

		CHECK(strstr(t, "ERR-400") != NULL);
		CHECK_STR(err_detail(), bad[i][1]);
	}
	/* A taken value is not checked here: its parser does that. */
	CHECK_STR(scan("[tru, 1x]"), "<0.0 91@0><1.0 116@1>[tru]<1.1 49@6>[1x](0:2)");
}

TEST(test_limits)
{
	static char deep[64];
	size_t i;

	split_to = 1;
	/* One element over the buffer: named by its place and the limit. */
	CHECK(strstr(scan_seq("[1, \"abcdefghij\", 3]", 0, 8), "ERR-3") != NULL);
	CHECK_STR(err_detail(), ".[1] is over TEST_CAP (8 bytes)");
	CHECK(strstr(scan_seq("{\"a\":1,\"big\":[1,2,3,4,5]}", 0, 8), "ERR-3")
	    != NULL);
	CHECK_STR(err_detail(), ".big is over TEST_CAP (8 bytes)");
	/* The path names each level's index or key, as written. */
	split_to = 4;
	CHECK(strstr(scan_seq("{\"items\":[1,2,{\"metadata\":{\"a/b.c\":"
	    "\"0123456789\"}}]}", 0, 8), "ERR-3") != NULL);
	CHECK_STR(err_detail(), ".items[2].metadata.a/b.c is over TEST_CAP "
	    "(8 bytes)");
	CHECK(strstr(scan_seq("[[0,[\"0123456789\"]]]", 0, 8), "ERR-3") != NULL);
	CHECK_STR(err_detail(), ".[0][1][0] is over TEST_CAP (8 bytes)");
	split_to = 0;
	CHECK(strstr(scan_seq("[\"0123456789\"]", 0, 8), "ERR-3") != NULL);
	CHECK_STR(err_detail(), ". is over TEST_CAP (8 bytes)");
	split_to = 1;
	CHECK_STR(scan_seq("[\"abcdefgh\"]", 0, 10), "<0.0 91@0><1.0 34@1>"
	    "[\"abcdefgh\"](0:1)");
	/* Past JSCAN_DEPTH levels everything is taken. */
	split_to = 99;
	for (i = 0; i < 20; i++)
		deep[i] = '[';
	for (; i < 40; i++)
		deep[i] = ']';
	deep[i] = '\0';
	scan(deep);
	CHECK(strstr(trace, "<16.0 91@16>[[[[[]]]]]") != NULL);
	CHECK(strstr(trace, "ERR") == NULL);
	/* A callback's error stops the scan and stays. */
	split_to = 1;
	stop_at = 1;
	CHECK_STR(scan("[1,2,3]"), "<0.0 91@0><1.0 49@1>[1]ERR-403");
	stop_at = -1;
}

int
main(void)
{
	RUN(test_lists);
	RUN(test_sequence);
	RUN(test_bad);
	RUN(test_limits);
	return test_done();
}
