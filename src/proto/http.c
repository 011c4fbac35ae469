/*
 * http.c: the HTTP/1.1 client (see http.h): request, response, retries.
 *
 * The pool and the TLS sessions are in http_pool.c, the default
 * transport in http_net.c, the -v trace in http_trace.c; this file
 * reaches servers only through the current transport, http_tr.
 *
 * Ownership: this file owns the request buffer (tx) and the receive
 * buffer (rx).  A response's header slices and its buffered body point
 * into rx and stay valid until the next http_do().  Layout of rx during
 * a response: [head][body...]; a streamed body only ever uses a window
 * of LIM_HTTP_STREAM_WINDOW bytes right after the head, so any size
 * passes in constant memory.
 */
#include "proto/http_int.h"
#include "base/errors.h"
#include "base/rand.h"
#include "net/sock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct http_opts http_opts = { 30000, 0, 500, LIM_RETRY_WAIT_MS };
struct http_stats http_stats;

/* rx: a head, a body at the limit, and room for the framing after it. */
#define RX_BYTES (LIM_HTTP_HEAD_BYTES + LIM_HTTP_BODY_BYTES + \
	LIM_HTTP_RX_SLACK + 1)

static char tx[LIM_HTTP_REQ_BYTES];        /* one request */
static char rx[RX_BYTES];                  /* one response */
static size_t rx_seen;                     /* bytes received this attempt */
static size_t tx_sent;                     /* bytes sent this attempt */

/* next_line: the line after p's (its end if p's is the last). */
static const char *
next_line(const char *p)
{
	p += strcspn(p, "\n");
	return *p != '\0' ? p + 1 : p;
}

/* user_has: 1 if the CRLF-ended lines user hold the header named in line. */
static int
user_has(const char *user, const char *line)
{
	size_t n = strcspn(line, ":");

	for (; user != NULL && *user != '\0'; user = next_line(user))
		if (strncasecmp(user, line, n) == 0 && user[n] == ':')
			return 1;
	return 0;
}

/*
 * build_request: the request line, headers and a small body, in tx.
 * Built-in lines whose name a user header has are left out.
 */
static int
build_request(const struct http_req *rq, const struct url *u, size_t *len,
    int *body_inline)
{
	const char *h, *eol;
	struct sbuf b;

	sbuf_init(&b, tx, sizeof(tx));
	sbuf_add(&b, rq->method);
	sbuf_addc(&b, ' ');
	sbuf_add(&b, u->path[0] != '\0' ? u->path : "/");   /* with its query */
	sbuf_add(&b, " HTTP/1.1\r\nHost: ");
	if (url_host_header(u, &b) != 0)
		return err_code_last();
	sbuf_add(&b, "\r\n");
	if (!user_has(rq->user_headers, "User-Agent:"))
		sbuf_add(&b, "User-Agent: iksctl/" IKSCTL_VERSION "\r\n");
	for (h = rq->headers; h != NULL && *h != '\0'; h = eol) {
		eol = next_line(h);
		if (!user_has(rq->user_headers, h))
			sbuf_add_mem(&b, h, (size_t)(eol - h));
	}
	if (rq->user_headers != NULL)
		sbuf_add(&b, rq->user_headers);
	if (rq->body != NULL || rq->file != NULL ||
	    strcmp(rq->method, "POST") == 0 ||
	    strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0) {
		sbuf_add(&b, "Content-Length: ");
		sbuf_add_u64(&b, rq->file != NULL ? rq->file->len : rq->body_len);
		sbuf_add(&b, "\r\n");
	}
	sbuf_add(&b, "\r\n");
	if (b.overflow) {
		mem_wipe(tx, sizeof(tx));
		return err_limit("request headers", "LIM_HTTP_REQ_BYTES",
		    LIM_HTTP_REQ_BYTES);
	}
	http_trace_head("> ", tx, b.len);
	http_trace_body(rq);
	*body_inline = rq->file == NULL && rq->body_len <= sizeof(tx) - b.len;
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
		if ((r = http_tr->send(http_tr->ctx, slot, p, n, &sent)) != 0)
			return r;
		if (sent == 0 || sent > n)
			return err_set(ERR_NET_IO, "the transport sent %zu of %zu "
			    "bytes", sent, n);
		p += sent;
		n -= sent;
		tx_sent += sent;
	}
	return 0;
}

/*
 * send_file: f's bytes, read again from its start into tx (free once
 * the head is out) a piece at a time.  Fewer bytes than f->len is an
 * error: the caller closes the connection, so the server never takes
 * the body as whole.
 */
