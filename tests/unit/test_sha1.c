/*
 * test_sha1.c: SHA-1 through mbedTLS's public API, which since
 * MBEDTLS_SHA1_PROCESS_ALT runs our block function
 * (third_party/sha1_small.c).  FIPS 180 vectors, odd lengths around the
 * block and padding boundaries, and incremental updates split at every
 * offset.  The reference digests were computed with Python's hashlib.
 */
#include "test.h"

#include <mbedtls/sha1.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* hex: the 20-byte digest as 40 lowercase hex digits in out[41]. */
static void
hex(const unsigned char d[20], char out[41])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 20; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[40] = '\0';
}

/* sha1_hex: mbedtls_sha1() of p[0..n) in hex; "error" if it fails. */
static const char *
sha1_hex(const void *p, size_t n, char out[41])
{
	unsigned char d[20];

	if (mbedtls_sha1(p, n, d) != 0)
		return "error";
	hex(d, out);
	return out;
}

/* The test message of n bytes: byte i is (7i + 3) mod 256. */
static void
fill(unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
}

TEST(test_fips180_vectors)
{
	static const char abc56[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static unsigned char million[1000000];
	char h[41];

	CHECK_STR(sha1_hex("abc", 3, h),
	    "a9993e364706816aba3e25717850c26c9cd0d89d");
	CHECK_EQ_INT(strlen(abc56), 56);
	CHECK_STR(sha1_hex(abc56, strlen(abc56), h),
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	memset(million, 'a', sizeof(million));
	CHECK_STR(sha1_hex(million, sizeof(million), h),
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	CHECK_STR(sha1_hex("", 0, h),
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(test_odd_lengths)
{
	/* python3: hashlib.sha1(bytes((i*7+3)&0xff for i in range(n))) */
	static const struct {
		size_t n;
		const char *digest;
	} v[] = {
		{ 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ 1, "9842926af7ca0a8cca12604f945414f07b01e13d" },
		{ 3, "4201de9f98cb0a9b8cf52398be7802b55d45266a" },
		{ 55, "ddf57317ef34bfee3b6df83d359098930eb278bc" },
		{ 56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369" },
		{ 63, "c55856749bef509bdfe6bfebfc7bf4e793e82132" },
		{ 64, "bede92be29c3874e1b54ddc77988d606fc857a8e" },
		{ 65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f" },
		{ 111, "4a01b1272627e5be00f57bc3c3029c23a452e629" },
		{ 119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23" },
		{ 127, "34d5e582029e9b9b85b2febe31da3db7cdabaaea" },
		{ 128, "a09133e6730ffe899efb70204cb5646cd5dc24ee" },
		{ 129, "808aea332ce367541d37adae7f94e59c5c1a934e" },
		{ 130, "6e95f38fbdd38454ab4370ca87d628b526515950" },
		{ 200, "892b673ca3c696ab13ab8aab3cf3abfbc3aaeb3b" },
	};
	unsigned char buf[200];
	char h[41];
	size_t i;

	fill(buf, sizeof(buf));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		/* guard_copy: a read past the message crashes the test */
		char *p = guard_copy(buf, v[i].n);

		CHECK_STR(sha1_hex(p, v[i].n, h), v[i].digest);
		guard_free(p, v[i].n);
	}
}

/* One message in two updates split at every offset, then byte by byte. */
TEST(test_incremental)
{
	static const char want[] = "6e95f38fbdd38454ab4370ca87d628b526515950";
	unsigned char buf[130], d[20];
	mbedtls_sha1_context ctx;
	char h[41];
	size_t k, bad = 0;

	fill(buf, sizeof(buf));
	for (k = 0; k <= sizeof(buf); k++) {
		mbedtls_sha1_init(&ctx);
		if (mbedtls_sha1_starts(&ctx) != 0 ||
		    mbedtls_sha1_update(&ctx, buf, k) != 0 ||
		    mbedtls_sha1_update(&ctx, buf + k, sizeof(buf) - k) != 0 ||
		    mbedtls_sha1_finish(&ctx, d) != 0)
			memset(d, 0, sizeof(d));
		mbedtls_sha1_free(&ctx);
		hex(d, h);
		if (strcmp(h, want) != 0) {
			fprintf(stderr, "split at %zu: %s\n", k, h);
			bad++;
		}
	}
	CHECK_EQ_INT(bad, 0);
	mbedtls_sha1_init(&ctx);
	CHECK_EQ_INT(mbedtls_sha1_starts(&ctx), 0);
	for (k = 0; k < sizeof(buf); k++)
		CHECK_EQ_INT(mbedtls_sha1_update(&ctx, buf + k, 1), 0);
	CHECK_EQ_INT(mbedtls_sha1_finish(&ctx, d), 0);
	mbedtls_sha1_free(&ctx);
	hex(d, h);
	CHECK_STR(h, want);
}

int
main(void)
{
	RUN(test_fips180_vectors);
	RUN(test_odd_lengths);
	RUN(test_incremental);
	return test_done();
}
