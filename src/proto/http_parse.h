/*
 * http_parse.h: HTTP/1.x response parsing, in the manner of
 * h2o/picohttpparser.
 *
 * Everything is zero-copy: the caller owns the receive buffer and the
 * parser returns slices into it, valid as long as those bytes stay.
 * The head parser and the chunked decoder keep no hidden state; the
 * decoder's state lives in a caller-owned struct http_chunked.  No
 * I/O, no allocation, no read before buf[0] or after buf[len - 1].
 */
#ifndef IKSCTL_HTTP_PARSE_H
#define IKSCTL_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

struct http_header {
	struct slice name;   /* field name as sent (any case), no ':' */
	struct slice value;  /* value without surrounding SP/HT/CR */
};

/*
 * http_parse_response: parse one response head (status line and
 * header fields up to the empty line) at buf[0 .. len).  On entry
 * *num_headers is the size of headers[] (pass LIM_HTTP_HEADERS); on
 * success it is the number of fields found.
 *
 * Returns the number of bytes of the head (> 0; the body or the next
 * head starts there), -2 if the head is not complete yet (call again
 * with more bytes), or -1 if it is malformed or over a limit: then
 * err_code_last() is ERR_HTTP_MALFORMED or ERR_LIMIT (naming
 * LIM_HTTP_HEADERS or LIM_HTTP_HEAD_BYTES) and err_detail() says why.
 * Only the first LIM_HTTP_HEAD_BYTES bytes are looked at.
 *
 * Accepted: HTTP/1.0 and 1.1 (any HTTP/1.x), CRLF or bare LF line
 * ends, a missing or empty reason phrase, field names of any case.
 * Obsolete line folding: a line starting with SP or HT continues the
 * previous field, and that field's value slice then spans the fold,
 * so it holds the raw CR/LF and the indent (the buffer is const and
 * is not normalized).  Consumers that need one line treat CR and LF
 * in a value as spaces, as http_body_framing() and
 * http_connection_close() do.  Rejected: a bare CR, control bytes,
 * a space before ':', a fold before the first field.
 */
int http_parse_response(const char *buf, size_t len, int *minor_version,
    int *status, struct slice *reason, struct http_header *headers,
    size_t *num_headers);

/*
 * http_header_find: the index of the first field called name (ignoring
 * case) in h[0 .. n), with its value in *value if value is not NULL;
 * or -1 if there is none.
 */
int http_header_find(const struct http_header *h, size_t n,
    const char *name, struct slice *value);

enum http_body_kind {
	HTTP_BODY_NONE,      /* no body at all */
	HTTP_BODY_LENGTH,    /* exactly *length bytes */
	HTTP_BODY_CHUNKED,   /* chunked: use http_chunked_decode() */
	HTTP_BODY_CLOSE,     /* everything until the server closes */
};

/*
 * http_body_framing: how the body of a response is delimited
 * (RFC 9112 section 6.3).  No body for 1xx, 204, 304 and a HEAD
 * request; chunked when the last transfer coding is "chunked"; close
 * delimited for any other Transfer-Encoding; else Content-Length
 * (repeated or listed values must agree); else close delimited.
 * *length is set for HTTP_BODY_LENGTH, else 0.  Returns 0, or
 * ERR_HTTP_MALFORMED for a bad, conflicting or overflowing
 * Content-Length.
 */
int http_body_framing(int status, int is_head_request,
    const struct http_header *h, size_t n, enum http_body_kind *kind,
    uint64_t *length);

/*
 * http_connection_close: 1 if the connection cannot be reused after
 * this response: "Connection: close", or HTTP/1.0 (minor_version 0)
 * without "Connection: keep-alive"; else 0.  The caller also closes
 * after an HTTP_BODY_CLOSE body.
 */
int http_connection_close(int minor_version, const struct http_header *h,
    size_t n);

struct http_chunked {
	uint64_t left;       /* payload bytes left in the current chunk */
	size_t line;         /* bytes of the current size line so far */
	size_t trailer;      /* bytes of trailer fields so far */
	unsigned char state; /* where in the chunked syntax we are */
	unsigned char seen;  /* 1 if the current line has a hex digit */
};

/* http_chunked_init: start decoding a new chunked body. */
void http_chunked_init(struct http_chunked *c);

/*
 * http_chunked_decode: decode the *len bytes at buf in place, as
 * picohttpparser's phr_decode_chunked does.  The payload bytes found
 * are moved down to buf[0 .. *len) (*len is updated).  Feed every new
 * piece of input in turn, each at its own buf; state carries over.
 *
 * Returns -2 if the body continues (more input needed), -1 if it is
 * malformed (err_code_last() is ERR_HTTP_MALFORMED, or ERR_LIMIT
 * naming LIM_HTTP_CHUNK_LINE or LIM_HTTP_TRAILER_BYTES), or, once the
 * last chunk and the trailer fields are complete, the number r >= 0 of
 * input bytes after the body (they belong to the next response): they
 * were the last r bytes of the input and now sit right after the
 * payload, at buf[*len .. *len + r).  Chunk extensions and trailer
 * fields are skipped.  Calls after the end return -1.
 */
int http_chunked_decode(struct http_chunked *c, char *buf, size_t *len);

/*
 * http_retry_after: the wait a Retry-After value asks for, in seconds
 * from now (a Unix time): delta-seconds (capped at UINT32_MAX), or an
 * HTTP date in IMF-fixdate, RFC 850 or asctime form (0 if it is not in
 * the future).  Returns 0, or ERR_HTTP_MALFORMED.
 */
int http_retry_after(struct slice v, int64_t now, uint32_t *seconds);

/*
 * http_date: an HTTP date (IMF-fixdate, RFC 850 or asctime, as a Date
 * header holds it) into *t, a Unix time.  Returns 0, or -1 if v is not
 * one.
 */
int http_date(struct slice v, int64_t *t);

#endif
