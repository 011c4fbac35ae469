/*
 * test_deadline.c: --max-time (src/net/sock.c, src/proto/http.c): the
 * deadline starts at the first wait, starts again on sock_max_time(-1)
 * and is gone with 0; it ends a wait on a real socket that a child
 * feeds one byte at a time; and, through the fake transport
 * (http_fake.h), it turns the timeout's detail into the --max-time one,
 * begins no request once it has passed and keeps a retry backoff from
 * passing it.
 */
#include "http_fake.h"

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* The deadline's life: none, started by the first wait, again, gone. */
TEST(test_max_time_clock)
{
	int64_t t0, d;

	sock_max_time(0);
	CHECK_EQ_INT(sock_deadline(12345), 12345);
	CHECK_EQ_INT(sock_max_time_hit(), 0);

	sock_max_time(1);
	sock_sleep_ms(1100);   /* not started yet: no time has run out */
	CHECK_EQ_INT(sock_max_time_hit(), 0);
	t0 = sock_now_ms();
	d = sock_deadline(INT64_MAX);   /* the first wait starts it */
	CHECK(d >= t0 + 1000 && d <= t0 + 1100);
	CHECK_EQ_INT(sock_deadline(t0 + 10), t0 + 10);   /* an earlier one wins */
	CHECK_EQ_INT(sock_deadline(INT64_MAX), d);       /* it does not move */
	CHECK_EQ_INT(sock_max_time_hit(), 0);
	sock_sleep_ms(d - sock_now_ms() + 10);
	CHECK_EQ_INT(sock_max_time_hit(), 1);

	sock_max_time(-1);   /* the same bound again, from the next wait */
	CHECK_EQ_INT(sock_max_time_hit(), 0);
	t0 = sock_now_ms();
	d = sock_deadline(INT64_MAX);
	CHECK(d >= t0 + 1000 && d <= t0 + 1100);

	sock_max_time(0);   /* a watch: none at all */
	CHECK_EQ_INT(sock_deadline(INT64_MAX), INT64_MAX);
	CHECK_EQ_INT(sock_max_time_hit(), 0);
}

/*
 * A drip on a real socket: a child writes a byte every 200 ms for 4 s.
 * Each read's own deadline (1 s) never passes; --max-time 1 ends it.
 */
TEST(test_max_time_drip)
{
	char b[16];
	size_t got, total = 0;
	int sv[2], r = 0, i;
	int64_t t0, ms;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		for (i = 0; i < 20; i++) {
			if (write(sv[1], "x", 1) != 1)
				_exit(0);
			sock_sleep_ms(200);
		}
		_exit(0);
	}
	close(sv[1]);
	sock_max_time(1);
	t0 = sock_now_ms();
	while ((r = sock_recv_some(sv[0], b, sizeof(b), &got,
	    sock_now_ms() + 1000)) == 0 && got > 0)
		total += got;
	ms = sock_now_ms() - t0;
	CHECK_EQ_INT(r, ERR_NET_TIMEOUT);
	CHECK(ms >= 900 && ms < 1900);
	CHECK(total >= 3 && total <= 8);
	CHECK_EQ_INT(sock_max_time_hit(), 1);

	/* Without the bound the same drip is read to its end. */
	sock_max_time(0);
	while ((r = sock_recv_some(sv[0], b, sizeof(b), &got,
	    sock_now_ms() + 1000)) == 0 && got > 0)
		total += got;
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(total, 20);
	CHECK(sock_now_ms() - t0 >= 3500);

	/* A wait ended by its own deadline is not a --max-time one. */
	sock_max_time(5);
	t0 = sock_now_ms();
	CHECK_EQ_INT(sock_wait(sv[0], 0, t0 + 200), 0);   /* EOF: readable */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	t0 = sock_now_ms();
	CHECK_EQ_INT(sock_wait(sv[0], 0, t0 + 200), ERR_NET_TIMEOUT);
	ms = sock_now_ms() - t0;
	CHECK(ms >= 190 && ms < 1000);
	CHECK_EQ_INT(sock_max_time_hit(), 0);
	close(sv[0]);
	close(sv[1]);
	sock_max_time(0);
}

