/*
 * test_inflate.c: unit tests of proto/inflate.
 *
 * Inflate is checked against zlib's own raw deflate output (fixtures in
 * tests/fixtures/zip/deflate, made by make_fixtures.sh), against streams
 * built bit by bit here (fixed and dynamic blocks, valid and broken), at
 * every truncation and under byte flips.  Inputs end at a guard page,
 * and so do output buffers.  The zip reader: test_zip.c.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "proto/inflate.h"

#include <stdint.h>
#include <stdlib.h>

#include "test.h"
#include "zip_test.h"

/* ---- CRC-32 ---- */

TEST(test_crc32)
{
	const uint8_t *s = (const uint8_t *)"123456789";
	uint32_t c;

	CHECK_EQ_INT(crc32_update(0, s, 9), 0xcbf43926u);
	CHECK_EQ_INT(crc32_update(0, NULL, 0), 0);
	c = crc32_update(0, s, 4);
	CHECK_EQ_INT(crc32_update(c, s + 4, 5), 0xcbf43926u);
	CHECK_EQ_INT(crc32_update(0, (const uint8_t *)"a", 1), 0xe8b7be43u);
}

/* ---- inflate against zlib ---- */

struct stream_fixture {
	const char *raw;   /* raw deflate file under deflate/ */
	const char *orig;  /* what it decodes to */
};

static const struct stream_fixture streams[] = {
	{ "text_l1", "text" }, { "text_l9", "text" },
	{ "text_mem1", "text" }, { "part_huffman", "part" },
	{ "part_rle", "part" }, { "part_fixed", "part" },
	{ "part_sync", "part" }, { "random_l6", "random" },
	{ "short_l0", "short" }, { "short_l6", "short" },
	{ "empty_l6", "empty" },
};
#define NSTREAMS (sizeof(streams) / sizeof(streams[0]))

static uint8_t raw_buf[FILE_MAX];   /* compressed fixture */
static uint8_t orig_buf[FILE_MAX];  /* its original */

/* load_stream: read fixture i; sets *raw_len and *orig_len. */
static void
load_stream(size_t i, size_t *raw_len, size_t *orig_len)
{
	char path[256];

	snprintf(path, sizeof(path), FIX "deflate/%s.raw", streams[i].raw);
	*raw_len = read_file(path, raw_buf, sizeof(raw_buf));
	snprintf(path, sizeof(path), FIX "deflate/%s.bin", streams[i].orig);
	*orig_len = read_file(path, orig_buf, sizeof(orig_buf));
}

TEST(test_inflate_zlib)
{
	size_t i, rn, on, got;
	char *in, *out;
	int r;

	for (i = 0; i < NSTREAMS; i++) {
		load_stream(i, &rn, &on);
		in = guard_copy(raw_buf, rn);
		/* Roomy output. */
		got = 12345;
		r = inflate_raw((uint8_t *)in, rn, out_buf, sizeof(out_buf),
		    &got);
		CHECK_EQ_INT(r, 0);
		CHECK_EQ_INT(got, on);
		CHECK(got == on && memcmp(out_buf, orig_buf, on) == 0);
		/* Output exactly as large as needed, ending at a guard page. */
		out = guard_copy(orig_buf, on);
		memset(out, 0, on);
		r = inflate_raw((uint8_t *)in, rn, (uint8_t *)out, on, &got);
		CHECK_EQ_INT(r, 0);
		CHECK(got == on && memcmp(out, orig_buf, on) == 0);
		/* One byte short. */
		if (on > 0) {
			r = inflate_raw((uint8_t *)in, rn, (uint8_t *)out + 1,
			    on - 1, &got);
			CHECK_EQ_INT(r, ERR_LIMIT);
			CHECK(strstr(err_detail(), "LIM_ZIP_ENTRY_BYTES") != NULL);
		}
		guard_free(out, on);
		guard_free(in, rn);
	}
}

TEST(test_inflate_truncated)
{
	size_t i, rn, on, cut, got;
	char *in;
	int r, bad = 0;

	for (i = 0; i < NSTREAMS; i++) {
		load_stream(i, &rn, &on);
		for (cut = 0; cut < rn; cut++) {
			in = guard_copy(raw_buf, cut);
			r = inflate_raw((uint8_t *)in, cut, out_buf,
			    sizeof(out_buf), &got);
			if (r != ERR_INFLATE) {
				fprintf(stderr, "%s cut at %zu: %d\n",
				    streams[i].raw, cut, r);
				bad++;
			}
			guard_free(in, cut);
		}
	}
	CHECK_EQ_INT(bad, 0);
	r = inflate_raw(NULL, 0, out_buf, sizeof(out_buf), &got);
	CHECK_EQ_INT(r, ERR_INFLATE);
	CHECK(strstr(err_detail(), "truncated") != NULL);
}

