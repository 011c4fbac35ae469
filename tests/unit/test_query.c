/*
 * test_query.c: -q expressions (src/cli/query.c) against a realistic
 * cluster list; every output is compared byte for byte.
 */
#include "test.h"

#include "base/errors.h"
#include "base/limits.h"
#include "cli/query.h"
#include "query_test.h"

static jsmntok_t tok[1024];
static struct json_doc doc;

/* q: the output of expr, or "ERR<code>" after any output. */
static const char *
q(const char *expr)
{
	int r;

	outn = 0;
	out[0] = '\0';
	r = query_run(&doc, expr, capture, NULL);
	if (r != 0)
		snprintf(out + outn, sizeof(out) - outn, "ERR%d", r);
	return out;
}

TEST(test_paths)
{
	CHECK_STR(q(".[].name"), "itzroks-demo\nedge \"east\"\nold\n");
	CHECK_STR(q(".[0].name"), "itzroks-demo\n");
	CHECK_STR(q("[0].name"), "itzroks-demo\n");
	CHECK_STR(q(".[0][\"name\"]"), "itzroks-demo\n");
	CHECK_STR(q(".[0].\"name\""), "itzroks-demo\n");
	CHECK_STR(q(".[0].ingress-hostname"),
	    "demo-0000.jp-tok.containers.appdomain.cloud\n");
	CHECK_STR(q(".[0].\"ingress-hostname\""),
	    "demo-0000.jp-tok.containers.appdomain.cloud\n");
	CHECK_STR(q(".[-1].id"), "0123456789abcdef0123456789abcdef\n");
	CHECK_STR(q(".[-3].region"), "jp-tok\n");
	CHECK_STR(q(".[0].workerZones[0]"), "tok02\n");
	CHECK_STR(q(".[1].workerZones"), "[\"dal10\",\"dal12\",\"dal13\"]\n");
	CHECK_STR(q(".[1].workerZones[]"), "dal10\ndal12\ndal13\n");
	CHECK_STR(q(".[].workerZones[]"), "tok02\ndal10\ndal12\ndal13\n");
	CHECK_STR(q(".[].workerZones[0]"), "tok02\ndal10\nnull\n");
	CHECK_STR(q(".[].workerCount"), "3\n6\nnull\n");
	CHECK_STR(q(".[].multiAzCapable"), "true\nfalse\nnull\n");
	CHECK_STR(q(".[0].addons"), "[]\n");
	CHECK_STR(q(".[0].lifecycle"), "null\n");
	CHECK_STR(q(".[0].lifecycle.state"), "null\n");
	CHECK_STR(q(".[0].lifecycle[2]"), "null\n");
	CHECK_STR(q(".[0].missing"), "null\n");
	CHECK_STR(q(".[0].missing.deeper[0]"), "null\n");
	CHECK_STR(q(".[7]"), "null\n");
	CHECK_STR(q(".[-4]"), "null\n");
	CHECK_STR(q(".[1].addons[0]"),
	    "{\"name\":\"istio\",\"version\":\"1.19\"}\n");
	CHECK_STR(q(".[1].addons[].name"), "istio\n");
	CHECK_STR(q(".[1].addons[0][]"), "istio\n1.19\n");
	CHECK_STR(q(".[2][]"), "0123456789abcdef0123456789abcdef\nold\n[]\n");
	CHECK_STR(q(".[].serverURL"),
	    "https://c115-e.jp-tok.containers.cloud.ibm.com:32726\n\nnull\n");
	/* Strings print unescaped and raw. */
	CHECK_STR(q(".[1].status"), "<warning> caf\xc3\xa9\tok\n");
	CHECK_STR(q(".[1].name"), "edge \"east\"\n");
	/* Objects keep their escapes. */
	CHECK_STR(q(".[2]"), "{\"id\":\"0123456789abcdef0123456789abcdef\","
	    "\"name\":\"old\",\"workerZones\":[]}\n");
}

TEST(test_identity)
{
	char want[2048];
	size_t i, n = 0;
	int in_str = 0;

	/* `.` is the document, compact; compute it independently. */
	for (i = 0; i < sizeof(clusters) - 1; i++) {
		char c = clusters[i];
		if (in_str && c == '\\') {
			want[n++] = c;
			want[n++] = clusters[++i];
			continue;
		}
		if (c == '"')
			in_str = !in_str;
		if (in_str || (c != ' ' && c != '\n'))
			want[n++] = c;
	}
	want[n++] = '\n';
	want[n] = '\0';
	CHECK_STR(q("."), want);
	CHECK(strchr(want, ' ') != NULL);
	CHECK(strstr(want, "},\n") == NULL);
	CHECK_STR(q(""), want);
}

