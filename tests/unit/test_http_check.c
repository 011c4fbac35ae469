/*
 * test_http_check.c: what the HTTP client refuses to send and how it
 * merges headers (src/proto/http_check.c, src/proto/http.c), driven
 * through the fake transport of http_fake.h: a method that is not an
 * upper-case token, a target or a header line with a control byte, the
 * -H names iksctl owns (issue 12, item 4) are refused with nothing
 * opened or sent; a -H header replaces the built-in ones of its name
 * (item 7); a reset before any answer is resent once for a GET, never
 * for a changing request (item 10).
 */
#include "http_fake.h"

/* Item 10: a reset of a fresh connection before any answer. */
TEST(test_fresh_reset)
{
	struct http_req rq = get("https://h.example/r");
	struct http_resp rs;
	int i;

	/* EOF at once, then a reset: a GET is tried once more, each time. */
	for (i = 0; i < 2; i++) {
		reset(2, 0);
		add(0, "", 0, NULL);
		fk.c[0].end = i ? END_RESET : END_EOF;
		add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK(body_is(&rs, "2"));
		CHECK_EQ_INT(fk.opened, 2);
		CHECK_EQ_INT(rs.attempts, 2);
		CHECK_EQ_INT(http_stats.resent, 1);
		CHECK_EQ_INT(http_stats.requests, 2);
		CHECK_EQ_INT(fk.c[0].reqs, 1);
		CHECK_EQ_INT(fk.c[1].reqs, 1);
		CHECK_EQ_INT(fk.bad, 0);
	}
	/* A failed write of a GET: the same. */
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	fk.c[0].send_err = ERR_NET_RESET;
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));
	/* HEAD too, without rq->retry. */
	reset(2, 0);
	add(0, "", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 0, NULL);
	rq.method = "HEAD";
	rq.retry = 0;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 200);
	CHECK_EQ_INT(fk.opened, 2);
	rq.method = "GET";
	rq.retry = 1;

	/* A second reset is the error: two tries, no third. */
	reset(3, 0);
	add(0, "", 0, NULL);
	add(1, "", 0, NULL);
	fk.c[1].end = END_RESET;
	add(2, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(err_exit_status(ERR_NET_RESET), EXIT_NET);
	CHECK_EQ_INT(fk.opened, 2);
	CHECK_EQ_INT(http_stats.requests, 2);

	/* A stale reused connection, then a reset of the new one: once only. */
	reset(3, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	add(0, "", 0, NULL);
	add(1, "", 0, NULL);
	add(2, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(fk.opened, 2);

	/* Changing requests are never resent once a byte was written. */
	reset(2, 0);
	add(0, "", 0, NULL);
	fk.c[0].end = END_RESET;
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	rq.retry = 0;
	rq.method = "POST";
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(fk.opened, 1);
	reset(2, 0);
	add(0, "", 0, NULL);
	rq.method = "DELETE";
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK(detail_has("without answering"));
	CHECK_EQ_INT(fk.opened, 1);
	CHECK_EQ_INT(http_stats.resent, 0);
	/* ... but the IAM token POST (rq->retry) is. */
	reset(2, 0);
	add(0, "", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	rq.method = "POST";
	rq.retry = 1;
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.opened, 2);

	/* Once a byte of the answer came, a GET is not resent either. */
	rq.method = "GET";
	reset(2, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n123", 0, NULL);
	fk.c[0].end = END_RESET;
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK_EQ_INT(fk.opened, 1);
	reset(2, 0);
	add(0, "H", 0, NULL);
	add(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_HTTP_TRUNCATED);
	CHECK_EQ_INT(fk.opened, 1);
}

/* refused: rq is ERR_USAGE naming what, and nothing is opened or sent. */
static void
refused(const struct http_req *rq, const char *what)
{
	struct http_resp rs;

	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(rq, &rs), ERR_USAGE);
	CHECK(detail_has(what));
	if (!detail_has(what))
		fprintf(stderr, "  detail: %s (want %s)\n", err_detail(), what);
	CHECK_EQ_INT(err_exit_status(ERR_USAGE), EXIT_USAGE);
	CHECK_EQ_INT(fk.opened, 0);
	CHECK_EQ_INT(fk.c[0].sends, 0);
	CHECK(strchr(err_detail(), '\r') == NULL && strchr(err_detail(), '\n') == NULL);
}

/* Item 4: methods, targets and header lines are checked before sending. */
TEST(test_request_checks)
{
	static const char *const methods[] = { "get", "Get", "GET /x HTTP/1.1\r\n",
	    "GET /x", "", "G3T", "GET\t", "PO\x7fST", NULL };
	static const struct { const char *h, *what; } bad[] = {
		{ "X-Region: us-south\r\nX-Evil: a\nb\r\n",
		    "header X-Evil: the value has a control character (0x0a)" },
		{ "X-Region: us\rsouth\r\n",
		    "header X-Region: the value has a control character (0x0d)" },
		{ "X-A: a\x01" "b\r\n", "(0x01)" },
		{ "X-A: a\x7f\r\n", "(0x7f)" },
		{ "X-A: a\x1b[2J\r\n", "(0x1b)" },
		{ "X-A: 1\r\n\r\nGET /smuggled HTTP/1.1\r\n", "empty name" },
		{ ": v\r\n", "empty name" },
		{ "Bad Name: v\r\n", "not a token" },
		{ "X-A\x01: v\r\n", "not a token" },
		{ "X-A (v)\r\n", "not a token" },
		{ "NoColon\r\n", "no colon" },
		{ "X-A: unterminated", "CRLF" },
		{ NULL, NULL }
	};
	struct http_req rq = get("https://h.example/p");
	struct http_resp rs;
	size_t i;

	for (i = 0; methods[i] != NULL; i++) {
		rq.method = methods[i];
		refused(&rq, "method");
	}
	rq.method = "GET";
	for (i = 0; bad[i].h != NULL; i++) {
		rq.headers = bad[i].h;
		refused(&rq, bad[i].what);
		rq.headers = NULL;
		rq.user_headers = bad[i].h;
		refused(&rq, bad[i].what);
		rq.user_headers = NULL;
	}
	/* Names iksctl owns, in any case, only as user headers. */
	rq.user_headers = "Host: x\r\n";
	refused(&rq, "Host");
	rq.user_headers = "X-A: 1\r\ncontent-length: 1\r\n";
	refused(&rq, "content-length");
	rq.user_headers = "TRANSFER-ENCODING: chunked\r\n";
	refused(&rq, "TRANSFER-ENCODING");
	rq.user_headers = "Connection: close\r\n";
	refused(&rq, "Connection");
	rq.user_headers = NULL;
	/* The target: no space or control byte (the URL parser says so too). */
	rq.url = "https://h.example/a b";
	reset(1, 0);
	CHECK(http_do(&rq, &rs) == ERR_NET_URL || err_code_last() == ERR_USAGE);
	CHECK_EQ_INT(fk.opened, 0);
	rq.url = "https://h.example/a\r\nX: y";
	reset(1, 0);
	CHECK(http_do(&rq, &rs) < 0);
	CHECK_EQ_INT(fk.opened, 0);
	rq.url = "https://h.example/p";

	/* What passes: a tab inside a value, an empty value, token names. */
	reset(1, 0);
	add(0, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	rq.method = "PATCH";
	rq.headers = "X-Tab: a\tb\r\nX-Empty:\r\n";
	rq.user_headers = "X-!#$%&'*+-.^_`|~09az: \x80\xff\r\n";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(fk.opened, 1);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent, "PATCH /p HTTP/1.1\r\nHost: h.example\r\n" UA
	    "X-Tab: a\tb\r\nX-Empty:\r\nX-!#$%&'*+-.^_`|~09az: \x80\xff\r\n"
	    "Content-Length: 0\r\n\r\n");
}

/* http_user_header_check: one -H value. */
TEST(test_user_header_check)
{
	static const struct { const char *line, *what; } bad[] = {
		{ "NoColon", "no colon" }, { ": v", "empty name" }, { "", "empty name" },
		{ " X: v", "not a token" }, { "X : v", "not a token" },
		{ "Host: x", "Host" }, { "host:x", "host" },
		{ "Content-Length: 1", "Content-Length" },
		{ "Transfer-Encoding: chunked", "Transfer-Encoding" },
		{ "connection: close", "connection" },
		{ "X-A: 1\r\nX-Evil: 2", "(0x0d)" }, { "X-A: 1\nX-Evil: 2", "(0x0a)" },
		{ "X-A: \x1b]0;pwned\x07", "(0x1b)" },
		{ NULL, NULL }
	};
	size_t i;

	for (i = 0; bad[i].line != NULL; i++) {
		err_clear();
		CHECK_EQ_INT(http_user_header_check(bad[i].line), ERR_USAGE);
		CHECK(detail_has(bad[i].what));
		if (!detail_has(bad[i].what))
			fprintf(stderr, "  %s: detail %s\n", bad[i].what, err_detail());
		CHECK(strchr(err_detail(), '\r') == NULL &&
		    strchr(err_detail(), '\n') == NULL &&
		    strchr(err_detail(), '\x1b') == NULL);
	}
	CHECK_EQ_INT(http_user_header_check("Accept: text/plain"), 0);
	CHECK_EQ_INT(http_user_header_check("X-Empty:"), 0);
	CHECK_EQ_INT(http_user_header_check("X-Tab: a\tb"), 0);
	CHECK_EQ_INT(http_user_header_check("Hostname: x"), 0);
	CHECK_EQ_INT(http_user_header_check("X-Host: x"), 0);
}

/* Item 7: a user header replaces the built-in ones of its name. */
TEST(test_user_headers)
{
	struct http_req rq = get("https://h.example/p");
	struct http_resp rs;
	size_t off;

	reset(1, 0);
	add(0, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL);
	rq.headers = "Authorization: Bearer builtin\r\nAccept: application/json\r\n"
	    "X-Region: us-south\r\n";
	rq.user_headers = "Accept: text/plain\r\n";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent, "GET /p HTTP/1.1\r\nHost: h.example\r\n" UA
	    "Authorization: Bearer builtin\r\nX-Region: us-south\r\n"
	    "Accept: text/plain\r\n\r\n");
	/* Any case; every built-in line of that name; User-Agent too. */
	off = fk.c[0].sent_len;
	rq.headers = "Authorization: Bearer builtin\r\nAccept: a\r\naccept: b\r\n";
	rq.user_headers = "authorization: Bearer x\r\nACCEPT: c\r\n"
	    "user-agent: probe/1\r\n";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent + off, "GET /p HTTP/1.1\r\nHost: h.example\r\n"
	    "authorization: Bearer x\r\nACCEPT: c\r\nuser-agent: probe/1\r\n"
	    "\r\n");
	/* A longer name is another header; a POST ends with Content-Length. */
	off = fk.c[0].sent_len;
	rq.method = "POST";
	rq.body = "{}";
	rq.body_len = 2;
	rq.headers = "Accept: application/json\r\nContent-Type: application/json\r\n";
	rq.user_headers = "Accept-Language: de\r\nX-Accept: 1\r\n";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	fk.c[0].sent[fk.c[0].sent_len] = '\0';
	CHECK_STR(fk.c[0].sent + off, "POST /p HTTP/1.1\r\nHost: h.example\r\n" UA
	    "Accept: application/json\r\nContent-Type: application/json\r\n"
	    "Accept-Language: de\r\nX-Accept: 1\r\nContent-Length: 2\r\n\r\n{}");
	CHECK_EQ_INT(fk.bad, 0);
}

