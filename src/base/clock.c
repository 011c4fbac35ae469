/*
 * clock.c: clock_gettime and time for the static musl builds.
 *
 * musl reads the clocks through the kernel's vDSO, which it finds by
 * parsing the vDSO's ELF symbol table at the first call (__vdsosym:
 * about 800 bytes of code on aarch64 with the lookup state).  iksctl
 * reads a clock a few times per network wait, so the plain system call,
 * some hundred nanoseconds, costs it nothing measurable; these two make
 * musl's clock_gettime.o and time.o stay out of the link.
 *
 * Compiled in only where IKSCTL_OWN_CLOCK is defined (the 64-bit musl
 * targets' toolchains/<triple>.mk: on armv7, a 64-bit time_t needs
 * clock_gettime64, which kernels before 5.1 lack, and musl's fallback is
 * worth keeping there) and linked only into the shipped binary, like
 * strerror.c and strstr.c (see the Makefile): the host builds and the
 * tests keep the C library's.  tests/unit/test_own_clock.c compiles this file
 * with IKSCTL_CLOCK_TEST, which renames the functions own_clock_gettime
 * and own_time, and compares them with the C library's.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if (defined(IKSCTL_OWN_CLOCK) || defined(IKSCTL_CLOCK_TEST)) && \
    defined(SYS_clock_gettime)
#define IKSCTL_HAVE_OWN_CLOCK 1

#ifdef IKSCTL_CLOCK_TEST
#define CLOCK_GETTIME_NAME own_clock_gettime
#define TIME_NAME own_time
int own_clock_gettime(clockid_t clk, struct timespec *ts);
time_t own_time(time_t *t);
#else
#define CLOCK_GETTIME_NAME clock_gettime
#define TIME_NAME time
#endif

int
CLOCK_GETTIME_NAME(clockid_t clk, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

time_t
TIME_NAME(time_t *t)
{
	struct timespec ts;

	if (CLOCK_GETTIME_NAME(CLOCK_REALTIME, &ts) != 0)
		ts.tv_sec = -1;
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

#endif
