/*
 * test_http.c: the HTTP client (src/proto/http*.c) driven through a
 * fake transport (tests/unit/http_fake.h).  Every response case is fed
 * whole and one byte at a time.  The request checks, -H merging and the
 * resend after a reset are in test_http_check.c.
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

/* One connection per host, reused; another host or trust, another one. */
TEST(test_reuse)
{
	struct http_req rq = get("https://a.example/1");
	struct http_resp rs;
	int i;

	reset(3, 0);
	for (i = 0; i < 5; i++)
		add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB", 0, NULL);
	add(2, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC", 0, NULL);
	for (i = 0; i < 3; i++)
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
	rq.url = "https://b.example/1";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "B"));
	rq.url = "https://a.example/2";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "A"));
	rq.ca_pem = "-----BEGIN CERTIFICATE-----";
	rq.ca_len = 27;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "C"));
	CHECK_EQ_INT(fk.last.ca_len, 27);
	rq.ca_pem = NULL;
	rq.ca_len = 0;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "A"));
	CHECK_EQ_INT(fk.opened, 3);
	CHECK_EQ_INT(http_stats.connects, 3);
	CHECK_EQ_INT(http_stats.requests, 7);
	CHECK_EQ_INT(fk.bad, 0);

	/* More hosts than LIM_HTTP_CONNS: the least recently used goes. */
	reset(LIM_HTTP_CONNS + 1, 0);
	for (i = 0; i <= LIM_HTTP_CONNS; i++) {
		char url[64];

		snprintf(url, sizeof(url), "https://h%d.example/", i);
		add(i, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
		rq.url = url;
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
	}
	CHECK_EQ_INT(fk.c[0].closed, 1);
	CHECK_EQ_INT(fk.c[1].closed, 0);
}

/* A connection the server closed while idle. */
TEST(test_stale)
{
	struct http_req rq = get("https://h.example/s");
	struct http_resp rs;

	/* Seen before sending: a new connection, no resend needed. */
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	fk.c[0].idle_after = 1;
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));
	CHECK_EQ_INT(http_stats.stale, 1);
	CHECK_EQ_INT(http_stats.resent, 0);
	CHECK_EQ_INT(fk.c[0].closed, 1);

	/* Not seen in time: EOF instead of an answer; a GET is resent once. */
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));
	CHECK_EQ_INT(rs.attempts, 1);
	CHECK_EQ_INT(http_stats.resent, 1);
	CHECK_EQ_INT(http_stats.requests, 3);

	/* The same with a reset, and with a failed write. */
	reset(3, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "", 0, NULL);
	fk.c[0].end = END_RESET;
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	add(2, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));
	fk.c[1].send_err = ERR_NET_RESET;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "3"));
	CHECK_EQ_INT(http_stats.resent, 2);

	/* A POST that is not safe to repeat is not resent. */
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	rq.method = "POST";
	rq.retry = 0;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(fk.opened, 1);
	CHECK_EQ_INT(http_stats.resent, 0);
	/* The IAM token POST (retry set) is. */
	rq.retry = 1;
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));

	/* Once part of an answer came, nothing is resent. */
	rq.method = "GET";
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Len", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TRUNCATED);
	CHECK_EQ_INT(fk.opened, 1);
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0, NULL);
	fk.c[0].end = END_RESET;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(fk.opened, 1);

	/* A PUT on a reused connection the server closed is not resent. */
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	rq.method = "PUT";
	rq.retry = 0;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(fk.opened, 1);
	CHECK_EQ_INT(http_stats.resent, 0);
	rq.method = "GET";
	rq.retry = 1;
}