/* The detail of a timeout that --max-time caused names it and the host. */
TEST(test_max_time_detail)
{
	struct http_req rq = get("https://h.example/x");
	struct http_resp rs;

	/* Its own timeout: the per-read detail stays. */
	sock_max_time(60);
	reset(1, 0);
	add(0, "", 0, NULL);
	fk.c[0].end = END_TIMEOUT;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_TIMEOUT);
	CHECK(detail_has("no answer within 1000 ms"));

	/* The --max-time deadline passed: the one detail that says so. */
	sock_max_time(1);
	(void)sock_deadline(INT64_MAX);
	sock_sleep_ms(1050);
	reset(1, 0);
	add(0, "", 0, NULL);
	fk.c[0].end = END_TIMEOUT;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_TIMEOUT);
	CHECK_STR(err_detail(), "h.example:443: gave up after --max-time 1 s");
	rq.url = "https://[::1]:8443/x";
	reset(1, 0);
	add(0, "", 0, NULL);
	fk.c[0].end = END_TIMEOUT;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_TIMEOUT);
	CHECK_STR(err_detail(), "[::1]:8443: gave up after --max-time 1 s");
	CHECK_EQ_INT(err_exit_status(ERR_NET_TIMEOUT), EXIT_NET);

	/* Once it has passed, no request is begun, however fast the server. */
	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_TIMEOUT);
	CHECK_STR(err_detail(), "[::1]:8443: gave up after --max-time 1 s");
	CHECK_EQ_INT(fk.opened, 0);

	/* Other failures, within the bound, are said as they are. */
	sock_max_time(-1);
	reset(1, 0);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0, NULL);
	fk.c[0].end = END_RESET;
	CHECK_EQ_INT(http_do(&rq, &rs), ERR_NET_RESET);
	CHECK(!detail_has("--max-time"));
	sock_max_time(0);
}

/* A Retry-After that would pass the deadline is not waited for. */
TEST(test_max_time_backoff)
{
	struct http_req rq = get("https://h.example/r");
	struct http_resp rs;
	int64_t t0, ms, start;

	sock_max_time(2);
	reset(1, 0);
	add(0, "HTTP/1.1 503 Unavailable\r\nRetry-After: 30\r\n"
	    "Content-Length: 4\r\n\r\nbusy", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK(sock_now_ms() - t0 < 500);
	CHECK_EQ_INT(rs.status, 503);   /* the last answer */
	CHECK_EQ_INT(rs.attempts, 1);
	CHECK(body_is(&rs, "busy"));
	CHECK_EQ_INT(http_stats.retries, 0);

	/*
	 * One that ends before it is waited for.  Retry-After: 1 waits 1 s
	 * plus a random part of up to 1 s (a fleet does not move in step).
	 */
	sock_max_time(3);
	start = sock_now_ms();
	reset(1, 0);
	add(0, "HTTP/1.1 503 Unavailable\r\nRetry-After: 1\r\n"
	    "Content-Length: 0\r\n\r\n", 0, NULL);
	add(0, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, NULL);
	t0 = sock_now_ms();
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	ms = sock_now_ms() - t0;
	CHECK_EQ_INT(rs.status, 200);
	CHECK_EQ_INT(rs.attempts, 2);
	CHECK(ms >= 1000 && ms < 2900);

	/*
	 * The next one would pass it (at most 0.8 s of 3 left, at least
	 * 1 s to wait): not made.
	 */
	if (sock_now_ms() - start < 2200)
		sock_sleep_ms(2200 - (sock_now_ms() - start));
	reset(1, 0);
	add(0, "HTTP/1.1 429 Slow\r\nRetry-After: 1\r\n"
	    "Content-Length: 0\r\n\r\n", 0, NULL);
	CHECK_EQ_INT(http_do(&rq, &rs), 0);
	CHECK_EQ_INT(rs.status, 429);
	CHECK_EQ_INT(rs.attempts, 1);

	sock_max_time(0);
}

int
main(void)
{
	fake_start();
	RUN(test_max_time_clock);
	RUN(test_max_time_drip);
	RUN(test_max_time_detail);
	RUN(test_max_time_backoff);
	http_set_transport(NULL);
	return test_done();
}
