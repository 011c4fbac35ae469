/*
 * test_query_stream.c: -q and table lists over a streamed body
 * (src/cli/query_stream.c).  Every query runs twice: on the document
 * parsed whole (query_run, the reference) and streamed whole, one byte
 * at a time and in pieces of 5; output and error must be the same.
 * Then what only a stream has: lists of elements with per-element
 * limits, rows of a table, sequences (a watch), broken bodies.
 */
#include "test.h"

#include "base/errors.h"
#include "base/limits.h"
#include "cli/query.h"
#include "cli/query_stream.h"
#include "query_test.h"

static int dones;   /* top-level values finished */

static int
count_done(void *ctx)
{
	(void)ctx;
	dones++;
	return 0;
}

static void
out_reset(void)
{
	outn = 0;
	out[0] = '\0';
}

static void
out_err(int r)
{
	if (r != 0)
		snprintf(out + outn, sizeof(out) - outn, "ERR%d %s", r,
		    err_detail());
}

/* streamed: expr over text in pieces of step (0: whole). */
static const char *
streamed(const char *text, const char *expr, size_t step, qstream_row row,
    int seq)
{
	static struct qstream s;
	static struct query q;
	size_t len = strlen(text), i, k;
	const char *g = guard_copy(text, len);
	int r;

	out_reset();
	dones = 0;
	if ((r = query_parse(&q, expr)) == 0) {
		qstream_init(&s, &q, "ans", capture, NULL, row, NULL, seq);
		s.done = count_done;
		for (i = 0; i < len && r == 0; i += k) {
			k = step == 0 || step > len - i ? len - i : step;
			r = qstream_sink(&s, g + i, k);
		}
		if (r == 0)
			r = qstream_end(&s);
	}
	out_err(r);
	return out;
}

/* same: streamed each way must equal the query on the parsed text. */
static void
same(const char *text, const char *expr)
{
	static jsmntok_t tok[4096];
	static char want[70000];
	struct json_doc d;
	int r;

	out_reset();
	r = json_parse(&d, text, strlen(text), tok, 4096);
	CHECK_EQ_INT(r, 0);
	r = query_run(&d, expr, capture, NULL);
	out_err(r);
	snprintf(want, sizeof(want), "%s", out);
	CHECK_STR(streamed(text, expr, 0, NULL, 0), want);
	CHECK_STR(streamed(text, expr, 1, NULL, 0), want);
	CHECK_STR(streamed(text, expr, 5, NULL, 0), want);
}

static const char *const queries[] = {
	".", "", ".[]", ".[0]", ".[1]", ".[7]", ".[-1]", ".[-9]",
	".[].name", ".[0].name", "[0].name", ".[0][\"name\"]", ".[-3].region",
	".[1].workerZones", ".[1].workerZones[]", ".[].workerZones[]",
	".[].workerZones[0]", ".[].workerCount", ".[].multiAzCapable",
	".[0].addons", ".[0].lifecycle.state", ".[0].lifecycle[2]",
	".[0].missing.deeper[0]", ".[1].addons[0][]", ".[2][]",
	".[].serverURL", ".[1].status", ".[1].name", ".[2]",
	".name", ".[0][0]", ".[0].name.x", ".[0].workerCount[]",
	".[0].missing[]", ".[].addons[0].name[0]", ".[].workerZones[0][0]",
	".items", ".items[]", ".items[].metadata.name", ".items[0]",
	".items[1].metadata.name", ".items[5].metadata", ".items[-1]",
	".items[].spec.containers[].name", ".items[].spec.containers[0].ports",
	".items[].status.conditions", ".items[].status.conditions[]",
	".metadata", ".metadata.resourceVersion", ".kind", ".kind[0]",
	".kind.x", ".kind[]", ".missing", ".missing[]", ".missing.x",
	".[]", ".[][]", ".[0]", ".kind2", ".kind2[]", ".empty", ".empty[]",
	".none", ".none[]", ".items.x", ".items[\"x\"]", ".metadata[0]",
};

