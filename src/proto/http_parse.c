/*
 * http_parse.c: zero-copy HTTP/1.x response head parsing, body framing
 * and in-place chunked decoding (see http_parse.h; the dates of Date and
 * Retry-After are http_date.c's).
 *
 * The head parser first finds the empty line that ends the head and
 * only then parses it, so a head is parsed once, whole; before that it
 * only checks that the input starts like "HTTP/1.", so a peer speaking
 * something else fails fast.  The chunked decoder is a byte-at-a-time
 * state machine (payload bytes are moved in bulk) whose whole state is
 * the caller's struct http_chunked, so input may be split anywhere.
 */
#include "proto/http_parse.h"
#include "base/fmt.h"
#include "base/errors.h"
#include "base/limits.h"

#include <string.h>

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* is_ctl: a control byte other than HT, or DEL. */
static int
is_ctl(int c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* is_tchar: a byte allowed in a field name (RFC 9110 token). */
static int
is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int
malformed(const char *why)
{
	err_set(ERR_HTTP_MALFORMED, "%s", why);
	return -1;
}

/* check_text: -1 (malformed) if s holds a control byte. */
static int
check_text(struct slice s, const char *why)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (is_ctl((unsigned char)s.p[i]))
			return malformed(why);
	return 0;
}

/* head_end: the length of the head in buf[0 .. len), or 0 if partial. */
static size_t
head_end(const char *buf, size_t len)
{
	const char *p = buf, *e = buf + len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		if (e - nl > 1 && nl[1] == '\n')
			return (size_t)(nl - buf) + 2;
		if (e - nl > 2 && nl[1] == '\r' && nl[2] == '\n')
			return (size_t)(nl - buf) + 3;
		p = nl + 1;
	}
	return 0;
}

/* next_line: the line at *cursor without its LF or CRLF. */
static struct slice
next_line(const char **cursor, const char *e)
{
	const char *p = *cursor, *nl = memchr(p, '\n', (size_t)(e - p));
	struct slice s;

	/* Inside a complete head every line ends in '\n'. */
	s.p = p;
	s.n = (size_t)(nl - p);
	if (s.n > 0 && p[s.n - 1] == '\r')
		s.n--;
	*cursor = nl + 1;
	return s;
}

/* parse_status: "HTTP/1.x SP 3DIGIT [SP reason]". */
static int
parse_status(struct slice l, int *minor_version, int *status,
    struct slice *reason)
{
	const char *p = l.p + 7, *e = l.p + l.n;

	if (p >= e || !is_digit((unsigned char)*p))
		return malformed("bad HTTP version in status line");
	*minor_version = *p++ - '0';
	if (p >= e || *p != ' ')
		return malformed("bad status line");
	while (p < e && *p == ' ')
		p++;
	if (e - p < 3 || !is_digit((unsigned char)p[0]) ||
	    !is_digit((unsigned char)p[1]) || !is_digit((unsigned char)p[2]))
		return malformed("bad status code");
	*status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	p += 3;
	if (*status < 100 || (p < e && *p != ' '))
		return malformed("bad status code");
	reason->p = p;
	reason->n = (size_t)(e - p);
	*reason = slice_trim(*reason);
	return check_text(*reason, "control byte in reason phrase");
}

/* fold_line: add the continuation line l to the value of h. */
static int
fold_line(struct http_header *h, struct slice l)
{
	struct slice t = slice_trim(l);

	if (check_text(l, "control byte in folded field") != 0)
		return -1;
	if (t.n == 0)
		return 0;
	if (h->value.n == 0)
		h->value.p = t.p;
	h->value.n = (size_t)(t.p + t.n - h->value.p);
	return 0;
}

/* parse_field: "name: value" into h. */
static int
parse_field(struct slice l, struct http_header *h)
{
	const char *colon = memchr(l.p, ':', l.n), *p;

	if (colon == NULL || colon == l.p)
		return malformed("header line without a field name");
	for (p = l.p; p < colon; p++)
		if (!is_tchar((unsigned char)*p))
			return malformed("bad byte in header field name");
	h->name.p = l.p;
	h->name.n = (size_t)(colon - l.p);
	h->value.p = colon + 1;
	h->value.n = (size_t)(l.p + l.n - h->value.p);
	h->value = slice_trim(h->value);
	return check_text(h->value, "control byte in header field value");
}

