/*
 * http_net.c: the HTTP client's default transport (see http.h): TCP,
 * a CONNECT tunnel through HTTPS_PROXY when one applies, and TLS over
 * it (a plain tls_conn for an http:// target, which http_do allows only
 * for a direct request).  It owns one socket and TLS context per pool
 * slot.
 */
#include "proto/http_int.h"
#include "base/errors.h"
#include "net/sock.h"
#include "net/tls.h"
#include "proto/base64.h"

#include <string.h>

struct net_conn {
	int fd;                 /* the socket, -1 when closed */
	struct tls_conn tls;    /* TLS over fd */
};

static struct net_conn net[LIM_HTTP_CONNS]; /* by pool slot */
static char proxy_rx[LIM_HTTP_HEAD_BYTES];  /* the proxy's answer */

/* proxy_request: the CONNECT request for t through pu, in b. */
static int
proxy_request(struct sbuf *b, const struct url *pu, const struct http_target *t)
{
	char creds[2 * LIM_URL_USERINFO_BYTES + 2];
	struct sbuf c;
	int r;

	sbuf_addf(b, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n",
	    t->ipv6 ? "[" : "", t->host, t->ipv6 ? "]" : "", t->port,
	    t->ipv6 ? "[" : "", t->host, t->ipv6 ? "]" : "", t->port);
	sbuf_add(b, "User-Agent: iksctl/" IKSCTL_VERSION "\r\n");
	if (pu->has_userinfo) {
		sbuf_init(&c, creds, sizeof(creds));
		sbuf_add(&c, pu->user);
		sbuf_addc(&c, ':');
		sbuf_add(&c, pu->pass);
		sbuf_add(b, "Proxy-Authorization: Basic ");
		if (sbuf_ok(&c, "proxy credentials") == 0)
			base64_encode(b, (const uint8_t *)creds, c.len);
		sbuf_add(b, "\r\n");
		mem_wipe(creds, sizeof(creds));
	}
	sbuf_add(b, "\r\n");
	r = sbuf_ok(b, "CONNECT request");
	return r;
}

/* proxy_answer: read the proxy's answer head, byte by byte. */
static int
proxy_answer(int fd, const struct url *pu, int64_t deadline, int *status,
    struct slice *reason)
{
	struct http_header h[LIM_HTTP_HEADERS];
	size_t have = 0, got = 0, nh;
	int r, minor;

	for (;;) {
		if (have >= sizeof(proxy_rx))
			return err_limit("proxy answer", "LIM_HTTP_HEAD_BYTES",
			    LIM_HTTP_HEAD_BYTES);
		/* One byte at a time: nothing past the head is ours. */
		r = sock_recv_some(fd, proxy_rx + have, 1, &got, deadline);
		if (r == ERR_NET_TIMEOUT)
			return err_set(r, "proxy %s: no answer to CONNECT within "
			    "%d ms", pu->host, http_opts.timeout_ms);
		if (r != 0)
			return r;
		if (got == 0)
			return err_set(ERR_NET_PROXY, "proxy %s closed the "
			    "connection during CONNECT", pu->host);
		have += got;
		nh = LIM_HTTP_HEADERS;
		r = http_parse_response(proxy_rx, have, &minor, status, reason,
		    h, &nh);
		if (r > 0) {
			http_trace_head("< ", proxy_rx, have);
			return 0;
		}
		if (r == -1)
			return err_set(ERR_NET_PROXY, "proxy %s: malformed answer "
			    "to CONNECT", pu->host);
	}
}

