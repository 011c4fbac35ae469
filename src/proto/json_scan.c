/*
 * json_scan.c: the element scanner (see json_scan.h).  One state per
 * split level says what may come next; a taken value is followed byte by
 * byte only as far as strings and brackets need, to find where it ends.
 */
#include "proto/json_scan.h"
#include "base/errors.h"

#include <string.h>

enum {
	S_TOP,             /* the top level: a value */
	S_TOP_DONE,        /* after it: white space (or, in sequence, a value) */
	S_VALUE,           /* after ',' in an array, ':' in an object */
	S_VALUE_OR_CLOSE,  /* after '[' */
	S_COMMA_OR_CLOSE,  /* after a child */
	S_KEY,             /* after ',' in an object */
	S_KEY_OR_CLOSE,    /* after '{' */
	S_IN_KEY,          /* inside a key */
	S_COLON,           /* after a key */
};

void
jscan_init(struct jscan *s, const struct jscan_ops *ops, void *ctx,
    char *buf, size_t cap, const char *cap_name, int seq)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->ctx = ctx;
	s->buf = buf;
	s->cap = cap;
	s->cap_name = cap_name;
	s->seq = seq;
	s->nlev = 1;
	s->lev[0].state = S_TOP;
}

static int
fail(struct jscan *s, int r)
{
	s->err = r;
	return r;
}