TEST(test_same_as_whole)
{
	size_t i;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		same(clusters, queries[i]);
		same(pod_list, queries[i]);
	}
	same("42", ".");
	same("\"s\\u00e9\"", ".");
	same("null", ".a");
	same("null", ".[]");
	same("true", ".[0]");
	same("[]", ".[]");
	same("{}", ".[]");
	same("[[1,[2,[3]]],{\"a\":{\"b\":[4]}}]", ".");
	same("[[1,[2,[3]]],{\"a\":{\"b\":[4]}}]", ".[][]");
	same("[[1,[2,[3]]],{\"a\":{\"b\":[4]}}]", ".[1].a.b[0]");
	/* A key given twice: the first, in both. */
	same("{\"a\":1,\"b\":2,\"a\":3}", ".a");
	same("[{\"a\":[1],\"a\":[2]},{\"a\":{\"x\":3},\"a\":4}]", ".[].a");
	same("{\"a\":{\"b\":1,\"b\":2},\"\\u0061\":5}", ".a.b");
	/* A NUL in a string is printed raw, as the byte. */
	CHECK_STR(streamed("[\"\\u0000\",{\"a\":\"x\\u0000\"}]", ".[1].a", 1,
	    NULL, 0), "x");
	CHECK(outn == 3 && memcmp(out, "x\0\n", 3) == 0);
	streamed("[\"\\u0000\",{\"a\":\"x\\u0000\"}]", ".[0]", 2, NULL, 0);
	CHECK(outn == 2 && memcmp(out, "\0\n", 2) == 0);
}

/*
 * nest: n containers one inside the other around leaf, into b at *at:
 * arrays and objects (key "a") in turn, `[{"a":[{"a":leaf}]}]`.
 */
static void
nest(char *b, size_t cap, size_t *at, int n, const char *leaf)
{
	int i;

	for (i = 0; i < n; i++)
		*at += (size_t)snprintf(b + *at, cap - *at, i % 2 ? "{\"a\":" :
		    "[");
	*at += (size_t)snprintf(b + *at, cap - *at, "%s", leaf);
	for (i = n - 1; i >= 0; i--)
		*at += (size_t)snprintf(b + *at, cap - *at, i % 2 ? "}" : "]");
}

/* deepened: text with the first `what` (a null) replaced by n levels. */
static const char *
deepened(char *b, size_t cap, const char *text, const char *what, int n)
{
	const char *at = strstr(text, what);
	size_t len = (size_t)(at - text) + strlen(what) - 4;

	memcpy(b, text, len);
	nest(b, cap, &len, n, "\"x\"");
	snprintf(b + len, cap - len, "%s", at + strlen(what));
	return b;
}

/*
 * Every query above, and chains of up to LIM_QUERY_STEPS steps, on the
 * same answers nested to LIM_JSON_DEPTH (past the JSCAN_DEPTH levels
 * the scanner splits): the stream must print what the whole document
 * gives, byte for byte.
 */
TEST(test_same_nested)
{
	static char a[8 * LIM_JSON_DEPTH + sizeof(clusters) + 64];
	static char b[8 * LIM_JSON_DEPTH + sizeof(pod_list) + 64];
	static char c[8 * LIM_JSON_DEPTH + sizeof(clusters) + 64];
	static char dq[LIM_QUERY_BYTES];
	static const char *const step[] = { ".[0]", ".a", ".[]", ".[-1]" };
	size_t i, n, k;

	/* Depths: clusters 2 + 510, pod_list 4 + 508, wrapped 508 + 4. */
	deepened(a, sizeof(a), clusters, "\"lifecycle\": null",
	    LIM_JSON_DEPTH - 2);
	deepened(b, sizeof(b), pod_list, "\"conditions\": null",
	    LIM_JSON_DEPTH - 4);
	n = 0;
	nest(c, sizeof(c), &n, LIM_JSON_DEPTH - 4 - (LIM_JSON_DEPTH % 2),
	    clusters);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		same(a, queries[i]);
		same(b, queries[i]);
		same(c, queries[i]);
	}
	/* Chains into the nest: `.[0].a[0].a...`, `.[][]...`. */
	for (k = 0; k < sizeof(step) / sizeof(step[0]); k++) {
		dq[0] = '\0';
		for (i = 0; i < LIM_QUERY_STEPS; i++) {
			n = strlen(dq);
			snprintf(dq + n, sizeof(dq) - n, "%s", i % 2 && k < 2 ?
			    step[1] : step[k]);
			same(c, dq);
		}
	}
	same(b, ".items[].status.conditions");
	same(b, ".items[0].status.conditions[0].a[0].a[0].a[0].a");
	same(a, ".[0].lifecycle[0].a[0].a[0].a[0].a[0].a[0].a[0].a[0].a[]");
}

