/*
 * query_stream.c: -q and table lists over a body of any size (see
 * query_stream.h).  Each depth of the walk has a role: a value the query
 * steps over (skip: parsed, dropped), part of a result being printed
 * (echo), or a value the query steps from k apply to (eval).  A split
 * container's mode says what its children are.  Owns the buffer a taken
 * value is collected in.
 */
#include "cli/query_stream.h"
#include "base/errors.h"
#include "base/limits.h"
#include "cloud/api.h"

#include <stdio.h>
#include <string.h>

enum { R_SKIP, R_ECHO, R_EVAL };                  /* roles */
enum { M_SKIP, M_ECHO, M_EACH, M_KEY, M_INDEX };  /* split modes */

static char value_buf[LIM_HTTP_BODY_BYTES];   /* one taken value */

static int is_box(char c) { return c == '{' || c == '['; }

static int
emit(struct qstream *s, const char *p, size_t n)
{
	return s->emit(s->ectx, p, n);
}

/* key_is: 1 if a member's key (as written) is the query's key. */
static int
key_is(const struct jscan_val *v, const char *want)
{
	char q[JSCAN_KEY_BYTES + 2];
	jsmntok_t t[2];
	struct json_doc d;

	if (v->key_cut)
		return 0;
	if (memchr(v->key.p, '\\', v->key.n) == NULL)
		return v->key.n == strlen(want) &&
		    memcmp(v->key.p, want, v->key.n) == 0;
	/* Escapes: unescape it as the one-string document it is. */
	q[0] = '"';
	memcpy(q + 1, v->key.p, v->key.n);
	q[v->key.n + 1] = '"';
	return json_parse(&d, q, v->key.n + 2, t, 2) == 0 &&
	    json_str_eq(&d, 0, want);
}

/* not_list: the error of a table whose path does not lead to an array. */
static int
not_list(const struct qstream *s)
{
	return err_set(ERR_JSON_FIELD, "%s: the answer is not a list", s->what);
}

/* child_role: the role of v, a child of the container at depth d - 1. */
static int
child_role(struct qstream *s, const struct jscan_val *v, int *k)
{
	struct qstream_lvl *p = &s->lv[v->depth - 1];
	const struct query_step *st = &s->q->step[p->k];

	*k = p->k + 1;
	switch (p->mode) {
	case M_ECHO:
		if (v->key_cut)
			return err_limit("a key to print", "JSCAN_KEY_BYTES",
			    JSCAN_KEY_BYTES);
		return R_ECHO;
	case M_EACH:
		return R_EVAL;
	case M_KEY:   /* a key given twice: the first, as json_get() */
		if (p->found || !key_is(v, st->key))
			return R_SKIP;
		p->found = 1;
		return R_EVAL;
	case M_INDEX:
		if (v->index != st->index)
			return R_SKIP;
		p->found = 1;
		return R_EVAL;
	}
	return R_SKIP;
}

/*
 * echo_head: the comma and key before v, a child being printed, once v
 * is known to be whole (taken and parsed) or is split.
 */
static int
echo_head(struct qstream *s, const struct jscan_val *v)
{
	int r = 0;

	if (s->lv[v->depth].role != R_ECHO)
		return 0;
	if (v->index > 0)
		r = emit(s, ",", 1);
	if (r == 0 && v->key.p != NULL && ((r = emit(s, "\"", 1)) != 0 ||
	    (r = emit(s, v->key.p, v->key.n)) != 0))
		return r;
	return r == 0 && v->key.p != NULL ? emit(s, "\":", 2) : r;
}

/* eval_mode: how a container the steps from k apply to is split, or -1. */
static int
eval_mode(struct qstream *s, char first, int k)
{
	const struct query_step *st = &s->q->step[k];

	if (k == s->q->nstep)
		return s->row != NULL ? -1 : M_ECHO;
	if (s->row != NULL && ((st->kind == QUERY_EACH && first != '[') ||
	    (st->kind == QUERY_KEY && first != '{')))
		return not_list(s);
	if (st->kind == QUERY_EACH)
		return M_EACH;
	if (st->kind == QUERY_KEY && first == '{')
		return M_KEY;
	if (st->kind == QUERY_INDEX && st->index >= 0 && first == '[')
		return M_INDEX;
	return -1;
}

static int
on_begin(void *ctx, const struct jscan_val *v)
{
	struct qstream *s = ctx;
	struct qstream_lvl *l = &s->lv[v->depth];
	int role = R_EVAL, k = 0, mode = M_SKIP, r;

	if (v->depth > 0 && (role = child_role(s, v, &k)) < 0)
		return role;
	memset(l, 0, sizeof(*l));
	l->role = role;
	l->k = k;
	/*
	 * A watch's event is read whole: nothing of a broken one is out.  A
	 * value stepped over is split only near the top, where a list may
	 * be of any size; inside an element it is checked whole.  A value
	 * printed is split only if it is the body or a member of the body's
	 * object (`.items`), the lists: an element is printed whole or not
	 * at all (one over a limit leaves none of itself on stdout), and
	 * no bracket is printed deeper than the scanner splits.
	 */
	if (!is_box(v->first) || (s->sc.seq && v->depth == 0))
		return JSCAN_TAKE;
	if (role == R_ECHO)
		mode = M_ECHO;
	else if (role == R_EVAL && (mode = eval_mode(s, v->first, k)) < -1)
		return mode;
	if (mode < 0 || (mode == M_SKIP && v->depth > 1) || (mode == M_ECHO &&
	    v->depth > (v->key.p != NULL)))
		return JSCAN_TAKE;
	l->mode = mode;
	l->origin = role == R_EVAL && mode == M_ECHO;
	if (mode == M_ECHO && ((r = echo_head(s, v)) != 0 ||
	    (r = emit(s, &v->first, 1)) != 0))
		return r;
	if (mode == M_ECHO)
		l->open = v->first == '[' ? ']' : '}';
	return JSCAN_SPLIT;
}

