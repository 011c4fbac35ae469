/*
 * http.h: the HTTP/1.1 client every IBM call goes through.
 *
 * One connection per host per process, kept alive and reused; TLS always
 * (plain http:// only for the proxy hop and a request marked direct,
 * one request a connection); HTTPS_PROXY and NO_PROXY from the
 * environment (never for a direct request); retries of 429 and 5xx (not
 * 501) for requests that are safe to repeat; a GET whose connection was reset (or closed) before a
 * byte of the answer is resent once.  Nothing from a flag or a service
 * reaches the request line or a header unchecked.  The response head and a buffered body live in
 * one static receive buffer owned by this module: a response stays valid
 * until the next http_do().  A body can instead be streamed to a sink
 * (for -o json and api), in constant memory, whatever its size.
 */
#ifndef IKSCTL_HTTP_H
#define IKSCTL_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "proto/http_parse.h"

/* http_sink: receives body bytes as they arrive; nonzero stops. */
typedef int (*http_sink_fn)(void *ctx, const char *p, size_t n);

/*
 * http_file: a request body read from a file (-d @FILE), in pieces of
 * LIM_HTTP_REQ_BYTES, with pread from off each time the request is
 * sent (a retry reads it again from its start).  The caller owns fd.
 */
struct http_file {
	int fd;                 /* open for reading */
	uint64_t off;           /* where the body starts in it */
	uint64_t len;           /* its length: the Content-Length */
	const char *name;       /* for the trace and errors */
};

struct http_req {
	const char *method;     /* "GET", "POST", ... */
	const char *url;        /* absolute https:// URL */
	const char *headers;    /* extra header lines, each ending CRLF, or NULL */
	const char *user_headers; /* -H lines, CRLF-ended: replace built-ins of that name, or NULL */
	const char *body;       /* request body, or NULL */
	size_t body_len;        /* its length */
	const struct http_file *file; /* the body from a file instead, or NULL */
	const char *ca_pem;     /* trust only this PEM (a cluster CA), or NULL */
	size_t ca_len;          /* its length */
	int retry;              /* safe to repeat (GET, the IAM token POST) */
	http_sink_fn sink;      /* stream a 2xx body here instead of buffering */
	void *sink_ctx;         /* the sink's context */
	int no_idle;            /* a watch: a streamed body may pause forever */
	int direct;             /* never through a proxy, and http:// allowed
	                         * (the VPC metadata service only) */
};

struct http_resp {
	int status;             /* final status code */
	int minor;              /* HTTP/1.<minor> */
	struct http_header h[LIM_HTTP_HEADERS]; /* fields, slices into rx */
	size_t nh;              /* number of fields */
	const char *body;       /* buffered body, NUL-terminated ("" if streamed) */
	size_t body_len;        /* its length (streamed: bytes sent to the sink) */
	int attempts;           /* tries made (1 + retries) */
};

/* Settings shared by every call; set once by the CLI. */
struct http_opts {
	int timeout_ms;         /* connect, handshake, each read; the store lock */
	int verbose;            /* trace to stderr, secrets redacted */
	int retry_base_ms;      /* first backoff step (doubles, with jitter) */
	int retry_budget_ms;    /* total backoff of one request */
};

extern struct http_opts http_opts;

/*
 * http_do: perform one request.  The request line, headers and a body
 * that fits in LIM_HTTP_REQ_BYTES go out in one write; the target is the
 * URL's path with its query.  The head is Host, User-Agent, rq->headers,
 * rq->user_headers, Content-Length, where a user header replaces every
 * built-in one of its name (case-insensitive).  A body from rq->file
 * follows the head, streamed whatever its size; if the file holds fewer
 * bytes than rq->file->len when it is read (it shrank), the request is
 * cut short, its connection closed, and the result is ERR_IO naming the
 * file: a body never goes out with a wrong Content-Length.
 *
 * Before connecting, the request is checked: the method must be an
 * upper-case token ([A-Z]+), the target must have no space or control
 * byte, and every header line (built-in or user) must be "Name: value"
 * with a token name and a value without control bytes (0x00-0x1f, 0x7f;
 * a tab is allowed, RFC 9110 5.5); user lines are also checked by
 * http_user_header_check().  A failed check is ERR_USAGE naming what, and
 * nothing is sent.
 *
 * A 429 is tried again for every request (the service did nothing with
 * it), at most LIM_HTTP_429_ATTEMPTS times in all; when rq->retry is
 * set, so are 5xx (not 501), at most LIM_HTTP_ATTEMPTS times, after
 * Retry-After (seconds or an HTTP date: N s plus a random part of up to
 * N/2 s, at least 1 s) or else exponential backoff from
 * http_opts.retry_base_ms with jitter (from getrandom()); a wait that would take the total over http_opts.retry_budget_ms,
 * or past the --max-time deadline (sock.h), is not made and the last
 * answer is returned; past that deadline no request is begun.  A
 * connection reset (or closed) before a byte of the answer is resent
 * once on a new connection if the request is safe to repeat (GET, HEAD,
 * OPTIONS, or rq->retry): a changing request is never resent once a byte
 * of it was written (one that failed before its first byte went out is,
 * once).  The resend on a reused connection the server had closed is not
 * counted in rs->attempts; one after a reset of a fresh connection is.
 *
 * Returns 0 with *rs filled for any status the server sent (the caller
 * judges 4xx/5xx), or a negative code: ERR_USAGE (a check above),
 * ERR_NET_* and ERR_TLS_* (no answer; ERR_NET_TIMEOUT with the detail
 * "host:port: gave up after --max-time N s" when that deadline ended
 * it), ERR_HTTP_MALFORMED, ERR_HTTP_TOO_LARGE (naming
 * LIM_HTTP_BODY_BYTES, LIM_HTTP_HEAD_BYTES or LIM_HTTP_HEADERS),
 * ERR_HTTP_TRUNCATED, ERR_NET_PROXY, or the sink's nonzero value.
 * err_detail() says more.
 */