TEST(test_inflate_flips)
{
	static const uint8_t masks[] = { 0x01, 0x10, 0xff };
	size_t i, rn, on, pos, got;
	uint8_t *in, save;
	int r, bad = 0, changed = 0;

	for (i = 0; i < NSTREAMS; i++) {
		load_stream(i, &rn, &on);
		in = (uint8_t *)guard_copy(raw_buf, rn);
		for (pos = 0; pos < rn; pos++) {
			save = in[pos];
			in[pos] ^= masks[pos % sizeof(masks)];
			r = inflate_raw(in, rn, out_buf, on + 64, &got);
			in[pos] = save;
			bad += !fuzz_ok(r) || got > on + 64;
			changed += r < 0 || got != on ||
			    memcmp(out_buf, orig_buf, on) != 0;
		}
		guard_free((char *)in, rn);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK(changed > 1000);
}

/* ---- streams built bit by bit ---- */

struct bitw {
	uint8_t buf[512];  /* the stream */
	size_t bits;       /* bits written */
};

/* bw_put: n bits of v, least significant first (header fields). */
static void
bw_put(struct bitw *w, unsigned v, unsigned n)
{
	while (n-- > 0) {
		if (w->bits / 8 >= sizeof(w->buf))
			abort();
		if (v & 1)
			w->buf[w->bits / 8] |= (uint8_t)(1u << (w->bits % 8));
		v >>= 1;
		w->bits++;
	}
}

/* bw_code: a Huffman code of n bits, most significant bit first. */
static void
bw_code(struct bitw *w, unsigned code, unsigned n)
{
	while (n-- > 0)
		bw_put(w, (code >> n) & 1, 1);
}

static size_t
bw_len(const struct bitw *w)
{
	return (w->bits + 7) / 8;
}

/* bw_fixed: symbol sym of the fixed literal/length code. */
static void
bw_fixed(struct bitw *w, unsigned sym)
{
	if (sym < 144)
		bw_code(w, 0x30 + sym, 8);
	else if (sym < 256)
		bw_code(w, 0x190 + sym - 144, 9);
	else if (sym < 280)
		bw_code(w, sym - 256, 7);
	else
		bw_code(w, 0xc0 + sym - 280, 8);
}

/* run: inflate w into out_buf[cap] from a guard copy; the result. */
static int
run(const struct bitw *w, size_t cap, size_t *got)
{
	size_t n = bw_len(w);
	char *in = guard_copy(w->buf, n);
	int r;

	r = inflate_raw((uint8_t *)in, n, out_buf, cap, got);
	guard_free(in, n);
	return r;
}

TEST(test_inflate_fixed_built)
{
	struct bitw w;
	size_t got, i;
	int r;

	/* 'a', then length 3 at distance 1: "aaaa". */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 1, 1);
	bw_put(&w, 1, 2);
	bw_fixed(&w, 'a');
	bw_fixed(&w, 257);
	bw_code(&w, 0, 5);
	bw_fixed(&w, 256);
	r = run(&w, 16, &got);
	CHECK_EQ_INT(r, 0);
	CHECK(got == 4 && memcmp(out_buf, "aaaa", 4) == 0);

	/* The same match with nothing before it. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	bw_fixed(&w, 257);
	bw_code(&w, 0, 5);
	bw_fixed(&w, 256);
	CHECK_EQ_INT(run(&w, 16, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "distance") != NULL);

	/* 'a', 'b', then distance 3 (one too far). */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	bw_fixed(&w, 'a');
	bw_fixed(&w, 'b');
	bw_fixed(&w, 257);
	bw_code(&w, 2, 5);
	bw_fixed(&w, 256);
	CHECK_EQ_INT(run(&w, 16, &got), ERR_INFLATE);

	/* Length symbol 286 is invalid. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	bw_fixed(&w, 'a');
	bw_fixed(&w, 286);
	bw_code(&w, 0, 5);
	bw_fixed(&w, 256);
	CHECK_EQ_INT(run(&w, 16, &got), ERR_INFLATE);

	/* Distance symbol 30 is invalid. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	bw_fixed(&w, 'a');
	bw_fixed(&w, 257);
	bw_code(&w, 30, 5);
	bw_fixed(&w, 256);
	CHECK_EQ_INT(run(&w, 16, &got), ERR_INFLATE);

	/* 'a' + length 258 (symbol 285) = 259 bytes; cap 258 is a limit. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	bw_fixed(&w, 'a');
	bw_fixed(&w, 285);
	bw_code(&w, 0, 5);
	bw_fixed(&w, 256);
	r = run(&w, 259, &got);
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(got, 259);
	for (i = 0; i < got && out_buf[i] == 'a'; i++)
		;
	CHECK_EQ_INT(i, 259);
	CHECK_EQ_INT(run(&w, 258, &got), ERR_LIMIT);

	/* Length 227 + 31 extra (symbol 284), distance 4 + 1 extra. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	for (i = 0; i < 5; i++)
		bw_fixed(&w, (unsigned)('0' + i));
	bw_fixed(&w, 284);
	bw_put(&w, 31, 5);
	bw_code(&w, 4, 5);
	bw_put(&w, 0, 1);
	bw_fixed(&w, 256);
	r = run(&w, 300, &got);
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(got, 5 + 258);
	CHECK(got == 263 && out_buf[262] == '2' && out_buf[5] == '0');

	/* Block type 3. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 7, 3);
	CHECK_EQ_INT(run(&w, 16, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "type") != NULL);

	/* Fixed, stored (padding bits set) and fixed blocks. */
	memset(&w, 0, sizeof(w));
	bw_put(&w, 2, 3);
	bw_fixed(&w, 'x');
	bw_fixed(&w, 256);
	bw_put(&w, 0, 3);
	while (w.bits % 8 != 0)
		bw_put(&w, 1, 1);  /* padding bits must be ignored */
	bw_put(&w, 1, 16);
	bw_put(&w, 0xfffe, 16);
	bw_put(&w, 'y', 8);
	bw_put(&w, 3, 3);
	bw_fixed(&w, 'z');
	bw_fixed(&w, 256);
	r = run(&w, 16, &got);
	CHECK_EQ_INT(r, 0);
	CHECK(got == 3 && memcmp(out_buf, "xyz", 3) == 0);
}

