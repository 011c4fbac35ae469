/*
 * inflate.c: a compact one-shot RFC 1951 decoder (see inflate.h).
 *
 * Bits are read least significant first from the caller's input.  Each
 * Huffman code is kept in canonical form, as the number of codes of each
 * length and the symbols in code order, and decoded one bit at a time:
 * slower than table lookup, but tiny.  Length and distance bases are
 * computed rather than tabled.  Every function returns a non-negative
 * value or a negative error code that the caller passes straight up.
 */
#include "proto/inflate.h"
#include "base/errors.h"
#include "base/limits.h"

#include <string.h>

#define MAX_BITS    15   /* longest Huffman code */
#define MAX_LCODES  286  /* literal/length codes a dynamic block may use */
#define MAX_DCODES  30   /* distance codes a block may use */
#define FIX_LCODES  288  /* literal/length codes of the fixed code */
#define CLEN_CODES  19   /* code length codes */

struct inflate_state {
	const uint8_t *in;  /* compressed stream, owned by the caller */
	size_t in_len;      /* its length */
	size_t in_pos;      /* next byte of in to load into bitbuf */
	uint32_t bitbuf;    /* loaded bits not yet used, next bit lowest */
	unsigned bitcnt;    /* number of valid bits in bitbuf (< 8 between calls) */
	uint8_t *out;       /* output, owned by the caller */
	size_t out_cap;     /* size of out */
	size_t out_len;     /* bytes written to out so far */
};

struct huff {
	uint16_t count[MAX_BITS + 1]; /* number of codes of each length */
	uint16_t symbol[FIX_LCODES];  /* symbols ordered by their code */
};

/* Order in which the code length code lengths are sent (RFC 1951 3.2.7). */
static const uint8_t clen_order[CLEN_CODES] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

/* bad: record a malformed-stream detail; returns ERR_INFLATE. */
static int
bad(const char *why)
{
	return err_set(ERR_INFLATE, "%s", why);
}