TEST(test_errors)
{
	char big[LIM_QUERY_BYTES + 8];
	int i;

	CHECK_STR(q(".name"), "ERR-403");
	CHECK_STR(err_detail(), "cannot index array with \"name\"");
	CHECK_STR(q(".[0][0]"), "ERR-403");
	CHECK_STR(err_detail(), "cannot index object with a number");
	CHECK_STR(q(".[0].name.x"), "ERR-403");
	CHECK_STR(err_detail(), "cannot index string with \"x\"");
	CHECK_STR(q(".[0].workerCount[]"), "ERR-403");
	CHECK_STR(err_detail(), "cannot iterate over number");
	CHECK_STR(q(".[0].missing[]"), "ERR-403");
	CHECK_STR(err_detail(), "cannot iterate over null");
	/* Results before the failing one are out already. */
	CHECK_STR(q(".[].addons[0].name[0]"), "null\nERR-403");
	CHECK_STR(err_detail(), "cannot index string with a number");
	CHECK_STR(q(".[].workerZones[0][0]"), "ERR-403");
	/* Syntax. */
	CHECK_STR(q("name"), "ERR-403");
	CHECK_STR(err_detail(), "name: unexpected 'n' at offset 0");
	CHECK_STR(q(".."), "ERR-403");
	CHECK_STR(err_detail(), "..: unexpected '.' at offset 1");
	CHECK_STR(q(".a."), "ERR-403");
	CHECK_STR(err_detail(), ".a.: unexpected end");
	CHECK_STR(q(".["), "ERR-403");
	CHECK_STR(q(".[x]"), "ERR-403");
	CHECK_STR(q(".[1"), "ERR-403");
	CHECK_STR(q(".[1}"), "ERR-403");
	CHECK_STR(q(".[\"a]"), "ERR-403");
	CHECK_STR(q(".[\"a\""), "ERR-403");
	CHECK_STR(q(".\"a"), "ERR-403");
	CHECK_STR(q(".a b"), "ERR-403");
	CHECK_STR(q(".[-]"), "ERR-403");
	CHECK_STR(q(".[99999999999]"), "ERR-403");
	CHECK_STR(q(".a]"), "ERR-403");
	CHECK_STR(q("[]]"), "ERR-403");
	CHECK_STR(q(" .a"), "ERR-403");
	/* jq's other syntax is not ours: refused, not read as a key. */
	CHECK_STR(q(".a,.b"), "ERR-403");
	CHECK_STR(err_detail(), ".a,.b: unexpected ',' at offset 2");
	CHECK_STR(q(".[0].name,.[1].name"), "ERR-403");
	CHECK_STR(q(".[0]|.name"), "ERR-403");
	CHECK_STR(q(".[0].name?"), "ERR-403");
	CHECK_STR(q(".$x"), "ERR-403");
	CHECK_STR(q(".a(1)"), "ERR-403");
	CHECK_STR(q(".[0].name:x"), "ERR-403");
	CHECK_STR(q(".[]+1"), "ERR-403");
	CHECK_STR(q(".a\tb"), "ERR-403");
	CHECK_STR(q(".\x01"), "ERR-403");
	/* Letters, digits, _ and - (and UTF-8) make a bare key. */
	CHECK_STR(q(".[0].ingress-hostname"),
	    "demo-0000.jp-tok.containers.appdomain.cloud\n");
	CHECK_STR(q(".[0].caf\xc3\xa9_2"), "null\n");
	CHECK_STR(q(".[0].\"a,b\""), "null\n");
	/* Limits. */
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '.';
	big[LIM_QUERY_BYTES] = '\0';
	CHECK_STR(q(big), "ERR-3");
	CHECK(strstr(err_detail(), "LIM_QUERY_BYTES") != NULL);
	big[LIM_QUERY_BYTES - 1] = '\0';
	CHECK_STR(q(big), "ERR-403");
	CHECK(strncmp(err_detail(), "cannot index array", 18) == 0);
	for (i = 0; i < LIM_QUERY_STEPS; i++)
		memcpy(big + 2 * i, "[]", 2);
	big[2 * i] = '\0';
	CHECK_STR(q(big), "ERR-403");
	CHECK_STR(err_detail(), "cannot iterate over string");
	memcpy(big + 2 * i, "[]", 3);
	CHECK_STR(q(big), "ERR-3");
	CHECK(strstr(err_detail(), "LIM_QUERY_STEPS") != NULL);
}

