/*
 * test_own_clock.c: the clock_gettime and time of src/base/clock.c,
 * compiled here with IKSCTL_CLOCK_TEST as own_clock_gettime and own_time,
 * against the C library's (vDSO) ones: the same clocks to within a
 * second, monotonic ones that do not go back, time's two ways of
 * answering, and an unknown clock refused with EINVAL.  On a target
 * without SYS_clock_gettime (armv7: 64-bit time_t) there is none: the
 * C library's clocks are checked to answer instead.
 */
#define IKSCTL_CLOCK_TEST 1
#include "base/clock.c"
#include "test.h"

#include <errno.h>
#include <time.h>

#ifdef IKSCTL_HAVE_OWN_CLOCK
static long long
diff_ms(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000LL + (a->tv_nsec - b->tv_nsec) / 1000000;
}

TEST(test_clocks)
{
	static const clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
	    CLOCK_BOOTTIME };
	struct timespec a, b, c;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		CHECK_EQ_INT(own_clock_gettime(ids[i], &a), 0);
		CHECK_EQ_INT(clock_gettime(ids[i], &b), 0);
		CHECK_EQ_INT(own_clock_gettime(ids[i], &c), 0);
		CHECK(diff_ms(&b, &a) >= 0 && diff_ms(&b, &a) < 1000);
		CHECK(diff_ms(&c, &b) >= 0 && diff_ms(&c, &b) < 1000);
		CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);
	}
	errno = 0;
	CHECK_EQ_INT(own_clock_gettime((clockid_t)-99, &a), -1);
	CHECK_EQ_INT(errno, EINVAL);
}

TEST(test_time)
{
	time_t t = 0, u, v;

	u = own_time(NULL);
	v = time(NULL);
	CHECK(v - u >= 0 && v - u <= 1);
	CHECK(u > 1700000000);
	CHECK_EQ_INT(own_time(&t), t);
	CHECK(t - v >= 0 && t - v <= 1);
}

#else
TEST(test_clocks)
{
	struct timespec a;

	CHECK_EQ_INT(clock_gettime(CLOCK_MONOTONIC, &a), 0);
	CHECK(time(NULL) > 1700000000);
}

TEST(test_time)
{
}
#endif

int
main(void)
{
	RUN(test_clocks);
	RUN(test_time);
	return test_done();
}
