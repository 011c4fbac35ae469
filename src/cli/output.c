/*
 * output.c: tables, JSON bodies and -q results on stdout (see output.h).
 * Owns the table's cell storage: cells are copied in, NUL-separated,
 * with control characters escaped (term.h); columns are aligned by
 * display width, not bytes.
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
	if (fwrite(p, 1, n, stdout) != n)
		return err_set(ERR_IO, "writing to stdout failed");
	return 0;
}

int
out_doc(const char *what, const char *json, size_t len)
{
	struct json_doc d;
	int r;

	if (out.query == NULL)
		return out_sink(NULL, json, len);
	if ((r = api_parse(what, json, len, &d)) != 0)
		return r;
	return query_eval(&out.q, &d, out_sink, NULL);
}

void
out_table_begin(const char *const *headers, int ncol)
{
	nrows = 0;
	cells_used = 0;
	ncols = ncol > TABLE_COLS ? TABLE_COLS : ncol;
	(void)out_table_row(headers);
}

int
out_table_row(const char *const *row)
{
	struct sbuf b;
	int c;

	if (nrows >= LIM_TABLE_ROWS)
		return err_limit("table", "LIM_TABLE_ROWS", LIM_TABLE_ROWS);
	for (c = 0; c < ncols; c++) {
		const char *s = row[c] ? row[c] : "";

		sbuf_init(&b, cells + cells_used, sizeof(cells) - cells_used);
		term_escape(&b, s, strlen(s));
		if (b.overflow)
			return err_limit("table", "LIM_TABLE_BYTES", LIM_TABLE_BYTES);
		cell_at[nrows][c] = (unsigned)cells_used;
		cells_used += b.len + 1;
	}
	nrows++;
	return 0;
}

int
out_table_end(void)
{
	size_t w[TABLE_COLS] = { 0 }, n;
	const char *s;
	int r, c;

	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if ((n = term_width(cells + cell_at[r][c])) > w[c])
				w[c] = n;
	for (r = 0; r < nrows; r++) {
		for (c = 0; c < ncols; c++) {
			s = cells + cell_at[r][c];
			if (c + 1 < ncols)
				printf("%s%*s", s, (int)(w[c] - term_width(s) + 3), "");
			else
				printf("%s\n", s);
		}
	}
	nrows = 0;
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 :
	    err_set(ERR_IO, "writing to stdout failed");
}

const char *
out_time(long long t, char *buf, size_t cap)
{
	return fmt_rfc3339((int64_t)t, buf, cap);
}
