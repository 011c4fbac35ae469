/*
 * url.c: URL parsing and joining, percent-encoding, form bodies and
 * NO_PROXY matching (see url.h).  Every output goes into the caller's
 * fixed arrays or sbuf; nothing here allocates or does I/O.
 */
#include "net/url.h"
#include "base/errors.h"

#include <stdint.h>
#include <string.h>

static const char hex_digits[] = "0123456789ABCDEF";

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int
hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	c = lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~';
}

/* is_visible: 1 if c may appear raw in a URL: printable ASCII, no SP. */
static int
is_visible(int c)
{
	return c > 0x20 && c < 0x7f;
}

static int
mem_eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static struct slice
slice_span(const char *p, const char *e)
{
	struct slice s = { p, (size_t)(e - p) };

	return s;
}

static unsigned
default_port(const struct url *u)
{
	return u->scheme[4] == 's' ? 443 : 80;
}

/*
 * pct_next: decode the next byte of *s ('+' is a space when form is
 * set) and advance *s.  Returns the byte, -1 at the end, -2 on a bad
 * %-escape.
 */
static int
pct_next(struct slice *s, int form)
{
	int c, hi, lo;

	if (s->n == 0)
		return -1;
	c = (unsigned char)s->p[0];
	if (c == '%') {
		if (s->n < 3)
			return -2;
		hi = hex_value((unsigned char)s->p[1]);
		lo = hex_value((unsigned char)s->p[2]);
		if (hi < 0 || lo < 0)
			return -2;
		s->p += 3;
		s->n -= 3;
		return hi * 16 + lo;
	}
	s->p++;
	s->n--;
	return (form && c == '+') ? ' ' : c;
}

/*
 * pct_decode: decode in into out[cap] with a NUL after it.  Returns the
 * length, ERR_NET_URL on a bad escape, ERR_LIMIT naming limit_name.
 */
static int
pct_decode(struct slice in, char *out, size_t cap, int form,
    const char *what, const char *limit_name)
{
	size_t n = 0;
	int c;

	if (cap == 0)
		return err_limit(what, limit_name, 0);
	while ((c = pct_next(&in, form)) >= 0) {
		if (n + 1 >= cap) {
			out[0] = '\0';
			return err_limit(what, limit_name, cap - 1);
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (c == -2)
		return err_set(ERR_NET_URL, "bad %%-escape in %s", what);
	return (int)n;
}

/* parse_ipv4: parse exactly "a.b.c.d" in [p, e) into *out; 0 or -1. */
static int
parse_ipv4(const char *p, const char *e, uint32_t *out)
{
	const char *q;
	uint64_t v;
	uint32_t a = 0;
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && (p >= e || *p++ != '.'))
			return -1;
		q = p;
		if (parse_u64(&p, e, 255, &v) != 0 || p - q > 3)
			return -1;
		a = a << 8 | (uint32_t)v;
	}
	if (p != e)
		return -1;
	*out = a;
	return 0;
}

/* parse_scheme: read "http://" or "https://", or default to http. */
static int
parse_scheme(const char **cursor, const char *end, struct url *u)
{
	const char *p = *cursor;
	struct slice name;

	while (p < end && is_alpha((unsigned char)*p))
		p++;
	name = slice_span(*cursor, p);
	if (end - p < 3 || memcmp(p, "://", 3) != 0) {
		/* No scheme: a proxy address such as "proxy:3128". */
		memcpy(u->scheme, "http", 5);
		return 0;
	}
	if (slice_eq_nocase(name, "http"))
		memcpy(u->scheme, "http", 5);
	else if (slice_eq_nocase(name, "https"))
		memcpy(u->scheme, "https", 6);
	else
		return err_set(ERR_NET_URL, "unsupported scheme '%.*s' "
		    "(use http or https)", (int)(name.n > 16 ? 16 : name.n),
		    name.p);
	*cursor = p + 3;
	return 0;
}

