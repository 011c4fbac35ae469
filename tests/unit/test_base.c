/*
 * test_base.c: unit tests for the base layer: bounded strings (str.h)
 * and the error table (errors.h).
 */
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"
#include "test.h"

#include <stdint.h>
#include <string.h>

TEST(test_sbuf_fits_and_overflows)
{
	char buf[8];
	struct sbuf b;

	sbuf_init(&b, buf, sizeof(buf));
	sbuf_add(&b, "abc");
	sbuf_addc(&b, 'd');
	sbuf_add_u64(&b, 123);
	CHECK_STR(buf, "abcd123");
	CHECK_EQ_INT(b.len, 7);
	CHECK_EQ_INT(sbuf_ok(&b, "test"), 0);
	sbuf_addc(&b, 'x');           /* the NUL needs the last byte */
	CHECK(b.overflow);
	CHECK_STR(buf, "abcd123");    /* nothing half-written */
	CHECK_EQ_INT(sbuf_ok(&b, "test"), ERR_LIMIT);
	CHECK(strstr(err_detail(), "test") != NULL);
	sbuf_init(&b, buf, sizeof(buf));
	sbuf_addf(&b, "%d-%s", 42, "toolong");
	CHECK(b.overflow);
	CHECK_STR(buf, "");
	sbuf_init(&b, buf, sizeof(buf));
	sbuf_addf(&b, "%d", 1234567);
	CHECK(!b.overflow);
	CHECK_STR(buf, "1234567");
}

TEST(test_sbuf_u64_limits)
{
	char buf[32];
	struct sbuf b;

	sbuf_init(&b, buf, sizeof(buf));
	sbuf_add_u64(&b, 0);
	sbuf_addc(&b, ' ');
	sbuf_add_u64(&b, UINT64_MAX);
	CHECK_STR(buf, "0 18446744073709551615");
}

TEST(test_slices)
{
	struct slice s = slice_of("  Content-Length \t");
	char out[16];

	CHECK(slice_eq(slice_trim(s), "Content-Length"));
	CHECK(slice_eq_nocase(slice_trim(s), "content-length"));
	CHECK(!slice_eq_nocase(slice_trim(s), "content-lengt"));
	CHECK(slice_starts(slice_trim(s), "Content"));
	CHECK(!slice_starts(SLICE_LIT("Co"), "Content"));
	CHECK_EQ_INT(slice_copy(out, sizeof(out), slice_trim(s), "x"), 0);
	CHECK_STR(out, "Content-Length");
	CHECK_EQ_INT(slice_copy(out, 4, slice_trim(s), "header"), ERR_LIMIT);
	CHECK_STR(out, "");
	CHECK(strstr(err_detail(), "header") != NULL);
	CHECK_EQ_INT(str_copy(out, 4, "abc", "x"), 0);
	CHECK_EQ_INT(str_copy(out, 3, "abc", "x"), ERR_LIMIT);
	CHECK(slice_eq(slice_of(NULL), ""));
}

