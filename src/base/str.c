/*
 * str.c: bounded string helpers (see str.h).  The caller owns every
 * byte; nothing here allocates or writes past a given capacity.
 */
#include "base/str.h"
#include "base/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct slice
slice_of(const char *s)
{
	struct slice r = { s ? s : "", s ? strlen(s) : 0 };

	return r;
}

int
slice_eq(struct slice a, const char *s)
{
	size_t n = strlen(s);

	return a.n == n && (n == 0 || memcmp(a.p, s, n) == 0);
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int
slice_eq_nocase(struct slice a, const char *s)
{
	size_t i, n = strlen(s);

	if (a.n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)s[i]))
			return 0;
	return 1;
}

int
slice_starts(struct slice a, const char *prefix)
{
	size_t n = strlen(prefix);

	return a.n >= n && memcmp(a.p, prefix, n) == 0;
}

struct slice
slice_trim(struct slice a)
{
	while (a.n > 0 && (a.p[0] == ' ' || a.p[0] == '\t')) {
		a.p++;
		a.n--;
	}
	while (a.n > 0 && (a.p[a.n - 1] == ' ' || a.p[a.n - 1] == '\t'))
		a.n--;
	return a;
}

int
slice_copy(char *dst, size_t cap, struct slice a, const char *what)
{
	if (cap == 0)
		return err_limit(what, "its buffer", cap);
	if (a.n >= cap) {
		dst[0] = '\0';
		return err_limit(what, "its buffer", cap - 1);
	}
	if (a.n > 0)
		memcpy(dst, a.p, a.n);
	dst[a.n] = '\0';
	return 0;
}

int
str_copy(char *dst, size_t cap, const char *src, const char *what)
{
	return slice_copy(dst, cap, slice_of(src), what);
}

void
sbuf_init(struct sbuf *b, char *buf, size_t cap)
{
	b->p = buf;
	b->len = 0;
	b->cap = cap;
	b->overflow = 0;
	if (cap > 0)
		buf[0] = '\0';
	else
		b->overflow = 1;
}

void
sbuf_add_mem(struct sbuf *b, const void *p, size_t n)
{
	if (b->overflow)
		return;
	if (n >= b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_add_mem(b, s, strlen(s));
}

void
sbuf_add_slice(struct sbuf *b, struct slice s)
{
	sbuf_add_mem(b, s.p, s.n);
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add_mem(b, &c, 1);
}

void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (b->overflow)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->p[b->len] = '\0';
		b->overflow = 1;
		return;
	}
	b->len += (size_t)n;
}

void
sbuf_add_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	sbuf_add_mem(b, tmp + i, sizeof(tmp) - i);
}

int
sbuf_ok(const struct sbuf *b, const char *what)
{
	if (b->overflow)
		return err_limit(what, "its buffer", b->cap ? b->cap - 1 : 0);
	return 0;
}

static int
digit_value(int c, int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (base == 16 && c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (base == 16 && c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v;
}

static int
parse_base(const char **cursor, const char *end, uint64_t max,
    uint64_t *out, int base)
{
	const char *p = *cursor;
	uint64_t v = 0;
	int d;

	if (p >= end || digit_value((unsigned char)*p, base) < 0)
		return ERR_RANGE;
	while (p < end && (d = digit_value((unsigned char)*p, base)) >= 0) {
		/* Check before multiplying so v never wraps. */
		if ((uint64_t)d > max ||
		    v > (max - (uint64_t)d) / (uint64_t)base)
			return ERR_RANGE;
		v = v * (uint64_t)base + (uint64_t)d;
		p++;
	}
	*out = v;
	*cursor = p;
	return 0;
}

int
parse_u64(const char **cursor, const char *end, uint64_t max, uint64_t *out)
{
	return parse_base(cursor, end, max, out, 10);
}

int
parse_hex(const char **cursor, const char *end, uint64_t max, uint64_t *out)
{
	return parse_base(cursor, end, max, out, 16);
}

int
str_to_u64(const char *s, uint64_t max, uint64_t *out)
{
	const char *p = s, *end = s + strlen(s);
	uint64_t v;

	if (parse_u64(&p, end, max, &v) != 0 || p != end)
		return ERR_RANGE;
	*out = v;
	return 0;
}

void
mem_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}