/* parse_userinfo: decode "user[:pass]" in [p, e) into u. */
static int
parse_userinfo(const char *p, const char *e, struct url *u)
{
	const char *colon = memchr(p, ':', (size_t)(e - p));
	const char *ue = colon ? colon : e;
	int n;

	u->has_userinfo = 1;
	n = pct_decode(slice_span(p, ue), u->user, sizeof(u->user), 0,
	    "URL user name", "LIM_URL_USERINFO_BYTES");
	if (n >= 0 && memchr(u->user, '\0', (size_t)n) != NULL)
		n = err_set(ERR_NET_URL, "NUL byte in the URL user name");
	if (n < 0 || colon == NULL)
		return n < 0 ? n : 0;
	n = pct_decode(slice_span(colon + 1, e), u->pass, sizeof(u->pass),
	    0, "URL password", "LIM_URL_USERINFO_BYTES");
	if (n >= 0 && memchr(u->pass, '\0', (size_t)n) != NULL)
		n = err_set(ERR_NET_URL, "NUL byte in the URL password");
	return n < 0 ? n : 0;
}

/* check_host: validate the host [p, e) as a name, IPv4 or IPv6. */
static int
check_host(const char *p, const char *e, int ipv6)
{
	const char *q;
	uint32_t a;
	int colons = 0, numeric = 1, c;

	for (q = p; q < e; q++) {
		c = (unsigned char)*q;
		colons += c == ':';
		if (!is_digit(c) && c != '.')
			numeric = 0;
		if (ipv6 ? (hex_value(c) < 0 && c != ':' && c != '.') :
		    (!is_unreserved(c) || c == '~'))
			return err_set(ERR_NET_URL, "bad character '%c' in "
			    "host", is_visible(c) ? c : '?');
	}
	if (ipv6 && colons < 2)
		return err_set(ERR_NET_URL, "bad IPv6 address");
	if (!ipv6 && numeric && parse_ipv4(p, e, &a) != 0)
		return err_set(ERR_NET_URL, "bad IPv4 address");
	return 0;
}

/* parse_host: read host[:port] in [p, e) into u. */
static int
parse_host(const char *p, const char *e, struct url *u)
{
	const char *h = p, *he;
	uint64_t v;
	size_t i;
	int rc;

	if (p < e && *p == '[') {
		if ((he = memchr(p, ']', (size_t)(e - p))) == NULL)
			return err_set(ERR_NET_URL, "IPv6 address without ']'");
		h = p + 1;
		p = he + 1;
		u->ipv6 = 1;
	} else {
		for (he = p; he < e && *he != ':'; he++)
			continue;
		p = he;
	}
	if (h == he)
		return err_set(ERR_NET_URL, "no host name");
	if ((size_t)(he - h) >= sizeof(u->host))
		return err_limit("host name", "LIM_HOST_BYTES",
		    LIM_HOST_BYTES - 1);
	if ((rc = check_host(h, he, u->ipv6)) != 0)
		return rc;
	for (i = 0; h + i < he; i++)
		u->host[i] = (char)lower((unsigned char)h[i]);
	u->host[i] = '\0';
	u->port = default_port(u);
	if (p == e)
		return 0;
	if (*p++ != ':' || parse_u64(&p, e, 65535, &v) != 0 || p != e ||
	    v == 0)
		return err_set(ERR_NET_URL, "bad port");
	u->port = (unsigned)v;
	return 0;
}

/* parse_path: copy the path and query in [p, e) (no fragment) to u. */
static int
parse_path(const char *p, const char *e, struct url *u)
{
	const char *q;
	size_t n = 0;

	if ((q = memchr(p, '#', (size_t)(e - p))) != NULL)
		e = q;
	for (q = p; q < e; q++)
		if (!is_visible((unsigned char)*q))
			return err_set(ERR_NET_URL, "space or control byte "
			    "in URL path");
	if (p < e && *p == '?')
		u->path[n++] = '/';
	if ((size_t)(e - p) + n >= sizeof(u->path))
		return err_limit("URL path", "LIM_PATH_BYTES",
		    LIM_PATH_BYTES - 1);
	memcpy(u->path + n, p, (size_t)(e - p));
	u->path[n + (size_t)(e - p)] = '\0';
	return 0;
}

