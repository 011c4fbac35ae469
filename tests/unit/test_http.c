/*
 * test_http.c: the HTTP client (src/proto/http*.c) driven through a
 * fake transport (tests/unit/http_fake.h): requests and responses.
 * Every response case is fed whole and one byte at a time.  Connections
 * (reuse, stale ones, retries, failures, proxies, TLS sessions, traces):
 * test_http_conn.c; the request checks, -H merging and the resend after a
 * reset: test_http_check.c.
 */
#include "http_fake.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

static const size_t chunks[] = { 0, 1, 3 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

/* Status line, odd-cased and folded headers, Content-Length, request bytes. */
TEST(test_basic_get)
{
	struct http_req rq = get("https://h.example/base/p?q=1");
	struct http_resp rs;
	struct slice v;
	size_t k;

	for (k = 0; k < NCHUNKS; k++) {
		reset(1, chunks[k]);
		add(0, "HTTP/1.1 200 OK\r\ncOnTeNt-TyPe: application/json\r\n"
		    "X-Folded: first\r\n  second\r\ncontent-length: 11\r\n\r\n"
		    "{\"a\":\"b c\"}", 0, NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK_EQ_INT(rs.status, 200);
		CHECK_EQ_INT(rs.minor, 1);
		CHECK(body_is(&rs, "{\"a\":\"b c\"}"));
		CHECK_EQ_INT(rs.body[rs.body_len], '\0');
		CHECK_EQ_INT(rs.attempts, 1);
		v = http_header(&rs, "Content-Type");
		CHECK(slice_eq(v, "application/json"));
		v = http_header(&rs, "x-folded");
		CHECK(slice_starts(v, "first") && v.n > 5 &&
		    memcmp(v.p + v.n - 6, "second", 6) == 0);
		CHECK_EQ_INT(http_header(&rs, "missing").n, 0);
		CHECK_EQ_INT(fk.c[0].sends, 1);
		fk.c[0].sent[fk.c[0].sent_len] = '\0';
		CHECK_STR(fk.c[0].sent, "GET /base/p?q=1 HTTP/1.1\r\n"
		    "Host: h.example\r\n" UA "\r\n");
		CHECK_STR(fk.last.host, "h.example");
		CHECK_EQ_INT(fk.last.port, 443);
		CHECK_EQ_INT(fk.bad, 0);
	}
	/* A trailing slash stays; no path is "/". */
	reset(2, 0);
	add(0, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	add(1, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	rq.url = "https://h.example/dir/";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(strncmp(fk.c[0].sent, "GET /dir/ HTTP/1.1\r\n", 20) == 0);
	rq.url = "https://g.example?x=%20y";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(strncmp(fk.c[1].sent, "GET /?x=%20y HTTP/1.1\r\n", 23) == 0);
	/* A port and an IPv6 literal reach Host and the target. */
	reset(1, 0);
	add(0, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	rq.url = "https://[::1]:8443/x";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent, "GET /x HTTP/1.1\r\nHost: [::1]:8443\r\n" UA
	    "\r\n");
	CHECK(fk.last.ipv6 && fk.last.port == 8443);
	CHECK_STR(fk.last.host, "::1");
}

/* A POST: headers and a small body in one write, Content-Length. */
TEST(test_post_one_write)
{
	static char big[40000];
	struct http_req rq = get("https://iam.example/identity/token");
	struct http_resp rs;
	const char *want = "POST /identity/token HTTP/1.1\r\nHost: iam.example\r\n"
	    UA "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 13\r\n\r\ngrant_type=x&";

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 0, NULL);
	rq.method = "POST";
	rq.headers = "Content-Type: application/x-www-form-urlencoded\r\n";
	rq.body = "grant_type=x&";
	rq.body_len = 13;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.c[0].sends, 1);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent, want);

	/* Partial writes: 7 bytes at a time, the same bytes arrive. */
	reset(1, 1);
	fk.c[0].send_max = 7;
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(fk.c[0].sends > 10);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent, want);

	/* An empty POST still says Content-Length: 0. */
	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	rq.headers = NULL;
	rq.body = NULL;
	rq.body_len = 0;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(find(fk.c[0].sent, fk.c[0].sent_len, "\r\nContent-Length: 0\r\n"
	    "\r\n", 23) != NULL);
	CHECK(body_is(&rs, ""));

	/* A body too big for the request buffer goes in a second write. */
	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	memset(big, 'z', sizeof(big));
	rq.body = big;
	rq.body_len = sizeof(big);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.c[0].sends, 2);
	CHECK(find(fk.c[0].sent, fk.c[0].sent_len, "Content-Length: 40000\r\n",
	    23) != NULL);
	CHECK_EQ_INT(fk.c[0].sent_len, strlen("POST /identity/token HTTP/1.1\r\n"
	    "Host: iam.example\r\n" UA "Content-Length: 40000\r\n\r\n") + 40000);
}

