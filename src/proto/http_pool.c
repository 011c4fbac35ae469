/*
 * http_pool.c: the HTTP client's connection pool and TLS sessions.
 *
 * One connection per host (and trust) in LIM_HTTP_CONNS slots, the least
 * recently used one closed when a new host needs a slot; an idle
 * connection the server closed is found out before it is reused.  The
 * TLS sessions of each host are kept for the next process (http.h).
 * Connections are opened through the current transport, http_tr.
 */
#include "proto/http_int.h"
#include "base/errors.h"
#include "net/sock.h"
#include "net/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
	char hostport[LIM_HOSTPORT_BYTES]; /* whose session */
	uint8_t data[LIM_TLS_SESSION_BYTES]; /* serialised session */
	size_t len;             /* its length, 0 if none */
	int changed;            /* set during this run: to be saved */
};

struct http_conn http_pool[LIM_HTTP_CONNS];     /* one connection per host */
const struct http_transport *http_tr = &http_net_transport;
static struct session sessions[LIM_HTTP_CONNS]; /* one per host */
static uint8_t sess_scratch[LIM_TLS_SESSION_BYTES]; /* a session being saved */

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
void
http_session_save(int slot)
{
	struct session *s;
	size_t len = 0;

	if (tls_trust_tag() == 0)
		return;   /* --insecure: never saved */
	if (http_tr->session != NULL && http_tr->session(http_tr->ctx, slot, sess_scratch,
	    sizeof(sess_scratch), &len) == 0 && len > 0 &&
	    len <= sizeof(s->data) &&
	    (s = session_slot(http_pool[slot].hostport)) != NULL) {
		memcpy(s->data, sess_scratch, len);
		s->len = len;
		s->changed = 1;
	}
	mem_wipe(sess_scratch, sizeof(sess_scratch));
}

void
http_conn_close(int slot)
{
	if (http_pool[slot].open)
		http_tr->close(http_tr->ctx, slot);
	memset(&http_pool[slot], 0, sizeof(http_pool[slot]));
}

void
http_close_all(void)
{
	int i;

	for (i = 0; i < LIM_HTTP_CONNS; i++)
		http_conn_close(i);
}

void
http_set_transport(const struct http_transport *t)
{
	http_close_all();
	http_tr = t != NULL ? t : &http_net_transport;
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
		if (http_pool[i].open && (http_pool[i].ca_pem == NULL) == (rq->ca_pem == NULL) &&
		    strcmp(http_pool[i].hostport, hostport) == 0)
			return i;
	return -1;
}

/* conn_free: a closed slot, else the least recently used one, closed. */
static int
conn_free(void)
{
	int i, lru = 0;

	for (i = 0; i < LIM_HTTP_CONNS; i++) {
		if (!http_pool[i].open)
			return i;
		if (http_pool[i].last_ms < http_pool[lru].last_ms)
			lru = i;
	}
	http_conn_close(lru);
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
	t.plain = u->scheme[4] == '\0';   /* http:// (http_do allowed it) */
	t.proxy = rq->direct ? NULL : proxy_for(u->host, u->port);
	r = http_tr->open(http_tr->ctx, slot, &t, &resumed);
	ms = sock_now_ms() - t0;
	http_stats.connect_ms += ms;
	if (r != 0) {
		http_tr->close(http_tr->ctx, slot);
		return r;
	}
	http_stats.connects++;
	if (resumed)
		http_stats.resumed++;
	else
		http_stats.handshakes++;
	memcpy(http_pool[slot].hostport, hostport, sizeof(http_pool[slot].hostport));
	http_pool[slot].ca_pem = rq->ca_pem;
	http_pool[slot].ca_len = rq->ca_len;
	http_pool[slot].open = 1;
	http_tracef("connected to %s%s%s:%u%s in %lld ms, %s, %s", u->ipv6 ? "[" : "",
	    u->host, u->ipv6 ? "]" : "", u->port,
	    t.proxy ? " through the proxy" : "", (long long)ms,
	    http_tr->describe ? http_tr->describe(http_tr->ctx, slot) : "",
	    resumed ? "session resumed" : "full handshake");
	return 0;
}

/* conn_get: a live connection to u's host with rq's trust, in *slot. */
int
http_conn_get(const struct url *u, const struct http_req *rq, int *slot)
{
	char hostport[LIM_HOSTPORT_BYTES];
	int i, r;

	/*
	 * The key names the trust too: a connection or a saved TLS session
	 * verified against one cluster CA is never used with another; and
	 * a plain one ("h") is never taken for TLS.
	 */
	r = snprintf(hostport, sizeof(hostport), "%s:%u#%08x%s", u->host, u->port,
	    (unsigned)(rq->ca_pem != NULL ? trust_hash(rq->ca_pem, rq->ca_len) :
	    tls_trust_tag()), u->scheme[4] ? "" : "h");
	if (r < 0 || (size_t)r >= sizeof(hostport))
		return err_limit("host", "LIM_HOSTPORT_BYTES", sizeof(hostport));
	if ((i = conn_find(hostport, rq)) >= 0) {
		if (!http_tr->idle_closed(http_tr->ctx, i)) {
			*slot = i;
			return 0;
		}
		http_stats.stale++;
		http_tracef("the server closed the idle connection to %s", hostport);
		http_conn_close(i);
	} else {
		i = conn_free();
	}
	if ((r = conn_open(i, u, hostport, rq)) != 0)
		return r;
	*slot = i;
	return 0;
}
