/*
 * test_http_parse.c: unit tests of src/proto/http_parse.c (the dates:
 * test_http_date.c).  Each input
 * is parsed whole and one byte at a time (every prefix), always placed
 * to end at a guard page; chunked bodies are also fed split in two at
 * every position.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"
#include "proto/http_parse.h"

#include <stdint.h>
#include <stdlib.h>

#include "test.h"

struct head {
	int rc;                                     /* parser's return */
	int minor;                                  /* HTTP/1.minor */
	int status;                                 /* status code */
	struct slice reason;                        /* reason phrase */
	struct http_header h[LIM_HTTP_HEADERS];     /* fields */
	size_t n;                                   /* fields found */
};

static struct head r;     /* result of the whole input */
static struct head part;  /* result of a prefix */

/* parse_at: parse buf[0 .. len) placed at a guard page into *out. */
static char *
parse_at(const char *buf, size_t len, struct head *out)
{
	char *g = guard_copy(buf, len);

	out->n = LIM_HTTP_HEADERS;
	out->rc = http_parse_response(g, len, &out->minor, &out->status,
	    &out->reason, out->h, &out->n);
	return g;
}

/* same_head: 1 if a and b (parsed from ga and gb) say the same thing. */
static int
same_head(const struct head *a, const char *ga, const struct head *b,
    const char *gb)
{
	size_t i;

	if (a->rc != b->rc || a->status != b->status || a->minor != b->minor ||
	    a->n != b->n || a->reason.p - ga != b->reason.p - gb ||
	    a->reason.n != b->reason.n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->h[i].name.p - ga != b->h[i].name.p - gb ||
		    a->h[i].name.n != b->h[i].name.n ||
		    a->h[i].value.p - ga != b->h[i].value.p - gb ||
		    a->h[i].value.n != b->h[i].value.n)
			return 0;
	return 1;
}

/*
 * check_head: parse s whole into r (kept valid until the next call),
 * then every prefix: a good head gives -2 before its end and the same
 * result after; a bad one gives -2 then -1 and never anything else.
 * Returns r.rc.
 */
static int
check_head(const char *s, size_t n)
{
	static char *keep;
	static size_t keep_n;
	char *gp;
	size_t k;
	int failed = 0, seen_error = 0;

	if (keep != NULL)
		guard_free(keep, keep_n);
	keep = parse_at(s, n, &r);
	keep_n = n;
	for (k = 0; k < n; k++) {
		gp = parse_at(s, k, &part);
		if (r.rc > 0 && k < (size_t)r.rc)
			failed |= part.rc != -2;
		else if (r.rc > 0)
			failed |= !same_head(&r, keep, &part, gp);
		else
			failed |= part.rc != -2 && part.rc != -1;
		if (r.rc < 0 && seen_error)
			failed |= part.rc != -1;
		seen_error |= part.rc == -1;
		guard_free(gp, k);
	}
	CHECK(!failed);
	/* Parse whole again so err_detail() describes the whole input. */
	guard_free(keep, keep_n);
	keep = parse_at(s, n, &r);
	return r.rc;
}

#define CHECK_HEAD(s) check_head((s), sizeof(s) - 1)

static int
field_is(const char *name, const char *want)
{
	struct slice v;

	return http_header_find(r.h, r.n, name, &v) >= 0 && slice_eq(v, want);
}

TEST(test_basic)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: 2\r\n\r\n{}";

	CHECK_EQ_INT(CHECK_HEAD(s), sizeof(s) - 3);
	CHECK_EQ_INT(r.minor, 1);
	CHECK_EQ_INT(r.status, 200);
	CHECK(slice_eq(r.reason, "OK"));
	CHECK_EQ_INT(r.n, 2);
	CHECK(slice_eq(r.h[0].name, "Content-Type"));
	CHECK(slice_eq(r.h[0].value, "application/json"));
	CHECK(field_is("content-length", "2"));
	CHECK_EQ_INT(http_header_find(r.h, r.n, "CONTENT-LENGTH", NULL), 1);
	CHECK_EQ_INT(http_header_find(r.h, r.n, "Content-Len", NULL), -1);
	CHECK_EQ_INT(http_header_find(r.h, r.n, "Content-Lengths", NULL), -1);
}