/* bits_get: the next need (<= 16) bits as a number, or ERR_INFLATE. */
static int
bits_get(struct inflate_state *s, unsigned need)
{
	int v;

	while (s->bitcnt < need) {
		if (s->in_pos >= s->in_len)
			return bad("truncated");
		s->bitbuf |= (uint32_t)s->in[s->in_pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
	v = (int)(s->bitbuf & ((1u << need) - 1));
	s->bitbuf >>= need;
	s->bitcnt -= need;
	return v;
}

/* out_full: record that the output does not fit; returns ERR_LIMIT. */
static int
out_full(const struct inflate_state *s)
{
	return err_limit("inflated data", "LIM_ZIP_ENTRY_BYTES", s->out_cap);
}

/* out_put: append one byte; returns 0 or ERR_LIMIT. */
static int
out_put(struct inflate_state *s, unsigned c)
{
	if (s->out_len >= s->out_cap)
		return out_full(s);
	s->out[s->out_len++] = (uint8_t)c;
	return 0;
}

/*
 * huff_build: make h from the code lengths len[n] (each 0..15).  Returns
 * 0 for a complete code, > 0 for an incomplete one, < 0 if it is
 * over-subscribed.
 */
static int
huff_build(struct huff *h, const uint8_t *len, int n)
{
	uint16_t offs[MAX_BITS + 1];  /* next slot in symbol per length */
	int i, left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (i = 0; i < n; i++)
		h->count[len[i]]++;
	offs[1] = 0;
	for (i = 1; i <= MAX_BITS; i++) {
		left = (left << 1) - h->count[i];
		if (left < 0)
			return left;
		if (i < MAX_BITS)
			offs[i + 1] = (uint16_t)(offs[i] + h->count[i]);
	}
	for (i = 0; i < n; i++)
		if (len[i] != 0)
			h->symbol[offs[len[i]]++] = (uint16_t)i;
	return left;
}

/*
 * huff_make: huff_build for a literal/length or distance code.  Like
 * zlib, an incomplete code is accepted only if it has no code or a
 * single one-bit code.  Returns 0 or ERR_INFLATE.
 */
static int
huff_make(struct huff *h, const uint8_t *len, int n)
{
	int left = huff_build(h, len, n);

	if (left < 0)
		return bad("over-subscribed code");
	if (left > 0 && h->count[0] + h->count[1] != n)
		return bad("incomplete code");
	return 0;
}

/* huff_decode: the next symbol coded with h, or ERR_INFLATE. */
static int
huff_decode(struct inflate_state *s, const struct huff *h)
{
	int code = 0, first = 0, index = 0, len, b;

	for (len = 1; len <= MAX_BITS; len++) {
		if ((b = bits_get(s, 1)) < 0)
			return b;
		code |= b;
		if (code - h->count[len] < first)
			return h->symbol[index + (code - first)];
		index += h->count[len];
		first = (first + h->count[len]) << 1;
		code <<= 1;
	}
	return bad("invalid code");
}

/*
 * code_base: the base value of length (k = 2, add = 3) or distance
 * (k = 1, add = 1) symbol sym; *extra gets its number of extra bits.
 * Symbols below 2^k have no extra bits; after that each group of 2^k
 * symbols has one extra bit more than the previous group.
 */
static unsigned
code_base(unsigned sym, unsigned k, unsigned add, unsigned *extra)
{
	unsigned e;

	*extra = 0;
	if (sym < (1u << k))
		return sym + add;
	e = (sym >> k) - 1;
	*extra = e;
	return (((1u << k) | (sym & ((1u << k) - 1))) << e) + add;
}

/* inflate_match: copy one length/distance match; 0 or an error. */
static int
inflate_match(struct inflate_state *s, int sym, const struct huff *dist)
{
	unsigned len = 258, d, e = 0;
	int r;

	if (sym >= 29)
		return bad("invalid length code");
	if (sym < 28)
		len = code_base((unsigned)sym, 2, 3, &e);
	if ((r = bits_get(s, e)) < 0)
		return r;
	len += (unsigned)r;
	if ((sym = huff_decode(s, dist)) < 0)
		return sym;
	if (sym >= MAX_DCODES)
		return bad("invalid distance code");
	d = code_base((unsigned)sym, 1, 1, &e);
	if ((r = bits_get(s, e)) < 0)
		return r;
	d += (unsigned)r;
	if (d > s->out_len)
		return bad("distance too far back");
	while (len-- > 0)
		if ((r = out_put(s, s->out[s->out_len - d])) < 0)
			return r;
	return 0;
}

/* inflate_codes: decode one Huffman block's data; 0 or an error. */
static int
inflate_codes(struct inflate_state *s, const struct huff *lit,
    const struct huff *dist)
{
	int sym, r;

	for (;;) {
		if ((sym = huff_decode(s, lit)) < 0)
			return sym;
		if (sym == 256)
			return 0;
		if (sym < 256)
			r = out_put(s, (unsigned)sym);
		else
			r = inflate_match(s, sym - 257, dist);
		if (r < 0)
			return r;
	}
}

/* inflate_stored: copy one stored block; 0 or an error. */
static int
inflate_stored(struct inflate_state *s)
{
	const uint8_t *p;
	size_t n;

	s->bitbuf = 0;  /* skip to a byte boundary */
	s->bitcnt = 0;
	if (s->in_len - s->in_pos < 4)
		return bad("truncated");
	p = s->in + s->in_pos;
	n = (size_t)p[0] | (size_t)p[1] << 8;
	if (((size_t)p[2] | (size_t)p[3] << 8) != (n ^ 0xffff))
		return bad("stored length/complement mismatch");
	s->in_pos += 4;
	if (s->in_len - s->in_pos < n)
		return bad("truncated");
	if (s->out_cap - s->out_len < n)
		return out_full(s);
	if (n > 0)
		memcpy(s->out + s->out_len, s->in + s->in_pos, n);
	s->in_pos += n;
	s->out_len += n;
	return 0;
}

/* inflate_fixed: decode a block with the fixed codes; 0 or an error. */
static int
inflate_fixed(struct inflate_state *s)
{
	uint8_t len[FIX_LCODES];
	struct huff lit, dist;

	memset(len, 8, FIX_LCODES);
	memset(len + 144, 9, 256 - 144);
	memset(len + 256, 7, 280 - 256);
	huff_build(&lit, len, FIX_LCODES);
	memset(len, 5, MAX_DCODES);  /* codes 30 and 31 stay invalid */
	huff_build(&dist, len, MAX_DCODES);
	return inflate_codes(s, &lit, &dist);
}

/*
 * inflate_lengths: read n code lengths coded with clen into len[];
 * returns 0 or an error.
 */
static int
inflate_lengths(struct inflate_state *s, const struct huff *clen,
    uint8_t *len, int n)
{
	static const uint8_t rep_bits[3] = { 2, 3, 7 };  /* for 16, 17, 18 */
	static const uint8_t rep_min[3] = { 3, 3, 11 };
	int i = 0, sym, r;
	uint8_t fill;

	while (i < n) {
		if ((sym = huff_decode(s, clen)) < 0)
			return sym;
		if (sym < 16) {
			len[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16 && i == 0)
			return bad("repeat with no previous length");
		fill = sym == 16 ? len[i - 1] : 0;
		if ((r = bits_get(s, rep_bits[sym - 16])) < 0)
			return r;
		r += rep_min[sym - 16];
		if (r > n - i)
			return bad("too many code lengths");
		while (r-- > 0)
			len[i++] = fill;
	}
	return 0;
}

/* inflate_dynamic: decode a block with its own codes; 0 or an error. */
static int
inflate_dynamic(struct inflate_state *s)
{
	uint8_t len[MAX_LCODES + MAX_DCODES];
	struct huff lit, dist;
	int nlen, ndist, ncode, i, r;

	if ((r = bits_get(s, 14)) < 0)
		return r;
	nlen = (r & 31) + 257;
	ndist = ((r >> 5) & 31) + 1;
	ncode = (r >> 10) + 4;
	if (nlen > MAX_LCODES || ndist > MAX_DCODES)
		return bad("too many codes");
	memset(len, 0, CLEN_CODES);
	for (i = 0; i < ncode; i++) {
		if ((r = bits_get(s, 3)) < 0)
			return r;
		len[clen_order[i]] = (uint8_t)r;
	}
	if (huff_build(&lit, len, CLEN_CODES) != 0)
		return bad("bad code length code");
	if ((r = inflate_lengths(s, &lit, len, nlen + ndist)) < 0)
		return r;
	if (len[256] == 0)
		return bad("no end-of-block code");
	if ((r = huff_make(&lit, len, nlen)) < 0 ||
	    (r = huff_make(&dist, len + nlen, ndist)) < 0)
		return r;
	return inflate_codes(s, &lit, &dist);
}

int
inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
    size_t *out_len)
{
	struct inflate_state s = { in, in_len, 0, 0, 0, out, out_cap, 0 };
	int last = 0, r;

	do {
		if ((r = bits_get(&s, 3)) < 0)
			break;
		last = r & 1;
		if ((r >> 1) == 0)
			r = inflate_stored(&s);
		else if ((r >> 1) == 1)
			r = inflate_fixed(&s);
		else if ((r >> 1) == 2)
			r = inflate_dynamic(&s);
		else
			r = bad("invalid block type 3");
	} while (r >= 0 && !last);
	*out_len = s.out_len;
	return r < 0 ? r : 0;
}

uint32_t
crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	unsigned k;

	/* Bit at a time: no table, and fast enough for a config zip. */
	crc = ~crc;
	while (n-- > 0) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}