/* parse_fields: header lines at *cursor up to the empty line. */
static int
parse_fields(const char **cursor, const char *e, struct http_header *h,
    size_t cap, size_t *n)
{
	struct slice l;

	while ((l = next_line(cursor, e)).n > 0) {
		if (l.p[0] == ' ' || l.p[0] == '\t') {
			if (*n == 0)
				return malformed("folded line before any "
				    "header field");
			if (fold_line(&h[*n - 1], l) != 0)
				return -1;
			continue;
		}
		if (*n >= cap) {
			err_limit("response header fields", "LIM_HTTP_HEADERS",
			    cap);
			return -1;
		}
		if (parse_field(l, &h[*n]) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

int
http_parse_response(const char *buf, size_t len, int *minor_version,
    int *status, struct slice *reason, struct http_header *headers,
    size_t *num_headers)
{
	size_t max = len < LIM_HTTP_HEAD_BYTES ? len : LIM_HTTP_HEAD_BYTES;
	size_t cap = *num_headers, end;
	const char *p = buf;

	*num_headers = 0;
	if (len == 0)
		return -2;
	if (memcmp(buf, "HTTP/1.", max < 7 ? max : 7) != 0)
		return malformed("not an HTTP/1.x response");
	if ((end = head_end(buf, max)) == 0) {
		if (len < LIM_HTTP_HEAD_BYTES)
			return -2;
		err_limit("response head", "LIM_HTTP_HEAD_BYTES",
		    LIM_HTTP_HEAD_BYTES);
		return -1;
	}
	if (parse_status(next_line(&p, buf + end), minor_version, status,
	    reason) != 0)
		return -1;
	if (parse_fields(&p, buf + end, headers, cap, num_headers) != 0)
		return -1;
	return (int)end;
}

int
http_header_find(const struct http_header *h, size_t n, const char *name,
    struct slice *value)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (slice_eq_nocase(h[i].name, name)) {
			if (value != NULL)
				*value = h[i].value;
			return (int)i;
		}
	}
	return -1;
}

/* is_list_space: white space in a list, CR and LF (from folds) too. */
static int
is_list_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * list_next: the next non-empty element of the comma list *v, cut at
 * ';' (parameters) and trimmed; 0 when there is none left.
 */
static int
list_next(struct slice *v, struct slice *tok)
{
	const char *p = v->p, *e = v->p + v->n, *q;

	while (p < e && (*p == ',' || is_list_space((unsigned char)*p)))
		p++;
	if (p == e) {
		v->p = e;
		v->n = 0;
		return 0;
	}
	for (q = p; q < e && *q != ','; q++)
		continue;
	v->p = q;
	v->n = (size_t)(e - q);
	tok->p = p;
	for (q = p; q < v->p && *q != ';'; q++)
		continue;
	while (q > p && is_list_space((unsigned char)q[-1]))
		q--;
	tok->n = (size_t)(q - p);
	return 1;
}

/* parse_length: merge one Content-Length value into *have and *len. */
static int
parse_length(struct slice v, int *have, uint64_t *len)
{
	struct slice tok;
	const char *p;
	uint64_t x;
	int any = 0;

	while (list_next(&v, &tok)) {
		p = tok.p;
		any = 1;
		if (parse_u64(&p, tok.p + tok.n, INT64_MAX, &x) != 0) {
			while (p < tok.p + tok.n && is_digit((unsigned char)*p))
				p++;
			return err_set(ERR_HTTP_MALFORMED, "Content-Length "
			    "%s", p == tok.p + tok.n && p != tok.p ?
			    "overflows" : "is not a number");
		}
		if (p != tok.p + tok.n)
			return err_set(ERR_HTTP_MALFORMED,
			    "Content-Length is not a number");
		if (*have && x != *len)
			return err_set(ERR_HTTP_MALFORMED,
			    "conflicting Content-Length values");
		*have = 1;
		*len = x;
	}
	if (!any)
		return err_set(ERR_HTTP_MALFORMED, "empty Content-Length");
	return 0;
}

int
http_body_framing(int status, int is_head_request,
    const struct http_header *h, size_t n, enum http_body_kind *kind,
    uint64_t *length)
{
	struct slice v, tok;
	int te = 0, chunked = 0, have = 0, rc;
	uint64_t len = 0;
	size_t i;

	*kind = HTTP_BODY_NONE;
	*length = 0;
	if (is_head_request || status < 200 || status == 204 || status == 304)
		return 0;
	for (i = 0; i < n; i++) {
		v = h[i].value;
		if (slice_eq_nocase(h[i].name, "transfer-encoding")) {
			while (list_next(&v, &tok)) {
				te = 1;
				chunked = slice_eq_nocase(tok, "chunked");
			}
		} else if (slice_eq_nocase(h[i].name, "content-length")) {
			if ((rc = parse_length(v, &have, &len)) != 0)
				return rc;
		}
	}
	if (te)
		*kind = chunked ? HTTP_BODY_CHUNKED : HTTP_BODY_CLOSE;
	else if (have)
		*kind = HTTP_BODY_LENGTH;
	else
		*kind = HTTP_BODY_CLOSE;
	if (*kind == HTTP_BODY_LENGTH)
		*length = len;
	return 0;
}

int
http_connection_close(int minor_version, const struct http_header *h,
    size_t n)
{
	struct slice v, tok;
	int close = 0, keep = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!slice_eq_nocase(h[i].name, "connection"))
			continue;
		v = h[i].value;
		while (list_next(&v, &tok)) {
			close |= slice_eq_nocase(tok, "close");
			keep |= slice_eq_nocase(tok, "keep-alive");
		}
	}
	return close || (minor_version == 0 && !keep);
}

