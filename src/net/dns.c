/*
 * dns.c: dns_resolve() (see dns.h): the files it reads and the queries
 * it sends.
 *
 * The order is musl's: a literal address is the answer; else every
 * matching line of /etc/hosts; else "localhost" and "*.localhost" are
 * loopback (RFC 6761); else DNS.  For DNS, a name with fewer dots than
 * ndots is tried with each search domain first, then as it is; a name
 * with enough dots, or ending in a dot, only as it is (musl does not
 * search those).  NXDOMAIN or no data moves on to the next candidate; a
 * timeout, or a failure from every server, ends the lookup.
 *
 * Each candidate is asked for A and, if this machine has an IPv6 route,
 * AAAA, over one unconnected UDP socket per family, to every server at
 * once, again every timeout/attempts milliseconds.  An answer counts
 * only if it comes from a configured server's address and port 53 and
 * dns_msg_parse() finds it answers our query (random id, same
 * question).  A truncated answer is asked again over TCP of the server
 * that sent it.
 */
#include "net/dns.h"
#include "net/sock.h"
#include "base/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define DNS_PORT 53

/* One question to every server: the query and what came back. */
struct query {
	uint8_t q[LIM_DNS_UDP_BYTES]; /* the query message */
	size_t qn;                    /* its length */
	int done;                     /* answered: NOERROR or NXDOMAIN */
	unsigned failed;              /* bit i: server i failed this query */
	struct dns_answer ans;        /* the answer, once done */
};

/* The state of one lookup; static, since answers are large. */
static struct {
	struct dns_conf conf;                /* from /etc/resolv.conf */
	struct query qs[2];                  /* A, then AAAA */
	uint8_t buf[LIM_DNS_TCP_BYTES + 2];  /* one received message */
} st;

/* ---- Files ---- */

/*
 * file_lines: call fn(ctx, line) on each line of path.  A line longer
 * than LIM_DNS_LINE_BYTES is skipped whole.  Returns 0, or -1 if the
 * file cannot be opened.
 */
static int
file_lines(const char *path, void (*fn)(void *, struct slice), void *ctx)
{
	char buf[LIM_DNS_LINE_BYTES];
	size_t have = 0, rest;
	const char *p, *nl, *end;
	int fd, skip = 0;
	ssize_t r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	for (;;) {
		r = read(fd, buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (have > 0 && !skip)
				fn(ctx, (struct slice){ buf, have });
			break;
		}
		end = buf + have + (size_t)r;
		for (p = buf; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
		    p = nl + 1) {
			if (!skip)
				fn(ctx, (struct slice){ p, (size_t)(nl - p) });
			skip = 0;
		}
		rest = (size_t)(end - p);
		if (rest == sizeof(buf)) {
			skip = 1;
			rest = 0;
		}
		memmove(buf, p, rest);
		have = rest;
	}
	close(fd);
	return 0;
}

static void
conf_fn(void *ctx, struct slice line)
{
	dns_conf_line(ctx, line);
}

/* What a hosts lookup collects. */
struct hosts_ctx {
	const char *name;       /* the name looked up, no final dot */
	struct dns_addr *out;   /* the caller's array */
	int cap;                /* its size */
	int n;                  /* addresses in it */
};

static void
hosts_fn(void *ctx, struct slice line)
{
	struct hosts_ctx *h = ctx;

	(void)dns_hosts_line(line, h->name, h->out, h->cap, &h->n);
}

/* ---- Names ---- */

/* name_valid: letters, digits, '-', '_', labels of 1..63, 253 in all. */
static int
name_valid(const char *s, size_t n)
{
	size_t i, label = 0;
	char c;

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_') ||
		    ++label > 63)
			return 0;
	}
	return label > 0;
}

/* ends_nocase: 1 if s[0 .. n) ends with suffix, ASCII case ignored. */
static int
ends_nocase(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && slice_eq_nocase((struct slice){ s + n - k, k },
	    suffix);
}

/* loopback: out gets 127.0.0.1 (and ::1 with IPv6); the count. */
static int
loopback(struct dns_addr *out, int cap, int v6)
{
	int n = 0;

	memset(out, 0, sizeof(*out) * (size_t)cap);
	out[n].u.in.sin_family = AF_INET;
	out[n].u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	out[n++].len = sizeof(out[0].u.in);
	if (v6 && n < cap) {
		out[n].u.in6.sin6_family = AF_INET6;
		out[n].u.in6.sin6_addr = in6addr_loopback;
		out[n++].len = sizeof(out[0].u.in6);
	}
	return n;
}