TEST(test_inflate_stored_built)
{
	static const uint8_t ok[] = { 0xf9, 2, 0, 0xfd, 0xff, 'h', 'i' };
	static const uint8_t nlen[] = { 1, 2, 0, 0xfd, 0xfe, 'h', 'i' };
	static const uint8_t shrt[] = { 1, 3, 0, 0xfc, 0xff, 'h', 'i' };
	static const uint8_t hdr[] = { 1, 2, 0, 0xfd };
	size_t got;
	char *in;

	in = guard_copy(ok, sizeof(ok));
	CHECK_EQ_INT(inflate_raw((uint8_t *)in, sizeof(ok), out_buf, 2, &got),
	    0);
	CHECK(got == 2 && memcmp(out_buf, "hi", 2) == 0);
	CHECK_EQ_INT(inflate_raw((uint8_t *)in, sizeof(ok), out_buf, 1, &got),
	    ERR_LIMIT);
	guard_free(in, sizeof(ok));
	in = guard_copy(nlen, sizeof(nlen));
	CHECK_EQ_INT(inflate_raw((uint8_t *)in, sizeof(nlen), out_buf, 9,
	    &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "complement") != NULL);
	guard_free(in, sizeof(nlen));
	in = guard_copy(shrt, sizeof(shrt));
	CHECK_EQ_INT(inflate_raw((uint8_t *)in, sizeof(shrt), out_buf, 9,
	    &got), ERR_INFLATE);
	guard_free(in, sizeof(shrt));
	in = guard_copy(hdr, sizeof(hdr));
	CHECK_EQ_INT(inflate_raw((uint8_t *)in, sizeof(hdr), out_buf, 9,
	    &got), ERR_INFLATE);
	guard_free(in, sizeof(hdr));
}

/* A stored block of 30000 bytes, then a fixed block copying 3 bytes
 * from distance 29237 (symbol 29, 13 extra bits 0x1234). */