/* A string over the chunk size, with escapes across chunk boundaries. */
TEST(test_long_string)
{
	static char text[8192], want[4096];
	static jsmntok_t t[4];
	struct json_doc d;
	size_t i, n = 0, w = 0;

	text[n++] = '[';
	text[n++] = '"';
	for (i = 0; i < 1000; i++) {
		if (i % 7 == 0) {
			memcpy(text + n, "\\u20ac", 6);
			n += 6;
			memcpy(want + w, "\xe2\x82\xac", 3);
			w += 3;
		} else {
			text[n++] = (char)('a' + i % 26);
			want[w++] = (char)('a' + i % 26);
		}
	}
	memcpy(text + n, "\"]", 2);
	n += 2;
	want[w++] = '\n';
	want[w] = '\0';
	CHECK_EQ_INT(json_parse(&d, text, n, t, 4), 0);
	outn = 0;
	calls = 0;
	CHECK_EQ_INT(query_run(&d, ".[0]", capture, NULL), 0);
	CHECK_STR(out, want);
	CHECK(calls > 2);
}

/* A NUL in a string prints as the byte, as jq -r does. */
TEST(test_nul)
{
	static const char text[] = "[\"a\\u0000b\", {\"k\\u0000\": \"\\u0000\"}]";
	static jsmntok_t t[8];
	struct json_doc d;

	CHECK_EQ_INT(json_parse(&d, text, sizeof(text) - 1, t, 8), 0);
	outn = 0;
	CHECK_EQ_INT(query_run(&d, ".[0]", capture, NULL), 0);
	CHECK(outn == 4 && memcmp(out, "a\0b\n", 4) == 0);
	outn = 0;
	CHECK_EQ_INT(query_run(&d, ".[1][]", capture, NULL), 0);
	CHECK(outn == 2 && memcmp(out, "\0\n", 2) == 0);
	/* JSON output keeps the escape; a key with a NUL is no bare key. */
	outn = 0;
	CHECK_EQ_INT(query_run(&d, ".[1]", capture, NULL), 0);
	CHECK_STR(out, "{\"k\\u0000\":\"\\u0000\"}\n");
	outn = 0;
	CHECK_EQ_INT(query_run(&d, ".[1].k", capture, NULL), 0);
	CHECK_STR(out, "null\n");
}

static int
fail_second(void *ctx, const char *p, size_t n)
{
	(void)p;
	(void)n;
	return ++*(int *)ctx == 2 ? ERR_IO : 0;
}

TEST(test_emit_error)
{
	struct query qq;
	int n = 0;

	CHECK_EQ_INT(query_run(&doc, ".[].name", fail_second, &n), ERR_IO);
	CHECK_EQ_INT(n, 2);
	n = 0;
	CHECK_EQ_INT(query_run(&doc, ".[0]", fail_second, &n), ERR_IO);
	CHECK_EQ_INT(n, 2);
	/* Parse once, run twice; the keys are copies. */
	{
		char expr[] = ".[1].region";

		CHECK_EQ_INT(query_parse(&qq, expr), 0);
		CHECK_EQ_INT(qq.nstep, 2);
		memset(expr, 'x', sizeof(expr) - 1);
		outn = 0;
		CHECK_EQ_INT(query_eval(&qq, &doc, capture, NULL), 0);
		CHECK_STR(out, "us-south\n");
	}
}

int
main(void)
{
	char *c = guard_copy(clusters, sizeof(clusters) - 1);

	CHECK_EQ_INT(json_parse(&doc, c, sizeof(clusters) - 1, tok, 1024), 0);
	RUN(test_paths);
	RUN(test_identity);
	RUN(test_errors);
	RUN(test_long_string);
	RUN(test_nul);
	RUN(test_emit_error);
	guard_free(c, sizeof(clusters) - 1);
	return test_done();
}