/* Rows of a table: the elements of the list the path names, whole. */
static int
row_name(void *ctx, const struct json_doc *d, long index)
{
	char name[64];
	int r;

	(void)ctx;
	r = json_get_str(d, 0, "name", name, sizeof(name));
	snprintf(out + outn, sizeof(out) - outn, "%ld:%s;", index,
	    r < 0 ? "-" : name);
	outn += strlen(out + outn);
	return 0;
}

TEST(test_rows)
{
	CHECK_STR(streamed(clusters, ".[]", 1, row_name, 0),
	    "0:itzroks-demo;1:edge \"east\";2:old;");
	CHECK_STR(streamed("{\"regions\":[{\"name\":\"us-south\"},"
	    "{\"name\":\"eu-de\"}],\"x\":[1]}", ".regions[]", 1, row_name, 0),
	    "0:us-south;1:eu-de;");
	CHECK_STR(streamed("[]", ".[]", 1, row_name, 0), "");
	CHECK_STR(streamed("{\"a\":1}", ".[]", 0, row_name, 0),
	    "ERR-401 ans: the answer is not a list");
	CHECK_STR(streamed("{\"a\":1}", ".regions[]", 0, row_name, 0),
	    "ERR-401 ans: the answer is not a list");
	CHECK_STR(streamed("{\"regions\":{}}", ".regions[]", 0, row_name, 0),
	    "ERR-401 ans: the answer is not a list");
	CHECK_STR(streamed("{\"regions\":null}", ".regions[]", 0, row_name, 0),
	    "ERR-401 ans: the answer is not a list");
	CHECK_STR(streamed("[1]", ".regions[]", 0, row_name, 0),
	    "ERR-401 ans: the answer is not a list");
	CHECK_STR(streamed("7", ".[]", 0, row_name, 0),
	    "ERR-401 ans: the answer is not a list");
}

TEST(test_watch)
{
	static const char events[] =
	    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
	    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
	    "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"b\"}}}\n";

	CHECK_STR(streamed(events, ".type", 1, NULL, 1), "ADDED\nMODIFIED\nDELETED\n");
	CHECK_EQ_INT(dones, 3);
	CHECK_STR(streamed(events, ".object.metadata.name", 3, NULL, 1),
	    "a\na\nb\n");
	CHECK_STR(streamed(events, ".", 0, NULL, 1),
	    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
	    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
	    "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"b\"}}}\n");
	CHECK_EQ_INT(dones, 3);
	/* A broken last event is an error after the whole ones are out. */
	CHECK_STR(streamed("{\"type\":\"ADDED\"}\n{\"type\":\"MOD", ".type", 1,
	    NULL, 1), "ADDED\nERR-400 ans: the answer is not valid JSON (truncated)");
	CHECK_STR(streamed("", ".type", 1, NULL, 1), "");
}

TEST(test_broken)
{
	/* The scanner's own errors and an element's, named. */
	CHECK_STR(streamed("[{\"name\":\"a\"} {\"name\":\"b\"}]", ".[].name", 1,
	    NULL, 0), "a\nERR-400 ans: the answer is not valid JSON (invalid at byte 14)");
	CHECK_STR(streamed("[{\"name\":\"a\"},{\"name\":\"b\"", ".[].name", 1,
	    NULL, 0), "a\nb\nERR-400 ans: the answer is not valid JSON (truncated)");
	CHECK_STR(streamed("[{\"name\":\"a\"},{\"name\" \"b\"}]", ".[].name", 1,
	    NULL, 0), "a\nERR-400 ans: the answer is not valid JSON (invalid at "
	    "byte 22)");
	CHECK_STR(streamed("[{\"name\":\"a\"},[1 2]]", ".[].name", 1, NULL, 0),
	    "a\nERR-400 ans: .[1]: the answer is not valid JSON (invalid at "
	    "byte 3)");
	CHECK_STR(streamed("{\"metadata\":{\"x\":tru},\"items\":[1]}", ".items[]",
	    2, NULL, 0), "ERR-400 ans: .metadata.x: the answer is not valid JSON "
	    "(truncated)");
	CHECK_STR(streamed("", ".", 0, NULL, 0),
	    "ERR-400 ans: the answer is not valid JSON (empty)");
	CHECK_STR(streamed("[1]]", ".[]", 0, NULL, 0),
	    "1\nERR-400 ans: the answer is not valid JSON (invalid at byte 3)");
}

