/*
 * test_output.c: the table (src/cli/output.c).  Rows are aligned by
 * display width; a table longer than its store (LIM_TABLE_ROWS rows or
 * LIM_TABLE_BYTES of cells) is printed block by block, never refused,
 * with columns that only widen.  stdout goes to a file that is read
 * back.
 */
#include "test.h"

#include "base/errors.h"
#include "base/limits.h"
#include "cli/output.h"

#include <fcntl.h>
#include <stdlib.h>

#define TEXT_FILE "build/test_output.txt"

static char text[4 * 1024 * 1024];   /* what the table printed */
static size_t textn;

/* table: print n rows of two cells (row i: "r<i>", a cell of w(i) bytes). */
static int
table(long n, size_t (*w)(long))
{
	static const char *const hdr[] = { "NAME", "VALUE" };
	static char cell[LIM_TABLE_ROW_BYTES], name[32];
	const char *row[2] = { name, cell };
	FILE *f;
	long i;
	int r = 0, keep, fd;

	fflush(stdout);
	keep = dup(1);
	fd = open(TEXT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (keep < 0 || fd < 0 || dup2(fd, 1) < 0)
		return -1;
	close(fd);
	out_table_begin(hdr, 2);
	for (i = 0; i < n && r == 0; i++) {
		snprintf(name, sizeof(name), "r%ld", i);
		memset(cell, 'x', w(i));
		cell[w(i)] = '\0';
		r = out_table_row(row);
	}
	if (r == 0)
		r = out_table_end();
	fflush(stdout);
	dup2(keep, 1);
	close(keep);
	f = fopen(TEXT_FILE, "r");
	textn = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[textn] = '\0';
	if (f)
		fclose(f);
	return r;
}

static size_t w_short(long i) { return (size_t)(i % 7); }
static size_t w_wide(long i) { return i < 10 ? 5 : 12000; }

/* col: where the second column starts on line k (0-based), or -1. */
static long
col(long k)
{
	const char *p = text, *e;

	while (k-- > 0 && (p = strchr(p, '\n')) != NULL)
		p++;
	if (p == NULL || *p == '\0')
		return -1;
	e = strchr(p, ' ');
	while (e != NULL && *e == ' ')
		e++;
	return e ? (long)(e - p) : -1;
}

static long
lines(void)
{
	long n = 0;
	size_t i;

	for (i = 0; i < textn; i++)
		n += text[i] == '\n';
	return n;
}

TEST(test_aligned)
{
	CHECK_EQ_INT(table(100, w_short), 0);
	CHECK_EQ_INT(lines(), 101);
	CHECK(strncmp(text, "NAME   VALUE\n", 13) == 0);
	CHECK_EQ_INT(col(0), 7);
	CHECK_EQ_INT(col(100), 7);
	CHECK(strstr(text, "\nr99    x\n") != NULL);
}

TEST(test_longer_than_the_store)
{
	long n = LIM_TABLE_ROWS * 2 + 5;

	/* More rows than LIM_TABLE_ROWS: three blocks, every row printed. */
	CHECK_EQ_INT(table(n, w_short), 0);
	CHECK_EQ_INT(lines(), n + 1);
	CHECK(strncmp(text, "NAME", 4) == 0);
	CHECK(strstr(text + 4, "NAME") == NULL);   /* one header */
	CHECK(strstr(text, "\nr32772 ") != NULL);
	/* Rows after the first block line up with it (widths only grow). */
	CHECK_EQ_INT(col(1), col(LIM_TABLE_ROWS + 3));
	/* More than LIM_TABLE_BYTES of cells: printed in blocks, in order. */
	n = 2 * LIM_TABLE_BYTES / 12000 + 3;
	CHECK_EQ_INT(table(n, w_wide), 0);
	CHECK_EQ_INT(lines(), n + 1);
	CHECK(strstr(text, "\nr9     xxxxx\n") != NULL);
	CHECK_EQ_INT(col(n), col(n - 1));
}

int
main(void)
{
	RUN(test_aligned);
	RUN(test_longer_than_the_store);
	return test_done();
}