/* States of the chunked decoder, in the order they come. */
enum {
	CH_SIZE,         /* hex digits of the chunk size */
	CH_EXT,          /* after the size: BWS and extensions up to CR LF */
	CH_SIZE_LF,      /* saw CR ending the size line */
	CH_DATA,         /* payload bytes of the chunk */
	CH_DATA_CR,      /* CR (or bare LF) after the payload */
	CH_DATA_LF,      /* LF after the payload's CR */
	CH_TRAILER,      /* start of a trailer line, or the final CR LF */
	CH_TRAILER_LINE, /* inside a trailer field line */
	CH_TRAILER_LF,   /* saw CR of the final empty line */
	CH_DONE,         /* the body is complete */
};

void
http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = CH_SIZE;
}

/* size_done: the size line ended: go to the data or the trailer. */
static int
size_done(struct http_chunked *c)
{
	c->line = 0;
	c->seen = 0;
	c->state = c->left == 0 ? CH_TRAILER : CH_DATA;
	return 0;
}

/* chunked_size: one byte of a chunk-size line. */
static int
chunked_size(struct http_chunked *c, int ch)
{
	int v;

	if (++c->line > LIM_HTTP_CHUNK_LINE) {
		err_limit("chunk-size line", "LIM_HTTP_CHUNK_LINE",
		    LIM_HTTP_CHUNK_LINE);
		return -1;
	}
	if (c->state == CH_SIZE && (v = hex_value(ch)) >= 0) {
		if (c->left >> 60 != 0)
			return malformed("chunk size overflows");
		c->left = c->left << 4 | (uint64_t)v;
		c->seen = 1;
		return 0;
	}
	if (c->state == CH_SIZE_LF)
		return ch == '\n' ? size_done(c) :
		    malformed("CR without LF in chunk-size line");
	if (!c->seen)
		return malformed("chunk size is not hexadecimal");
	if (c->state == CH_SIZE && ch != ';' && ch != ' ' && ch != '\t' &&
	    ch != '\r' && ch != '\n')
		return malformed("bad byte after chunk size");
	c->state = CH_EXT;
	if (ch == '\r')
		c->state = CH_SIZE_LF;
	else if (ch == '\n')
		return size_done(c);
	else if (is_ctl(ch))
		return malformed("control byte in chunk extension");
	return 0;
}

/* chunked_trailer: one byte after the last chunk's size line. */
static int
chunked_trailer(struct http_chunked *c, int ch)
{
	if (++c->trailer > LIM_HTTP_TRAILER_BYTES) {
		err_limit("chunked trailer", "LIM_HTTP_TRAILER_BYTES",
		    LIM_HTTP_TRAILER_BYTES);
		return -1;
	}
	if (c->state == CH_TRAILER_LF) {
		c->state = CH_DONE;
		return ch == '\n' ? 0 : malformed("CR without LF after "
		    "chunked trailer");
	}
	if (c->state == CH_TRAILER && ch == '\r')
		c->state = CH_TRAILER_LF;
	else if (c->state == CH_TRAILER && ch == '\n')
		c->state = CH_DONE;
	else
		c->state = ch == '\n' ? CH_TRAILER : CH_TRAILER_LINE;
	return 0;
}

/* chunked_step: one byte of chunk syntax outside the payload. */
static int
chunked_step(struct http_chunked *c, int ch)
{
	switch (c->state) {
	case CH_SIZE:
	case CH_EXT:
	case CH_SIZE_LF:
		return chunked_size(c, ch);
	case CH_DATA_CR:
	case CH_DATA_LF:
		/* CR LF ends the payload; a bare LF is accepted too. */
		if (c->state == CH_DATA_CR && ch == '\r') {
			c->state = CH_DATA_LF;
			return 0;
		}
		if (ch != '\n')
			return malformed("chunk data not followed by CRLF");
		c->state = CH_SIZE;
		return 0;
	case CH_TRAILER:
	case CH_TRAILER_LINE:
	case CH_TRAILER_LF:
		return chunked_trailer(c, ch);
	default:
		return malformed("data after the end of a chunked body");
	}
}

int
http_chunked_decode(struct http_chunked *c, char *buf, size_t *len)
{
	size_t src = 0, dst = 0, n = *len, k;

	while (src < n) {
		if (c->state == CH_DATA) {
			k = n - src;
			if (k > c->left)
				k = (size_t)c->left;
			memmove(buf + dst, buf + src, k);
			dst += k;
			src += k;
			c->left -= k;
			if (c->left == 0)
				c->state = CH_DATA_CR;
			continue;
		}
		if (chunked_step(c, (unsigned char)buf[src++]) != 0) {
			*len = dst;
			return -1;
		}
		if (c->state == CH_DONE) {
			memmove(buf + dst, buf + src, n - src);
			*len = dst;
			return (int)(n - src);
		}
	}
	*len = dst;
	if (c->state == CH_DONE)
		return malformed("data after the end of a chunked body");
	return -2;
}