/*
 * Changing requests (DESIGN.md "never sent twice"): resent only when not
 * a byte of them was written, or after a 429; a 5xx is the answer.
 */
TEST(test_changing_requests)
{
	struct http_req rq = get("https://h.example/r");
	struct http_resp rs;

	rq.retry = 0;
	rq.method = "POST";
	rq.body = "{}";
	rq.body_len = 2;
	/* The first write fails with nothing written: sent once more. */
	reset(2, 0);
	add(0, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	fk.c[0].send_err = ERR_NET_RESET;
	add(1, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(body_is(&rs, "2"));
	CHECK_EQ_INT(fk.opened, 2);
	CHECK_EQ_INT(fk.c[0].reqs, 0);
	CHECK_EQ_INT(fk.c[1].reqs, 1);
	CHECK_EQ_INT(rs.attempts, 1);
	/* Part of it written, then the failure: not resent. */
	reset(2, 0);
	add(0, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n1", 0, NULL);
	fk.c[0].send_max = 5;
	add(1, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\n2", 0, NULL);
	fk.c[0].end = END_RESET;
	fk.c[0].cur = 1;    /* no answer: the reset at once */
	CHECK(http_do(&rq, &rs) != 0);
	CHECK_EQ_INT(fk.opened, 1);
	/* A 500 and a 503 are the answer, once. */
	reset(2, 0);
	add(0, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 500);
	CHECK_EQ_INT(rs.attempts, 1);
	CHECK_EQ_INT(fk.c[0].reqs, 1);
	/* A 429 did nothing: tried again (Retry-After 0). */
	reset(2, 0);
	add(0, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\n"
	    "Content-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	rq.method = "DELETE";
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 201);
	CHECK_EQ_INT(rs.attempts, 2);
	CHECK_EQ_INT(fk.c[0].reqs, 2);
}

int
main(void)
{
	fake_start();
	RUN(test_fresh_reset);
	RUN(test_changing_requests);
	RUN(test_request_checks);
	RUN(test_user_header_check);
	RUN(test_user_headers);
	http_set_transport(NULL);
	return test_done();
}
