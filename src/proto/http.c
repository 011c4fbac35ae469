/*
 * http.c: the HTTP/1.1 client (see http.h).
 *
 * The file has three parts: the -v trace (secrets redacted); the
 * default transport (TCP, a CONNECT tunnel through HTTPS_PROXY, TLS);
 * and the client proper (pool, request, response, retries), which
 * reaches servers only through the current struct http_transport.
 *
 * Ownership: this file owns the connection pool, the saved TLS
 * sessions, the request buffer (tx) and the receive buffer (rx).  A
 * response's header slices and its buffered body point into rx and
 * stay valid until the next http_do().  Layout of rx during a response:
 * [head][body...]; a streamed body only ever uses a window of
 * LIM_HTTP_STREAM_WINDOW bytes right after the head, so any size passes
 * in constant memory.
 */
#include "proto/http.h"
#include "base/errors.h"
#include "base/str.h"
#include "net/sock.h"
#include "net/tls.h"
#include "net/url.h"
#include "proto/base64.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct http_opts http_opts = { 30000, 0, 500, LIM_RETRY_WAIT_MS };
struct http_stats http_stats;

struct conn {
	char hostport[LIM_HOSTPORT_BYTES]; /* "host:port" it is connected to */
	const char *ca_pem;     /* trust it was verified with (NULL default) */
	size_t ca_len;          /* that PEM's length */
	int open;               /* the transport holds this slot open */
	int used;               /* requests sent on it */
	int64_t last_ms;        /* when it was last used, for eviction */
};

struct session {
	char hostport[LIM_HOSTPORT_BYTES]; /* whose session */
	uint8_t data[LIM_TLS_SESSION_BYTES]; /* serialised session */
	size_t len;             /* its length, 0 if none */
	int changed;            /* set during this run: to be saved */
};

/* rx: a head, a body at the limit, and room for the framing after it. */
#define RX_BYTES (LIM_HTTP_HEAD_BYTES + LIM_HTTP_BODY_BYTES + \
	LIM_HTTP_RX_SLACK + 1)

static struct conn pool[LIM_HTTP_CONNS];   /* one connection per host */
static struct session sessions[LIM_HTTP_CONNS]; /* one per host */
static uint8_t sess_scratch[LIM_TLS_SESSION_BYTES]; /* a session being saved */
static char tx[LIM_HTTP_REQ_BYTES];        /* one request */
static char rx[RX_BYTES];                  /* one response */
static size_t rx_seen;                     /* bytes received this attempt */

/* ---- The -v trace. ---- */

/* trace: one line of the -v trace on stderr. */
static void
trace(const char *prefix, struct slice s)
{
	if (http_opts.verbose)
		fprintf(stderr, "%s%.*s\n", prefix, (int)s.n, s.p);
}

/* tracef: one printf-style "* " line of the -v trace. */
static void __attribute__((format(printf, 1, 2)))
tracef(const char *fmt, ...)
{
	va_list ap;

	if (!http_opts.verbose)
		return;
	fputs("* ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
secret_header(struct slice name)
{
	return slice_eq_nocase(name, "authorization") ||
	    slice_eq_nocase(name, "x-auth-refresh-token") ||
	    slice_eq_nocase(name, "proxy-authorization");
}

/* trace_head: trace request or response header lines, secrets redacted. */
static void
trace_head(const char *prefix, const char *p, size_t n)
{
	const char *end = p + n, *eol, *colon;
	struct slice line, name;

	if (!http_opts.verbose)
		return;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		line.p = p;
		line.n = (size_t)((eol ? eol : end) - p);
		if (line.n > 0 && line.p[line.n - 1] == '\r')
			line.n--;
		p = eol ? eol + 1 : end;
		if (line.n == 0)
			break;
		colon = memchr(line.p, ':', line.n);
		name.p = line.p;
		name.n = colon ? (size_t)(colon - line.p) : 0;
		if (colon != NULL && secret_header(name))
			fprintf(stderr, "%s%.*s: [redacted]\n", prefix,
			    (int)name.n, name.p);
		else
			trace(prefix, line);
	}
}

/* trace_form: trace a form body with its secret fields redacted. */
static void
trace_form(const char *p, size_t n)
{
	static const char *const secret[] = { "apikey", "password", "passcode",
	    "refresh_token", "cr_token", "access_token", "client_secret", NULL };
	const char *end = p + n, *amp, *eq;
	struct slice name;
	size_t i;
	int hide;

	fputs("> ", stderr);
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		name.p = p;
		name.n = (size_t)((eq ? eq : amp) - p);
		for (hide = 0, i = 0; secret[i] != NULL; i++)
			hide |= slice_eq(name, secret[i]);
		if (hide)
			fprintf(stderr, "%.*s=[redacted]", (int)name.n, name.p);
		else
			fprintf(stderr, "%.*s", (int)(amp - p), p);
		if (amp < end)
			fputc('&', stderr);
		p = amp + 1;
	}
	fputc('\n', stderr);
}

