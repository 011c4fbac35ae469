/*
 * zip_test.h: what test_inflate.c and test_zip.c share: the fixture
 * folder, an output buffer, reading a fixture, little-endian fields and
 * the results bad input may give.  Included once per test binary.
 */
#ifndef IKSCTL_ZIP_TEST_H
#define IKSCTL_ZIP_TEST_H

#include "base/errors.h"
#include "base/limits.h"

#include <stdint.h>
#include <stdio.h>

#define FIX "tests/fixtures/zip/"
#define FILE_MAX 16384  /* largest fixture file */

static uint8_t out_buf[LIM_ZIP_ENTRY_BYTES];  /* inflate/extract output */

/* read_file: path into buf[cap]; the length, or 0 with a failure. */
static inline size_t
read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	CHECK(f != NULL);
	if (f == NULL) {
		fprintf(stderr, "cannot open %s (run from the repo root)\n",
		    path);
		return 0;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	CHECK(n < cap);
	return n;
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* fuzz_ok: 1 if r is a result inflate or zip may give on bad input. */
static inline int
fuzz_ok(int r)
{
	return r >= 0 || r == ERR_INFLATE || r == ERR_LIMIT || r == ERR_ZIP ||
	    r == ERR_ZIP_MISSING;
}

#endif
