/*
 * sock.c: TCP connect with timeouts over poll() (see sock.h).  The
 * pattern is OpenBSD netcat's timeout_connect(): non-blocking connect,
 * poll for writability, then SO_ERROR says how it went.
 */
#include "net/sock.h"
#include "base/errors.h"
#include "base/limits.h"
#include "net/dns.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int max_s;                      /* --max-time in seconds, 0: none */
static int64_t max_end = INT64_MAX;    /* its deadline; 0: not started */

void
sock_init(void)
{
	signal(SIGPIPE, SIG_IGN);
}

int64_t
sock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sock_max_time(int seconds)
{
	if (seconds >= 0)
		max_s = seconds;
	max_end = max_s > 0 ? 0 : INT64_MAX;
}

int64_t
sock_deadline(int64_t deadline_ms)
{
	if (max_end == 0)
		max_end = sock_now_ms() + (int64_t)max_s * 1000;
	return max_end < deadline_ms ? max_end : deadline_ms;
}

int
sock_max_time_hit(void)
{
	return max_end != 0 && sock_now_ms() >= max_end ? max_s : 0;
}

int
sock_wait(int fd, int want_write, int64_t deadline_ms)
{
	struct pollfd p;
	int64_t left;
	int n;

	deadline_ms = sock_deadline(deadline_ms);
	for (;;) {
		left = deadline_ms - sock_now_ms();
		if (left <= 0)
			return ERR_NET_TIMEOUT;
		p.fd = fd;
		p.events = want_write ? POLLOUT : POLLIN;
		p.revents = 0;
		n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			continue;
		if (errno != EINTR)
			return err_set(ERR_NET_IO, "poll: %s", strerror(errno));
	}
}

int
sock_connect_addr(const struct sockaddr *sa, unsigned salen, int timeout_ms,
    int *fd, int *err)
{
	int s, one = 1, so_err = 0, r;
	socklen_t len = sizeof(so_err);

	s = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0) {
		*err = errno;
		return ERR_NET_CONNECT;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s, sa, (socklen_t)salen) != 0) {
		if (errno != EINPROGRESS) {
			*err = errno;
			close(s);
			return errno == ECONNREFUSED ? ERR_NET_REFUSED :
			    ERR_NET_CONNECT;
		}
		r = sock_wait(s, 1, sock_now_ms() + timeout_ms);
		if (r != 0) {
			close(s);
			*err = ETIMEDOUT;
			return r;
		}
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &so_err, &len) != 0)
			so_err = errno;
		if (so_err != 0) {
			*err = so_err;
			close(s);
			return so_err == ECONNREFUSED ? ERR_NET_REFUSED :
			    so_err == ETIMEDOUT ? ERR_NET_TIMEOUT :
			    ERR_NET_CONNECT;
		}
	}
	*fd = s;
	return 0;
}

int
sock_connect(const char *host, unsigned port, int timeout_ms, int *fd)
{
	static struct dns_addr addrs[LIM_DNS_ADDRS];
	int r, ret = ERR_NET_CONNECT, err = 0, e = 0, n, i;

	if (port == 0 || port > 65535)
		return err_set(ERR_NET_URL, "bad port %u", port);
	if ((r = dns_resolve(host, addrs, LIM_DNS_ADDRS, &n, timeout_ms)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		/* Both families keep the port at the same offset. */
		addrs[i].u.in.sin_port = htons((uint16_t)port);
		r = sock_connect_addr(&addrs[i].u.sa, addrs[i].len, timeout_ms,
		    fd, &e);
		if (r == 0) {
			ret = 0;
			break;
		}
		/* Keep the most telling failure: a timeout over a refusal. */
		if (ret == ERR_NET_CONNECT || r == ERR_NET_TIMEOUT) {
			ret = r;
			err = e;
		}
	}
	if (ret == ERR_NET_TIMEOUT)
		return err_set(ret, "connect to %s port %u: no answer within %d ms",
		    host, port, timeout_ms);
	if (ret != 0)
		return err_set(ret, "connect to %s port %u: %s", host, port,
		    strerror(err));
	return 0;
}

int
sock_send_all(int fd, const void *p, size_t n, int64_t deadline_ms)
{
	const char *c = p;
	ssize_t w;
	int r;

	while (n > 0) {
		w = send(fd, c, n, MSG_NOSIGNAL);
		if (w > 0) {
			c += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = sock_wait(fd, 1, deadline_ms)) != 0)
				return r == ERR_NET_TIMEOUT ?
				    err_set(r, "sending: timed out") : r;
			continue;
		}
		return err_set(errno == EPIPE || errno == ECONNRESET ?
		    ERR_NET_RESET : ERR_NET_IO, "send: %s", strerror(errno));
	}
	return 0;
}

int
sock_recv_some(int fd, void *p, size_t cap, size_t *got, int64_t deadline_ms)
{
	ssize_t n;
	int r;

	for (;;) {
		n = recv(fd, p, cap, 0);
		if (n >= 0) {
			*got = (size_t)n;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if ((r = sock_wait(fd, 0, deadline_ms)) != 0)
				return r == ERR_NET_TIMEOUT ?
				    err_set(r, "waiting for the answer") : r;
			continue;
		}
		return err_set(errno == ECONNRESET ? ERR_NET_RESET : ERR_NET_IO,
		    "recv: %s", strerror(errno));
	}
}

void
sock_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
sock_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) > 0;
}

void
sock_sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}
