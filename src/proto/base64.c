/*
 * base64.c: base64 encode and decode (see base64.h).  Both work on
 * caller-owned buffers; the alphabets are computed, not tabled, to
 * keep the code small.
 */
#include "proto/base64.h"
#include "base/errors.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
base64_encode(struct sbuf *b, const uint8_t *p, size_t n)
{
	size_t i, k;
	uint32_t v;
	char q[4];

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		for (k = 0; k < 4; k++)
			q[k] = k <= n - i ? alphabet[(v >> (18 - 6 * k)) & 63] :
			    '=';
		sbuf_add_mem(b, q, 4);
	}
	return (n + 2) / 3 * 4;
}

/* b64_value: the 6-bit value of c in either alphabet, or -1. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

int
base64url_decode(struct slice in, uint8_t *out, size_t cap,
    size_t *out_len)
{
	size_t n = in.n, i, w = 0, need;
	uint32_t v = 0;
	int d;

	*out_len = 0;
	for (i = 0; i < 2 && n > 0 && in.p[n - 1] == '='; i++)
		n--;
	if (n % 4 == 1)
		return err_set(ERR_BASE64, "bad length %zu", in.n);
	need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
	if (need > cap)
		return err_limit("base64 data", "its buffer", cap);
	for (i = 0; i < n; i++) {
		if ((d = b64_value((unsigned char)in.p[i])) < 0)
			return err_set(ERR_BASE64, "bad byte at %zu", i);
		v = v << 6 | (uint32_t)d;
		if (i % 4 == 3 || i == n - 1) {
			/* Flush the 2, 3 or 4 characters of this group. */
			v <<= 6 * (3 - i % 4);
			for (d = 0; d < (int)(i % 4); d++)
				out[w++] = (uint8_t)(v >> (16 - 8 * d));
			v = 0;
		}
	}
	*out_len = w;
	return 0;
}
