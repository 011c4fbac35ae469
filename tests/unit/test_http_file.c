/*
 * test_http_file.c: a request body read from a file (http_req.file,
 * issue 16 point 3) through the fake transport of http_fake.h: its
 * Content-Length is the file's, its bytes go out whole from its offset
 * in pieces after the head, a retry (429) and a resend (a stale
 * connection) read it again from its start, a file that got shorter
 * cuts the request short with ERR_IO and a closed connection and is
 * never resent, and the -v trace names it instead of dumping it.
 */
#include "http_fake.h"

#include <stdio.h>
#include <unistd.h>

#define OK200 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
#define HEAD "PUT /f HTTP/1.1\r\nHost: h.example\r\n" UA

static char data[100000];       /* the file's bytes */

/* body_file: a temporary file holding skip bytes of x, then data. */
static int
body_file(size_t skip)
{
	char path[] = "/tmp/iksctl-test-file.XXXXXX";
	int fd = mkstemp(path);
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('A' + (i * 7 + i / 251) % 26);
	unlink(path);
	for (i = 0; i < skip; i++)
		if (write(fd, "x", 1) != 1)
			return -1;
	if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
		return -1;
	return fd;
}

/* sent_ok: conn c got, after its n-th head, exactly the head and data. */
static int
sent_ok(const struct fconn *c, int n)
{
	static char want[sizeof(HEAD) + 64];
	const char *p = c->sent, *e = c->sent + c->sent_len;
	size_t hl;

	snprintf(want, sizeof(want), HEAD "Content-Length: %zu\r\n\r\n",
	    sizeof(data));
	hl = strlen(want);
	while (n-- > 0) {
		if ((size_t)(e - p) < hl + sizeof(data) ||
		    memcmp(p, want, hl) != 0 ||
		    memcmp(p + hl, data, sizeof(data)) != 0)
			return 0;
		p += hl + sizeof(data);
	}
	return p == e;
}

static struct http_req
put(const struct http_file *f)
{
	struct http_req rq = get("https://h.example/f");

	rq.method = "PUT";
	rq.retry = 0;
	rq.file = f;
	return rq;
}

/* The file's length as Content-Length, its bytes from its offset. */
TEST(test_file_body)
{
	struct http_file f = { -1, 5, sizeof(data), "body.json" };
	struct http_req rq = put(&f);
	struct http_resp rs;

	f.fd = body_file(5);
	CHECK(f.fd >= 0);
	reset(1, 0);
	add(0, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 200);
	CHECK(sent_ok(&fk.c[0], 1));
	/* In pieces of the request buffer: the head, then the body. */
	CHECK_EQ_INT(fk.c[0].sends, 1 + (sizeof(data) + LIM_HTTP_REQ_BYTES - 1) /
	    LIM_HTTP_REQ_BYTES);

	/* Short writes: the same bytes arrive. */
	reset(1, 0);
	fk.c[0].send_max = 1000;
	add(0, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(sent_ok(&fk.c[0], 1));
	close(f.fd);
}

/* A 429, and a resend after a stale connection, read it from its start. */
TEST(test_file_again)
{
	struct http_file f = { -1, 0, sizeof(data), "body.json" };
	struct http_req rq = put(&f);
	struct http_resp rs;

	f.fd = body_file(0);
	reset(1, 0);
	add(0, "HTTP/1.1 429 Slow\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n",
	    0, NULL);
	add(0, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 200);
	CHECK_EQ_INT(rs.attempts, 2);
	CHECK(sent_ok(&fk.c[0], 2));

	/* A write that fails before a byte went out: resent once, whole. */
	reset(2, 0);
	fk.c[0].send_err = ERR_NET_RESET;
	add(1, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.c[0].sent_len, 0);
	CHECK(sent_ok(&fk.c[1], 1));
	close(f.fd);
}

/* A file shorter than its length: ERR_IO, cut short, closed, not resent. */
TEST(test_file_shrunk)
{
	struct http_file f = { -1, 0, sizeof(data) + 10, "body.json" };
	struct http_req rq = put(&f);
	struct http_resp rs;

	f.fd = body_file(0);
	reset(2, 0);
	add(0, OK200, 0, NULL);
	add(1, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_IO);
	CHECK(detail_has("body.json: it got shorter after 100000 of its "
	    "100010 bytes"));
	CHECK_EQ_INT(fk.opened, 1);
	CHECK_EQ_INT(fk.c[0].closed, 1);
	CHECK(find(fk.c[0].sent, fk.c[0].sent_len, "Content-Length: 100010\r\n",
	    24) != NULL);
	CHECK_EQ_INT(err_exit_status(ERR_IO), EXIT_FAIL);

	/* A file that is not readable: the same, with the reason. */
	close(f.fd);
	reset(1, 0);
	add(0, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_IO);
	CHECK(detail_has("body.json: ") && detail_has(" after 0 of its 100010"));
}

/* -v: "[N bytes from NAME]", never the bytes. */
TEST(test_file_trace)
{
	struct http_file f = { -1, 0, sizeof(data), "/x/body.json" };
	struct http_req rq = put(&f);
	struct http_resp rs;
	char buf[4096];
	FILE *tr = tmpfile();
	size_t n;
	int saved = dup(2);

	f.fd = body_file(0);
	CHECK(tr != NULL && saved >= 0);
	dup2(fileno(tr), 2);
	http_opts.verbose = 1;
	reset(1, 0);
	add(0, OK200, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	http_opts.verbose = 0;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tr);
	n = fread(buf, 1, sizeof(buf) - 1, tr);
	buf[n] = '\0';
	CHECK(strstr(buf, "> [100000 bytes from /x/body.json]\n") != NULL);
	CHECK(find(buf, n, data, 16) == NULL && n < 2000);
	fclose(tr);
	close(f.fd);
}

int
main(void)
{
	fake_start();
	RUN(test_file_body);
	RUN(test_file_again);
	RUN(test_file_shrunk);
	RUN(test_file_trace);
	http_set_transport(NULL);
	return test_done();
}