/* Chunked: extensions, trailers, one-byte chunks, odd hex case. */
TEST(test_chunked)
{
	struct http_req rq = get("https://h.example/c");
	struct http_resp rs;
	size_t k;

	for (k = 0; k < NCHUNKS; k++) {
		reset(1, chunks[k]);
		add(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "5;name=\"quoted value\"\r\nhello\r\n1\r\n \r\n1;x\r\nw\r\n"
		    "1\r\no\r\n1\r\nr\r\n1\r\nl\r\n1\r\nd\r\nA\r\n0123456789\r\n"
		    "0\r\nX-Trailer: done\r\nX-Other: 1\r\n\r\n", 0, NULL);
		add(0, "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n"
		    "3\r\nabc\r\n0\r\n\r\n", 0, NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK(body_is(&rs, "hello world0123456789"));
		CHECK_EQ_INT(http_do(&rq, &rs), 0);   /* the same connection */
		CHECK(body_is(&rs, "abc"));
		CHECK_EQ_INT(fk.opened, 1);
		CHECK_EQ_INT(fk.bad, 0);
	}
	/* Malformed chunk size. */
	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0,
	    NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_MALFORMED);
	CHECK_EQ_INT(fk.c[0].closed, 1);
	/* A chunked body that stops early. */
	reset(1, 1);
	add(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0,
	    NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TRUNCATED);
}

/* No framing: the body runs until the server closes; then a new connection. */
TEST(test_close_delimited)
{
	struct http_req rq = get("https://h.example/c");
	struct http_resp rs;
	size_t k;

	for (k = 0; k < NCHUNKS; k++) {
		reset(2, chunks[k]);
		add(0, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
		    "until the end", 0, NULL);
		add(1, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc", 0, NULL);
		add(2, "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n"
		    "Connection: keep-alive\r\n\r\nxyz", 0, NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK(body_is(&rs, "until the end"));
		CHECK_EQ_INT(fk.c[0].closed, 1);
		/* HTTP/1.0 without keep-alive closes too. */
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK(body_is(&rs, "abc"));
		CHECK_EQ_INT(fk.opened, 2);
		CHECK_EQ_INT(fk.c[1].closed, 1);
	}
	/* Connection: close on 1.1, and bytes past the body, close too. */
	reset(3, 0);
	add(0, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n1",
	    0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2junk", 0, NULL);
	add(2, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "3"));
	CHECK_EQ_INT(fk.opened, 3);
}

/* 1xx answers before the final one; no body for HEAD, 204, 304. */
TEST(test_1xx_and_no_body)
{
	struct http_req rq = get("https://h.example/x");
	struct http_resp rs;
	size_t k;

	for (k = 0; k < NCHUNKS; k++) {
		reset(1, chunks[k]);
		add(0, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
		    "Link: </s.css>\r\n\r\nHTTP/1.1 201 Created\r\n"
		    "Content-Length: 2\r\n\r\nok", 0, NULL);
		add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 0, NULL);
		add(0, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0,
		    NULL);
		add(0, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", 0,
		    NULL);
		add(0, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast", 0, NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK_EQ_INT(rs.status, 201);
		CHECK(body_is(&rs, "ok"));
		CHECK_EQ_INT(http_header(&rs, "link").n, 0);
		rq.method = "HEAD";
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK_EQ_INT(rs.status, 200);
		CHECK(body_is(&rs, ""));
		rq.method = "GET";
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK_EQ_INT(rs.status, 204);
		CHECK_EQ_INT(rs.body_len, 0);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK_EQ_INT(rs.status, 304);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK(body_is(&rs, "last"));
		CHECK_EQ_INT(fk.opened, 1);   /* all on one connection */
		CHECK_EQ_INT(fk.bad, 0);
	}
}

/* Bodies and heads over their limits are errors that name the limit. */
TEST(test_limits)
{
	static char head[20000], chunked_head[200], many[4096];
	struct http_req rq = get("https://h.example/big");
	struct http_resp rs;
	int i, n;

	reset(1, 0);
	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
	    "\r\n", LIM_HTTP_BODY_BYTES + 1);
	add(0, head, LIM_HTTP_BODY_BYTES + 1, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TOO_LARGE);
	CHECK(detail_has("LIM_HTTP_BODY_BYTES"));
	CHECK_EQ_INT(fk.c[0].closed, 1);

	/* Exactly at the limit is fine, buffered, with its NUL after it. */
	reset(1, 0);
	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
	    "\r\n", LIM_HTTP_BODY_BYTES);
	add(0, head, LIM_HTTP_BODY_BYTES, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.body_len, LIM_HTTP_BODY_BYTES);
	CHECK(rs.body[0] == 'a' && rs.body[LIM_HTTP_BODY_BYTES - 1] ==
	    (char)('a' + (LIM_HTTP_BODY_BYTES - 1) % 26));
	CHECK_EQ_INT(rs.body[rs.body_len], '\0');

	/* Chunked, at the limit then over it. */
	reset(2, 0);
	snprintf(chunked_head, sizeof(chunked_head), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n%x\r\n", LIM_HTTP_BODY_BYTES);
	add(0, chunked_head, LIM_HTTP_BODY_BYTES, "\r\n0\r\nX-T: 1\r\n\r\n");
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.body_len, LIM_HTTP_BODY_BYTES);
	add(0, chunked_head, LIM_HTTP_BODY_BYTES, "\r\n1\r\nx\r\n0\r\n\r\n");
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TOO_LARGE);
	CHECK(detail_has("LIM_HTTP_BODY_BYTES"));

	/* Close-delimited over the limit. */
	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\n\r\n", LIM_HTTP_BODY_BYTES + 100, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TOO_LARGE);
	CHECK(detail_has("LIM_HTTP_BODY_BYTES"));

	/* A head over LIM_HTTP_HEAD_BYTES, whole and byte by byte. */
	for (i = 0; i < 2; i++) {
		reset(1, i ? 1 : 0);
		n = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nX-Pad: ");
		memset(head + n, 'p', 17000);
		memcpy(head + n + 17000, "\r\nContent-Length: 0\r\n\r\n", 24);
		add(0, head, 0, NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TOO_LARGE);
		CHECK(detail_has("LIM_HTTP_HEAD_BYTES"));
	}
	/* More fields than LIM_HTTP_HEADERS. */
	reset(1, 0);
	n = snprintf(many, sizeof(many), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < LIM_HTTP_HEADERS + 1; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n, "X-%d: v\r\n", i);
	snprintf(many + n, sizeof(many) - (size_t)n, "\r\n");
	add(0, many, 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TOO_LARGE);
	CHECK(detail_has("LIM_HTTP_HEADERS"));
}