TEST(test_lf_only_and_reason)
{
	static const char lf[] = "HTTP/1.0 404 Not Found\nServer:  x y \n\n";
	static const char none[] = "HTTP/1.1 204\r\n\r\n";
	static const char empty[] = "HTTP/1.1 204 \r\nA:\r\n\r\n";
	static const char mixed[] = "HTTP/1.1 500 Internal  Server Error\n"
	    "X: 1\r\nY: 2\n\r\n";

	CHECK_EQ_INT(CHECK_HEAD(lf), sizeof(lf) - 1);
	CHECK_EQ_INT(r.minor, 0);
	CHECK_EQ_INT(r.status, 404);
	CHECK(slice_eq(r.reason, "Not Found"));
	CHECK(field_is("server", "x y"));

	CHECK_EQ_INT(CHECK_HEAD(none), sizeof(none) - 1);
	CHECK_EQ_INT(r.status, 204);
	CHECK_EQ_INT(r.reason.n, 0);
	CHECK_EQ_INT(r.n, 0);

	CHECK_EQ_INT(CHECK_HEAD(empty), sizeof(empty) - 1);
	CHECK_EQ_INT(r.reason.n, 0);
	CHECK(field_is("a", ""));

	CHECK_EQ_INT(CHECK_HEAD(mixed), sizeof(mixed) - 1);
	CHECK(slice_eq(r.reason, "Internal  Server Error"));
	CHECK(field_is("x", "1"));
	CHECK(field_is("y", "2"));
}

TEST(test_odd_case_and_folding)
{
	static const char s[] = "HTTP/1.1 200 OK\r\n"
	    "cOnTeNt-LeNgTh: 5\r\n"
	    "X-Long: first\r\n  second\r\n\tthird\r\n"
	    "X-Empty:\r\n folded-in\r\n"
	    "Transfer-Encoding: gzip,\r\n chunked\r\n"
	    "Y: y\r\n\r\n";
	enum http_body_kind kind;
	uint64_t len;

	CHECK_EQ_INT(CHECK_HEAD(s), sizeof(s) - 1);
	CHECK_EQ_INT(r.n, 5);
	CHECK(field_is("Content-Length", "5"));
	CHECK(field_is("x-long", "first\r\n  second\r\n\tthird"));
	CHECK(field_is("x-empty", "folded-in"));
	CHECK(field_is("y", "y"));
	CHECK_EQ_INT(http_body_framing(200, 0, r.h, r.n, &kind, &len), 0);
	CHECK_EQ_INT(kind, HTTP_BODY_CHUNKED);
}

TEST(test_continue_then_final)
{
	static const char s[] = "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	static const char first[] = "HTTP/1.1 100 Continue\r\n\r\n";
	int rc;

	rc = CHECK_HEAD(s);
	CHECK_EQ_INT(rc, sizeof(first) - 1);
	CHECK_EQ_INT(r.status, 100);
	CHECK_EQ_INT(r.n, 0);
	rc = check_head(s + rc, sizeof(s) - 1 - (size_t)rc);
	CHECK_EQ_INT(rc, sizeof(s) - 1 - (sizeof(first) - 1) - 3);
	CHECK_EQ_INT(r.status, 200);
	CHECK(field_is("content-length", "3"));
}

/* build: a head with nfields fields and one value of vlen bytes. */
static size_t
build(char *buf, size_t cap, int nfields, size_t vlen)
{
	struct sbuf b;
	size_t i;
	int f;

	sbuf_init(&b, buf, cap);
	sbuf_add(&b, "HTTP/1.1 200 OK\r\n");
	for (f = 0; f < nfields; f++)
		sbuf_addf(&b, "X-F%d: v\r\n", f);
	if (vlen > 0) {
		sbuf_add(&b, "X-Big: ");
		for (i = 0; i < vlen; i++)
			sbuf_addc(&b, 'b');
		sbuf_add(&b, "\r\n");
	}
	sbuf_add(&b, "\r\n");
	CHECK(!b.overflow);
	return b.len;
}