TEST(test_parse_numbers)
{
	const char *s = "1234x", *p = s;
	uint64_t v = 7;

	CHECK_EQ_INT(parse_u64(&p, s + 5, 10000, &v), 0);
	CHECK_EQ_INT(v, 1234);
	CHECK(p == s + 4);
	p = s;
	CHECK_EQ_INT(parse_u64(&p, s + 5, 1000, &v), ERR_RANGE);
	CHECK(p == s);                 /* not advanced on failure */
	p = s + 4;
	CHECK_EQ_INT(parse_u64(&p, s + 5, 1000, &v), ERR_RANGE);
	/* The end bound is honoured: only "12" is visible. */
	p = s;
	CHECK_EQ_INT(parse_u64(&p, s + 2, 1000, &v), 0);
	CHECK_EQ_INT(v, 12);
	p = "18446744073709551615";
	CHECK_EQ_INT(parse_u64(&p, p + 20, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	p = "18446744073709551616";
	CHECK_EQ_INT(parse_u64(&p, p + 20, UINT64_MAX, &v), ERR_RANGE);
	p = "7";
	CHECK_EQ_INT(parse_u64(&p, p + 1, 5, &v), ERR_RANGE);
	p = "fF0";
	CHECK_EQ_INT(parse_hex(&p, p + 3, 0xfff, &v), 0);
	CHECK_EQ_INT(v, 0xff0);
	p = "1000";
	CHECK_EQ_INT(parse_hex(&p, p + 4, 0xfff, &v), ERR_RANGE);
	CHECK_EQ_INT(str_to_u64("300", 300, &v), 0);
	CHECK_EQ_INT(str_to_u64("301", 300, &v), ERR_RANGE);
	CHECK_EQ_INT(str_to_u64("", 300, &v), ERR_RANGE);
	CHECK_EQ_INT(str_to_u64("3 ", 300, &v), ERR_RANGE);
	CHECK_EQ_INT(str_to_u64("-3", 300, &v), ERR_RANGE);
}

TEST(test_error_table)
{
	CHECK_EQ_INT(err_exit_status(0), EXIT_OK);
	CHECK_EQ_INT(err_exit_status(ERR_USAGE), EXIT_USAGE);
	CHECK_EQ_INT(err_exit_status(ERR_AUTH), EXIT_AUTH);
	CHECK_EQ_INT(err_exit_status(ERR_AUTH_EXPIRED), EXIT_AUTH);
	CHECK_EQ_INT(err_exit_status(ERR_NET_DNS), EXIT_NET);
	CHECK_EQ_INT(err_exit_status(ERR_NET_TIMEOUT), EXIT_NET);
	CHECK_EQ_INT(err_exit_status(ERR_TLS_CERT_HOST), EXIT_NET);
	CHECK_EQ_INT(err_exit_status(ERR_HTTP_STATUS), EXIT_FAIL);
	CHECK_EQ_INT(err_exit_status(ERR_STORE), EXIT_FAIL);
	CHECK_EQ_INT(err_exit_status(-9999), EXIT_FAIL);  /* unknown code */
	CHECK_STR(err_message(ERR_NET_REFUSED), "connection refused");
	CHECK(strstr(err_message(ERR_TLS_NO_CA), "SSL_CERT_FILE") != NULL);
	CHECK(err_message(-9999) != NULL);
	/* The texts are one string walked by row: the first, the last, the
	 * fallback, and the largest exit status in a row's byte. */
	CHECK_STR(err_message(ERR_OK), "success");
	CHECK_STR(err_message(-9999), "failed");
	CHECK_STR(err_message(ERR_ZIP_MISSING), "file not found in zip");
	CHECK_STR(err_message(ERR_NET_TIMEOUT), "timed out");
	CHECK_EQ_INT(err_exit_status(ERR_INTERRUPTED), EXIT_INTR);
	CHECK_EQ_INT(err_exit_status(ERR_WAIT_TIMEOUT), EXIT_WAIT);
	CHECK_EQ_INT(err_exit_status(ERR_NET_URL), EXIT_USAGE);
	CHECK_EQ_INT(err_set(ERR_NET_DNS, "host %s", "x.example"), ERR_NET_DNS);
	CHECK_STR(err_detail(), "host x.example");
	CHECK_EQ_INT(err_code_last(), ERR_NET_DNS);
	CHECK_EQ_INT(err_limit("body", "LIM_HTTP_BODY_BYTES", 5), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_HTTP_BODY_BYTES") != NULL);
	err_clear();
	CHECK_STR(err_detail(), "");
}

TEST(test_mem_wipe)
{
	char secret[16] = "FAKE-SECRET";

	mem_wipe(secret, sizeof(secret));
	CHECK(secret[0] == 0 && secret[10] == 0 && secret[15] == 0);
}

int
main(void)
{
	RUN(test_sbuf_fits_and_overflows);
	RUN(test_sbuf_u64_limits);
	RUN(test_slices);
	RUN(test_parse_numbers);
	RUN(test_error_table);
	RUN(test_mem_wipe);
	return test_done();
}
