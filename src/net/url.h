/*
 * url.h: URLs, percent-encoding, form bodies and NO_PROXY matching.
 *
 * url_parse() splits an http or https URL (or a proxy's "host:port")
 * into a caller-owned struct url of fixed arrays.  The other functions
 * append to a caller's sbuf or array: the request target for the
 * request line, the Host header, a whole URL, percent-encoded path
 * segments and query values, and application/x-www-form-urlencoded
 * bodies.  Nothing here does I/O or allocates.
 */
#ifndef IKSCTL_URL_H
#define IKSCTL_URL_H

#include <stddef.h>

#include "base/limits.h"
#include "base/str.h"

struct url {
	char scheme[8];            /* "http" or "https", lowercase */
	char host[LIM_HOST_BYTES]; /* name or address, lowercase, no [] */
	unsigned port;             /* the URL's port, else the default */
	char path[LIM_PATH_BYTES]; /* from the first '/', query kept; or "" */
	int ipv6;                  /* 1 if host is an IPv6 literal */
	int has_userinfo;          /* 1 if the URL had "user[:pass]@" */
	char user[LIM_URL_USERINFO_BYTES]; /* percent-decoded user */
	char pass[LIM_URL_USERINFO_BYTES]; /* percent-decoded password */
};

/*
 * url_parse: parse s into *u.  Accepts "http://" and "https://" URLs
 * (default ports 80 and 443) with an optional "user:pass@", a host
 * name, a dotted IPv4 address or a bracketed IPv6 literal, an optional
 * ":port" and an optional path and query (a fragment is dropped; a
 * query with no path gets the path "/").  A string without "://" is a
 * proxy address and is read as http ("proxy:3128").  Returns 0, or
 * ERR_NET_URL with a detail, or ERR_LIMIT naming the limit.  u->pass
 * may hold a secret: the caller wipes it with mem_wipe().
 */
int url_parse(const char *s, struct url *u);

/*
 * url_target: append to out the request target for path on base: the
 * base's path prefix (without its query and trailing '/') then path
 * (a '/' is put between them when path has none; a path starting with
 * '?' is a query on the prefix).  path may be NULL or "" for the
 * prefix alone; the result is never empty ("/").  path must already be
 * encoded: a space, control byte or DEL in it is ERR_NET_URL.  Returns
 * 0, ERR_NET_URL, or ERR_LIMIT if out overflows or the target is over
 * LIM_PATH_BYTES.
 */
int url_target(const struct url *base, const char *path, struct sbuf *out);

/*
 * url_join: write into out[cap] the full URL "scheme://host[:port]"
 * plus url_target(base, path).  User info is not included.  Returns 0,
 * ERR_NET_URL, or ERR_LIMIT (out too small or over LIM_URL_BYTES).
 */
int url_join(const struct url *base, const char *path, char *out,
    size_t cap);

/*
 * url_host_header: append the Host header value: "host", "host:port"
 * when the port is not the scheme's default, "[v6]" or "[v6]:port".
 * Returns 0, or ERR_LIMIT if b overflowed.
 */
int url_host_header(const struct url *u, struct sbuf *b);

/*
 * url_encode: append s percent-encoded (%XX, uppercase): RFC 3986
 * unreserved bytes (ALPHA DIGIT - . _ ~) are kept, and '/' too when
 * keep_slash is nonzero.  For path segments and query values.
 * Overflow is recorded in b (check sbuf_ok()).
 */
void url_encode(struct sbuf *b, struct slice s, int keep_slash);

/*
 * form_add: append "name=value" to an application/x-www-form-urlencoded
 * body, with '&' first when b is not empty.  Both are encoded so that
 * any byte round-trips: unreserved bytes kept, space as '+', all else
 * %XX.  Overflow is recorded in b (check sbuf_ok()).
 */
void form_add(struct sbuf *b, const char *name, struct slice value);

/*
 * form_decode: find the first field called name in the form body in
 * and decode its value ('+' is space, %XX a byte) into out[cap], with a
 * NUL after it (the value itself may hold NUL bytes).  Returns the
 * decoded length (>= 0); ERR_FAIL if there is no such field (no detail
 * is recorded: that is an answer, not a failure); ERR_NET_URL if the
 * value has a bad %-escape; ERR_LIMIT if it does not fit in out.
 */
int form_decode(struct slice in, const char *name, char *out, size_t cap);

/*
 * url_no_proxy_match: 1 if host (optionally in brackets) and port are
 * excluded from proxying by the NO_PROXY list no_proxy, else 0 (also
 * for NULL or "").  Entries are separated by commas or white space and
 * compared ignoring case: "*" matches everything; a name matches
 * itself and its subdomains ("example.com", ".example.com" and
 * "*.example.com" all match "example.com" and "a.example.com"); an
 * IPv4 or IPv6 literal matches only itself; "a.b.c.d/len" is an IPv4
 * CIDR block; any entry may end in ":port" ("[v6]:port" for IPv6) to
 * match only that port.
 */
int url_no_proxy_match(const char *no_proxy, const char *host,
    unsigned port);

#endif
