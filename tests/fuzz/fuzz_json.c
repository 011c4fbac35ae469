/*
 * fuzz_json: json_parse() on any bytes, then every accessor on every
 * token of a document that parsed: types, navigation, unescaping (in
 * one piece and in small chunks), numbers, and compact re-writing.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "proto/json.h"

static jsmntok_t tok[LIM_JSON_TOKENS];
static char out[LIM_TOKEN_BYTES];
static char comp[1 << 20];

static int
sink(void *ctx, const char *p, size_t n)
{
	size_t *total = ctx;

	FUZZ_ASSERT(n == 0 || p != NULL);
	*total += n;
	return 0;
}

static void
walk(const struct json_doc *d)
{
	size_t off, total = 0;
	int64_t v;
	int i, k, b, r;

	for (i = 0; i < d->ntok; i++) {
		FUZZ_ASSERT(json_next(d, i) > i && json_next(d, i) <= d->ntok);
		(void)json_type(d, i);
		(void)json_raw(d, i);
		(void)json_i64(d, i, &v);
		(void)json_bool(d, i, &b);
		r = json_str(d, i, out, sizeof(out));
		FUZZ_ASSERT(r < (int)sizeof(out));
		off = 0;
		while ((r = json_str_chunk(d, i, &off, out, 4)) > 0)
			FUZZ_ASSERT(r <= 4);
		(void)json_str_eq(d, i, "kube");
		(void)json_get(d, i, "access_token");
		(void)json_get_str(d, i, "id", out, 16);
		(void)json_get_i64(d, i, "expiration", &v);
		k = json_size(d, i);
		FUZZ_ASSERT(k >= 0);
		(void)json_at(d, i, 0);
		(void)json_at(d, i, k > 0 ? k - 1 : 0);
		(void)json_at(d, i, k);
	}
	(void)json_write_compact(json_raw(d, 0), sink, &total);
	FUZZ_ASSERT(total <= d->len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc d;
	struct sbuf sb;
	int r;

	r = json_parse(&d, (const char *)data, size, tok, LIM_JSON_TOKENS);
	if (r == 0) {
		FUZZ_ASSERT(d.ntok >= 1 && d.ntok <= LIM_JSON_TOKENS);
		walk(&d);
		sbuf_init(&sb, comp, sizeof(comp));
		json_compact(&sb, json_raw(&d, 0));
	}
	/* A small token array: the limit path. */
	(void)json_parse(&d, (const char *)data, size, tok, 8);
	/* The writer side: any bytes as a JSON string. */
	sbuf_init(&sb, comp, sizeof(comp));
	json_add_string(&sb, (struct slice){ (const char *)data, size });
	return 0;
}
