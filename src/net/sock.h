/*
 * sock.h: TCP connections with timeouts.
 *
 * sock_connect() tries every address dns_resolve() returns, in order,
 * each with a non-blocking connect bounded by poll(); the socket it
 * returns is non-blocking with TCP_NODELAY set (a small request would
 * otherwise meet the 40 ms delayed-ACK stall).  Reads and writes wait
 * with poll() against a deadline.  SIGPIPE is ignored once by
 * sock_init(); sends use MSG_NOSIGNAL as well.
 *
 * --max-time is one more deadline over all of that: sock_max_time()
 * sets its length and it starts with the first request or wait after
 * that.  Every wait here and in dns.c and tls.c ends at the earlier of
 * its own deadline and this one; the HTTP client begins no request past
 * it and makes no retry wait that would pass it.
 */
#ifndef IKSCTL_SOCK_H
#define IKSCTL_SOCK_H

#include <stddef.h>
#include <stdint.h>

/* sock_init: ignore SIGPIPE.  Call once at start. */
void sock_init(void);

/* sock_now_ms: a monotonic clock in milliseconds. */
int64_t sock_now_ms(void);

/* sock_sleep_ms: sleep ms milliseconds (a signal does not cut it short). */
void sock_sleep_ms(int64_t ms);

/*
 * sock_max_time: bound the network work from now on to seconds, counted
 * from the first sock_deadline() call (0: no bound, as a watch wants);
 * -1 keeps the bound and counts it afresh from the next call (each poll
 * of a wait, each renewal of the token agent, after a question on the
 * terminal).  Without a call there is no bound.
 */
void sock_max_time(int seconds);

/*
 * sock_deadline: the earlier of deadline_ms and the --max-time deadline
 * (which this starts if it has not started yet).
 */
int64_t sock_deadline(int64_t deadline_ms);

/* sock_max_time_hit: the --max-time seconds if it has run out, else 0. */
int sock_max_time_hit(void);

/*
 * sock_connect: connect to host:port within timeout_ms for each address.
 * Returns 0 with *fd set, or ERR_NET_DNS, ERR_NET_REFUSED,
 * ERR_NET_TIMEOUT, ERR_NET_CONNECT (detail names host and port).
 */
int sock_connect(const char *host, unsigned port, int timeout_ms, int *fd);

/*
 * sock_connect_addr: connect a TCP socket to one address within
 * timeout_ms.  Returns 0 with *fd set, or ERR_NET_REFUSED,
 * ERR_NET_TIMEOUT, ERR_NET_CONNECT with the errno in *err (no detail is
 * recorded).
 */
struct sockaddr;
int sock_connect_addr(const struct sockaddr *sa, unsigned salen,
    int timeout_ms, int *fd, int *err);

/*
 * sock_wait: wait until fd is readable (want_write 0) or writable, or the
 * deadline (sock_now_ms() based; the --max-time one if earlier) passes.
 * Returns 0, ERR_NET_TIMEOUT or ERR_NET_IO.
 */
int sock_wait(int fd, int want_write, int64_t deadline_ms);

/* sock_send_all: send n bytes before the deadline.  0 or ERR_NET_*. */
int sock_send_all(int fd, const void *p, size_t n, int64_t deadline_ms);

/*
 * sock_recv_some: receive up to cap bytes before the deadline.  Returns
 * 0 with *got > 0, 0 with *got == 0 at end of stream, or ERR_NET_*.
 */
int sock_recv_some(int fd, void *p, size_t cap, size_t *got,
    int64_t deadline_ms);

/* sock_close: close fd if >= 0. */
void sock_close(int fd);

/* sock_readable: 1 if a read on fd would not block now (data, EOF, error). */
int sock_readable(int fd);

#endif