static int
send_file(int slot, const struct http_file *f)
{
	uint64_t done = 0;
	ssize_t got;
	int r;

	while (done < f->len) {
		got = pread(f->fd, tx, f->len - done < sizeof(tx) ?
		    (size_t)(f->len - done) : sizeof(tx), (off_t)(f->off + done));
		if (got <= 0)
			return err_set(ERR_IO, "%s: %s after %llu of its %llu bytes; "
			    "the request was cut short", f->name, got < 0 ?
			    strerror(errno) : "it got shorter",
			    (unsigned long long)done, (unsigned long long)f->len);
		if ((r = send_all(slot, tx, (size_t)got)) != 0)
			return r;
		done += (uint64_t)got;
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
	r = http_tr->recv(http_tr->ctx, slot, rx + *have, cap - *have, got);
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
			http_trace_head("< ", rx, (size_t)r);
			memmove(rx, rx + r, *have - (size_t)r);
			*have -= (size_t)r;
			continue;
		}
		if (r > 0) {
			rs->nh = nh;
			*head_len = (size_t)r;
			http_trace_head("< ", rx, (size_t)r);
			return 0;
		}
		if (r == -1)
			return err_code_last() == ERR_LIMIT ?
			    http_recode(ERR_HTTP_TOO_LARGE, "response head: ") :
			    http_recode(ERR_HTTP_MALFORMED, "");
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

int http_no_idle;

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
			    http_recode(ERR_HTTP_TOO_LARGE, "chunked body: ") :
			    http_recode(ERR_HTTP_MALFORMED, "chunked body: ");
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
		return http_recode(ERR_HTTP_MALFORMED, "");
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
		http_no_idle = b.streaming && rq->no_idle;
		r = fill(slot, &b.have, cap, &got);
		http_no_idle = 0;
		if (r == ERR_LIMIT)   /* cannot happen: deliver() stops first */
			return err_set(ERR_HTTP_TOO_LARGE, "response body over "
			    "LIM_HTTP_BODY_BYTES = %d bytes", LIM_HTTP_BODY_BYTES);
		if (r == ERR_NET_TIMEOUT)
			return http_recode(r, "in the middle of the body: ");
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
 * attempt: one try of rq.  *reset is set when the connection was reset
 * or closed before a byte of the answer came: 2 if it was a reused one
 * (the server had closed it), 1 if it was new; 3 if not a byte of the
 * request had been written (it cannot have reached the service).
 */
static int
attempt(const struct http_req *rq, const struct url *u, struct http_resp *rs,
    int *reset)
{
	size_t len = 0, have = 0, head_len = 0;
	int r, slot = 0, reused, body_inline = 0, must_close = 0;
	int64_t t0;

	*reset = 0;
	if (sock_deadline(INT64_MAX) <= sock_now_ms())
		return ERR_NET_TIMEOUT;   /* --max-time is over: no new request */
	if ((r = http_conn_get(u, rq, &slot)) != 0)
		return r;
	reused = http_pool[slot].used > 0;
	if ((r = build_request(rq, u, &len, &body_inline)) != 0)
		return r;
	t0 = sock_now_ms();
	rx_seen = 0;
	tx_sent = 0;
	r = send_all(slot, tx, len);
	mem_wipe(tx, len);   /* the request may hold a secret */
	if (r == 0 && !body_inline)
		r = rq->file != NULL ? send_file(slot, rq->file) :
		    send_all(slot, rq->body, rq->body_len);
	http_stats.requests++;
	http_pool[slot].used++;
	http_pool[slot].last_ms = sock_now_ms();
	if (r == 0)
		r = read_head(slot, rs, &have, &head_len);
	if (r == 0)
		r = read_body(rq, slot, rs, head_len, have, &must_close);
	if (r == 0 && http_pool[slot].used == 1)
		http_session_save(slot);
	if (r != 0 || must_close || u->scheme[4] == '\0')
		http_conn_close(slot);   /* plain HTTP: one request each */
	if (r == ERR_NET_RESET && rx_seen == 0)
		*reset = reused ? 2 : 1;
	if (r != 0 && tx_sent == 0)
		*reset = 3;
	if (r == 0)
		http_tracef("%d after %lld ms, %zu bytes of body%s", rs->status,
		    (long long)(sock_now_ms() - t0), rs->body_len,
		    must_close ? ", connection closed" : "");
	return r;
}

/*
 * resendable: rq may be sent again after a reset before any answer: a
 * safe method (RFC 9110 9.2.1) or one the caller says is safe to repeat.
 * A changing request may have reached the service: never resent.
 */
static int
resendable(const struct http_req *rq)
{
	return rq->retry || strcmp(rq->method, "GET") == 0 ||
	    strcmp(rq->method, "HEAD") == 0 ||
	    strcmp(rq->method, "OPTIONS") == 0;
}

/*
 * should_retry: 429 and 5xx except 501 for requests safe to repeat; a
 * changing request only 429 (the service did nothing with it).  A 429
 * is tried more often: a fleet meeting a rate limit needs a few turns,
 * and the retry budget still bounds the waits.
 */
static int
should_retry(const struct http_req *rq, const struct http_resp *rs)
{
	if (rs->status == 429)
		return rs->attempts < LIM_HTTP_429_ATTEMPTS;
	return rs->attempts < LIM_HTTP_ATTEMPTS && rq->retry &&
	    rs->status >= 500 && rs->status <= 599 && rs->status != 501;
}

int64_t
http_resp_now(const struct http_resp *rs)
{
	int64_t t;

	return http_date(http_header(rs, "date"), &t) == 0 ? t :
	    (int64_t)time(NULL);
}

int64_t
http_retry_after_ms(const struct http_resp *rs)
{
	struct slice v = http_header(rs, "retry-after");
	uint32_t secs = 0;
	int64_t ms;

	/* None is no error (err_set would leave a detail behind). */
	if (v.n == 0 || http_retry_after(v, http_resp_now(rs), &secs) != 0)
		return -1;
	ms = (int64_t)secs * 1000;
	return ms + (int64_t)rand_below((uint64_t)(ms / 2 > 1000 ? ms / 2 :
	    1000) + 1);
}

/*
 * backoff_ms: how long to wait before try number n + 1 (n >= 1): the
 * Retry-After's (http_retry_after_ms), else the exponential step from
 * retry_base_ms, 50 % to 100 % of it.  The random parts come from
 * getrandom(), so a fleet told the same thing does not come back at
 * the same instant.
 */
static int64_t
backoff_ms(const struct http_resp *rs, int n)
{
	int64_t ms = http_retry_after_ms(rs);

	if (ms >= 0)
		return ms;
	ms = (int64_t)http_opts.retry_base_ms << (n - 1);
	return ms / 2 + (int64_t)rand_below((uint64_t)(ms / 2 + 1));
}

/* retry_wait: wait before the next try; 0, or 1 if over the budget. */
static int
retry_wait(const struct http_resp *rs, int64_t *waited)
{
	int64_t wait = backoff_ms(rs, rs->attempts), now = sock_now_ms();

	if (*waited + wait > http_opts.retry_budget_ms ||
	    now + wait >= sock_deadline(now + wait + 1)) {
		http_tracef("%d: not retrying: %lld ms is over the budget or "
		    "--max-time", rs->status, (long long)wait);
		return 1;
	}
	http_tracef("%d: retrying in %lld ms (attempt %d)", rs->status,
	    (long long)wait, rs->attempts + 1);
	sock_sleep_ms(wait);
	*waited += wait;
	http_stats.wait_ms += wait;
	http_stats.retries++;
	return 0;
}

/*
 * gave_up: r, or the --max-time error if its deadline is what ended a
 * wait (the per-wait detail would say the wrong limit).
 */
static int
gave_up(int r, const struct url *u)
{
	int s = sock_max_time_hit();

	if (s == 0 || (r != ERR_NET_TIMEOUT && r != ERR_NET_DNS))
		return r;
	return err_set(ERR_NET_TIMEOUT, "%s%s%s:%u: gave up after --max-time "
	    "%d s", u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", u->port, s);
}

int
http_do(const struct http_req *rq, struct http_resp *rs)
{
	static struct url u;
	int r, reset, resent = 0;
	int64_t waited = 0;

	memset(rs, 0, sizeof(*rs));
	rs->body = "";
	if ((r = url_parse(rq->url, &u)) != 0)
		return r;
	mem_wipe(u.pass, sizeof(u.pass));
	if (strcmp(u.scheme, "https") != 0 && !rq->direct)
		return err_set(ERR_NET_URL, "%s: only https:// URLs are supported",
		    rq->url);
	if ((r = http_check_request(rq, &u)) != 0)
		return r;
	for (;;) {
		rs->attempts++;
		r = attempt(rq, &u, rs, &reset);
		if (r != 0 && reset && !resent && (reset == 3 || resendable(rq))) {
			http_tracef("%s; resending on a new connection", reset == 3 ?
			    "nothing of the request was written" : reset == 2 ?
			    "the connection was closed by the server" :
			    "the connection was reset before an answer");
			http_stats.resent++;
			resent = 1;
			rs->attempts -= reset >= 2;   /* that try never reached it */
			continue;
		}
		if (r != 0 || !should_retry(rq, rs) || retry_wait(rs, &waited))
			return gave_up(r, &u);
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