/*
 * have_ipv6: 1 if a UDP socket can be connected to a global IPv6
 * address (2000::1; nothing is sent), i.e. there is an IPv6 route.
 * This is AI_ADDRCONFIG's spirit for one socket() and connect(): with
 * no route, AAAA answers would only give addresses that cannot connect.
 */
static int
have_ipv6(void)
{
	struct sockaddr_in6 sa;
	int s, r;

	memset(&sa, 0, sizeof(sa));
	sa.sin6_family = AF_INET6;
	sa.sin6_port = htons(DNS_PORT);
	sa.sin6_addr.s6_addr[0] = 0x20;
	sa.sin6_addr.s6_addr[15] = 1;
	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
	close(s);
	return r == 0;
}

/* random_id: 16 random bits from getrandom(2), else from the clock. */
static uint16_t
random_id(void)
{
	struct timespec ts;
	uint16_t v;

	if (getrandom(&v, sizeof(v), 0) == (ssize_t)sizeof(v))
		return v;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint16_t)(ts.tv_nsec ^ ts.tv_nsec >> 16 ^ getpid());
}

/* ---- Queries ---- */

/* server_of: the index of the server that sent from, or -1. */
static int
server_of(const struct dns_conf *c, const struct sockaddr_in6 *from,
    socklen_t len)
{
	const struct sockaddr_in *f4 = (const struct sockaddr_in *)from;
	const struct dns_addr *ns;
	int i;

	for (i = 0; i < c->nns; i++) {
		ns = &c->ns[i];
		if (len != ns->len || from->sin6_family != ns->u.sa.sa_family)
			continue;
		if (ns->u.sa.sa_family == AF_INET ?
		    f4->sin_port == ns->u.in.sin_port &&
		    f4->sin_addr.s_addr == ns->u.in.sin_addr.s_addr :
		    from->sin6_port == ns->u.in6.sin6_port &&
		    memcmp(&from->sin6_addr, &ns->u.in6.sin6_addr, 16) == 0)
			return i;
	}
	return -1;
}

/*
 * tcp_ask: ask q again over TCP of server ns and parse the answer into
 * q->ans.  0, or -1 if the server did not give a usable answer.
 */
static int
tcp_ask(const struct dns_addr *ns, struct query *q, int64_t deadline)
{
	size_t got, have = 0, want = 2;
	int fd, e, ok = -1;
	int64_t left = deadline - sock_now_ms();

	if (left <= 0 || sock_connect_addr(&ns->u.sa, ns->len, (int)left, &fd,
	    &e) != 0)
		return -1;
	st.buf[0] = (uint8_t)(q->qn >> 8);
	st.buf[1] = (uint8_t)q->qn;
	memcpy(st.buf + 2, q->q, q->qn);
	if (sock_send_all(fd, st.buf, q->qn + 2, deadline) != 0)
		goto out;
	while (have < want) {
		if (sock_recv_some(fd, st.buf + have, want - have, &got,
		    deadline) != 0 || got == 0)
			goto out;
		have += got;
		if (have == 2 && want == 2)
			want = 2 + ((size_t)st.buf[0] << 8 | st.buf[1]);
	}
	if (dns_msg_parse(st.buf + 2, want - 2, q->q, q->qn, &q->ans) == 0 &&
	    !q->ans.truncated)
		ok = 0;
out:
	sock_close(fd);
	if (ok != 0)
		err_clear();  /* the server failed; other servers may answer */
	return ok;
}

/* take: an answer from server i to q (UDP, or TCP if truncated). */
static void
take(struct query *q, int i, int64_t deadline)
{
	if (q->ans.truncated && tcp_ask(&st.conf.ns[i], q, deadline) != 0) {
		q->failed |= 1u << i;
		return;
	}
	if (q->ans.rcode == DNS_RCODE_OK || q->ans.rcode == DNS_RCODE_NXDOMAIN)
		q->done = 1;
	else
		q->failed |= 1u << i;  /* SERVFAIL, REFUSED...: ask the others */
}