static int
invalid(struct jscan *s, uint64_t at)
{
	return fail(s, err_set(ERR_JSON, "invalid at byte %llu",
	    (unsigned long long)at));
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* done_child: the child of the innermost level is complete. */
static void
done_child(struct jscan *s)
{
	struct jscan_level *L = &s->lev[s->nlev - 1];

	L->n++;
	L->state = s->nlev == 1 ? S_TOP_DONE : S_COMMA_OR_CLOSE;
}

/* start: a value begins with c at offset at. */
static int
start(struct jscan *s, char c, uint64_t at)
{
	struct jscan_level *L = &s->lev[s->nlev - 1];
	struct jscan_val v;
	int r, d = s->nlev - 1;

	if (strchr("{[\"tfn-0123456789", c) == NULL || c == '\0')
		return invalid(s, at);
	memset(&v, 0, sizeof(v));
	v.depth = d;
	v.index = L->n;
	if (d > 0 && L->v.first == '{') {
		v.key.p = s->key[d];
		v.key.n = s->keylen[d] > JSCAN_KEY_BYTES ? JSCAN_KEY_BYTES :
		    s->keylen[d];
		v.key_cut = s->keylen[d] > JSCAN_KEY_BYTES;
	}
	v.first = c;
	v.at = at;
	if ((r = s->ops->begin(s->ctx, &v)) < 0)
		return fail(s, r);
	if (r == JSCAN_SPLIT && (c == '{' || c == '[') && s->nlev <= JSCAN_DEPTH) {
		L = &s->lev[s->nlev++];
		L->v = v;
		L->n = 0;
		L->state = c == '[' ? S_VALUE_OR_CLOSE : S_KEY_OR_CLOSE;
		return 1;   /* c is consumed */
	}
	s->taking = 1;
	s->tv = v;
	s->tlen = 0;
	s->tdepth = 0;
	s->tstr = 0;
	s->tesc = 0;
	s->tkind = c == '{' || c == '[' || c == '"' ? c : 's';
	return 0;
}

/* close: the innermost split level ends. */
static int
close_level(struct jscan *s)
{
	struct jscan_level *L = &s->lev[--s->nlev];
	int r;

	if ((r = s->ops->close(s->ctx, &L->v, L->n)) != 0)
		return fail(s, r);
	done_child(s);
	return 0;
}

/* finish: the taken value is complete. */
static int
finish(struct jscan *s)
{
	int r;

	s->taking = 0;
	if ((r = s->ops->value(s->ctx, &s->tv, s->buf, s->tlen)) != 0)
		return fail(s, r);
	done_child(s);
	return 0;
}

/* path_step: one step of a path: `[N]` or `.key` (as written). */
static void
path_step(const struct jscan_val *v, struct sbuf *b)
{
	if (v->key.p == NULL) {
		sbuf_addc(b, '[');
		sbuf_add_u64(b, (uint64_t)v->index);
		sbuf_addc(b, ']');
	} else {
		sbuf_addc(b, '.');
		sbuf_add_slice(b, v->key);
	}
}

void
jscan_path(const struct jscan *s, const struct jscan_val *v, struct sbuf *b)
{
	int l;

	if (v->depth == 0) {
		sbuf_addc(b, '.');
		return;
	}
	/* Levels 2.. hold the containers below the top value, then v. */
	for (l = 2; l <= v->depth && l < s->nlev; l++) {
		if (s->lev[l].v.key.p == NULL && l == 2)
			sbuf_addc(b, '.');
		path_step(&s->lev[l].v, b);
	}
	if (v->key.p == NULL && v->depth == 1)
		sbuf_addc(b, '.');
	path_step(v, b);
}

/* over: the taken value does not fit the buffer. */
static int
over(struct jscan *s)
{
	char where[256];
	struct sbuf b;

	sbuf_init(&b, where, sizeof(where));
	jscan_path(s, &s->tv, &b);
	return fail(s, err_set(ERR_LIMIT, "%s is over %s (%zu bytes)", where,
	    s->cap_name, s->cap));
}

/*
 * take: follow the taken value over p[0..n); returns the bytes that are
 * part of it (a number or literal ends before the byte that ends it).
 */
static size_t
take(struct jscan *s, const char *p, size_t n, int *end)
{
	size_t i = 0;
	char c;

	*end = 0;
	if (s->tkind == 's') {
		while (i < n && ((unsigned)((p[i] | 0x20) - 'a') < 26 ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		    p[i] == '+' || p[i] == '-'))
			i++;
		*end = i < n;
		return i;
	}
	for (; i < n && !*end; i++) {
		c = p[i];
		if (s->tstr) {
			if (s->tesc)
				s->tesc = 0;
			else if (c == '\\')
				s->tesc = 1;
			else if (c == '"')
				s->tstr = 0;
		} else if (c == '"') {
			s->tstr = 1;
		} else if (c == '{' || c == '[') {
			s->tdepth++;
		} else if (c == '}' || c == ']') {
			s->tdepth--;
		} else {
			continue;
		}
		/* A string ends at its closing quote, a container at depth 0. */
		*end = s->tkind == '"' ? (i > 0 || s->tlen > 0) && !s->tstr :
		    s->tdepth == 0;
	}
	return i;
}

/* key_byte: one byte c (at offset at) of a key at level L. */
static int
key_byte(struct jscan *s, struct jscan_level *L, char c, uint64_t at)
{
	int d = s->nlev - 1;

	if ((unsigned char)c < 0x20)
		return invalid(s, at);
	if (s->kesc == 1) {
		if (strchr("\"\\/bfnrtu", c) == NULL || c == '\0')
			return invalid(s, at);
		s->kesc = c == 'u' ? 5 : 0;
	} else if (s->kesc > 1) {
		if ((unsigned)((c | 0x20) - 'a') >= 6 && (c < '0' || c > '9'))
			return invalid(s, at);
		s->kesc = s->kesc == 2 ? 0 : s->kesc - 1;
	} else if (c == '\\') {
		s->kesc = 1;
	} else if (c == '"') {
		L->state = S_COLON;
		return 0;
	}
	if (s->keylen[d] < JSCAN_KEY_BYTES)
		s->key[d][s->keylen[d]] = c;
	s->keylen[d]++;
	return 0;
}

/* step: one structural byte c at offset at; 1 if it was consumed. */
static int
step(struct jscan *s, char c, uint64_t at)
{
	struct jscan_level *L = &s->lev[s->nlev - 1];
	char close = L->v.first == '[' ? ']' : '}';
	int r;

	if (L->state == S_IN_KEY)
		return (r = key_byte(s, L, c, at)) != 0 ? r : 1;
	if (is_ws(c))
		return 1;
	switch (L->state) {
	case S_TOP_DONE:
		if (!s->seq)
			return invalid(s, at);
		/* FALLTHROUGH */
	case S_TOP:
	case S_VALUE:
		return start(s, c, at);
	case S_VALUE_OR_CLOSE:
		if (c == ']')
			return (r = close_level(s)) != 0 ? r : 1;
		return start(s, c, at);
	case S_COMMA_OR_CLOSE:
		if (c == ',') {
			L->state = close == ']' ? S_VALUE : S_KEY;
			return 1;
		}
		if (c == close)
			return (r = close_level(s)) != 0 ? r : 1;
		return invalid(s, at);
	case S_KEY_OR_CLOSE:
		if (c == '}')
			return (r = close_level(s)) != 0 ? r : 1;
		/* FALLTHROUGH */
	case S_KEY:
		if (c != '"')
			return invalid(s, at);
		L->state = S_IN_KEY;
		s->keylen[s->nlev - 1] = 0;
		s->kesc = 0;
		return 1;
	case S_COLON:
		if (c != ':')
			return invalid(s, at);
		L->state = S_VALUE;
		return 1;
	}
	return invalid(s, at);
}

int
jscan_feed(struct jscan *s, const char *p, size_t n)
{
	size_t i = 0, k;
	int r, end;

	if (s->err != 0)
		return s->err;
	while (i < n) {
		if (s->taking) {
			k = take(s, p + i, n - i, &end);
			if (k > s->cap - s->tlen)
				return over(s);
			memcpy(s->buf + s->tlen, p + i, k);
			s->tlen += k;
			i += k;
			if (end && (r = finish(s)) != 0)
				return r;
			continue;
		}
		if ((r = step(s, p[i], s->off + i)) < 0)
			return r;
		i += (size_t)r;   /* 0: a taken value starts with this byte */
	}
	s->off += n;
	return 0;
}

int
jscan_end(struct jscan *s)
{
	int r;

	if (s->err != 0)
		return s->err;
	if (s->taking && s->tkind == 's' && (r = finish(s)) != 0)
		return r;
	if (s->taking || s->nlev > 1)
		return fail(s, err_set(ERR_JSON, "truncated"));
	if (s->lev[0].state == S_TOP && !s->seq)
		return fail(s, err_set(ERR_JSON, "empty"));
	return 0;
}

int
jscan_sink(void *ctx, const char *p, size_t n)
{
	return jscan_feed(ctx, p, n);
}
