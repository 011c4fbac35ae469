/*
 * term.c: escaping and display width of text for the terminal (see
 * term.h).  A small UTF-8 decoder serves both; it takes only shortest
 * forms of scalar values (no surrogates, nothing past U+10FFFF).
 */
#include "base/term.h"

#include <stdint.h>

/*
 * utf8_next: decode the character at s[0 .. n) into *cp; returns its
 * length, or 0 if the bytes there are not valid UTF-8.
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (len == 0 || len > n || c > 0xf4)
		return 0;
	c &= 0x7f >> len;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* needs_u: a C1 control or a bidirectional control, shown as \uHHHH. */
static int
needs_u(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

void
term_escape(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	static const char named[] = "abtnvfr";   /* \a .. \r: 7 .. 13 */
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t c;

	while (i < n) {
		len = utf8_next(p + i, n - i, &c);
		if (len == 0 || c < 0x20 || c == 0x7f) {
			c = p[i];
			sbuf_addc(b, '\\');
			if (c >= 7 && c <= 13) {
				sbuf_addc(b, named[c - 7]);
			} else {
				sbuf_addc(b, 'x');
				sbuf_addc(b, hex[c >> 4]);
				sbuf_addc(b, hex[c & 15]);
			}
			i++;
		} else if (needs_u(c)) {
			sbuf_add(b, "\\u");
			sbuf_addc(b, hex[c >> 12 & 15]);
			sbuf_addc(b, hex[c >> 8 & 15]);
			sbuf_addc(b, hex[c >> 4 & 15]);
			sbuf_addc(b, hex[c & 15]);
			i += len;
		} else {
			sbuf_add_mem(b, s + i, len);
			i += len;
		}
	}
}

/* cols: the columns of one printable character. */
static size_t
cols(uint32_t c)
{
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200d) ||
	    (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf &&
	    c != 0x303f) || (c >= 0xac00 && c <= 0xd7a3) ||
	    (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||
	    (c >= 0x1f300 && c <= 0x1f64f) || (c >= 0x1f900 && c <= 0x1f9ff) ||
	    (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

size_t
term_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, n = 0, len;
	uint32_t c;

	while (p[n] != '\0')
		n++;
	while (n > 0) {
		len = utf8_next(p, n, &c);
		if (len == 0) {   /* cannot happen after term_escape() */
			len = 1;
			c = '?';
		}
		w += cols(c);
		p += len;
		n -= len;
	}
	return w;
}