/* trace_body: a form body field by field; any other body by its size. */
static void
trace_body(const struct http_req *rq)
{
	if (!http_opts.verbose || rq->body_len == 0)
		return;
	if (rq->headers != NULL && strstr(rq->headers,
	    "application/x-www-form-urlencoded") != NULL)
		trace_form(rq->body, rq->body_len);
	else
		fprintf(stderr, "> [%zu bytes of body]\n", rq->body_len);
}

/*
 * recode: record code with the current detail behind prefix.  The
 * detail is copied first: err_set() writes the buffer it would read.
 */
static int
recode(int code, const char *prefix)
{
	char d[512];

	if (str_copy(d, sizeof(d), err_detail(), "detail") != 0)
		d[0] = '\0';
	return err_set(code, "%s%s", prefix, d);
}

/* ---- The default transport: TCP, the proxy tunnel, TLS. ---- */

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
			trace_head("< ", proxy_rx, have);
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
		return recode(ERR_NET_URL, "HTTPS_PROXY: ");
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
		r = recode(r, "proxy: ");
	if (r == 0) {
		trace_head("> ", req, b.len);
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
	(void)ctx;
	return tls_read(&net[slot].tls, p, cap, got);
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

static const struct http_transport net_transport = {
	net_open, net_send, net_recv, net_idle_closed, net_session,
	net_describe, net_close, NULL
};

static const struct http_transport *tr = &net_transport;

/* ---- Sessions and the pool. ---- */

static struct session *
session_find(const char *hostport)
{
	size_t i;

	for (i = 0; i < LIM_HTTP_CONNS; i++)
		if (sessions[i].hostport[0] != '\0' &&
		    strcmp(sessions[i].hostport, hostport) == 0)
			return &sessions[i];
	return NULL;
}

/*
 * session_slot: the session of hostport, else a free one, else the
 * next in turn (sessions of more hosts than slots take turns); NULL if
 * hostport does not fit.
 */
static struct session *
session_slot(const char *hostport)
{
	static size_t turn;
	struct session *s = session_find(hostport);
	size_t i;

	if (s != NULL)
		return s;
	for (i = 0; s == NULL && i < LIM_HTTP_CONNS; i++)
		if (sessions[i].hostport[0] == '\0')
			s = &sessions[i];
	if (s == NULL)
		s = &sessions[turn++ % LIM_HTTP_CONNS];
	memset(s, 0, sizeof(*s));
	if (str_copy(s->hostport, sizeof(s->hostport), hostport, "host") != 0)
		return NULL;
	return s;
}

void
http_session_put(const char *hostport, const uint8_t *p, size_t n)
{
	struct session *s;

	if (n == 0 || n > LIM_TLS_SESSION_BYTES)
		return;
	if ((s = session_slot(hostport)) == NULL)
		return;
	memcpy(s->data, p, n);
	s->len = n;
}

int
http_session_next(int *i, const char **hostport, const uint8_t **p,
    size_t *n)
{
	while (*i >= 0 && *i < LIM_HTTP_CONNS) {
		struct session *s = &sessions[(*i)++];

		if (s->changed && s->len > 0) {
			*hostport = s->hostport;
			*p = s->data;
			*n = s->len;
			return 1;
		}
	}
	return 0;
}

/* session_save: remember the connection's session for the next run. */
static void
session_save(int slot)
{
	struct session *s;
	size_t len = 0;

	if (tls_trust_tag() == 0)
		return;   /* --insecure: never saved */
	if (tr->session != NULL && tr->session(tr->ctx, slot, sess_scratch,
	    sizeof(sess_scratch), &len) == 0 && len > 0 &&
	    len <= sizeof(s->data) &&
	    (s = session_slot(pool[slot].hostport)) != NULL) {
		memcpy(s->data, sess_scratch, len);
		s->len = len;
		s->changed = 1;
	}
	mem_wipe(sess_scratch, sizeof(sess_scratch));
}

static void
conn_close(int slot)
{
	if (pool[slot].open)
		tr->close(tr->ctx, slot);
	memset(&pool[slot], 0, sizeof(pool[slot]));
}

void
http_close_all(void)
{
	int i;

	for (i = 0; i < LIM_HTTP_CONNS; i++)
		conn_close(i);
}

void
http_set_transport(const struct http_transport *t)
{
	http_close_all();
	tr = t != NULL ? t : &net_transport;
}

/* proxy_for: the proxy URL to use for host:port, or NULL. */
static const char *
proxy_for(const char *host, unsigned port)
{
	const char *p = getenv("HTTPS_PROXY"), *np;

	if (p == NULL || p[0] == '\0')
		p = getenv("https_proxy");
	if (p == NULL || p[0] == '\0')
		return NULL;
	np = getenv("NO_PROXY");
	if (np == NULL || np[0] == '\0')
		np = getenv("no_proxy");
	if (np != NULL && url_no_proxy_match(np, host, port))
		return NULL;
	return p;
}

/* trust_hash: FNV-1a of a PEM, to tell trust anchors apart in keys. */
static uint32_t
trust_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

/* conn_find: the open slot for hostport (which names the trust), or -1. */
static int
conn_find(const char *hostport, const struct http_req *rq)
{
	int i;

	for (i = 0; i < LIM_HTTP_CONNS; i++)
		if (pool[i].open && (pool[i].ca_pem == NULL) == (rq->ca_pem == NULL) &&
		    strcmp(pool[i].hostport, hostport) == 0)
			return i;
	return -1;
}

/* conn_free: a closed slot, else the least recently used one, closed. */
static int
conn_free(void)
{
	int i, lru = 0;

	for (i = 0; i < LIM_HTTP_CONNS; i++) {
		if (!pool[i].open)
			return i;
		if (pool[i].last_ms < pool[lru].last_ms)
			lru = i;
	}
	conn_close(lru);
	return lru;
}

/* conn_open: connect slot to u's host. */
static int
conn_open(int slot, const struct url *u, const char *hostport,
    const struct http_req *rq)
{
	struct http_target t;
	struct session *s = session_find(hostport);
	int64_t t0 = sock_now_ms(), ms;
	int r, resumed = 0;

	memset(&t, 0, sizeof(t));
	t.host = u->host;
	t.port = u->port;
	t.ipv6 = u->ipv6;
	t.ca_pem = rq->ca_pem;
	t.ca_len = rq->ca_len;
	/* Nothing verified with --insecure is resumed or saved. */
	if (tls_trust_tag() == 0)
		s = NULL;
	t.sess = s != NULL && s->len > 0 ? s->data : NULL;
	t.sess_len = s != NULL ? s->len : 0;
	t.proxy = proxy_for(u->host, u->port);
	r = tr->open(tr->ctx, slot, &t, &resumed);
	ms = sock_now_ms() - t0;
	http_stats.connect_ms += ms;
	if (r != 0) {
		tr->close(tr->ctx, slot);
		return r;
	}
	http_stats.connects++;
	if (resumed)
		http_stats.resumed++;
	else
		http_stats.handshakes++;
	memcpy(pool[slot].hostport, hostport, sizeof(pool[slot].hostport));
	pool[slot].ca_pem = rq->ca_pem;
	pool[slot].ca_len = rq->ca_len;
	pool[slot].open = 1;
	tracef("connected to %s%s%s:%u%s in %lld ms, %s, %s", u->ipv6 ? "[" : "",
	    u->host, u->ipv6 ? "]" : "", u->port,
	    t.proxy ? " through the proxy" : "", (long long)ms,
	    tr->describe ? tr->describe(tr->ctx, slot) : "",
	    resumed ? "session resumed" : "full handshake");
	return 0;
}

/* conn_get: a live connection to u's host with rq's trust, in *slot. */
static int
conn_get(const struct url *u, const struct http_req *rq, int *slot)
{
	char hostport[LIM_HOSTPORT_BYTES];
	int i, r;

	/*
	 * The key names the trust too: a connection or a saved TLS session
	 * verified against one cluster CA is never used with another.
	 */
	r = snprintf(hostport, sizeof(hostport), "%s:%u#%08x", u->host, u->port,
	    (unsigned)(rq->ca_pem != NULL ? trust_hash(rq->ca_pem, rq->ca_len) :
	    tls_trust_tag()));
	if (r < 0 || (size_t)r >= sizeof(hostport))
		return err_limit("host", "LIM_HOSTPORT_BYTES", sizeof(hostport));
	if ((i = conn_find(hostport, rq)) >= 0) {
		if (!tr->idle_closed(tr->ctx, i)) {
			*slot = i;
			return 0;
		}
		http_stats.stale++;
		tracef("the server closed the idle connection to %s", hostport);
		conn_close(i);
	} else {
		i = conn_free();
	}
	if ((r = conn_open(i, u, hostport, rq)) != 0)
		return r;
	*slot = i;
	return 0;
}

/* ---- Requests and responses. ---- */

/* build_request: the request line, headers and a small body, in tx. */
static int
build_request(const struct http_req *rq, const struct url *u, size_t *len,
    int *body_inline)
{
	struct sbuf b;

	sbuf_init(&b, tx, sizeof(tx));
	sbuf_add(&b, rq->method);
	sbuf_addc(&b, ' ');
	sbuf_add(&b, u->path[0] != '\0' ? u->path : "/");   /* with its query */
	sbuf_add(&b, " HTTP/1.1\r\nHost: ");
	if (url_host_header(u, &b) != 0)
		return err_code_last();
	sbuf_add(&b, "\r\nUser-Agent: iksctl/" IKSCTL_VERSION "\r\n");
	if (rq->headers != NULL)
		sbuf_add(&b, rq->headers);
	if (rq->body != NULL || strcmp(rq->method, "POST") == 0 ||
	    strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0) {
		sbuf_add(&b, "Content-Length: ");
		sbuf_add_u64(&b, rq->body_len);
		sbuf_add(&b, "\r\n");
	}
	sbuf_add(&b, "\r\n");
	if (b.overflow) {
		mem_wipe(tx, sizeof(tx));
		return err_limit("request headers", "LIM_HTTP_REQ_BYTES",
		    LIM_HTTP_REQ_BYTES);
	}
	trace_head("> ", tx, b.len);
	trace_body(rq);
	*body_inline = rq->body_len <= sizeof(tx) - b.len;
	if (*body_inline && rq->body_len > 0) {
		memcpy(tx + b.len, rq->body, rq->body_len);
		b.len += rq->body_len;
	}
	*len = b.len;
	return 0;
}

/* send_all: hand all of p[n] to the transport. */
static int
send_all(int slot, const char *p, size_t n)
{
	size_t sent;
	int r;

	while (n > 0) {
		if ((r = tr->send(tr->ctx, slot, p, n, &sent)) != 0)
			return r;
		if (sent == 0 || sent > n)
			return err_set(ERR_NET_IO, "the transport sent %zu of %zu "
			    "bytes", sent, n);
		p += sent;
		n -= sent;
	}
	return 0;
}

/* fill: read more response bytes into rx[*have .. cap). */
static int
fill(int slot, size_t *have, size_t cap, size_t *got)
{
	int r;

	*got = 0;
	if (*have >= cap)
		return ERR_LIMIT;
	r = tr->recv(tr->ctx, slot, rx + *have, cap - *have, got);
	if (r == 0 && *got > cap - *have)
		return err_set(ERR_NET_IO, "the transport read past its buffer");
	if (r == 0) {
		*have += *got;
		rx_seen += *got;
	}
	return r;
}

/* head_too_large: the error for a head over LIM_HTTP_HEAD_BYTES. */
static int
head_too_large(void)
{
	return err_set(ERR_HTTP_TOO_LARGE, "response head over "
	    "LIM_HTTP_HEAD_BYTES = %d or over LIM_HTTP_HEADERS = %d fields",
	    LIM_HTTP_HEAD_BYTES, LIM_HTTP_HEADERS);
}

/* read_head: read until a final (non-1xx) head is complete. */
static int
read_head(int slot, struct http_resp *rs, size_t *have, size_t *head_len)
{
	struct slice reason;
	size_t got, nh;
	int r;

	for (;;) {
		nh = LIM_HTTP_HEADERS;
		r = *have ? http_parse_response(rx, *have, &rs->minor, &rs->status,
		    &reason, rs->h, &nh) : -2;
		if (r > 0 && rs->status >= 100 && rs->status < 200 &&
		    rs->status != 101) {
			trace_head("< ", rx, (size_t)r);
			memmove(rx, rx + r, *have - (size_t)r);
			*have -= (size_t)r;
			continue;
		}
		if (r > 0) {
			rs->nh = nh;
			*head_len = (size_t)r;
			trace_head("< ", rx, (size_t)r);
			return 0;
		}
		if (r == -1)
			return err_code_last() == ERR_LIMIT ?
			    recode(ERR_HTTP_TOO_LARGE, "response head: ") :
			    recode(ERR_HTTP_MALFORMED, "");
		r = fill(slot, have, LIM_HTTP_HEAD_BYTES, &got);
		if (r == ERR_LIMIT)
			return head_too_large();
		if (r != 0)
			return r;
		if (got == 0)
			return rx_seen == 0 ? err_set(ERR_NET_RESET, "the server "
			    "closed the connection without answering") :
			    err_set(ERR_HTTP_TRUNCATED, "the connection closed in "
			    "the middle of the response head");
	}
}

/* deliver: pass body bytes to the sink, or keep them in rx. */
static int
deliver(const struct http_req *rq, int streaming, char *p, size_t n,
    size_t *body_len)
{
	int r;

	if (n == 0)
		return 0;
	if (streaming) {
		if ((r = rq->sink(rq->sink_ctx, p, n)) != 0)
			return r;
	} else if (*body_len + n > LIM_HTTP_BODY_BYTES) {
		return err_set(ERR_HTTP_TOO_LARGE, "response body over "
		    "LIM_HTTP_BODY_BYTES = %d bytes (stream it instead)",
		    LIM_HTTP_BODY_BYTES);
	}
	*body_len += n;
	return 0;
}

/* body state: the framing and where the undecoded bytes are in rx. */
struct body {
	enum http_body_kind kind; /* how the body is delimited */
	uint64_t length;        /* HTTP_BODY_LENGTH: its length */
	struct http_chunked ch; /* HTTP_BODY_CHUNKED: decoder state */
	int streaming;          /* to the sink, through a window */
	size_t start;           /* rx[start .. have) is not decoded yet */
	size_t have;            /* bytes in rx */
	size_t len;             /* body bytes delivered */
	int extra;              /* bytes came after the body: close */
};

/* body_step: decode and deliver what rx holds; *end when the body is done. */
static int
body_step(const struct http_req *rq, struct body *b, int *end)
{
	size_t n = b->have - b->start;
	int r, done = -2;

	if (b->kind == HTTP_BODY_CHUNKED && n > 0) {
		done = http_chunked_decode(&b->ch, rx + b->start, &n);
		if (done == -1)
			return err_code_last() == ERR_LIMIT ?
			    recode(ERR_HTTP_TOO_LARGE, "chunked body: ") :
			    recode(ERR_HTTP_MALFORMED, "chunked body: ");
		b->extra = done > 0;
	} else if (b->kind == HTTP_BODY_LENGTH) {
		if (n > b->length - b->len) {
			n = (size_t)(b->length - b->len);
			b->extra = 1;
		}
	}
	if ((r = deliver(rq, b->streaming, rx + b->start, n, &b->len)) != 0)
		return r;
	b->start += n;
	b->have = b->start;
	*end = b->kind == HTTP_BODY_NONE || done >= 0 ||
	    (b->kind == HTTP_BODY_LENGTH && b->len == b->length);
	return 0;
}

/*
 * read_body: read the body after a head of head_len bytes, of which rx
 * holds `have` bytes in all.  A buffered body ends up at rx + head_len.
 */
static int
read_body(const struct http_req *rq, int slot, struct http_resp *rs,
    size_t head_len, size_t have, int *must_close)
{
	struct body b;
	size_t got, cap;
	int r, end = 0;

	memset(&b, 0, sizeof(b));
	r = http_body_framing(rs->status, strcmp(rq->method, "HEAD") == 0,
	    rs->h, rs->nh, &b.kind, &b.length);
	if (r != 0)
		return recode(ERR_HTTP_MALFORMED, "");
	*must_close = http_connection_close(rs->minor, rs->h, rs->nh) ||
	    b.kind == HTTP_BODY_CLOSE;
	b.streaming = rq->sink != NULL && rs->status / 100 == 2;
	if (b.kind == HTTP_BODY_LENGTH && !b.streaming &&
	    b.length > LIM_HTTP_BODY_BYTES)
		return err_set(ERR_HTTP_TOO_LARGE, "response body of %llu bytes "
		    "over LIM_HTTP_BODY_BYTES = %d bytes (stream it instead)",
		    (unsigned long long)b.length, LIM_HTTP_BODY_BYTES);
	http_chunked_init(&b.ch);
	b.start = head_len;
	b.have = have;
	cap = b.streaming ? head_len + LIM_HTTP_STREAM_WINDOW : sizeof(rx) - 1;
	while ((r = body_step(rq, &b, &end)) == 0 && !end) {
		if (b.streaming)
			b.start = b.have = head_len;   /* reuse the window */
		r = fill(slot, &b.have, cap, &got);
		if (r == ERR_LIMIT)   /* cannot happen: deliver() stops first */
			return err_set(ERR_HTTP_TOO_LARGE, "response body over "
			    "LIM_HTTP_BODY_BYTES = %d bytes", LIM_HTTP_BODY_BYTES);
		if (r == ERR_NET_TIMEOUT)
			return recode(r, "in the middle of the body: ");
		if (r != 0)
			return r;
		if (got == 0 && b.kind == HTTP_BODY_CLOSE)
			break;
		if (got == 0)
			return err_set(ERR_HTTP_TRUNCATED, "the connection closed "
			    "after %zu bytes of the body", b.len);
	}
	if (r != 0)
		return r;
	*must_close |= b.extra;
	rs->body = b.streaming ? "" : rx + head_len;
	rs->body_len = b.len;
	if (!b.streaming)
		rx[head_len + b.len] = '\0';
	return 0;
}

/*
 * attempt: one try of rq.  *stale is set when a reused connection
 * failed before a byte of the answer came: the server had closed it.
 */
static int
attempt(const struct http_req *rq, const struct url *u, struct http_resp *rs,
    int *stale)
{
	size_t len = 0, have = 0, head_len = 0;
	int r, slot = 0, reused, body_inline = 0, must_close = 0;
	int64_t t0;

	*stale = 0;
	if ((r = conn_get(u, rq, &slot)) != 0)
		return r;
	reused = pool[slot].used > 0;
	if ((r = build_request(rq, u, &len, &body_inline)) != 0)
		return r;
	t0 = sock_now_ms();
	rx_seen = 0;
	r = send_all(slot, tx, len);
	mem_wipe(tx, len);   /* the request may hold a secret */
	if (r == 0 && !body_inline)
		r = send_all(slot, rq->body, rq->body_len);
	http_stats.requests++;
	pool[slot].used++;
	pool[slot].last_ms = sock_now_ms();
	if (r == 0)
		r = read_head(slot, rs, &have, &head_len);
	if (r == 0)
		r = read_body(rq, slot, rs, head_len, have, &must_close);
	if (r == 0 && pool[slot].used == 1)
		session_save(slot);
	if (r != 0 || must_close)
		conn_close(slot);
	*stale = r == ERR_NET_RESET && reused && rx_seen == 0;
	if (r == 0)
		tracef("%d after %lld ms, %zu bytes of body%s", rs->status,
		    (long long)(sock_now_ms() - t0), rs->body_len,
		    must_close ? ", connection closed" : "");
	return r;
}

/* idempotent: the request may be sent again (RFC 9110 9.2.2). */
static int
idempotent(const struct http_req *rq)
{
	return rq->retry || strcmp(rq->method, "GET") == 0 ||
	    strcmp(rq->method, "HEAD") == 0 || strcmp(rq->method, "PUT") == 0 ||
	    strcmp(rq->method, "DELETE") == 0 ||
	    strcmp(rq->method, "OPTIONS") == 0;
}

/* should_retry: 429 and 5xx except 501, for requests safe to repeat. */
static int
should_retry(const struct http_req *rq, const struct http_resp *rs)
{
	return rq->retry && rs->attempts < LIM_HTTP_ATTEMPTS &&
	    (rs->status == 429 || (rs->status >= 500 && rs->status <= 599 &&
	    rs->status != 501));
}

/* backoff_ms: how long to wait before try number n + 1 (n >= 1). */
static int64_t
backoff_ms(const struct http_resp *rs, int n)
{
	static unsigned seed;
	struct slice v = http_header(rs, "retry-after");
	uint32_t secs = 0;
	int64_t ms;

	if (v.n > 0 && http_retry_after(v, (int64_t)time(NULL), &secs) == 0)
		return (int64_t)secs * 1000;
	if (seed == 0)
		seed = (unsigned)sock_now_ms() ^ ((unsigned)getpid() << 16) ^ 1u;
	ms = (int64_t)http_opts.retry_base_ms << (n - 1);
	/* Jitter: 50 % to 100 % of the step, so a fleet does not retry in step. */
	return ms / 2 + (int64_t)((unsigned)rand_r(&seed) %
	    (unsigned)(ms / 2 + 1));
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* retry_wait: wait before the next try; 0, or 1 if over the budget. */
static int
retry_wait(const struct http_resp *rs, int64_t *waited)
{
	int64_t wait = backoff_ms(rs, rs->attempts);

	if (*waited + wait > http_opts.retry_budget_ms) {
		tracef("%d: not retrying, a wait of %lld ms is over the budget",
		    rs->status, (long long)wait);
		return 1;
	}
	tracef("%d: retrying in %lld ms (attempt %d of %d)", rs->status,
	    (long long)wait, rs->attempts + 1, LIM_HTTP_ATTEMPTS);
	sleep_ms(wait);
	*waited += wait;
	http_stats.wait_ms += wait;
	http_stats.retries++;
	return 0;
}

int
http_do(const struct http_req *rq, struct http_resp *rs)
{
	static struct url u;
	int r, stale, resent = 0;
	int64_t waited = 0;

	memset(rs, 0, sizeof(*rs));
	rs->body = "";
	if ((r = url_parse(rq->url, &u)) != 0)
		return r;
	mem_wipe(u.pass, sizeof(u.pass));
	if (strcmp(u.scheme, "https") != 0)
		return err_set(ERR_NET_URL, "%s: only https:// URLs are supported",
		    rq->url);
	for (;;) {
		rs->attempts++;
		r = attempt(rq, &u, rs, &stale);
		if (r != 0 && stale && !resent && idempotent(rq)) {
			tracef("the connection was closed by the server; resending");
			http_stats.resent++;
			resent = 1;
			rs->attempts--;   /* that try never reached the server */
			continue;
		}
		if (r != 0 || !should_retry(rq, rs) || retry_wait(rs, &waited))
			return r;
	}
}

struct slice
http_header(const struct http_resp *rs, const char *name)
{
	struct slice v = { "", 0 };

	if (http_header_find(rs->h, rs->nh, name, &v) < 0)
		v = slice_of("");
	return v;
}
