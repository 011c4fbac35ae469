/*
 * rand.h: the random numbers of every choice iksctl makes (backoff
 * jitter, renewal points, login generations).  They come from the
 * kernel's getrandom(), never from the time or the pid, so identical
 * containers started in the same second, each as pid 1, still choose
 * differently (a fleet does not move in step).
 */
#ifndef IKSCTL_RAND_H
#define IKSCTL_RAND_H

#include <stdint.h>

/*
 * rand_u64: 64 random bits from getrandom(); if the kernel has none to
 * give (no getrandom, or it fails), a mix of the clock's nanoseconds and
 * a stack address, which still differs between processes.
 */
uint64_t rand_u64(void);

/* rand_below: a random number in [0, n), n > 0. */
uint64_t rand_below(uint64_t n);

#endif
