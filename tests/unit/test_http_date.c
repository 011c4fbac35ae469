/*
 * test_http_date.c: unit tests of src/proto/http_date.c: HTTP dates in
 * their three forms and Retry-After, each input also cut at every
 * length, placed to end at a guard page.
 */
#include "base/errors.h"
#include "base/str.h"
#include "proto/http_parse.h"

#include <stdint.h>
#include <string.h>

#include "test.h"

/* retry: http_retry_after on a guarded copy; every prefix must not crash. */
static int
retry(const char *s, int64_t now, uint32_t *sec)
{
	size_t n = strlen(s), k;
	uint32_t ignored;
	char *g;
	int rc;

	for (k = 0; k < n; k++) {
		g = guard_copy(s, k);
		(void)http_retry_after((struct slice){ g, k }, now, &ignored);
		guard_free(g, k);
	}
	g = guard_copy(s, n);
	rc = http_retry_after((struct slice){ g, n }, now, sec);
	guard_free(g, n);
	return rc;
}

TEST(test_retry_after)
{
	static const char *dates[] = {
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
	};
	const int64_t t1994 = 784111777;
	uint32_t s;
	size_t i;

	CHECK_EQ_INT(retry("120", 0, &s), 0);
	CHECK_EQ_INT(s, 120);
	CHECK_EQ_INT(retry(" 5 ", 0, &s), 0);
	CHECK_EQ_INT(s, 5);
	CHECK_EQ_INT(retry("0", 0, &s), 0);
	CHECK_EQ_INT(s, 0);
	CHECK_EQ_INT(retry("99999999999999999999999", 0, &s), 0);
	CHECK(s == UINT32_MAX);
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		CHECK_EQ_INT(retry(dates[i], t1994 - 100, &s), 0);
		CHECK_EQ_INT(s, 100);
		CHECK_EQ_INT(retry(dates[i], t1994 + 5, &s), 0);
		CHECK_EQ_INT(s, 0);
	}
	CHECK_EQ_INT(retry("Thursday, 01-Jan-37 00:00:00 GMT", 2114380800 - 7,
	    &s), 0);
	CHECK_EQ_INT(s, 7);
	CHECK_EQ_INT(retry("Thu, 29 Feb 2024 12:00:00 GMT", 1709208000 - 60,
	    &s), 0);
	CHECK_EQ_INT(s, 60);
	CHECK_EQ_INT(retry("Wed, 01 Mar 2000 00:00:00 GMT", 951868800 - 1,
	    &s), 0);
	CHECK_EQ_INT(s, 1);
	CHECK_EQ_INT(retry("Sat Dec 31 23:59:60 2016", 1483228799, &s), 0);
	CHECK_EQ_INT(s, 1);
	CHECK_EQ_INT(retry("Fri, 31 Dec 9999 23:59:59 GMT", 0, &s), 0);
	CHECK(s == UINT32_MAX);
}

/* http_date: a Date header's time; digits alone are not a date. */
TEST(test_http_date)
{
	static const char *bad[] = {
		"", "120", "Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37 GMT ", " Sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 31 Feb 1994 08:49:37", "Mon, 06 Nov 1994",
	};
	int64_t t;
	size_t i;

	CHECK_EQ_INT(http_date(slice_of("Sun, 06 Nov 1994 08:49:37 GMT"), &t), 0);
	CHECK(t == 784111777);
	CHECK_EQ_INT(http_date(slice_of("Sunday, 06-Nov-94 08:49:37 GMT"), &t), 0);
	CHECK(t == 784111777);
	CHECK_EQ_INT(http_date(slice_of("Sun Nov  6 08:49:37 1994"), &t), 0);
	CHECK(t == 784111777);
	CHECK_EQ_INT(http_date(slice_of("Thu, 01 Jan 1970 00:00:00 GMT"), &t), 0);
	CHECK(t == 0);
	/* Past 2038 and 2106: no 32-bit wrap. */
	CHECK_EQ_INT(http_date(slice_of("Mon, 01 Jan 2107 00:00:00 GMT"), &t), 0);
	CHECK(t == 4323283200LL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(http_date(slice_of(bad[i]), &t), -1);
}

TEST(test_retry_after_bad)
{
	static const char *bad[] = {
		"", "  ", "abc", "-5", "1.5", "5s",
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Foo 1994 08:49:37 GMT",
		"Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:00 GMT",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMTX",
		"Sun, 06 nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994",
		"Sun Nov  6 08:49 1994",
		"Su, 06 Nov 1994 08:49:37 GMT",
	};
	uint32_t s;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear();
		CHECK_EQ_INT(retry(bad[i], 0, &s), ERR_HTTP_MALFORMED);
		CHECK_EQ_INT(err_code_last(), ERR_HTTP_MALFORMED);
		CHECK(strstr(err_detail(), "Retry-After") != NULL);
	}
}

int
main(void)
{
	RUN(test_retry_after);
	RUN(test_retry_after_bad);
	RUN(test_http_date);
	return test_done();
}
