/*
 * test_http_conn.c: the HTTP client's connections, driven through a fake
 * transport (tests/unit/http_fake.h): one per host and reused, stale
 * ones, retries, failures, the proxy choice, TLS sessions, -v traces
 * that redact, and the real transport refusing.  Requests and responses
 * themselves: test_http.c.
 */
#include "http_fake.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

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
	int i, n;

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

	/* A 429 is tried up to LIM_HTTP_429_ATTEMPTS times (a fleet meeting
	 * a rate limit needs a few turns); then its answer is returned. */
	for (i = 0; i < 2; i++) {
		reset(1, 0);
		for (n = 0; n < LIM_HTTP_429_ATTEMPTS - 1 + i; n++)
			add(0, "HTTP/1.1 429 Slow\r\nContent-Length: 0\r\n\r\n", 0,
			    NULL);
		if (i == 0)
			add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0,
			    NULL);
		CHECK_EQ_INT(http_do(&rq, &rs), 0);
		CHECK_EQ_INT(rs.status, i ? 429 : 200);
		CHECK_EQ_INT(rs.attempts, LIM_HTTP_429_ATTEMPTS);
	}

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

	/* Retry-After in seconds is honoured: 1 s plus a random part of up
	 * to 1 s. */
	reset(1, 0);
	add(0, "HTTP/1.1 503 Unavailable\r\nRetry-After: 1\r\n"
	    "Content-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	ms = sock_now_ms() - t0;
	CHECK_EQ_INT(rs.status, 200);
	CHECK(ms >= 1000 && ms < 2500);

	/* Retry-After as an HTTP date: in the past is now, 2 s ahead waits
	 * (each plus up to 1 s). */
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
	CHECK(ms >= 900 && ms < 4600);

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