TEST(test_limits)
{
	static char buf[2 * LIM_HTTP_HEAD_BYTES];
	size_t n, pad;

	n = build(buf, sizeof(buf), LIM_HTTP_HEADERS, 0);
	CHECK_EQ_INT(check_head(buf, n), (int)n);
	CHECK_EQ_INT(r.n, LIM_HTTP_HEADERS);

	n = build(buf, sizeof(buf), LIM_HTTP_HEADERS + 1, 0);
	CHECK_EQ_INT(check_head(buf, n), -1);
	CHECK_EQ_INT(err_code_last(), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_HTTP_HEADERS") != NULL);

	/* A head of exactly LIM_HTTP_HEAD_BYTES is fine; one more is not. */
	pad = LIM_HTTP_HEAD_BYTES - build(buf, sizeof(buf), 0, 1) + 1;
	n = build(buf, sizeof(buf), 0, pad);
	CHECK_EQ_INT(n, LIM_HTTP_HEAD_BYTES);
	CHECK_EQ_INT(check_head(buf, n), (int)n);
	n = build(buf, sizeof(buf), 0, pad + 1);
	CHECK_EQ_INT(check_head(buf, n), -1);
	CHECK_EQ_INT(err_code_last(), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_HTTP_HEAD_BYTES") != NULL);
	/* Its first LIM_HTTP_HEAD_BYTES bytes already prove it too long. */
	guard_free(parse_at(buf, LIM_HTTP_HEAD_BYTES, &part),
	    LIM_HTTP_HEAD_BYTES);
	CHECK_EQ_INT(part.rc, -1);
	guard_free(parse_at(buf, LIM_HTTP_HEAD_BYTES - 1, &part),
	    LIM_HTTP_HEAD_BYTES - 1);
	CHECK_EQ_INT(part.rc, -2);
}

TEST(test_malformed)
{
	static const char *bad[] = {
		"HTTP/1.1 20 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
		"HTTP/1.x 200\r\n\r\n", "HTTP/1.1200 OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n", "<html>\n\n", "\r\n\r\n",
		"HTTP/1.1 200 O\x01K\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nName : x\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded-first\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n \x01\r\n\r\n",
	};
	static const char nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear();
		if (check_head(bad[i], strlen(bad[i])) != -1)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK_EQ_INT(r.rc, -1);
		CHECK_EQ_INT(err_code_last(), ERR_HTTP_MALFORMED);
	}
	CHECK_EQ_INT(CHECK_HEAD(nul), -1);
	/* A non-HTTP peer fails on its first byte. */
	CHECK_EQ_INT(check_head("ICY", 1), -1);
	CHECK_EQ_INT(check_head("HTTP/1", 6), -2);
	CHECK_EQ_INT(check_head("", 0), -2);
}

/* framing: parse head s and ask how its body is framed. */
static int
framing(const char *s, int status_override, int head_req,
    enum http_body_kind *kind, uint64_t *len)
{
	CHECK(check_head(s, strlen(s)) > 0);
	return http_body_framing(status_override ? status_override :
	    r.status, head_req, r.h, r.n, kind, len);
}

TEST(test_framing)
{
	enum http_body_kind k;
	uint64_t n;

	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	    0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_LENGTH);
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	    0, 1, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_NONE);
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_INT(framing("HTTP/1.1 204 No Content\r\nContent-Length: 1"
	    "\r\n\r\n", 0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_NONE);
	CHECK_EQ_INT(framing("HTTP/1.1 304 Not Modified\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_NONE);
	CHECK_EQ_INT(framing("HTTP/1.1 101 Switching\r\n\r\n", 0, 0, &k, &n),
	    0);
	CHECK_EQ_INT(k, HTTP_BODY_NONE);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\n\r\n", 0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_CLOSE);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED"
	    "\r\n\r\n", 0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_CHUNKED);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
	    "transfer-encoding: chunked\r\nContent-Length: 4\r\n\r\n", 0, 0,
	    &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_CHUNKED);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, "
	    "gzip\r\n\r\n", 0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_CLOSE);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n"
	    "Content-Length: 7\r\nContent-Length: 7, 7\r\n\r\n", 0, 0, &k, &n),
	    0);
	CHECK_EQ_INT(k, HTTP_BODY_LENGTH);
	CHECK_EQ_INT(n, 7);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: "
	    "9223372036854775807\r\n\r\n", 0, 0, &k, &n), 0);
	CHECK(n == INT64_MAX);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	    0, 0, &k, &n), 0);
	CHECK_EQ_INT(k, HTTP_BODY_LENGTH);
	CHECK_EQ_INT(n, 0);
}

