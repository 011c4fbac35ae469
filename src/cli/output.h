/*
 * output.h: what commands print.  Three forms (DESIGN.md section 2):
 * the table (aligned columns, a header row, nothing else on stdout),
 * -o json (the service's body byte for byte, streamed; iksctl's own
 * object for login, target and token) and -q (a query over the JSON,
 * one result per line).  The table keeps its cells in static storage.
 */
#ifndef IKSCTL_OUTPUT_H
#define IKSCTL_OUTPUT_H

#include <stddef.h>

#include "cli/query.h"
#include "cli/query_stream.h"
#include "proto/http.h"

struct out_opts {
	int json;               /* -o json */
	const char *query;      /* -q expression or NULL */
	struct query q;         /* the parsed query */
	int watch;              /* a watch: flush each event as it comes */
	int change;             /* the request changes something (not GET) */
};

extern struct out_opts out;

/* out_body_wanted: 1 if the command should print a JSON body (-o json, -q). */
int out_body_wanted(void);

/* out_streamable: 1 if a 2xx body can be streamed to stdout as is. */
int out_streamable(void);

/* out_sink: an http_sink that writes to stdout. */
int out_sink(void *ctx, const char *p, size_t n);

/*
 * out_stream: the sink for a 2xx body of `what`, in *sink and *ctx:
 * with -o json stdout, with -q the query run as the body comes; else
 * (a table) each element of the list at path `list` (".[]",
 * ".regions[]") goes to rows, parsed alone, or with no list stdout.  Returns 0 or the ERR_QUERY
 * of a bad list path.  One stream at a time.
 */
int out_stream(const char *what, const char *list, qstream_row rows,
    void *rctx, http_sink_fn *sink, void **ctx);

/*
 * With out.change set, an element of the 2xx body over a limit does not
 * fail the command, since the service has made the change: the results
 * before it stay on stdout, stderr says that the change was made and
 * why the rest of its answer is not printed, the rest is read and
 * dropped, and the command goes on (exit 0).
 */

/* out_stream_end: the 2xx body has all gone to the sink: finish it. */
int out_stream_end(void);

/*
 * out_doc: print a JSON document per -o json / -q: the bytes as they are,
 * or the query's results.  Returns 0 or a negative code.
 */
int out_doc(const char *what, const char *json, size_t len);

/* out_table_begin: start a table with ncol headers. */
void out_table_begin(const char *const *headers, int ncol);

/*
 * out_table_row: add a row of the table's ncol cells (copied).  When the
 * table's store (LIM_TABLE_BYTES, LIM_TABLE_ROWS) is full, the rows so
 * far are printed, aligned, and the table goes on: no list is too long.
 */
int out_table_row(const char *const *cells);

/* out_table_end: print the table, aligned. */
int out_table_end(void);

/* out_time: format a unix time as RFC 3339 UTC into buf[cap]. */
const char *out_time(long long t, char *buf, size_t cap);

#endif
