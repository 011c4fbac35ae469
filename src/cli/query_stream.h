/*
 * query_stream.h: a -q query, or a table's walk over a list, run on a
 * JSON body of any size as it arrives (DESIGN.md, "Any size").
 *
 * The element scanner (proto/json_scan.h) splits the containers the
 * query walks through (`.items` then `[]`: the body's object, then its
 * list) and hands over each value the query reaches, or steps over,
 * whole: it is parsed alone, with the limits of limits.h applying to it,
 * and the rest of the query runs on it (query_eval_from).  Results go
 * out in document order as they come, which is what jq prints; a query
 * that ends on a split container (`.`, `.items`) prints it as compact
 * JSON piece by piece.  Values the query steps over are still parsed,
 * so a body that is not JSON is an error wherever it breaks.
 *
 * For a table (a row callback), the query is the path to the list
 * (`.[]`, `.clusters[]`): the path must lead to an array, else the
 * answer "is not a list", and each element goes to the callback whole.
 * In sequence mode (a watch) the body is one JSON value per event: each
 * is taken whole (so a broken one prints nothing) and the query runs on
 * it; `done` is called after each one.
 */
#ifndef IKSCTL_QUERY_STREAM_H
#define IKSCTL_QUERY_STREAM_H

#include "cli/query.h"
#include "proto/json_scan.h"

/* qstream_row: one element of a table's list, parsed; 0 or a code. */
typedef int (*qstream_row)(void *ctx, const struct json_doc *d, long index);

/* What the stream knows about each depth being walked. */
struct qstream_lvl {
	int role;     /* what the value at this depth is for (query_stream.c) */
	int mode;     /* for a split container: how its children are used */
	int k;        /* the query step that applies to this value */
	int found;    /* the member or element the step wants was seen */
	int origin;   /* this container is a result printed piece by piece */
	char open;    /* its closing bracket while printed and not closed */
};

struct qstream {
	struct jscan sc;             /* the element scanner */
	const struct query *q;       /* the query */
	const char *what;            /* names the answer in errors */
	json_emit emit;              /* where result lines go */
	void *ectx;                  /* emit's argument */
	qstream_row row;             /* a table's row callback, or NULL */
	void *rctx;                  /* its argument */
	int (*done)(void *ctx);      /* after each top-level value, or NULL */
	struct qstream_lvl lv[JSCAN_DEPTH + 1]; /* per depth */
};

/*
 * qstream_init: run q on a body as it comes, printing results to emit;
 * with row set (then q is a list path), calling row instead.  seq: a
 * sequence of values (a watch).  One stream at a time: the value buffer
 * is this module's.
 */
void qstream_init(struct qstream *s, const struct query *q, const char *what,
    json_emit emit, void *ectx, qstream_row row, void *rctx, int seq);

/*
 * qstream_sink: an http_sink feeding s.  Returns 0 or the first error:
 * ERR_JSON / ERR_LIMIT naming `what` and the element, ERR_QUERY,
 * ERR_JSON_FIELD ("is not a list"), or emit's or row's code.
 */
int qstream_sink(void *s, const char *p, size_t n);

/* qstream_end: the body is complete; returns as qstream_sink. */
int qstream_end(struct qstream *s);

#endif
