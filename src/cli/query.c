/*
 * query.c: parse and run -q expressions (see query.h).  The parsed
 * query holds copies of its keys, so the expression need not outlive
 * it.  Results stream to the caller's emit callback: compact JSON goes
 * out in runs that point into the document, strings are unescaped in
 * small chunks on the stack, so no result size limit applies.
 */
#include "cli/query.h"
#include "base/errors.h"

#include <limits.h>
#include <string.h>

/* What running a query needs at every step. */
struct query_ctx {
	const struct query *q;     /* the steps */
	const struct json_doc *d;  /* the document */
	json_emit emit;            /* where results go */
	void *ctx;                 /* emit's argument */
};

static int eval(const struct query_ctx *c, int v, int k);

static int
bad_syntax(const char *expr, const char *p)
{
	if (*p == '\0')
		return err_set(ERR_QUERY, "%s: unexpected end", expr);
	return err_set(ERR_QUERY, "%s: unexpected '%c' at offset %d", expr, *p,
	    (int)(p - expr));
}

/*
 * key_byte: 1 if c may be in a bare key: a letter, a digit, `_`, `-` or
 * a byte of UTF-8.  The rest (`,` `|` `?` `:` `$` ...) is jq syntax that
 * this grammar does not have, and a query holding it is refused.
 */
static int
key_byte(unsigned c)
{
	return (c | 32) - 'a' < 26 || c - '0' < 10 || c == '_' || c == '-' ||
	    c >= 0x80;
}

/*
 * take_key: a bare or quoted key at *p into buf at *used with a NUL.
 * Returns it, or NULL (with *p at the bad byte) if there is none.
 */
static const char *
take_key(const char **p, char *buf, size_t *used)
{
	const char *s = *p, *e;
	char *key = buf + *used;

	if (*s == '"') {
		if ((e = strchr(++s, '"')) == NULL) {
			*p = s + strlen(s);
			return NULL;
		}
		*p = e + 1;
	} else {
		for (e = s; key_byte((unsigned char)*e); e++)
			;
		if (e == s)
			return NULL;
		*p = e;
	}
	/* A key's bytes plus its NUL never exceed the text it came from. */
	memcpy(key, s, (size_t)(e - s));
	key[e - s] = '\0';
	*used += (size_t)(e - s) + 1;
	return key;
}

/* take_bracket: the step inside [...] at *p (just past the `[`). */
static int
take_bracket(const char **p, struct query_step *st, char *buf, size_t *used)
{
	const char *s = *p;
	uint64_t n;
	int neg;

	if (*s == ']') {
		st->kind = QUERY_EACH;
	} else if (*s == '"') {
		st->kind = QUERY_KEY;
		if ((st->key = take_key(&s, buf, used)) == NULL)
			return -1;
	} else {
		st->kind = QUERY_INDEX;
		neg = *s == '-';
		s += neg;
		if (parse_u64(&s, s + strlen(s), INT_MAX, &n) != 0)
			return -1;
		st->index = neg ? -(int)n : (int)n;
	}
	*p = s;
	return *s == ']' ? 0 : -1;
}

int
query_parse(struct query *q, const char *expr)
{
	const char *p = expr;
	struct query_step *st;
	size_t used = 0;

	q->nstep = 0;
	if (strlen(expr) >= LIM_QUERY_BYTES)
		return err_limit("query", "LIM_QUERY_BYTES",
		    LIM_QUERY_BYTES - 1);
	if (strcmp(expr, ".") == 0)
		return 0;
	while (*p != '\0') {
		if (q->nstep == LIM_QUERY_STEPS)
			return err_limit("query", "LIM_QUERY_STEPS",
			    LIM_QUERY_STEPS);
		st = &q->step[q->nstep++];
		if (p[0] == '.' && p[1] != '[') {
			p++;
			st->kind = QUERY_KEY;
			if ((st->key = take_key(&p, q->buf, &used)) == NULL)
				return bad_syntax(expr, p);
			continue;
		}
		p += *p == '.';
		if (*p != '[')
			return bad_syntax(expr, p);
		p++;
		if (take_bracket(&p, st, q->buf, &used) != 0)
			return bad_syntax(expr, p);
		p++;
	}
	return 0;
}

/* put: value v (-1: null) as one result line. */
static int
put(const struct query_ctx *c, int v)
{
	char buf[256];
	size_t off = 0;
	int r;

	if (json_type(c->d, v) == JSON_STRING) {
		while ((r = json_str_chunk(c->d, v, &off, buf,
		    sizeof(buf))) > 0)
			if ((r = c->emit(c->ctx, buf, (size_t)r)) != 0)
				return r;
	} else if (v < 0) {
		r = c->emit(c->ctx, "null", 4);
	} else {
		r = json_write_compact(json_raw(c->d, v), c->emit, c->ctx);
	}
	return r != 0 ? r : c->emit(c->ctx, "\n", 1);
}

static const char *
type_name(enum json_type t)
{
	static const char *const names[] = { "null", "object", "array",
	    "string", "number", "boolean", "boolean", "null" };

	return names[t];
}

/* each: run the steps from k on every element or member value of v. */
static int
each(const struct query_ctx *c, int v, int k)
{
	enum json_type t = json_type(c->d, v);
	int i, n = json_size(c->d, v), j = v + 1, r;

	if (t != JSON_ARRAY && t != JSON_OBJECT)
		return err_set(ERR_QUERY, "cannot iterate over %s",
		    type_name(t));
	for (i = 0; i < n; i++, j = json_next(c->d, j)) {
		j += t == JSON_OBJECT;
		if ((r = eval(c, j, k)) != 0)
			return r;
	}
	return 0;
}

/* eval: run the steps from k on value v (-1: null). */
static int
eval(const struct query_ctx *c, int v, int k)
{
	const struct query_step *st;
	enum json_type t = json_type(c->d, v);
	int i;

	if (k == c->q->nstep)
		return put(c, v);
	st = &c->q->step[k];
	if (st->kind == QUERY_EACH)
		return each(c, v, k + 1);
	if (t == JSON_NONE || t == JSON_NULL)
		return eval(c, -1, k + 1);
	if (st->kind == QUERY_KEY && t == JSON_OBJECT)
		return eval(c, json_get(c->d, v, st->key), k + 1);
	if (st->kind == QUERY_INDEX && t == JSON_ARRAY) {
		i = st->index < 0 ? json_size(c->d, v) + st->index : st->index;
		return eval(c, json_at(c->d, v, i), k + 1);
	}
	if (st->kind == QUERY_KEY)
		return err_set(ERR_QUERY, "cannot index %s with \"%s\"",
		    type_name(t), st->key);
	return err_set(ERR_QUERY, "cannot index %s with a number",
	    type_name(t));
}

int
query_eval_from(const struct query *q, int k, const struct json_doc *d,
    json_emit emit, void *ctx)
{
	struct query_ctx c = { q, d, emit, ctx };

	return eval(&c, 0, k);
}

int
query_eval(const struct query *q, const struct json_doc *d, json_emit emit,
    void *ctx)
{
	return query_eval_from(q, 0, d, emit, ctx);
}

int
query_run(const struct json_doc *d, const char *expr, json_emit emit,
    void *ctx)
{
	struct query q;
	int r = query_parse(&q, expr);

	return r != 0 ? r : query_eval(&q, d, emit, ctx);
}