TEST(test_inflate_far_distance)
{
	static uint8_t in[30000 + 64];
	struct bitw w;
	size_t i, n, got;
	char *p;
	int r;

	in[0] = 0;
	put16(in + 1, 30000);
	put16(in + 3, 30000 ^ 0xffff);
	for (i = 0; i < 30000; i++)
		in[5 + i] = (uint8_t)(i * 7 % 251);
	memset(&w, 0, sizeof(w));
	bw_put(&w, 3, 3);
	bw_fixed(&w, 257);
	bw_code(&w, 29, 5);
	bw_put(&w, 0x1234, 13);
	bw_fixed(&w, 256);
	memcpy(in + 30005, w.buf, bw_len(&w));
	n = 30005 + bw_len(&w);
	p = guard_copy(in, n);
	r = inflate_raw((uint8_t *)p, n, out_buf, sizeof(out_buf), &got);
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(got, 30003);
	for (i = 0; i < 3; i++)
		CHECK_EQ_INT(out_buf[30000 + i],
		    (30000 - 29237 + i) * 7 % 251);
	guard_free(p, n);
}

/* canon: canonical codes (RFC 1951 3.2.2) of lens[n] into codes[]. */
static void
canon(const uint8_t *lens, int n, unsigned *codes)
{
	unsigned count[16] = { 0 }, next[16];
	unsigned code = 0;
	int i;

	for (i = 0; i < n; i++)
		count[lens[i]]++;
	count[0] = 0;
	for (i = 1; i < 16; i++) {
		code = (code + count[i - 1]) << 1;
		next[i] = code;
	}
	for (i = 0; i < n; i++)
		if (lens[i] != 0)
			codes[i] = next[lens[i]]++;
}

static const uint8_t clen_order[19] = {
	16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
};

struct dyn {
	int nlen, ndist;         /* 257..288, 1..32 as sent */
	uint8_t clen[19];        /* code length code lengths, by symbol */
	uint8_t lens[320];       /* literal/length then distance lengths */
	unsigned clen_code[19];  /* canonical codes of clen */
	unsigned code[320];      /* canonical codes of lens */
};

/* dyn_init: a complete code length code; all lengths zero. */
static void
dyn_init(struct dyn *d, int nlen, int ndist)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->nlen = nlen;
	d->ndist = ndist;
	for (i = 0; i < 19; i++)
		d->clen[i] = i < 13 ? 4 : 5;  /* 13/16 + 6/32 = 1 */
}

/* dyn_head: block header and the code length code. */
static void
dyn_head(struct bitw *w, struct dyn *d)
{
	int i;

	memset(w, 0, sizeof(*w));
	bw_put(w, 1, 1);
	bw_put(w, 2, 2);
	bw_put(w, (unsigned)(d->nlen - 257), 5);
	bw_put(w, (unsigned)(d->ndist - 1), 5);
	bw_put(w, 15, 4);
	for (i = 0; i < 19; i++)
		bw_put(w, d->clen[clen_order[i]], 3);
	canon(d->clen, 19, d->clen_code);
}

/* dyn_sym: one code length symbol with its extra bits. */
static void
dyn_sym(struct bitw *w, const struct dyn *d, int sym, unsigned extra)
{
	static const uint8_t nextra[3] = { 2, 3, 7 };

	bw_code(w, d->clen_code[sym], d->clen[sym]);
	if (sym >= 16)
		bw_put(w, extra, nextra[sym - 16]);
}

/* dyn_lens: send d->lens, zero runs as symbol 18 or 17. */
static void
dyn_lens(struct bitw *w, struct dyn *d)
{
	int i = 0, n = d->nlen + d->ndist, run;

	while (i < n) {
		for (run = 0; i + run < n && d->lens[i + run] == 0 &&
		    run < 138; run++)
			;
		if (run >= 11) {
			dyn_sym(w, d, 18, (unsigned)(run - 11));
		} else if (run >= 3) {
			dyn_sym(w, d, 17, (unsigned)(run - 3));
		} else {
			dyn_sym(w, d, d->lens[i], 0);
			run = 1;
		}
		i += run;
	}
	canon(d->lens, d->nlen, d->code);
	canon(d->lens + d->nlen, d->ndist, d->code + d->nlen);
}

static void
dyn_lit(struct bitw *w, const struct dyn *d, int sym)
{
	bw_code(w, d->code[sym], d->lens[sym]);
}

