/*
 * sha1_small.c: a compact SHA-1 block function for mbedTLS.
 *
 * mbedtls_config.h defines MBEDTLS_SHA1_PROCESS_ALT, so mbedTLS's
 * library/sha1.c keeps its init/update/finish code but leaves the block
 * function to us.  Its own is fully unrolled (about 4 KB); this one is
 * the FIPS 180-4 section 6.1.2 computation as one loop of 80 rounds over
 * a 16-word rolling message schedule.  SHA-1 only hashes certificates
 * (old roots and intermediates signed with it), so speed does not matter.
 *
 * The object goes into libmbedtls.a (see the Makefile), so that every
 * program that links mbedTLS gets it.
 */
#include <mbedtls/platform_util.h>
#include <mbedtls/sha1.h>

#include <stdint.h>

#define ROL(x, n) ((uint32_t)((x) << (n)) | ((x) >> (32 - (n))))

int
mbedtls_internal_sha1_process(mbedtls_sha1_context *ctx,
    const unsigned char data[64])
{
	uint32_t *h = ctx->MBEDTLS_PRIVATE(state);
	uint32_t w[16], a, b, c, d, e, f, k, t;
	unsigned i;

	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 16) {
			w[i] = (uint32_t)data[4 * i] << 24 |
			    (uint32_t)data[4 * i + 1] << 16 |
			    (uint32_t)data[4 * i + 2] << 8 |
			    (uint32_t)data[4 * i + 3];
		} else {
			/* W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) */
			t = w[(i + 13) & 15] ^ w[(i + 8) & 15] ^
			    w[(i + 2) & 15] ^ w[i & 15];
			w[i & 15] = ROL(t, 1);
		}
		if (i < 20) {
			f = (b & c) | (~b & d);             /* Ch */
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;                      /* Parity */
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);    /* Maj */
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;                      /* Parity */
			k = 0xCA62C1D6;
		}
		t = ROL(a, 5) + f + e + k + w[i & 15];
		e = d;
		d = c;
		c = ROL(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	/* As mbedTLS's own block function does. */
	mbedtls_platform_zeroize(w, sizeof(w));
	return 0;
}
