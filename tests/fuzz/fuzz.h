/*
 * fuzz.h: shared helpers of the libFuzzer harnesses in tests/fuzz/.
 *
 * Each harness feeds libFuzzer's bytes to one parser of outside input,
 * the way iksctl calls it, and checks the parser's promises with
 * FUZZ_ASSERT (a crash is a finding).  libFuzzer hands over a heap copy
 * of exactly size bytes, so AddressSanitizer catches any read past the
 * end; helpers here make NUL-terminated copies where the API wants C
 * strings.
 */
#ifndef IKSCTL_FUZZ_H
#define IKSCTL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FUZZ_ASSERT: abort (a libFuzzer finding) when an invariant fails. */
#define FUZZ_ASSERT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s\n", \
		    __FILE__, __LINE__, #c); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * fuzz_cstr: a malloc'd NUL-terminated copy of p[n] (the harness frees
 * it), so that an over-read past the NUL still hits a redzone.
 */
static inline char *
fuzz_cstr(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * fuzz_split: split data at the first NUL byte: *a is before it, *b
 * after it (empty if there is none).
 */
static inline void
fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *an,
    const uint8_t **b, size_t *bn)
{
	const uint8_t *z = memchr(data, 0, size);

	*a = data;
	*an = z ? (size_t)(z - data) : size;
	*b = z ? z + 1 : data + size;
	*bn = z ? size - *an - 1 : 0;
}

#endif
