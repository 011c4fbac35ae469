/*
 * http_int.h: what the parts of the HTTP client share (not public).
 *
 * The client is four files: http.c (request, response, retries),
 * http_pool.c (the connection pool and the saved TLS sessions),
 * http_net.c (the default transport: TCP, the proxy tunnel, TLS) and
 * http_trace.c (the -v trace, secrets redacted).  http_pool.c owns the
 * pool and the current transport; http.c owns the request and receive
 * buffers.
 */
#ifndef IKSCTL_HTTP_INT_H
#define IKSCTL_HTTP_INT_H

#include "base/str.h"
#include "net/url.h"
#include "proto/http.h"

/* One pooled connection, by slot. */
struct http_conn {
	char hostport[LIM_HOSTPORT_BYTES]; /* "host:port#trust" it is connected to */
	const char *ca_pem;     /* trust it was verified with (NULL default) */
	size_t ca_len;          /* that PEM's length */
	int open;               /* the transport holds this slot open */
	int used;               /* requests sent on it */
	int64_t last_ms;        /* when it was last used, for eviction */
};

extern struct http_conn http_pool[LIM_HTTP_CONNS]; /* one per host */
extern const struct http_transport *http_tr;       /* the current transport */
extern const struct http_transport http_net_transport; /* the default one */
extern int http_no_idle;   /* 1 while a watch's body is read: no read timeout */

/* http_conn_get: a live connection to u's host with rq's trust, in *slot. */
int http_conn_get(const struct url *u, const struct http_req *rq, int *slot);
/* http_conn_close: close slot (a no-op on a closed one) and forget it. */
void http_conn_close(int slot);
/* http_session_save: remember the slot's TLS session for the next run. */
void http_session_save(int slot);

/*
 * http_check_request: rq's method, u's target and every header line may
 * be sent (http.h, http_do); 0 or ERR_USAGE naming what.
 */
int http_check_request(const struct http_req *rq, const struct url *u);

/* The -v trace (nothing unless http_opts.verbose). */
void http_trace(const char *prefix, struct slice s);
void http_tracef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* http_trace_head: header lines of p[n] behind prefix, secrets redacted. */
void http_trace_head(const char *prefix, const char *p, size_t n);
/* http_trace_body: a form body field by field; any other by its size. */
void http_trace_body(const struct http_req *rq);

#endif
