/*
 * test_output.c: the table (src/cli/output.c).  Rows are aligned by
 * display width; a table longer than its store (LIM_TABLE_ROWS rows or
 * LIM_TABLE_BYTES of cells) is printed block by block, never refused,
 * with columns that only widen.  An answer streamed with -q that has
 * an element over a limit.  stdout goes to a file that is read back.
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

/*
 * answer: the body through out_stream with -q expr (out.change: the
 * request made a change), fed in pieces of 4096 bytes; stdout in text[],
 * stderr in err[].  Returns the first error.
 */
static char err[4096];

static int
answer(const char *body, size_t n, const char *expr, int change)
{
	http_sink_fn sink;
	void *ctx;
	size_t i, k;
	FILE *f;
	int r, keep1, keep2, fd1, fd2;

	fflush(stdout);
	fflush(stderr);
	keep1 = dup(1);
	keep2 = dup(2);
	fd1 = open(TEXT_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	fd2 = open(TEXT_FILE ".err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (keep1 < 0 || keep2 < 0 || fd1 < 0 || fd2 < 0 || dup2(fd1, 1) < 0 ||
	    dup2(fd2, 2) < 0)
		return -1;
	close(fd1);
	close(fd2);
	out.query = expr;
	out.change = change;
	r = query_parse(&out.q, expr);
	if (r == 0)
		r = out_stream("POST /x", NULL, NULL, NULL, &sink, &ctx);
	for (i = 0; i < n && r == 0; i += k) {
		k = n - i < 4096 ? n - i : 4096;
		r = sink(ctx, body + i, k);
	}
	if (r == 0)
		r = out_stream_end();
	fflush(stdout);
	fflush(stderr);
	dup2(keep1, 1);
	dup2(keep2, 2);
	close(keep1);
	close(keep2);
	out.query = NULL;
	out.change = 0;
	f = fopen(TEXT_FILE, "r");
	textn = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[textn] = '\0';
	if (f)
		fclose(f);
	f = fopen(TEXT_FILE ".err", "r");
	err[f ? fread(err, 1, sizeof(err) - 1, f) : 0] = '\0';
	if (f)
		fclose(f);
	return r;
}

/*
 * An answer with an element over a limit: the whole elements before it
 * on stdout, never a piece of it.  For a change the service made, the
 * command does not fail: stderr says what happened.
 */
TEST(test_answer_over_a_limit)
{
	static char body[2 * LIM_JSON_TOKENS + 128];
	size_t n;
	long i;

	n = (size_t)snprintf(body, sizeof(body), "{\"items\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\",\"x\":[");
	for (i = 0; i < LIM_JSON_TOKENS; i++) {
		body[n++] = '0';
		body[n++] = ',';
	}
	n += (size_t)snprintf(body + n, sizeof(body) - n,
	    "0]},{\"name\":\"c\"}]}");
	/* A read: the error. */
	CHECK_EQ_INT(answer(body, n, ".items[]", 0), ERR_LIMIT);
	CHECK_STR(text, "{\"name\":\"a\"}\n");
	CHECK_STR(err, "");
	CHECK(strstr(err_detail(), ".items[1]") != NULL);
	/* A change: made, so exit 0, and said on stderr. */
	CHECK_EQ_INT(answer(body, n, ".items[]", 1), 0);
	CHECK_STR(text, "{\"name\":\"a\"}\n");
	CHECK(strstr(err, "iksctl: POST /x: .items[1]: the answer is over a "
	    "limit: JSON tokens over LIM_JSON_TOKENS") == err);
	CHECK(strstr(err, "; not printed, but the change was made\n") != NULL);
	CHECK_EQ_INT(answer(body, n, ".items[].x", 1), 0);
	CHECK_STR(text, "null\n");
	CHECK(strstr(err, ".items[1].x: the answer is over") != NULL);
	/* Other errors stay errors, for a change too. */
	CHECK_EQ_INT(answer(body, n, ".items[0].name[]", 1), ERR_QUERY);
	CHECK_EQ_INT(answer("{\"a\" 1}", 8, ".a", 1), ERR_JSON);
	CHECK_EQ_INT(answer("{\"a\":1}", 7, ".a", 1), 0);
	CHECK_STR(text, "1\n");
	CHECK_STR(err, "");
}

int
main(void)
{
	RUN(test_aligned);
	RUN(test_longer_than_the_store);
	RUN(test_answer_over_a_limit);
	return test_done();
}