static void
fmt_date(char *out, size_t cap, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Retries of 429 and 5xx (not 501), Retry-After, the bounds. */
TEST(test_retries)
{
	static char dated[200];
	struct http_req rq = get("https://h.example/r");
	struct http_resp rs;
	char date[64];
	int64_t t0, ms;

	/* 429 with Retry-After: 0, then 200. */
	reset(1, 0);
	add(0, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\n"
	    "Content-Length: 4\r\n\r\nslow", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 200);
	CHECK_EQ_INT(rs.attempts, 2);
	CHECK(body_is(&rs, "ok"));
	CHECK_EQ_INT(http_stats.retries, 1);

	/* 503 three times: three attempts, the last answer returned. */
	reset(1, 0);
	add(0, "HTTP/1.1 503 Unavailable\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "HTTP/1.1 503 Unavailable\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	add(0, "HTTP/1.1 503 Unavailable\r\nContent-Length: 1\r\n\r\n3", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	ms = sock_now_ms() - t0;
	CHECK_EQ_INT(rs.status, 503);
	CHECK_EQ_INT(rs.attempts, LIM_HTTP_ATTEMPTS);
	CHECK(body_is(&rs, "3"));
	CHECK_EQ_INT(fk.c[0].reqs, 3);
	/* Backoff from retry_base_ms = 10: 5..10 then 10..20 ms. */
	CHECK(http_stats.wait_ms >= 15 && http_stats.wait_ms <= 30);
	CHECK(ms >= 15 && ms < 1000);

	/* 501 and other 4xx are not retried; nor a request not safe to repeat. */
	reset(1, 0);
	add(0, "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n", 0,
	    NULL);
	add(0, "HTTP/1.1 400 Bad\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 501);
	CHECK_EQ_INT(rs.attempts, 1);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 400);
	rq.retry = 0;
	rq.method = "POST";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 502);
	CHECK_EQ_INT(rs.attempts, 1);
	rq.retry = 1;
	rq.method = "GET";

	/* Retry-After in seconds is honoured (1 s). */
	reset(1, 0);
	add(0, "HTTP/1.1 503 Unavailable\r\nRetry-After: 1\r\n"
	    "Content-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	ms = sock_now_ms() - t0;
	CHECK_EQ_INT(rs.status, 200);
	CHECK(ms >= 1000 && ms < 1500);

	/* Retry-After as an HTTP date: in the past is now, 2 s ahead waits. */
	reset(1, 0);
	add(0, "HTTP/1.1 429 Slow\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT"
	    "\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	fmt_date(date, sizeof(date), time(NULL) + 2);
	snprintf(dated, sizeof(dated), "HTTP/1.1 429 Slow\r\nRetry-After: %s\r\n"
	    "Content-Length: 0\r\n\r\n", date);
	add(0, dated, 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	ms = sock_now_ms() - t0;
	CHECK_EQ_INT(rs.status, 200);
	CHECK_EQ_INT(rs.attempts, 3);
	CHECK(ms >= 900 && ms < 2600);

	/* A wait over the budget is not made: the 429 comes back at once. */
	reset(1, 0);
	http_opts.retry_budget_ms = 500;
	add(0, "HTTP/1.1 429 Slow\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
	    0, NULL);
	add(0, "HTTP/1.1 429 Slow\r\nRetry-After: 3600\r\nContent-Length: 0\r\n\r\n",
	    0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 429);
	CHECK_EQ_INT(rs.attempts, 1);
	CHECK(sock_now_ms() - t0 < 200);
	http_opts.retry_budget_ms = LIM_RETRY_WAIT_MS;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 429);
	CHECK(sock_now_ms() - t0 < 200);

	/* A malformed Retry-After falls back to backoff. */
	reset(1, 0);
	add(0, "HTTP/1.1 503 U\r\nRetry-After: soon\r\nContent-Length: 0\r\n\r\n",
	    0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 200);
	CHECK(http_stats.wait_ms >= 5 && http_stats.wait_ms <= 10);
}

/* Timeouts, resets, truncation, malformed answers, failed opens. */
TEST(test_failures)
{
	struct http_req rq = get("https://h.example/f");
	struct http_resp rs;

	reset(1, 0);
	add(0, "", 0, NULL);
	fk.c[0].end = END_TIMEOUT;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_TIMEOUT);
	CHECK(detail_has("no answer within 1000 ms"));
	CHECK_STR(err_message(ERR_NET_TIMEOUT), "timed out");
	CHECK_EQ_INT(err_exit_status(ERR_NET_TIMEOUT), EXIT_NET);
	CHECK_EQ_INT(fk.c[0].closed, 1);

	reset(1, 1);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0, NULL);
	fk.c[0].end = END_TIMEOUT;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_TIMEOUT);
	CHECK(detail_has("in the middle of the body"));

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TRUNCATED);
	CHECK(detail_has("after 5 bytes"));
	CHECK_EQ_INT(err_exit_status(ERR_HTTP_TRUNCATED), EXIT_NET);

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0, NULL);
	fk.c[0].end = END_RESET;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TRUNCATED);

	reset(1, 1);
	add(0, "SSH-2.0-OpenSSH_9.2\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_MALFORMED);

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
	    "12", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_MALFORMED);

	reset(1, 0);
	fk.c[0].open_err = ERR_NET_REFUSED;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_REFUSED);
	CHECK_EQ_INT(fk.c[0].closed, 1);
	CHECK_EQ_INT(http_stats.connects, 0);

	/* Not https, or not a URL. */
	reset(0, 0);
	rq.url = "http://h.example/";
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_URL);
	rq.url = "https://";
	CHECK(http_do(&rq, &rs) < 0);
	CHECK_EQ_INT(fk.opened, 0);
}