int
url_parse(const char *s, struct url *u)
{
	const char *p = s, *end, *auth, *at;
	size_t len = strlen(s);
	int rc;

	memset(u, 0, sizeof(*u));
	if (len >= LIM_URL_BYTES)
		return err_limit("URL", "LIM_URL_BYTES", LIM_URL_BYTES - 1);
	end = s + len;
	if ((rc = parse_scheme(&p, end, u)) != 0)
		return rc;
	for (auth = p; auth < end && *auth != '/' && *auth != '?' &&
	    *auth != '#'; auth++)
		continue;
	/* The last '@' ends the user info: a password may hold a raw '@'. */
	for (at = auth; at > p && at[-1] != '@'; at--)
		continue;
	if (at > p) {
		if ((rc = parse_userinfo(p, at - 1, u)) != 0)
			return rc;
		p = at;
	}
	if ((rc = parse_host(p, auth, u)) != 0)
		return rc;
	return parse_path(auth, end, u);
}

int
url_target(const struct url *base, const char *path, struct sbuf *out)
{
	struct slice pre = slice_of(base->path);
	const char *q;
	size_t start = out->len;

	if (path == NULL)
		path = "";
	for (q = path; *q != '\0'; q++)
		if (!is_visible((unsigned char)*q))
			return err_set(ERR_NET_URL, "space or control byte "
			    "in request path (encode it)");
	if ((q = memchr(pre.p, '?', pre.n)) != NULL)
		pre.n = (size_t)(q - pre.p);
	while (pre.n > 0 && pre.p[pre.n - 1] == '/')
		pre.n--;
	sbuf_add_slice(out, pre);
	if ((path[0] != '/' && path[0] != '\0' && path[0] != '?') ||
	    (pre.n == 0 && path[0] != '/'))
		sbuf_addc(out, '/');
	sbuf_add(out, path);
	if (out->overflow)
		return sbuf_ok(out, "request target");
	if (out->len - start >= LIM_PATH_BYTES)
		return err_limit("request target", "LIM_PATH_BYTES",
		    LIM_PATH_BYTES - 1);
	return 0;
}

int
url_join(const struct url *base, const char *path, char *out, size_t cap)
{
	struct sbuf b;
	int rc;

	sbuf_init(&b, out, cap);
	sbuf_add(&b, base->scheme);
	sbuf_add(&b, "://");
	(void)url_host_header(base, &b);
	rc = url_target(base, path, &b);
	if (rc == ERR_NET_URL)
		return rc;
	if (b.overflow)
		return sbuf_ok(&b, "URL");
	if (rc != 0)
		return rc;
	if (b.len >= LIM_URL_BYTES)
		return err_limit("URL", "LIM_URL_BYTES", LIM_URL_BYTES - 1);
	return 0;
}

int
url_host_header(const struct url *u, struct sbuf *b)
{
	if (u->ipv6)
		sbuf_addc(b, '[');
	sbuf_add(b, u->host);
	if (u->ipv6)
		sbuf_addc(b, ']');
	if (u->port != default_port(u)) {
		sbuf_addc(b, ':');
		sbuf_add_u64(b, u->port);
	}
	return sbuf_ok(b, "Host header");
}

/* encode: keep is '/' to keep slashes, '+' for form encoding, or 0. */
static void
encode(struct sbuf *b, struct slice s, int keep)
{
	char esc[3];
	size_t i;
	int c;

	esc[0] = '%';
	for (i = 0; i < s.n; i++) {
		c = (unsigned char)s.p[i];
		if (is_unreserved(c) || (keep == '/' && c == '/')) {
			sbuf_addc(b, (char)c);
		} else if (keep == '+' && c == ' ') {
			sbuf_addc(b, '+');
		} else {
			esc[1] = hex_digits[c >> 4];
			esc[2] = hex_digits[c & 15];
			sbuf_add_mem(b, esc, 3);
		}
	}
}

void
url_encode(struct sbuf *b, struct slice s, int keep_slash)
{
	encode(b, s, keep_slash ? '/' : 0);
}

void
form_add(struct sbuf *b, const char *name, struct slice value)
{
	if (b->len > 0)
		sbuf_addc(b, '&');
	encode(b, slice_of(name), '+');
	sbuf_addc(b, '=');
	encode(b, value, '+');
}

/* key_is: 1 if the encoded form key equals name once decoded. */
static int
key_is(struct slice key, const char *name)
{
	int c;

	while ((c = pct_next(&key, 1)) >= 0)
		if (*name == '\0' || (unsigned char)*name++ != c)
			return 0;
	return c == -1 && *name == '\0';
}

