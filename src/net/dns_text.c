/*
 * dns_text.c: the text the resolver reads: address literals, /etc/hosts
 * lines and /etc/resolv.conf, each from a buffer the caller owns (the
 * file reading is in dns.c).  Literals are strict: anything but exactly
 * the RFC forms is refused, so that "127.1" or "1::2::3" is never taken
 * for an address.
 */
#include "net/dns.h"

#include <string.h>

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* parse_ip4: exactly "a.b.c.d" in s[0 .. n) into out[4]; 0 or -1. */
static int
parse_ip4(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0, start;
	unsigned v;
	int part;

	for (part = 0; part < 4; part++) {
		if (part > 0 && (i >= n || s[i++] != '.'))
			return -1;
		v = 0;
		for (start = i; i < n && s[i] >= '0' && s[i] <= '9' &&
		    i - start < 3; i++)
			v = v * 10 + (unsigned)(s[i] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : -1;
}

/* parse_ip6: RFC 4291 section 2.2 text in s[0 .. n) into out[16]. */
static int
parse_ip6(const char *s, size_t n, uint8_t *out)
{
	unsigned w[8], v;
	size_t i = 0, j;
	int nw = 0, gap = -1, k, h;
	uint8_t b4[4];

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n > 0 && s[0] == ':') {
		return -1;
	}
	while (i < n) {
		v = 0;
		for (j = i; j < n && j - i < 5 && (h = hex_value(s[j])) >= 0;
		    j++)
			v = v * 16 + (unsigned)h;
		if (j < n && s[j] == '.') {
			/* A dotted quad ends the address. */
			if (nw > 6 || parse_ip4(s + i, n - i, b4) != 0)
				return -1;
			w[nw++] = (unsigned)b4[0] << 8 | b4[1];
			w[nw++] = (unsigned)b4[2] << 8 | b4[3];
			break;
		}
		if (j == i || j - i > 4 || nw == 8)
			return -1;
		w[nw++] = v;
		if (j == n)
			break;
		if (s[j++] != ':' || j == n)
			return -1;
		if (s[j] == ':') {
			if (gap >= 0)
				return -1;
			gap = nw;
			j++;
		}
		i = j;
	}
	if (gap < 0 ? nw != 8 : nw > 7)
		return -1;
	memset(out, 0, 16);
	for (k = 0; k < nw; k++) {
		h = gap >= 0 && k >= gap ? 8 - nw + k : k;
		out[2 * h] = (uint8_t)(w[k] >> 8);
		out[2 * h + 1] = (uint8_t)w[k];
	}
	return 0;
}

int
dns_parse_ip(const char *s, size_t n, struct dns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (memchr(s, ':', n) != NULL) {
		if (parse_ip6(s, n, a->u.in6.sin6_addr.s6_addr) != 0)
			return -1;
		a->u.in6.sin6_family = AF_INET6;
		a->len = sizeof(a->u.in6);
		return 0;
	}
	if (parse_ip4(s, n, (uint8_t *)&a->u.in.sin_addr) != 0)
		return -1;
	a->u.in.sin_family = AF_INET;
	a->len = sizeof(a->u.in);
	return 0;
}

/* next_word: the next blank-separated word of *line (empty at the end). */
static struct slice
next_word(struct slice *line)
{
	struct slice w;
	size_t i = 0;

	while (i < line->n && (line->p[i] == ' ' || line->p[i] == '\t' ||
	    line->p[i] == '\r'))
		i++;
	w.p = line->p + i;
	while (i < line->n && line->p[i] != ' ' && line->p[i] != '\t' &&
	    line->p[i] != '\r')
		i++;
	w.n = (size_t)(line->p + i - w.p);
	line->p += i;
	line->n -= i;
	return w;
}

void
dns_conf_init(struct dns_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ndots = 1;
	c->timeout_s = 5;
	c->attempts = 2;
}

/* option_value: "name:N" in w as a number capped at max, else -1. */
static int
option_value(struct slice w, const char *name, int max)
{
	size_t k = strlen(name), i;
	long v = 0;

	if (w.n <= k + 1 || memcmp(w.p, name, k) != 0 || w.p[k] != ':' ||
	    w.p[k + 1] < '0' || w.p[k + 1] > '9')
		return -1;
	for (i = k + 1; i < w.n && w.p[i] >= '0' && w.p[i] <= '9'; i++)
		if ((v = v * 10 + (w.p[i] - '0')) > max)
			v = max;
	return (int)v;
}

void
dns_conf_line(struct dns_conf *c, struct slice line)
{
	struct slice key = next_word(&line), w;
	int v;

	if (slice_eq(key, "nameserver")) {
		w = next_word(&line);
		if (c->nns < LIM_DNS_SERVERS &&
		    dns_parse_ip(w.p, w.n, &c->ns[c->nns]) == 0) {
			/* Both families keep the port at the same offset. */
			c->ns[c->nns].u.in.sin_port = htons(53);
			c->nns++;
		}
	} else if (slice_eq(key, "search") || slice_eq(key, "domain")) {
		c->nsearch = 0;
		while ((w = next_word(&line)).n > 0 &&
		    c->nsearch < LIM_DNS_SEARCH)
			if (slice_copy(c->search[c->nsearch], LIM_HOST_BYTES, w,
			    "search domain") == 0)
				c->nsearch++;
	} else if (slice_eq(key, "options")) {
		while ((w = next_word(&line)).n > 0) {
			if ((v = option_value(w, "ndots", 15)) >= 0)
				c->ndots = v;
			if ((v = option_value(w, "timeout", 60)) >= 0)
				c->timeout_s = v < 1 ? 1 : v;
			if ((v = option_value(w, "attempts", 10)) >= 0)
				c->attempts = v < 1 ? 1 : v;
		}
	}
}

/* next_line: the next line of [*p, e) without its newline; *p moves on. */
static struct slice
next_line(const char **p, const char *e)
{
	struct slice l = { *p, 0 };
	const char *nl = memchr(*p, '\n', (size_t)(e - *p));

	l.n = (size_t)((nl != NULL ? nl : e) - *p);
	*p = nl != NULL ? nl + 1 : e;
	return l;
}

void
dns_conf_parse(struct dns_conf *c, const char *buf, size_t n)
{
	const char *p = buf, *e = buf + n;

	while (p < e)
		dns_conf_line(c, next_line(&p, e));
}

int
dns_hosts_line(struct slice line, const char *name, struct dns_addr *out,
    int cap, int *n)
{
	const char *hash = memchr(line.p, '#', line.n);
	struct slice addr, w;
	struct dns_addr a;

	if (hash != NULL)
		line.n = (size_t)(hash - line.p);
	addr = next_word(&line);
	if (addr.n == 0 || dns_parse_ip(addr.p, addr.n, &a) != 0)
		return 0;
	while ((w = next_word(&line)).n > 0) {
		if (!slice_eq_nocase(w, name))
			continue;
		if (*n < cap)
			out[(*n)++] = a;
		return 1;
	}
	return 0;
}

int
dns_hosts_parse(const char *buf, size_t len, const char *name,
    struct dns_addr *out, int cap, int *n)
{
	const char *p = buf, *e = buf + len;
	int matched = 0;

	while (p < e)
		matched += dns_hosts_line(next_line(&p, e), name, out, cap, n);
	return matched;
}