TEST(test_framing_bad_length)
{
	static const char *bad[] = {
		"abc", "12a", "-1", "", "1 2", "+5", "0x10",
		"99999999999999999999", "9223372036854775808",
		"7, 8", "7,\r\n 8",
	};
	char head[128];
	enum http_body_kind k;
	uint64_t n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %s\r\n\r\n", bad[i]);
		CHECK_EQ_INT(framing(head, 0, 0, &k, &n), ERR_HTTP_MALFORMED);
	}
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n"
	    "Content-Length: 8\r\n\r\n", 0, 0, &k, &n), ERR_HTTP_MALFORMED);
	CHECK(strstr(err_detail(), "conflicting") != NULL);
	CHECK_EQ_INT(framing("HTTP/1.1 200 OK\r\nContent-Length: "
	    "99999999999999999999\r\n\r\n", 0, 0, &k, &n), ERR_HTTP_MALFORMED);
	CHECK(strstr(err_detail(), "overflow") != NULL);
}

TEST(test_connection_close)
{
	CHECK(check_head("HTTP/1.1 200 OK\r\n\r\n", 19) > 0);
	CHECK_EQ_INT(http_connection_close(1, r.h, r.n), 0);
	CHECK_EQ_INT(http_connection_close(0, r.h, r.n), 1);
	CHECK(CHECK_HEAD("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n") > 0);
	CHECK_EQ_INT(http_connection_close(1, r.h, r.n), 1);
	CHECK(CHECK_HEAD("HTTP/1.1 200 OK\r\nconnection: Keep-Alive, CLOSE"
	    "\r\n\r\n") > 0);
	CHECK_EQ_INT(http_connection_close(1, r.h, r.n), 1);
	CHECK(CHECK_HEAD("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n")
	    > 0);
	CHECK_EQ_INT(http_connection_close(r.minor, r.h, r.n), 0);
	CHECK(CHECK_HEAD("HTTP/1.0 200 OK\r\nConnection: Upgrade\r\n\r\n") > 0);
	CHECK_EQ_INT(http_connection_close(r.minor, r.h, r.n), 1);
	CHECK(CHECK_HEAD("HTTP/1.1 200 OK\r\nConnection: closed\r\n\r\n") > 0);
	CHECK_EQ_INT(http_connection_close(r.minor, r.h, r.n), 0);
}

/*
 * Chunked decoding.  feed() hands the decoder the pieces in[cut[i] ..
 * cut[i + 1]), each copied to its own guard page, collecting the
 * payload and the bytes after the body (the rest of the last piece
 * plus any pieces never fed).
 */
struct chunk_out {
	char payload[1024];  /* decoded bytes */
	size_t n;            /* their count */
	char rest[256];      /* bytes after the body */
	size_t rest_n;       /* their count */
	int rc;              /* last return of the decoder */
};

static void
feed_piece(struct http_chunked *c, const char *p, size_t len,
    struct chunk_out *o)
{
	char *g = guard_copy(p, len);
	size_t n = len;

	o->rc = http_chunked_decode(c, g, &n);
	CHECK(n <= len);
	if (o->rc != -1 && o->n + n <= sizeof(o->payload)) {
		memcpy(o->payload + o->n, g, n);
		o->n += n;
	}
	if (o->rc >= 0 && (size_t)o->rc <= len - n) {
		memcpy(o->rest, g + n, (size_t)o->rc);
		o->rest_n = (size_t)o->rc;
	}
	guard_free(g, len);
}