int http_do(const struct http_req *rq, struct http_resp *rs);

/*
 * http_user_header_check: whether line (one -H value, "Name: value", no
 * CRLF) may be sent.  Returns 0, or ERR_USAGE naming what is wrong: no
 * colon, an empty name or one that is not a token, a control byte in the
 * value (a tab is allowed), or a name iksctl owns (Host, Content-Length,
 * Transfer-Encoding, Connection).
 */
int http_user_header_check(const char *line);

/*
 * http_field_check: whether value may be sent as the value of header
 * name (for values a caller puts into http_req.headers: a region, a
 * token).  Returns 0, or ERR_USAGE if it has a control byte (a tab is
 * allowed): "header X-Region: the value has a control character (0x0d)".
 */
int http_field_check(const char *name, const char *value);

/*
 * http_path_check: whether path, as given by a user for a service
 * (`api PATH`, `kube CLUSTER PATH`), is a path on that service: it
 * starts with "/", not "//", and has no scheme ("://") and no control
 * byte.  A URL or a host in it would send the tokens elsewhere.
 * Returns 0, or ERR_USAGE.
 */
int http_path_check(const char *path);

/*
 * http_method_check: whether m is an upper-case HTTP token (GET, POST,
 * PATCH...).  Returns 0, or ERR_USAGE echoing the printable part of it.
 */
int http_method_check(const char *m);

/*
 * http_recode: record code with the current err_detail() behind prefix
 * ("proxy: ..."); returns code.
 */
int http_recode(int code, const char *prefix);

/* http_header: the value of field name in rs, or an empty slice. */
struct slice http_header(const struct http_resp *rs, const char *name);

/*
 * http_resp_now: the time rs was sent on the server's clock (its Date),
 * else this machine's time: a Retry-After date is judged against it.
 */
int64_t http_resp_now(const struct http_resp *rs);

/*
 * http_retry_after_ms: the wait rs's Retry-After asks for, N s, plus a
 * random part of up to N/2 s (at least 1 s), so that devices told the
 * same thing do not come back together; -1 if it has none.
 */
int64_t http_retry_after_ms(const struct http_resp *rs);

/* http_close_all: close every pooled connection. */
void http_close_all(void);

/*
 * TLS sessions, for resumption across processes.  http_session_put()
 * offers a saved session for "host:port" before the first connection;
 * http_session_next() walks the sessions that changed during the run
 * (start with *i = 0; returns 0 at the end).
 */
void http_session_put(const char *hostport, const uint8_t *p, size_t n);
int http_session_next(int *i, const char **hostport, const uint8_t **p,
    size_t *n);

/* Counters for tests and the trace: connections opened, handshakes. */
struct http_stats {
	int connects;           /* TCP connections opened */
	int handshakes;         /* full TLS handshakes */
	int resumed;            /* resumed TLS handshakes */
	int requests;           /* requests sent */
	int stale;              /* idle connections found closed by the server */
	int resent;             /* requests resent after a reset or a stale connection */
	int retries;            /* requests repeated after 429 or 5xx */
	int64_t connect_ms;     /* time spent connecting and in handshakes */
	int64_t wait_ms;        /* time spent waiting before retries */
};
extern struct http_stats http_stats;

/*
 * The transport seam.  The client reaches servers only through these
 * functions, so unit tests can stand in for the network (partial reads
 * and writes, resets, timeouts).  The default is TCP, the proxy tunnel
 * when one applies, and TLS.  Each function gets the transport's ctx
 * and the pool slot (0 .. LIM_HTTP_CONNS - 1) of the connection; a slot
 * is opened, used, then closed, and may be opened again later.
 */
struct http_target {
	const char *host;       /* host name or address, no brackets */
	unsigned port;          /* TCP port */
	int ipv6;               /* host is an IPv6 literal */
	const char *ca_pem;     /* trust only this PEM, or NULL */
	size_t ca_len;          /* its length */
	const uint8_t *sess;    /* TLS session to offer, or NULL */
	size_t sess_len;        /* its length */
	const char *proxy;      /* proxy URL (HTTPS_PROXY) to tunnel through, or NULL */
	int plain;              /* plain TCP, no TLS (an http:// URL) */
};

struct http_transport {
	/* open: connect slot to t; *resumed = 1 if TLS resumed.  0 or a code. */
	int (*open)(void *ctx, int slot, const struct http_target *t,
	    int *resumed);
	/* send: write some of p[n]; 0 with *sent in 1..n, or a code. */
	int (*send)(void *ctx, int slot, const void *p, size_t n,
	    size_t *sent);
	/* recv: read up to cap; 0 with *got (0: end of stream), or a code. */
	int (*recv)(void *ctx, int slot, void *p, size_t cap, size_t *got);
	/* idle_closed: 1 if the server closed the idle connection. */
	int (*idle_closed)(void *ctx, int slot);
	/* session: save the TLS session into out[cap] (NULL: none). */
	int (*session)(void *ctx, int slot, uint8_t *out, size_t cap,
	    size_t *len);
	/* describe: "TLSv1.3" or similar for the trace (NULL: none). */
	const char *(*describe)(void *ctx, int slot);
	/* close: close slot (also after a failed open). */
	void (*close)(void *ctx, int slot);
	void *ctx;              /* passed to every function */
};

/*
 * http_set_transport: use t for every later connection (NULL: the
 * default TCP and TLS transport).  Closes every pooled connection and
 * forgets nothing else.  t must stay valid while it is in use.
 */
void http_set_transport(const struct http_transport *t);

#endif