/* receive: read every datagram waiting on fd and match it to a query. */
static void
receive(int fd, int nq, int64_t deadline)
{
	struct sockaddr_in6 from;
	socklen_t flen;
	ssize_t r;
	int i, k;

	for (;;) {
		flen = sizeof(from);
		r = recvfrom(fd, st.buf, LIM_DNS_UDP_BYTES, MSG_DONTWAIT,
		    (struct sockaddr *)&from, &flen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return;
		if ((i = server_of(&st.conf, &from, flen)) < 0)
			continue;  /* not from a server we asked */
		for (k = 0; k < nq; k++)
			if (!st.qs[k].done && dns_msg_parse(st.buf, (size_t)r,
			    st.qs[k].q, st.qs[k].qn, &st.qs[k].ans) == 0) {
				take(&st.qs[k], i, deadline);
				break;
			}
	}
}

/* send_all: send each unanswered query to each server yet to fail it. */
static void
send_all(const int *fd, int nq)
{
	const struct dns_addr *ns;
	int i, k;

	for (k = 0; k < nq; k++) {
		if (st.qs[k].done)
			continue;
		for (i = 0; i < st.conf.nns; i++) {
			ns = &st.conf.ns[i];
			if ((st.qs[k].failed & 1u << i) == 0)
				(void)sendto(fd[ns->u.sa.sa_family == AF_INET6],
				    st.qs[k].q, st.qs[k].qn, MSG_NOSIGNAL,
				    &ns->u.sa, ns->len);
		}
	}
}

/*
 * ask: the addresses of name (A, and AAAA if v6) into out[*n < cap].
 * Returns 1 if answered (NXDOMAIN or no data leave *n alone), or
 * ERR_NET_DNS with a detail about host.
 */
static int
ask(const char *host, const char *name, int v6, int64_t deadline,
    struct dns_addr *out, int cap, int *n)
{
	static const uint16_t types[2] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	unsigned all = (1u << st.conf.nns) - 1;
	struct pollfd p[2];
	int fd[2] = { -1, -1 }, nq = v6 ? 2 : 1, k, i, ret, w;
	int64_t now = sock_now_ms(), start = now, end, next, interval;

	end = now + st.conf.timeout_s * 1000;
	if (end > deadline)
		end = deadline;
	interval = (end - now) / st.conf.attempts;
	if (interval < 1)
		interval = 1;
	for (k = 0; k < nq; k++) {
		memset(&st.qs[k], 0, sizeof(st.qs[k]));
		w = dns_msg_query(st.qs[k].q, sizeof(st.qs[k].q), name,
		    random_id(), types[k]);
		if (w < 0)
			return err_set(ERR_NET_DNS, "%s: not a valid host name",
			    host);
		st.qs[k].qn = (size_t)w;
	}
	for (i = 0; i < st.conf.nns; i++) {
		k = st.conf.ns[i].u.sa.sa_family == AF_INET6;
		if (fd[k] < 0)
			fd[k] = socket(k ? AF_INET6 : AF_INET, SOCK_DGRAM |
			    SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	}
	for (next = now;;) {
		for (k = 0; k < nq && st.qs[k].done; k++)
			;
		if (k == nq) {
			ret = 1;
			break;
		}
		for (k = 0; k < nq && (st.qs[k].done ||
		    st.qs[k].failed != all); k++)
			;
		if (k < nq) {
			ret = err_set(ERR_NET_DNS, "%s: the name servers failed "
			    "to answer (server failure or refusal)", host);
			break;
		}
		if ((now = sock_now_ms()) >= end) {
			ret = err_set(ERR_NET_DNS, "%s: no answer from the name "
			    "servers within %d ms", host, (int)(end - start));
			break;
		}
		if (now >= next) {
			send_all(fd, nq);
			next = now + interval;
		}
		for (k = 0; k < 2; k++) {
			p[k].fd = fd[k];
			p[k].events = POLLIN;
			p[k].revents = 0;
		}
		if (poll(p, 2, (int)((next < end ? next : end) - now)) <= 0)
			continue;
		for (k = 0; k < 2; k++)
			if (p[k].revents != 0)
				receive(fd[k], nq, end);
	}
	for (k = 0; k < 2; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	if (ret != 1)
		return ret;
	for (k = 0; k < nq; k++)
		for (i = 0; i < st.qs[k].ans.n && *n < cap; i++)
			out[(*n)++] = st.qs[k].ans.addr[i];
	return 1;
}

/* ---- The lookup ---- */

/* v4_first: a stable reorder of out[0 .. n), IPv4 before IPv6. */
static void
v4_first(struct dns_addr *out, int n)
{
	struct dns_addr t;
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j].u.sa.sa_family == AF_INET &&
		    out[j - 1].u.sa.sa_family == AF_INET6; j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
}

/* from_dns: the DNS part of dns_resolve(); name has no final dot. */
static int
from_dns(const char *host, const char *name, size_t len, int absolute,
    int timeout_ms, struct dns_addr *out, int cap, int *n)
{
	char cand[LIM_HOST_BYTES + 1];
	int64_t deadline = sock_deadline(sock_now_ms() + timeout_ms);
	int dots = 0, v6 = have_ipv6(), i, r;
	size_t j, k;

	dns_conf_init(&st.conf);
	(void)file_lines("/etc/resolv.conf", conf_fn, &st.conf);
	if (st.conf.nns == 0) {
		/* No file, or no server in it: musl asks 127.0.0.1. */
		(void)dns_parse_ip("127.0.0.1", 9, &st.conf.ns[0]);
		st.conf.ns[0].u.in.sin_port = htons(DNS_PORT);
		st.conf.nns = 1;
	}
	for (j = 0; j < len; j++)
		dots += name[j] == '.';
	for (i = 0; !absolute && dots < st.conf.ndots && i < st.conf.nsearch;
	    i++) {
		k = strlen(st.conf.search[i]);
		if (len + 1 + k > 253)
			continue;  /* too long a name with this domain: skip it */
		memcpy(cand, name, len);
		cand[len] = '.';
		memcpy(cand + len + 1, st.conf.search[i], k + 1);
		if ((r = ask(host, cand, v6, deadline, out, cap, n)) != 1)
			return r;
		if (*n > 0)
			return 0;
	}
	memcpy(cand, name, len);
	cand[len] = '\0';
	if ((r = ask(host, cand, v6, deadline, out, cap, n)) != 1)
		return r;
	if (*n > 0)
		return 0;
	return err_set(ERR_NET_DNS, "%s: no such host (%s)", host,
	    st.qs[0].ans.rcode == DNS_RCODE_NXDOMAIN ? "NXDOMAIN" :
	    "no address");
}

int
dns_resolve(const char *host, struct dns_addr *out, int cap, int *n,
    int timeout_ms)
{
	struct hosts_ctx h;
	char name[LIM_HOST_BYTES];
	size_t len = strnlen(host, LIM_HOST_BYTES), i;
	int numeric = 1, absolute = 0, r;

	*n = 0;
	if (cap > LIM_DNS_ADDRS)
		cap = LIM_DNS_ADDRS;
	if (len == LIM_HOST_BYTES || cap < 1)
		return err_set(ERR_NET_DNS, "%.64s...: name too long", host);
	for (i = 0; i < len; i++)
		numeric &= (host[i] >= '0' && host[i] <= '9') || host[i] == '.';
	if (memchr(host, ':', len) != NULL || numeric) {
		if (dns_parse_ip(host, len, &out[0]) != 0)
			return err_set(ERR_NET_DNS, "%s: not a valid IP%s address",
			    host, numeric ? "v4" : "v6");
		*n = 1;
		return 0;
	}
	if (!name_valid(host, len))
		return err_set(ERR_NET_DNS, "%s: not a valid host name", host);
	memcpy(name, host, len + 1);
	if (name[len - 1] == '.') {
		name[--len] = '\0';
		absolute = 1;
	}
	h.name = name;
	h.out = out;
	h.cap = cap;
	h.n = 0;
	(void)file_lines("/etc/hosts", hosts_fn, &h);
	*n = h.n;
	if (*n == 0 && (slice_eq_nocase((struct slice){ name, len },
	    "localhost") || ends_nocase(name, len, ".localhost")))
		*n = loopback(out, cap, have_ipv6());
	if (*n == 0 && (r = from_dns(host, name, len, absolute,
	    timeout_ms, out, cap, n)) != 0)
		return r;
	v4_first(out, *n);
	return 0;
}
