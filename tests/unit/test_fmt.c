/*
 * test_fmt.c: the small formatter (fmt_vsnprintf) against the outputs
 * C's printf gives, written out literally so the test means the same on
 * every target (where snprintf may be fmt.c itself), and the UTC date
 * conversion against known dates.
 */
#include "base/fmt.h"
#include "test.h"

#include <limits.h>
#include <stdint.h>

static char out[256];

static const char *
f(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)fmt_vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	return out;
}

static int
f_cap(char *b, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(b, cap, fmt, ap);
	va_end(ap);
	return n;
}

TEST(test_integers)
{
	CHECK_STR(f("%d|%i|%u", -42, 7, 3000000000u), "-42|7|3000000000");
	CHECK_STR(f("%5d|%-5d|%05d", 42, 42, -42), "   42|42   |-0042");
	CHECK_STR(f("%+d|% d|%.3d|%.0d", 5, 5, 7, 0), "+5| 5|007|");
	CHECK_STR(f("%x|%X|%#x|%04x|%o", 255, 255, 255, 10, 8),
	    "ff|FF|0xff|000a|10");
	CHECK_STR(f("%lld|%llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX),
	    "-9223372036854775808|18446744073709551615");
	CHECK_STR(f("%zu|%ld|%hd|%hhu", (size_t)123, -5L, (short)-3,
	    (unsigned char)250), "123|-5|-3|250");
	CHECK_STR(f("%d", INT_MIN), "-2147483648");
	CHECK_STR(f("%jd|%td", (intmax_t)-1, (ptrdiff_t)9), "-1|9");
	CHECK_STR(f("-0x%04x", 0x7780), "-0x7780");
}

TEST(test_strings)
{
	CHECK_STR(f("%s|%-6s|%6s", "ab", "ab", "ab"), "ab|ab    |    ab");
	CHECK_STR(f("%.*s|%.2s", 3, "abcdef", "xyz"), "abc|xy");
	CHECK_STR(f("%*d|%-*d|", 4, 1, 3, 2), "   1|2  |");
	CHECK_STR(f("%c%c|%%|%s", 'o', 'k', (char *)NULL), "ok|%|(null)");
	CHECK_STR(f("%q"), "%q");
}

TEST(test_precision_stops_reading)
{
	/* %.*s of bytes that end at a guard page: no byte past n is read. */
	char *p = guard_copy("abc", 3);

	CHECK_STR(f("[%.*s]", 3, p), "[abc]");
	CHECK_STR(f("[%.2s]", p), "[ab]");
	guard_free(p, 3);
}

TEST(test_truncation)
{
	char small[5];
	int n;

	n = f_cap(small, sizeof(small), "%s", "abcdefgh");
	CHECK_EQ_INT(n, 8);
	CHECK_STR(small, "abcd");
	small[0] = 'z';
	CHECK_EQ_INT(f_cap(small, 0, "%s", "xy"), 2);
	CHECK(small[0] == 'z');       /* cap 0: nothing written */
	CHECK_EQ_INT(f_cap(small, 1, "%s", "xy"), 2);
	CHECK_STR(small, "");
	n = f_cap(small, sizeof(small), "%d", 1234);
	CHECK_EQ_INT(n, 4);
	CHECK_STR(small, "1234");
}

TEST(test_dates)
{
	char buf[32];
	struct tm tm;

	CHECK_STR(fmt_rfc3339(0, buf, sizeof(buf)), "");
	CHECK_STR(fmt_rfc3339(1, buf, sizeof(buf)), "1970-01-01T00:00:01Z");
	CHECK_STR(fmt_rfc3339(951782400, buf, sizeof(buf)), "2000-02-29T00:00:00Z");
	CHECK_STR(fmt_rfc3339(1604608674, buf, sizeof(buf)), "2020-11-05T20:37:54Z");
	CHECK_STR(fmt_rfc3339(4102444799LL, buf, sizeof(buf)), "2099-12-31T23:59:59Z");
	CHECK_STR(fmt_rfc3339(1604608674, buf, 20), "");   /* too small */
	fmt_utc(1709164800, &tm);   /* 2024-02-29, a Thursday */
	CHECK_EQ_INT(tm.tm_year, 124);
	CHECK_EQ_INT(tm.tm_mon, 1);
	CHECK_EQ_INT(tm.tm_mday, 29);
	CHECK_EQ_INT(tm.tm_wday, 4);
	CHECK_EQ_INT(tm.tm_yday, 59);
	fmt_utc(-1, &tm);           /* 1969-12-31T23:59:59 */
	CHECK_EQ_INT(tm.tm_year, 69);
	CHECK_EQ_INT(tm.tm_mday, 31);
	CHECK_EQ_INT(tm.tm_hour, 23);
}

/* fmt_parse_time: the time forms the services write (createdDate). */
TEST(test_parse_time)
{
	static const struct { const char *s; int64_t t; } good[] = {
		{ "2026-12-01T09:20:11+0000", 1796116811 },
		{ "2026-12-01T09:20:11Z", 1796116811 },
		{ "2026-12-01T09:20:11", 1796116811 },
		{ "2026-12-01 09:20:11", 1796116811 },
		{ "2026-12-01T09:20:11.123456Z", 1796116811 },
		{ "2026-12-01T10:20:11+01:00", 1796116811 },
		{ "2026-12-01T04:20:11-0500", 1796116811 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T23:59:60Z", 1709251200 },
	};
	static const char *const bad[] = { "", "2026-12-01", "2026-13-01T00:00:00Z",
	    "2026-12-32T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T09:20:11+00",
	    "2026-12-01T09:20:11 junk", "26-12-01T09:20:11Z", "2026/12/01T09:20:11Z",
	    NULL };
	int64_t t;
	size_t k;

	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		t = -1;
		CHECK_EQ_INT(fmt_parse_time(good[k].s, &t), 0);
		CHECK_EQ_INT(t, good[k].t);
	}
	for (k = 0; bad[k] != NULL; k++)
		CHECK_EQ_INT(fmt_parse_time(bad[k], &t), -1);
}

int
main(void)
{
	RUN(test_integers);
	RUN(test_strings);
	RUN(test_precision_stops_reading);
	RUN(test_truncation);
	RUN(test_dates);
	RUN(test_parse_time);
	return test_done();
}
