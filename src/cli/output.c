/*
 * output.c: tables, JSON bodies and -q results on stdout (see output.h).
 * Owns the table's cell storage: cells are copied in, NUL-separated,
 * with control characters escaped (term.h); columns are aligned by
 * display width, not bytes.  A full store is printed and emptied: the
 * widths only grow, so later rows line up with earlier ones as far as
 * they can.  Owns the one body stream (query_stream.h) and its parsed
 * list path.
 */
#include "cli/output.h"
#include "base/errors.h"
#include "base/fmt.h"
#include "base/limits.h"
#include "base/term.h"
#include "cloud/api.h"

#include <stdio.h>
#include <string.h>

struct out_opts out;

#define TABLE_COLS 10

static char cells[LIM_TABLE_BYTES];              /* cell text */
static unsigned cell_at[LIM_TABLE_ROWS][TABLE_COLS]; /* offsets into cells */
static size_t cells_used;                        /* bytes of cells used */
static int nrows;                                /* rows incl. the header */
static int ncols;                                /* columns */
static size_t width[TABLE_COLS];                 /* widest cell so far */
static struct qstream qs;                        /* the body stream */
static struct query listq;                       /* a table's list path */
static int streaming;                            /* qs is in use */
static int cut;                                  /* a change's answer stopped */

int
out_body_wanted(void)
{
	return out.json || out.query != NULL;
}

int
out_streamable(void)
{
	return out.json && out.query == NULL;
}

int
out_sink(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (fwrite(p, 1, n, stdout) != n || (out.watch && fflush(stdout) != 0))
		return err_set(ERR_IO, "writing to stdout failed");
	return 0;
}

/* flush_out: after each event of a watch. */
static int
flush_out(void *ctx)
{
	(void)ctx;
	return fflush(stdout) == 0 ? 0 :
	    err_set(ERR_IO, "writing to stdout failed");
}

/*
 * accepted: r from the body stream (not cut yet); for a change, a limit
 * ends the printing, not the command (output.h).
 */
static int
accepted(int r)
{
	char shown[512];
	struct sbuf b;

	if (r != ERR_LIMIT || !out.change)
		return r;
	sbuf_init(&b, shown, sizeof(shown));
	term_escape(&b, err_detail(), strlen(err_detail()));
	fprintf(stderr, "iksctl: %s; not printed, but the change was made\n",
	    shown);
	cut = 1;
	return 0;
}

/* change_sink: qstream_sink, for a change's answer (accepted()). */
static int
change_sink(void *ctx, const char *p, size_t n)
{
	return cut ? 0 : accepted(qstream_sink(ctx, p, n));
}

int
out_stream(const char *what, const char *list, qstream_row rows,
    void *rctx, http_sink_fn *sink, void **ctx)
{
	int r;

	*sink = out_sink;
	*ctx = NULL;
	streaming = 0;
	if (out_streamable() || (out.query == NULL && list == NULL))
		return 0;
	if (out.query != NULL) {
		qstream_init(&qs, &out.q, what, out_sink, NULL, NULL, NULL,
		    out.watch);
	} else {
		if ((r = query_parse(&listq, list)) != 0)
			return r;
		qstream_init(&qs, &listq, what, out_sink, NULL, rows, rctx, 0);
	}
	if (out.watch)
		qs.done = flush_out;
	*sink = change_sink;
	*ctx = &qs;
	streaming = 1;
	cut = 0;
	return 0;
}

int
out_stream_end(void)
{
	if (!streaming)
		return 0;
	streaming = 0;
	return cut ? 0 : accepted(qstream_end(&qs));
}

int
out_doc(const char *what, const char *json, size_t len)
{
	http_sink_fn sink;
	void *ctx;
	int r;

	if (out.query == NULL)
		return out_sink(NULL, json, len);
	if ((r = out_stream(what, NULL, NULL, NULL, &sink, &ctx)) != 0 ||
	    (r = sink(ctx, json, len)) != 0)
		return r;
	return out_stream_end();
}

void
out_table_begin(const char *const *headers, int ncol)
{
	nrows = 0;
	cells_used = 0;
	ncols = ncol > TABLE_COLS ? TABLE_COLS : ncol;
	memset(width, 0, sizeof(width));
	(void)out_table_row(headers);
}

/* table_print: print the rows stored, aligned, and empty the store. */
static int
table_print(void)
{
	size_t n;
	const char *s;
	int r, c;

	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if ((n = term_width(cells + cell_at[r][c])) > width[c])
				width[c] = n;
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			s = cells + cell_at[r][c];
			if (c + 1 < ncols)
				printf("%s%*s", s, (int)(width[c] -
				    term_width(s) + 3), "");
			else
				printf("%s\n", s);
		}
	}
	nrows = 0;
	cells_used = 0;
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 :
	    err_set(ERR_IO, "writing to stdout failed");
}

/* table_add: store one row; 1 if the store has no room for it. */
static int
table_add(const char *const *row)
{
	struct sbuf b;
	size_t used = cells_used;
	int c;

	if (nrows >= LIM_TABLE_ROWS)
		return 1;
	for (c = 0; c < ncols; c++) {
		const char *s = row[c] ? row[c] : "";

		sbuf_init(&b, cells + used, sizeof(cells) - used);
		term_escape(&b, s, strlen(s));
		if (b.overflow)
			return 1;
		cell_at[nrows][c] = (unsigned)used;
		used += b.len + 1;
	}
	cells_used = used;
	nrows++;
	return 0;
}

int
out_table_row(const char *const *row)
{
	int r;

	if (table_add(row) == 0)
		return 0;
	/* Full: print what is aligned so far and go on. */
	if ((r = table_print()) != 0)
		return r;
	if (table_add(row) == 0)
		return 0;
	return err_limit("table row", "LIM_TABLE_BYTES", LIM_TABLE_BYTES);
}

int
out_table_end(void)
{
	return table_print();
}

const char *
out_time(long long t, char *buf, size_t cap)
{
	return fmt_rfc3339((int64_t)t, buf, cap);
}