/* HTTPS_PROXY, https_proxy and NO_PROXY decide the target's proxy. */
TEST(test_proxy_choice)
{
	struct http_req rq = get("https://iam.cloud.example/x");
	struct http_resp rs;

	reset(4, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	add(2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	add(3, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	setenv("HTTPS_PROXY", "http://u:p@proxy:3128", 1);
	unsetenv("https_proxy");
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_STR(fk.last_proxy, "http://u:p@proxy:3128");
	http_close_all();
	setenv("NO_PROXY", "localhost,.cloud.example", 1);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_STR(fk.last_proxy, "");
	http_close_all();
	unsetenv("HTTPS_PROXY");
	unsetenv("NO_PROXY");
	setenv("https_proxy", "proxy2:8080", 1);
	setenv("no_proxy", "other.example", 1);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_STR(fk.last_proxy, "proxy2:8080");
	http_close_all();
	unsetenv("https_proxy");
	unsetenv("no_proxy");
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_STR(fk.last_proxy, "");
}

/* Sessions: offered before a connection, collected after the first answer. */
TEST(test_sessions)
{
	struct http_req rq = get("https://s.example:8443/");
	struct http_resp rs;
	const char *hp;
	const uint8_t *p;
	size_t n;
	int i = 0, found = 0;
	char key[64];

	/* Sessions are kept under host:port and the trust in force. */
	snprintf(key, sizeof(key), "s.example:8443#%08x",
	    (unsigned)tls_trust_tag());
	reset(2, 0);
	http_session_put(key, (const uint8_t *)"OLD", 3);
	fk.session = "NEW-SESSION";
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.last_sess_len, 3);
	CHECK(memcmp(fk.last_sess, "OLD", 3) == 0);
	CHECK_EQ_INT(http_stats.resumed, 1);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	while (http_session_next(&i, &hp, &p, &n)) {
		if (strcmp(hp, key) == 0 && n == 11 &&
		    memcmp(p, "NEW-SESSION", 11) == 0)
			found++;
	}
	CHECK_EQ_INT(found, 1);
	/* The next connection offers the new one. */
	http_close_all();
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.last_sess_len, 11);
}

/* The -v trace: request, status, timings; secrets never shown. */
TEST(test_trace_redacts)
{
	static char log[16384];
	struct http_req rq = get("https://iam.example/identity/token");
	struct http_resp rs;
	char path[] = "/tmp/iksctl-trace.XXXXXX";
	int fd, saved;
	ssize_t n;

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nSet-Cookie: SCSECRET10\r\n"
	    "Content-Length: 2\r\n\r\n{}", 0, NULL);
	rq.method = "POST";
	rq.user_headers = "X-Api-Key: AKSECRET7\r\nx-my-TOKEN-id: TKSECRET8\r\n"
	    "Cookie: CKSECRET9\r\nProxy-Authorization: PASECRET11\r\n"
	    "X-Plain: shown12\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n";
	rq.headers = "Authorization: Basic Yng6Yng=\r\n"
	    "X-Auth-Refresh-Token: RTSECRET1\r\n"
	    "Content-Type: application/json\r\n";
	rq.body = "grant_type=password&username=me&password=PWSECRET2&apikey="
	    "AKSECRET3&passcode=PCSECRET4&refresh_token=RTSECRET5&cr_token="
	    "CRSECRET6";
	rq.body_len = strlen(rq.body);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	http_opts.verbose = 1;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	http_opts.verbose = 0;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, log, sizeof(log) - 1, 0);
	close(fd);
	unlink(path);
	log[n > 0 ? n : 0] = '\0';
	CHECK(strstr(log, "> POST /identity/token HTTP/1.1") != NULL);
	CHECK(strstr(log, "> Authorization: [redacted]") != NULL);
	CHECK(strstr(log, "> X-Auth-Refresh-Token: [redacted]") != NULL);
	CHECK(strstr(log, "password=[redacted]") != NULL);
	CHECK(strstr(log, "apikey=[redacted]") != NULL);
	CHECK(strstr(log, "passcode=[redacted]") != NULL);
	CHECK(strstr(log, "refresh_token=[redacted]") != NULL);
	CHECK(strstr(log, "cr_token=[redacted]") != NULL);
	CHECK(strstr(log, "username=me") != NULL);
	CHECK(strstr(log, "< HTTP/1.1 200 OK") != NULL);
	CHECK(strstr(log, "* connected to iam.example:443 in ") != NULL);
	CHECK(strstr(log, "* 200 after ") != NULL);
	CHECK(strstr(log, "> X-Api-Key: [redacted]") != NULL);
	CHECK(strstr(log, "> x-my-TOKEN-id: [redacted]") != NULL);
	CHECK(strstr(log, "> Cookie: [redacted]") != NULL);
	CHECK(strstr(log, "< Set-Cookie: [redacted]") != NULL);
	CHECK(strstr(log, "> X-Plain: shown12") != NULL);
	CHECK(strstr(log, "SECRET") == NULL);
	CHECK(strstr(log, "Yng6") == NULL);
}

/* http_set_transport(NULL) brings back the real one. */
TEST(test_default_transport)
{
	struct http_req rq = get("https://127.0.0.1:1/");
	struct http_resp rs;
	int r;

	http_set_transport(NULL);
	http_opts.timeout_ms = 1000;
	unsetenv("HTTPS_PROXY");
	unsetenv("https_proxy");
	r = http_do(&rq, &rs);
	CHECK_EQ_INT(r, ERR_NET_REFUSED);
	CHECK_EQ_INT(err_exit_status(r), EXIT_NET);
	http_set_transport(&fake_transport);
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
	RUN(test_reuse);
	RUN(test_stale);
	RUN(test_retries);
	RUN(test_failures);
	RUN(test_proxy_choice);
	RUN(test_sessions);
	RUN(test_trace_redacts);
	RUN(test_default_transport);
	http_set_transport(NULL);
	return test_done();
}