struct sink_rec {
	size_t n;               /* bytes received */
	size_t calls;           /* calls */
	const char *lo, *hi;    /* the span of memory they came from */
	int ok;                 /* bytes were the expected pattern */
	size_t fail_after;      /* return 7 once this many bytes came (0: never) */
};

static int
rec_sink(void *ctx, const char *p, size_t n)
{
	struct sink_rec *s = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (char)('a' + (s->n + i) % 26))
			s->ok = 0;
	if (s->lo == NULL || p < s->lo)
		s->lo = p;
	if (s->hi == NULL || p + n > s->hi)
		s->hi = p + n;
	s->n += n;
	s->calls++;
	return s->fail_after && s->n >= s->fail_after ? 7 : 0;
}

/* Streaming: any size passes through one small window of memory. */
TEST(test_streaming)
{
	static char head[200];
	struct http_req rq = get("https://h.example/stream");
	struct http_resp rs;
	struct sink_rec s;
	size_t big = 3 * (size_t)LIM_HTTP_BODY_BYTES + 17;

	reset(1, 0);
	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
	    "\r\n", big);
	add(0, head, big, NULL);
	snprintf(head + 100, 100, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n%zx\r\n", big);
	add(0, head + 100, big, "\r\n0\r\n\r\n");
	add(0, "HTTP/1.1 200 OK\r\n\r\n", big, NULL);
	memset(&s, 0, sizeof(s));
	s.ok = 1;
	rq.sink = rec_sink;
	rq.sink_ctx = &s;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(s.n, big);
	CHECK_EQ_INT(rs.body_len, big);
	CHECK(s.ok);
	CHECK(rs.body != NULL && rs.body[0] == '\0');
	CHECK((size_t)(s.hi - s.lo) <= LIM_HTTP_STREAM_WINDOW +
	    LIM_HTTP_HEAD_BYTES);
	memset(&s, 0, sizeof(s));
	s.ok = 1;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);   /* chunked */
	CHECK_EQ_INT(s.n, big);
	CHECK(s.ok);
	CHECK((size_t)(s.hi - s.lo) <= LIM_HTTP_STREAM_WINDOW +
	    LIM_HTTP_HEAD_BYTES);
	memset(&s, 0, sizeof(s));
	s.ok = 1;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);   /* close-delimited */
	CHECK_EQ_INT(s.n, big);
	CHECK(s.ok);
	CHECK_EQ_INT(fk.opened, 1);

	/* Byte by byte, chunked in one-byte chunks. */
	reset(1, 1);
	add(0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "1\r\na\r\n1\r\nb\r\n1;e=1\r\nc\r\n0\r\n\r\n", 0, NULL);
	memset(&s, 0, sizeof(s));
	s.ok = 1;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(s.n, 3);
	CHECK(s.ok);

	/* The sink stops the transfer: its value comes back, the
	 * connection is dropped. */
	reset(1, 0);
	add(0, head, big, NULL);
	memset(&s, 0, sizeof(s));
	s.fail_after = 100000;
	CHECK_EQ_INT(http_do(&rq, &rs), 7);
	CHECK_EQ_INT(fk.c[0].closed, 1);

	/* An error answer is buffered, not streamed. */
	reset(1, 0);
	add(0, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found",
	    0, NULL);
	memset(&s, 0, sizeof(s));
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 404);
	CHECK(body_is(&rs, "not found"));
	CHECK_EQ_INT(s.calls, 0);
}

int
main(void)
{
	fake_start();
	RUN(test_basic_get);
	RUN(test_post_one_write);
	RUN(test_chunked);
	RUN(test_close_delimited);
	RUN(test_1xx_and_no_body);
	RUN(test_limits);
	RUN(test_streaming);
	http_set_transport(NULL);
	return test_done();
}
