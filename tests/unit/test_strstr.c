/*
 * test_strstr.c: the strstr of src/base/strstr.c, compiled here with
 * IKSCTL_STRSTR_TEST as own_strstr, against the C library's strstr: the
 * needles iksctl searches for, edge cases, and 20 000 random haystacks
 * and needles over a small alphabet (so that partial matches are many).
 */
#define IKSCTL_STRSTR_TEST 1
#include "base/strstr.c"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* same: own_strstr(h, n) finds what strstr finds (the same place). */
static int
same(const char *h, const char *n)
{
	return own_strstr(h, n) == strstr(h, n);
}

TEST(test_cases)
{
	static const char pem[] = "junk\n-----BEGIN CERT\n-----BEGIN CERTIFICATE-----\nMII";
	static const char *const c[][2] = {
		{ "", "" }, { "abc", "" }, { "", "a" }, { "a", "a" },
		{ "abc", "c" }, { "abc", "abcd" }, { "aaab", "aab" },
		{ "https://x", "://" }, { "a: b\r\nc: d\r\n", "\r\n" },
		{ "1.30.4_1532 (pending)", "pending" }, { "pendin", "pending" },
		{ "x; y; z", "; " }, { "ababababc", "ababc" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK(same(c[i][0], c[i][1]));
	CHECK(own_strstr(pem, "-----BEGIN CERTIFICATE-----") == pem + 21);
	CHECK(own_strstr(pem, "-----END CERTIFICATE-----") == NULL);
	CHECK(own_strstr(pem, "") == pem);
}

TEST(test_random)
{
	char h[64], n[6];
	int i, k, hl, nl, bad = 0;

	srand(16);
	for (i = 0; i < 20000; i++) {
		hl = rand() % 63;
		nl = rand() % 6;
		for (k = 0; k < hl; k++)
			h[k] = "ab\r\n"[rand() % 4];
		h[hl] = '\0';
		for (k = 0; k < nl; k++)
			n[k] = "ab\r\n"[rand() % 4];
		n[nl] = '\0';
		bad += !same(h, n);
	}
	CHECK_EQ_INT(bad, 0);
}

int
main(void)
{
	RUN(test_cases);
	RUN(test_random);
	return test_done();
}