static void
dyn_dist(struct bitw *w, const struct dyn *d, int sym)
{
	bw_code(w, d->code[d->nlen + sym], d->lens[d->nlen + sym]);
}

/* dyn_aaaa: 'a', length 3 distance 1, end: "aaaa" if the codes allow. */
static int
dyn_aaaa(struct dyn *d, size_t *got)
{
	struct bitw w;

	dyn_head(&w, d);
	dyn_lens(&w, d);
	dyn_lit(&w, d, 'a');
	dyn_lit(&w, d, 257);
	dyn_dist(&w, d, 0);
	dyn_lit(&w, d, 256);
	return run(&w, 64, got);
}

/* dyn_good: 'a' 1 bit, 256 and 257 2 bits, one 1-bit distance code. */
static void
dyn_good(struct dyn *d)
{
	dyn_init(d, 258, 1);
	d->lens['a'] = 1;
	d->lens[256] = 2;
	d->lens[257] = 2;
	d->lens[258] = 1;
}

TEST(test_inflate_dynamic_built)
{
	struct dyn d;
	struct bitw w;
	size_t got;
	int i;

	dyn_good(&d);
	CHECK_EQ_INT(dyn_aaaa(&d, &got), 0);
	CHECK(got == 4 && memcmp(out_buf, "aaaa", 4) == 0);

	/* Two distance codes of one bit: complete, also fine. */
	dyn_good(&d);
	d.ndist = 2;
	d.lens[259] = 1;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), 0);
	CHECK_EQ_INT(got, 4);

	/* Incomplete distance code with two codes. */
	dyn_good(&d);
	d.ndist = 2;
	d.lens[259] = 2;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "incomplete") != NULL);

	/* No distance code: literals only are fine, a match is not. */
	dyn_good(&d);
	d.lens[258] = 0;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
	dyn_head(&w, &d);
	dyn_lens(&w, &d);
	dyn_lit(&w, &d, 'a');
	dyn_lit(&w, &d, 256);
	CHECK_EQ_INT(run(&w, 64, &got), 0);
	CHECK(got == 1 && out_buf[0] == 'a');

	/* Over-subscribed literal/length code. */
	dyn_good(&d);
	d.lens[256] = 1;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "over-subscribed") != NULL);

	/* Incomplete literal/length code. */
	dyn_good(&d);
	d.lens[257] = 3;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "incomplete") != NULL);

	/* No end-of-block code. */
	dyn_good(&d);
	d.lens[256] = 0;
	d.lens[257] = 1;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "end-of-block") != NULL);

	/* Over-subscribed code length code. */
	dyn_good(&d);
	memset(d.clen, 1, sizeof(d.clen));
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);

	/* Incomplete code length code (one code), as zlib rejects. */
	dyn_good(&d);
	memset(d.clen, 0, sizeof(d.clen));
	d.clen[0] = 1;
	dyn_head(&w, &d);
	for (i = 0; i < 40; i++)
		bw_put(&w, 0, 8);
	CHECK_EQ_INT(run(&w, 64, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "code length code") != NULL);

	/* Repeat (16) with no previous length. */
	dyn_good(&d);
	dyn_head(&w, &d);
	dyn_sym(&w, &d, 16, 0);
	CHECK_EQ_INT(run(&w, 64, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "previous") != NULL);

	/* A zero run (18) past the last length. */
	dyn_good(&d);
	dyn_head(&w, &d);
	dyn_sym(&w, &d, 18, 127);
	dyn_sym(&w, &d, 18, 127);
	CHECK_EQ_INT(run(&w, 64, &got), ERR_INFLATE);
	CHECK(strstr(err_detail(), "too many code lengths") != NULL);

	/* HLIT of 287 and HDIST of 31 are refused. */
	dyn_good(&d);
	d.nlen = 287;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
	dyn_good(&d);
	d.ndist = 31;
	CHECK_EQ_INT(dyn_aaaa(&d, &got), ERR_INFLATE);
}

int
main(void)
{
	RUN(test_crc32);
	RUN(test_inflate_zlib);
	RUN(test_inflate_truncated);
	RUN(test_inflate_flips);
	RUN(test_inflate_fixed_built);
	RUN(test_inflate_stored_built);
	RUN(test_inflate_far_distance);
	RUN(test_inflate_dynamic_built);
	return test_done();
}