/* feed: decode in[0 .. n) cut at step, or at split if step is 0. */
static void
feed(const char *in, size_t n, size_t split, size_t step,
    struct chunk_out *o)
{
	struct http_chunked c;
	size_t at = 0, k;

	memset(o, 0, sizeof(*o));
	http_chunked_init(&c);
	o->rc = -2;
	while (at < n && o->rc == -2) {
		k = step ? step : (at == 0 ? split : n - at);
		if (k > n - at)
			k = n - at;
		feed_piece(&c, in + at, k, o);
		at += k;
	}
	if (o->rc >= 0 && o->rest_n + (n - at) <= sizeof(o->rest)) {
		memcpy(o->rest + o->rest_n, in + at, n - at);
		o->rest_n += n - at;
	}
}

/*
 * check_chunked: in must decode to want with after left over: whole,
 * split in two at every position, and one byte at a time.
 */
static void
check_chunked(const char *in, size_t n, const char *want, size_t want_n,
    const char *after)
{
	static struct chunk_out o;
	size_t split, after_n = strlen(after);
	int failed = 0;

	for (split = 0; split <= n + 1; split++) {
		if (split == n + 1)
			feed(in, n, 0, 1, &o);  /* byte at a time */
		else
			feed(in, n, split == 0 ? n : split, 0, &o);
		failed |= o.rc < 0 || o.n != want_n ||
		    memcmp(o.payload, want, want_n) != 0 ||
		    o.rest_n != after_n || memcmp(o.rest, after, after_n) != 0;
	}
	CHECK(!failed);
}

#define CHECK_CHUNKED(in, want, after) \
	check_chunked((in), sizeof(in) - 1, (want), sizeof(want) - 1, (after))

/* check_chunked_bad: in must fail, fed whole, split or bytewise. */
static void
check_chunked_bad(const char *in, int code)
{
	static struct chunk_out o;
	size_t split, n = strlen(in);
	int failed = 0;

	for (split = 0; split <= n + 1; split++) {
		err_clear();
		if (split == n + 1)
			feed(in, n, 0, 1, &o);
		else
			feed(in, n, split == 0 ? n : split, 0, &o);
		failed |= o.rc != -1 || err_code_last() != code;
	}
	if (failed)
		fprintf(stderr, "chunked accepted: %s\n", in);
	CHECK(!failed);
}

TEST(test_chunked)
{
	CHECK_CHUNKED("4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks."
	    "\r\n0\r\n\r\n", "Wikipedia in\r\n\r\nchunks.", "");
	CHECK_CHUNKED("1a;name=val\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0;last=\"x\"\r\n\r\n", "abcdefghijklmnopqrstuvwxyz", "");
	CHECK_CHUNKED("3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n"
	    "HTTP/1.1 200 OK\r\n", "abc", "HTTP/1.1 200 OK\r\n");
	CHECK_CHUNKED("1\r\na\r\n1\r\nb\r\n1\r\nc\r\n1\r\n\n\r\n0\r\n\r\nX",
	    "abc\n", "X");
	CHECK_CHUNKED("A\r\n0123456789\r\na\r\nabcdefghij\r\n000\r\n\r\n",
	    "0123456789abcdefghij", "");
	CHECK_CHUNKED("3\nabc\n0\n\n", "abc", "");
	CHECK_CHUNKED("3 ;x\r\nabc\r\n0\t\r\n\r\n", "abc", "");
	CHECK_CHUNKED("0\r\n\r\n", "", "");
	CHECK_CHUNKED("0\r\nT: x\n\nabc", "", "abc");
	CHECK_CHUNKED("00000000000000000000003\r\nabc\r\n0\r\n\r\n", "abc",
	    "");
}

