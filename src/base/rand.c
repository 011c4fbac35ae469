/*
 * rand.c: random numbers from getrandom() (see rand.h).  There is no
 * state to seed: each number is asked of the kernel, which is cheap
 * next to the network waits they time.  The fallback mixes what tells
 * two processes apart even in the same second with the same pid: the
 * clock's nanoseconds and where the stack landed (ASLR).
 */
#include "base/rand.h"

#include <sys/random.h>
#include <time.h>

uint64_t
rand_u64(void)
{
	struct timespec t;
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* No kernel randomness yet (early boot): the clock's nanoseconds and
	 * the stack's place (ASLR), spread by a multiplication. */
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((uint64_t)(uintptr_t)&v ^ (uint64_t)t.tv_nsec) *
	    0x9e3779b97f4a7c15ull >> 16;   /* the bits that mix every input */
}

uint64_t
rand_below(uint64_t n)
{
	return rand_u64() % n;
}