/* proxy_connect: open a CONNECT tunnel to t through t->proxy. */
static int
proxy_connect(const struct http_target *t, int *fd)
{
	static struct url pu;
	char req[LIM_HTTP_HEAD_BYTES];
	struct slice reason;
	struct sbuf b;
	int64_t deadline;
	int r, status;

	deadline = 0;
	if ((r = url_parse(t->proxy, &pu)) != 0) {
		mem_wipe(pu.pass, sizeof(pu.pass));
		return http_recode(ERR_NET_URL, "HTTPS_PROXY: ");
	}
	if (strcmp(pu.scheme, "http") != 0) {
		mem_wipe(pu.pass, sizeof(pu.pass));
		return err_set(ERR_NET_URL, "HTTPS_PROXY: only http:// proxies "
		    "are supported");
	}
	sbuf_init(&b, req, sizeof(req));
	r = proxy_request(&b, &pu, t);
	mem_wipe(pu.pass, sizeof(pu.pass));
	if (r == 0 && (r = sock_connect(pu.host, pu.port, http_opts.timeout_ms,
	    fd)) != 0)
		r = http_recode(r, "proxy: ");
	if (r == 0) {
		http_trace_head("> ", req, b.len);
		deadline = sock_now_ms() + http_opts.timeout_ms;
		r = sock_send_all(*fd, req, b.len, deadline);
	}
	mem_wipe(req, sizeof(req));
	if (r == 0)
		r = proxy_answer(*fd, &pu, deadline, &status, &reason);
	if (r != 0)
		return r;
	if (status / 100 != 2)
		return err_set(ERR_NET_PROXY, "proxy %s refused CONNECT to %s:%u: "
		    "%d %.*s%s", pu.host, t->host, t->port, status,
		    (int)reason.n, reason.p, status == 407 || status == 401 ?
		    " (proxy authentication required: put user:password in "
		    "HTTPS_PROXY)" : "");
	return 0;
}

static int
net_open(void *ctx, int slot, const struct http_target *t, int *resumed)
{
	struct net_conn *n = &net[slot];
	int r;

	(void)ctx;
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (t->proxy != NULL)
		r = proxy_connect(t, &n->fd);
	else
		r = sock_connect(t->host, t->port, http_opts.timeout_ms, &n->fd);
	if (r != 0)
		return r;
	if (t->plain) {    /* http://: the bytes go as they are */
		n->tls.fd = n->fd;
		n->tls.timeout_ms = http_opts.timeout_ms;
		n->tls.plain = 1;
		return 0;
	}
	r = tls_open(&n->tls, n->fd, t->host, t->ca_pem, t->ca_len, t->sess,
	    t->sess_len, http_opts.timeout_ms);
	*resumed = n->tls.resumed;
	return r;
}

static int
net_send(void *ctx, int slot, const void *p, size_t n, size_t *sent)
{
	int r;

	(void)ctx;
	r = tls_write(&net[slot].tls, p, n);
	*sent = r == 0 ? n : 0;
	return r;
}

static int
net_recv(void *ctx, int slot, void *p, size_t cap, size_t *got)
{
	struct tls_conn *c = &net[slot].tls;
	int keep = c->timeout_ms, r;

	(void)ctx;
	if (http_no_idle)
		c->timeout_ms = 0;   /* a watch waits for its next event */
	r = tls_read(c, p, cap, got);
	c->timeout_ms = keep;
	return r;
}

static int
net_idle_closed(void *ctx, int slot)
{
	(void)ctx;
	return tls_idle_closed(&net[slot].tls);
}

static int
net_session(void *ctx, int slot, uint8_t *out, size_t cap, size_t *len)
{
	(void)ctx;
	return tls_session(&net[slot].tls, out, cap, len);
}

static const char *
net_describe(void *ctx, int slot)
{
	(void)ctx;
	return tls_version(&net[slot].tls);
}

static void
net_close(void *ctx, int slot)
{
	struct net_conn *n = &net[slot];

	(void)ctx;
	tls_close(&n->tls);
	sock_close(n->fd);
	n->fd = -1;
}

const struct http_transport http_net_transport = {
	net_open, net_send, net_recv, net_idle_closed, net_session,
	net_describe, net_close, NULL
};