TEST(test_chunked_binary)
{
	static char in[2048], want[256];
	struct sbuf b;
	size_t at = 0, k = 1;
	int i;

	for (i = 0; i < 256; i++)
		want[i] = (char)(255 - i);
	sbuf_init(&b, in, sizeof(in));
	while (at < sizeof(want)) {
		if (k > sizeof(want) - at)
			k = sizeof(want) - at;
		sbuf_addf(&b, "%zx\r\n", k);
		sbuf_add_mem(&b, want + at, k);
		sbuf_add(&b, "\r\n");
		at += k;
		k = k * 2 + 1;
	}
	sbuf_add(&b, "0\r\n\r\n");
	CHECK(!b.overflow);
	check_chunked(in, b.len, want, sizeof(want), "");
}

TEST(test_chunked_bad)
{
	static char line[LIM_HTTP_CHUNK_LINE + 16];
	static char trailer[LIM_HTTP_TRAILER_BYTES + 64];
	struct http_chunked c;
	char buf[8];
	size_t n;

	check_chunked_bad("g\r\n", ERR_HTTP_MALFORMED);
	check_chunked_bad("\r\n", ERR_HTTP_MALFORMED);
	check_chunked_bad(";x\r\n", ERR_HTTP_MALFORMED);
	check_chunked_bad("3x\r\nabc\r\n", ERR_HTTP_MALFORMED);
	check_chunked_bad("3\rxabc", ERR_HTTP_MALFORMED);
	check_chunked_bad("3\r\nabcX\r\n", ERR_HTTP_MALFORMED);
	check_chunked_bad("3\r\nabc\rX", ERR_HTTP_MALFORMED);
	check_chunked_bad("3;a\x01\r\nabc", ERR_HTTP_MALFORMED);
	check_chunked_bad("0\r\n\rX", ERR_HTTP_MALFORMED);
	check_chunked_bad("-1\r\n", ERR_HTTP_MALFORMED);
	check_chunked_bad("10000000000000000\r\n", ERR_HTTP_MALFORMED);
	CHECK(strstr(err_detail(), "overflow") != NULL);

	/* A size line of exactly the limit is fine; one more is not. */
	memset(line, 'e', sizeof(line));
	memcpy(line, "1;", 2);
	memcpy(line + LIM_HTTP_CHUNK_LINE - 2, "\r\n", 3);
	CHECK_EQ_INT(strlen(line), LIM_HTTP_CHUNK_LINE);
	http_chunked_init(&c);
	n = strlen(line);
	CHECK_EQ_INT(http_chunked_decode(&c, line, &n), -2);
	CHECK_EQ_INT(n, 0);
	memset(line, 'e', sizeof(line));
	memcpy(line, "1;", 2);
	memcpy(line + LIM_HTTP_CHUNK_LINE - 1, "\r\n", 3);
	check_chunked_bad(line, ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_HTTP_CHUNK_LINE") != NULL);

	memset(trailer, 'T', sizeof(trailer));
	memcpy(trailer, "0\r\nX: ", 6);
	memcpy(trailer + sizeof(trailer) - 5, "\r\n\r\n", 5);
	http_chunked_init(&c);
	n = strlen(trailer);
	CHECK_EQ_INT(http_chunked_decode(&c, trailer, &n), -1);
	CHECK(strstr(err_detail(), "LIM_HTTP_TRAILER_BYTES") != NULL);

	/* Calls after the end fail. */
	http_chunked_init(&c);
	memcpy(buf, "0\r\n\r\n", 5);
	n = 5;
	CHECK_EQ_INT(http_chunked_decode(&c, buf, &n), 0);
	n = 1;
	CHECK_EQ_INT(http_chunked_decode(&c, buf, &n), -1);
}

int
main(void)
{
	RUN(test_basic);
	RUN(test_lf_only_and_reason);
	RUN(test_odd_case_and_folding);
	RUN(test_continue_then_final);
	RUN(test_limits);
	RUN(test_malformed);
	RUN(test_framing);
	RUN(test_framing_bad_length);
	RUN(test_connection_close);
	RUN(test_chunked);
	RUN(test_chunked_binary);
	RUN(test_chunked_bad);
	return test_done();
}
