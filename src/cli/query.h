/*
 * query.h: the -q expressions of DESIGN.md section 2, a small subset of
 * jq paths.  An expression is `.` or a chain of steps:
 *
 *	.key  ."key"  .["key"]  ["key"]   the member of an object
 *	[N]  .[N]                         element N of an array (N < 0
 *	                                  counts from the end)
 *	[]  .[]                           each element of an array, or
 *	                                  each member value of an object
 *
 * A bare key is a run of letters, digits, `_`, `-` and bytes >= 0x80;
 * a quoted key ends at the next `"` (no escapes).  Anything else (jq's
 * `,`, `|`, `?` ...) is a syntax error, never part of a key.  As in jq, a missing
 * key or index, and any step applied to null, gives null; indexing a
 * value of another type, or iterating over null, is ERR_QUERY.  A key
 * an object has twice gives its first value (jq's would be the last,
 * which a stream cannot know in time).  Each
 * result goes out as one line: a string unescaped and raw, anything
 * else as compact JSON.
 */
#ifndef IKSCTL_QUERY_H
#define IKSCTL_QUERY_H

#include "base/limits.h"
#include "proto/json.h"

enum query_kind {
	QUERY_KEY,    /* .key */
	QUERY_INDEX,  /* [N] */
	QUERY_EACH,   /* [] */
};

struct query_step {
	enum query_kind kind;  /* what the step does */
	const char *key;       /* QUERY_KEY: the key, in query.buf */
	int index;             /* QUERY_INDEX: N */
};

struct query {
	struct query_step step[LIM_QUERY_STEPS]; /* the chain, in order */
	int nstep;                               /* steps used; 0 for `.` */
	char buf[LIM_QUERY_BYTES];               /* the keys, NUL-separated */
};

/*
 * query_parse: parse expr into *q.  Returns 0; ERR_QUERY with a detail
 * for bad syntax; ERR_LIMIT naming LIM_QUERY_BYTES or LIM_QUERY_STEPS.
 */
int query_parse(struct query *q, const char *expr);

/*
 * query_eval: run q on document d, passing each result line to emit in
 * one or more pieces, the last being "\n".  Returns 0, ERR_QUERY with a
 * detail (results before the failing one have been emitted), ERR_JSON
 * for a lone surrogate in a string, or emit's nonzero result.  A string
 * holding \u0000 prints the NUL byte, as jq -r does.
 */
int query_eval(const struct query *q, const struct json_doc *d,
    json_emit emit, void *ctx);

/*
 * query_eval_from: query_eval with the steps from k on (0 <= k <=
 * nstep), for a value a query stream has reached (query_stream.h).
 */
int query_eval_from(const struct query *q, int k, const struct json_doc *d,
    json_emit emit, void *ctx);

/* query_run: query_parse then query_eval; returns as those. */
int query_run(const struct json_doc *d, const char *expr, json_emit emit,
    void *ctx);

#endif