TEST(test_element_limits)
{
	static char big[2 * LIM_JSON_TOKENS + 64], chunk[65536];
	static struct qstream s;
	static struct query q;
	size_t n = 0, i;
	int r;

	/* Element 1 has more tokens than LIM_JSON_TOKENS; 0 and 2 are fine. */
	n += (size_t)snprintf(big, sizeof(big), "[{\"name\":\"a\"},[");
	for (i = 0; i < LIM_JSON_TOKENS; i++) {
		big[n++] = '0';
		big[n++] = ',';
	}
	n += (size_t)snprintf(big + n, sizeof(big) - n, "0],{\"name\":\"c\"}]");
	CHECK_STR(streamed(big, ".[].name", 0, NULL, 0), "a\n"
	    "ERR-3 ans: .[1]: the answer is over a limit: JSON tokens "
	    "over LIM_JSON_TOKENS = 262144");
	/*
	 * A result over a limit leaves none of itself on stdout: the
	 * elements before it, whole, then the error; a list printed in
	 * pieces (`.`, `.items`) is closed, so stdout is whole JSON.
	 */
	n = (size_t)snprintf(big, sizeof(big), "{\"items\":[{\"a\":1},{\"b\":[");
	for (i = 0; i < LIM_JSON_TOKENS; i++) {
		big[n++] = '0';
		big[n++] = ',';
	}
	snprintf(big + n, sizeof(big) - n, "0]},{\"a\":3}]}");
	CHECK_STR(streamed(big, ".items[]", 7, NULL, 0), "{\"a\":1}\n"
	    "ERR-3 ans: .items[1]: the answer is over a limit: JSON tokens "
	    "over LIM_JSON_TOKENS = 262144");
	CHECK_STR(streamed(big, ".items", 7, NULL, 0), "[{\"a\":1}]\n"
	    "ERR-3 ans: .items[1]: the answer is over a limit: JSON tokens "
	    "over LIM_JSON_TOKENS = 262144");
	CHECK_STR(streamed(big + 9, ".[]", 0, NULL, 0), "{\"a\":1}\n"
	    "ERR-3 ans: .[1]: the answer is over a limit: JSON tokens "
	    "over LIM_JSON_TOKENS = 262144");
	CHECK_STR(streamed(big, ".", 7, NULL, 0), "{\"items\":[{\"a\":1}]}\n"
	    "ERR-3 ans: .items[1]: the answer is over a limit: JSON tokens "
	    "over LIM_JSON_TOKENS = 262144");
	CHECK_STR(streamed(big + 9, ".", 7, NULL, 0), "[{\"a\":1}]\n"
	    "ERR-3 ans: .[1]: the answer is over a limit: JSON tokens "
	    "over LIM_JSON_TOKENS = 262144");
	CHECK_STR(streamed("{\"m\":{\"a\":1,\"b\":[1 2]}}", ".m", 1, NULL, 0),
	    "{\"a\":1}\nERR-400 ans: .m.b: the answer is not valid JSON (invalid "
	    "at byte 3)");
	CHECK_STR(streamed(big, ".items[1]", 3, NULL, 0), "ERR-3 ans: "
	    ".items[1]: the answer is over a limit: JSON tokens over "
	    "LIM_JSON_TOKENS = 262144");
	/* One element over LIM_HTTP_BODY_BYTES, fed in pieces. */
	query_parse(&q, ".[]");
	out_reset();
	qstream_init(&s, &q, "ans", capture, NULL, NULL, NULL, 0);
	memset(chunk, 'a', sizeof(chunk));
	r = qstream_sink(&s, "[1,\"", 4);
	for (i = 0; r == 0 && i < LIM_HTTP_BODY_BYTES / sizeof(chunk) + 1; i++)
		r = qstream_sink(&s, chunk, sizeof(chunk));
	out_err(r);
	CHECK_STR(out, "1\nERR-3 ans: .[1] is over LIM_HTTP_BODY_BYTES "
	    "(8388608 bytes)");
}

int
main(void)
{
	RUN(test_same_as_whole);
	RUN(test_same_nested);
	RUN(test_rows);
	RUN(test_watch);
	RUN(test_broken);
	RUN(test_element_limits);
	return test_done();
}
