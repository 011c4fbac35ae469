/*
 * test_jsonw.c: the JSON body writer (src/proto/jsonw.c): commas and
 * nesting, RFC 8259 escaping, UTF-8 checked, the buffer's bound and the
 * depth limit as errors (never a cut body), and every body it writes
 * parsed back by our own parser.
 */
#include "test.h"

#include "base/errors.h"
#include "proto/json.h"
#include "proto/jsonw.h"

static char buf[256];

/* parses: 1 if s is one valid JSON document. */
static int
parses(const char *s, size_t n)
{
	static jsmntok_t tok[64];
	struct json_doc d;

	return json_parse(&d, s, n, tok, 64) == 0;
}

TEST(test_shapes)
{
	struct jsonw w;
	size_t n = 99;

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, NULL, '{');
	jw_str(&w, "name", "edge1");
	jw_int(&w, "n", 3);
	jw_int(&w, "neg", -9223372036854775807LL - 1);
	jw_bool(&w, "t", 1);
	jw_bool(&w, "f", 0);
	jw_open(&w, "pool", '{');
	jw_open(&w, "zones", '[');
	jw_open(&w, NULL, '{');
	jw_str(&w, "id", "z1");
	jw_close(&w);
	jw_open(&w, NULL, '{');
	jw_close(&w);
	jw_str(&w, NULL, "x");
	jw_close(&w);
	jw_open(&w, "empty", '[');
	jw_close(&w);
	jw_close(&w);
	jw_close(&w);
	CHECK_EQ_INT(jw_finish(&w, "LIM_X", &n), 0);
	CHECK_STR(buf, "{\"name\":\"edge1\",\"n\":3,\"neg\":-9223372036854775808,"
	    "\"t\":true,\"f\":false,\"pool\":{\"zones\":[{\"id\":\"z1\"},{},\"x\"],"
	    "\"empty\":[]}}");
	CHECK_EQ_INT(n, strlen(buf));
	CHECK(parses(buf, n));
}

TEST(test_escaping)
{
	struct jsonw w;
	size_t n;

	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, NULL, '{');
	jw_str(&w, "q\"k", "a\"b\\c\n\t\x01\x1f\x7f/\xc3\xa9\xf0\x9f\x98\x80");
	jw_close(&w);
	CHECK_EQ_INT(jw_finish(&w, "LIM_X", &n), 0);
	CHECK_STR(buf, "{\"q\\\"k\":\"a\\\"b\\\\c\\u000a\\u0009\\u0001\\u001f\x7f/"
	    "\xc3\xa9\xf0\x9f\x98\x80\"}");
	CHECK(parses(buf, n));
}

TEST(test_utf8)
{
	static const char *const good[] = { "", "abc", "\xc2\x80", "\xdf\xbf",
	    "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xf0\x90\x80\x80",
	    "\xf4\x8f\xbf\xbf", NULL };
	static const char *const bad[] = { "\x80", "\xc0\xaf", "\xc1\xbf",
	    "\xe0\x80\xaf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\xaf",
	    "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe2\x82",
	    "a\xc3(", NULL };
	struct jsonw w;
	size_t n;
	int k;

	for (k = 0; good[k] != NULL; k++)
		CHECK(jw_utf8_ok(good[k], strlen(good[k])));
	for (k = 0; bad[k] != NULL; k++) {
		CHECK(!jw_utf8_ok(bad[k], strlen(bad[k])));
		jw_init(&w, buf, sizeof(buf));
		jw_open(&w, NULL, '{');
		jw_str(&w, "name", bad[k]);
		jw_close(&w);
		CHECK_EQ_INT(jw_finish(&w, "LIM_X", &n), ERR_USAGE);
	}
}

TEST(test_bounds)
{
	char small[16];
	struct jsonw w;
	size_t n, cap;
	int k;

	/* Every size from 0 to just enough: an error until it fits, never cut. */
	for (cap = 1; cap <= sizeof(small); cap++) {
		jw_init(&w, small, cap);
		jw_open(&w, NULL, '{');
		jw_str(&w, "k", "0123456");
		jw_close(&w);
		k = jw_finish(&w, "LIM_SMALL", &n);
		if (cap < 16) {
			CHECK_EQ_INT(k, ERR_LIMIT);
			CHECK(strstr(err_detail(), "LIM_SMALL") != NULL);
		} else {
			CHECK_EQ_INT(k, 0);
			CHECK_STR(small, "{\"k\":\"0123456\"}");
		}
	}
	/* Deeper than LIM_JSONW_DEPTH, an unclosed and an extra close. */
	jw_init(&w, buf, sizeof(buf));
	for (k = 0; k < LIM_JSONW_DEPTH + 2; k++)
		jw_open(&w, NULL, '[');
	for (k = 0; k < LIM_JSONW_DEPTH + 2; k++)
		jw_close(&w);
	CHECK_EQ_INT(jw_finish(&w, "LIM_X", &n), ERR_FAIL);
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, NULL, '{');
	CHECK_EQ_INT(jw_finish(&w, "LIM_X", &n), ERR_FAIL);
	jw_init(&w, buf, sizeof(buf));
	jw_open(&w, NULL, '{');
	jw_close(&w);
	jw_close(&w);
	CHECK_EQ_INT(jw_finish(&w, "LIM_X", &n), ERR_FAIL);
}

int
main(void)
{
	RUN(test_shapes);
	RUN(test_escaping);
	RUN(test_utf8);
	RUN(test_bounds);
	return test_done();
}
