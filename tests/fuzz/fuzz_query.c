/*
 * fuzz_query: a -q expression run over a JSON document.  The input is
 * "EXPR\0JSON"; the expression is parsed even when the JSON is not.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "cli/query.h"

static jsmntok_t tok[LIM_JSON_TOKENS];
static struct query q;

static int
sink(void *ctx, const char *p, size_t n)
{
	size_t *total = ctx;

	FUZZ_ASSERT(n == 0 || p != NULL);
	*total += n;
	/* Stop a pathological [] fan-out instead of printing gigabytes. */
	return *total > (64u << 20) ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	struct json_doc d;
	size_t an, bn, total = 0;
	char *expr;

	fuzz_split(data, size, &a, &an, &b, &bn);
	expr = fuzz_cstr(a, an);
	if (query_parse(&q, expr) == 0)
		FUZZ_ASSERT(q.nstep >= 0 && q.nstep <= LIM_QUERY_STEPS);
	if (json_parse(&d, (const char *)b, bn, tok, LIM_JSON_TOKENS) == 0)
		(void)query_run(&d, expr, sink, &total);
	free(expr);
	return 0;
}