/* top_done: a top-level value is complete. */
static int
top_done(struct qstream *s, int depth)
{
	return depth == 0 && s->done != NULL ? s->done(s->ectx) : 0;
}

/*
 * parse: a taken value (a skipped one only checked), named by its place
 * if it fails.
 */
static int
parse(struct qstream *s, const struct jscan_val *v, const char *p, size_t n,
    struct json_doc *d)
{
	char what[LIM_PATH_BYTES + 256];
	struct sbuf b;
	int r = s->lv[v->depth].role == R_SKIP ? json_check(p, n) :
	    api_parse_bare(p, n, d);

	if (r == 0)
		return 0;
	sbuf_init(&b, what, sizeof(what));
	sbuf_add(&b, s->what);
	if (v->depth > 0) {
		sbuf_add(&b, ": ");
		jscan_path(&s->sc, v, &b);
	}
	return api_parse_error(what, r);
}

static int
on_value(void *ctx, const struct jscan_val *v, const char *p, size_t n)
{
	struct qstream *s = ctx;
	struct qstream_lvl *l = &s->lv[v->depth];
	struct json_doc d;
	int r;

	if ((r = parse(s, v, p, n, &d)) != 0 || (r = echo_head(s, v)) != 0)
		return r;
	if (l->role == R_ECHO)   /* the value as written, quotes and all */
		r = json_write_compact((struct slice){ p, n }, s->emit, s->ectx);
	else if (l->role == R_EVAL && s->row != NULL)
		r = l->k == s->q->nstep ? s->row(s->rctx, &d, v->index) :
		    not_list(s);
	else if (l->role == R_EVAL)
		r = query_eval_from(s->q, l->k, &d, s->emit, s->ectx);
	return r != 0 ? r : top_done(s, v->depth);
}

static int
on_close(void *ctx, const struct jscan_val *v, long n)
{
	static const char null[] = "null";
	struct qstream *s = ctx;
	struct qstream_lvl *l = &s->lv[v->depth];
	struct json_doc d;
	jsmntok_t t[1];
	char c = v->first == '[' ? ']' : '}';
	int r = 0;

	(void)n;
	l->open = 0;
	if (l->mode == M_ECHO && (r = emit(s, &c, 1)) == 0 && l->origin)
		r = emit(s, "\n", 1);
	/* A member or element the step wanted was not there: null. */
	if ((l->mode == M_KEY || l->mode == M_INDEX) && !l->found) {
		if (s->row != NULL)
			return not_list(s);
		if ((r = json_parse(&d, null, 4, t, 1)) == 0)
			r = query_eval_from(s->q, l->k + 1, &d, s->emit, s->ectx);
	}
	return r != 0 ? r : top_done(s, v->depth);
}

static const struct jscan_ops qstream_ops = { on_begin, on_value, on_close };

void
qstream_init(struct qstream *s, const struct query *q, const char *what,
    json_emit out, void *ectx, qstream_row row, void *rctx, int seq)
{
	memset(s, 0, sizeof(*s));
	s->q = q;
	s->what = what;
	s->emit = out;
	s->ectx = ectx;
	s->row = row;
	s->rctx = rctx;
	jscan_init(&s->sc, &qstream_ops, s, value_buf, sizeof(value_buf),
	    "LIM_HTTP_BODY_BYTES", seq);
}

/*
 * named: an error without the answer's name (the scanner's own) gets it.
 * What was printed of a container split in pieces is closed first, so
 * stdout holds whole JSON (the elements before the error), never cut.
 */
static int
named(struct qstream *s, int r)
{
	int d;

	for (d = JSCAN_DEPTH; d >= 0; d--) {
		if (s->lv[d].open != 0 && emit(s, &s->lv[d].open, 1) == 0 &&
		    s->lv[d].origin)
			emit(s, "\n", 1);
		s->lv[d].open = 0;
	}
	if (strncmp(err_detail(), s->what, strlen(s->what)) == 0)
		return r;
	if (r == ERR_JSON)
		return err_set(r, "%s: the answer is not valid JSON (%s)",
		    s->what, err_detail());
	if (r == ERR_LIMIT)
		return err_set(r, "%s: %s", s->what, err_detail());
	return r;
}

int
qstream_sink(void *ctx, const char *p, size_t n)
{
	struct qstream *s = ctx;
	int r = jscan_feed(&s->sc, p, n);

	return r == 0 ? 0 : named(s, r);
}

int
qstream_end(struct qstream *s)
{
	int r = jscan_end(&s->sc);

	return r == 0 ? 0 : named(s, r);
}