int
form_decode(struct slice in, const char *name, char *out, size_t cap)
{
	const char *p = in.p, *end = in.p + in.n, *f, *eq;

	while (p < end) {
		for (f = p; p < end && *p != '&'; p++)
			continue;
		for (eq = f; eq < p && *eq != '='; eq++)
			continue;
		if (key_is(slice_span(f, eq), name))
			return pct_decode(slice_span(eq < p ? eq + 1 : p, p),
			    out, cap, 1, "form value", "its buffer");
		p++;
	}
	return ERR_FAIL;
}

/* strip_dots: drop a leading "*." or "." and a trailing ".". */
static struct slice
strip_dots(struct slice s)
{
	if (s.n >= 2 && s.p[0] == '*' && s.p[1] == '.') {
		s.p++;
		s.n--;
	}
	if (s.n > 0 && s.p[0] == '.') {
		s.p++;
		s.n--;
	}
	if (s.n > 0 && s.p[s.n - 1] == '.')
		s.n--;
	return s;
}

/* split_port: cut ":port" off entry *e; 1 if it may match port. */
static int
split_port(struct slice *e, unsigned port)
{
	const char *end = e->p + e->n, *c, *p;
	uint64_t v;

	if (e->p[0] == '[') {
		if ((c = memchr(e->p, ']', e->n)) == NULL)
			return 0;
		*e = slice_span(e->p + 1, c);
		p = c + 1;
	} else if ((c = memchr(e->p, ':', e->n)) != NULL &&
	    memchr(c + 1, ':', (size_t)(end - c - 1)) == NULL) {
		*e = slice_span(e->p, c);
		p = c;
	} else {
		return 1;
	}
	if (p == end)
		return 1;
	if (*p++ != ':' || parse_u64(&p, end, 65535, &v) != 0 || p != end)
		return 0;
	return v == port;
}

/* ip_match: an IP host against an entry: equal, or in an IPv4 CIDR. */
static int
ip_match(struct slice e, struct slice h)
{
	const char *slash = memchr(e.p, '/', e.n), *p;
	uint32_t net, addr, mask;
	uint64_t bits;

	if (slash == NULL)
		return e.n == h.n && mem_eq_nocase(e.p, h.p, h.n);
	p = slash + 1;
	if (parse_ipv4(e.p, slash, &net) != 0 ||
	    parse_ipv4(h.p, h.p + h.n, &addr) != 0 ||
	    parse_u64(&p, e.p + e.n, 32, &bits) != 0 || p != e.p + e.n)
		return 0;
	mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	return (net & mask) == (addr & mask);
}

/* entry_match: 1 if the NO_PROXY entry e covers host h and port. */
static int
entry_match(struct slice e, struct slice h, unsigned port)
{
	uint32_t a;

	if (slice_eq(e, "*"))
		return 1;
	if (!split_port(&e, port))
		return 0;
	e = strip_dots(e);
	if (e.n == 0)
		return 0;
	if (memchr(h.p, ':', h.n) != NULL ||
	    parse_ipv4(h.p, h.p + h.n, &a) == 0)
		return ip_match(e, h);
	if (h.n == e.n)
		return mem_eq_nocase(h.p, e.p, e.n);
	return h.n > e.n && h.p[h.n - e.n - 1] == '.' &&
	    mem_eq_nocase(h.p + h.n - e.n, e.p, e.n);
}

int
url_no_proxy_match(const char *no_proxy, const char *host, unsigned port)
{
	struct slice h = slice_of(host), e;
	const char *p, *end;

	if (h.n >= 2 && h.p[0] == '[' && h.p[h.n - 1] == ']') {
		h.p++;
		h.n -= 2;
	}
	if (h.n > 0 && h.p[h.n - 1] == '.')
		h.n--;
	if (no_proxy == NULL || h.n == 0)
		return 0;
	end = no_proxy + strlen(no_proxy);
	for (p = no_proxy; p < end; ) {
		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		for (e.p = p; p < end && *p != ',' && *p != ' ' &&
		    *p != '\t'; p++)
			continue;
		e.n = (size_t)(p - e.p);
		if (e.n > 0 && entry_match(e, h, port))
			return 1;
	}
	return 0;
}
