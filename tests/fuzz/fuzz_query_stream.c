/*
 * fuzz_query_stream: the stream evaluator (src/cli/query_stream.c)
 * against the whole-document one (src/cli/query.c), the reference.  The
 * input is "S EXPR\0JSON": byte S seeds the sizes of the pieces the
 * JSON is fed in (1..64 bytes, or 1..4096 when its top bit is set), as
 * a body comes off the network, and its bits 5-6 wrap the JSON in 0, 6,
 * 12 or 18 arrays, past the JSCAN_DEPTH levels the scanner splits.  When the document parses whole, the
 * stream must print the same bytes and end with the same code; when it
 * is not JSON (a syntax error, not a limit: the stream applies limits
 * to one element), the stream must fail too.
 */
#include "fuzz.h"

#include "base/errors.h"
#include "base/limits.h"
#include "cli/query.h"
#include "cli/query_stream.h"
#include "proto/http.h"

/*
 * api.c (api_parse_bare, api_parse_error) comes with its reading of
 * error answers, which wants two functions of http.c and so the network
 * code: never reached here, they abort.
 */
struct slice
http_header(const struct http_resp *rs, const char *name)
{
	(void)rs;
	(void)name;
	abort();
}

int64_t
http_resp_now(const struct http_resp *rs)
{
	(void)rs;
	abort();
}

static jsmntok_t tok[LIM_JSON_TOKENS];
static struct query q;
static struct qstream s;
static char want[1 << 20];   /* the reference's output */
static size_t wantn, gotn;
static int compare;          /* the stream must print want[] */

static int
want_sink(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (n > sizeof(want) - wantn)
		return ERR_IO;
	memcpy(want + wantn, p, n);
	wantn += n;
	return 0;
}

static int
got_sink(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	FUZZ_ASSERT(n == 0 || p != NULL);
	if (compare) {
		if (n > wantn - gotn || memcmp(want + gotn, p, n) != 0)
			fprintf(stderr, "stream output differs at byte %zu: "
			    "want \"%.*s\", got \"%.*s\"\n", gotn,
			    (int)(wantn - gotn < 40 ? wantn - gotn : 40),
			    want + gotn, (int)(n < 40 ? n : 40), p);
		FUZZ_ASSERT(n <= wantn - gotn &&
		    memcmp(want + gotn, p, n) == 0);
	}
	gotn += n;
	/* Stop a pathological [] fan-out instead of printing gigabytes. */
	return gotn > (64u << 20) ? ERR_IO : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	struct json_doc d;
	size_t an, bn, i, k, max, w;
	uint32_t x;
	char *expr, *js;
	int whole, r, rs = 0;

	if (size < 1)
		return 0;
	x = 0x9e3779b9u * (data[0] + 1u);
	max = data[0] & 0x80 ? 4096 : 64;
	fuzz_split(data + 1, size - 1, &a, &an, &b, &bn);
	expr = fuzz_cstr(a, an);
	if (query_parse(&q, expr) != 0) {
		free(expr);
		return 0;
	}
	w = (size_t)(data[0] >> 5 & 3) * 6;
	js = malloc(bn + 2 * w + 1);
	if (js == NULL)
		abort();
	memset(js, '[', w);
	if (bn > 0)
		memcpy(js + w, b, bn);
	memset(js + w + bn, ']', w);
	js[w + bn + w] = '\0';
	bn += 2 * w;
	wantn = gotn = 0;
	whole = json_parse(&d, js, bn, tok, LIM_JSON_TOKENS);
	r = whole;
	if (whole == 0)
		r = query_eval(&q, &d, want_sink, NULL);
	compare = whole == 0 && r != ERR_IO;
	qstream_init(&s, &q, "ans", got_sink, NULL, NULL, NULL, 0);
	for (i = 0; i < bn && rs == 0; i += k) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		k = 1 + x % max;
		if (k > bn - i)
			k = bn - i;
		rs = qstream_sink(&s, js + i, k);
	}
	if (rs == 0)
		rs = qstream_end(&s);
	/*
	 * The one limit a stream has that the whole document has not, at
	 * these sizes: a key of a printed object kept to JSCAN_KEY_BYTES.
	 * What was printed before it is checked above.
	 */
	if (compare && rs == ERR_LIMIT && r == 0 &&
	    strstr(err_detail(), "JSCAN_KEY_BYTES") != NULL)
		compare = 0;
	if (compare) {
		if (rs != r || gotn != wantn)
			fprintf(stderr, "whole: %d, %zu bytes; stream: %d, "
			    "%zu bytes (%s)\n", r, wantn, rs, gotn,
			    err_detail());
		FUZZ_ASSERT(rs == r);
		FUZZ_ASSERT(gotn == wantn);
	} else if (whole != 0 && whole != ERR_LIMIT) {
		FUZZ_ASSERT(rs != 0);
	}
	free(js);
	free(expr);
	return 0;
}
