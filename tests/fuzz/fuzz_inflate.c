/*
 * fuzz_inflate: raw deflate streams (stored, fixed and dynamic Huffman
 * blocks) into a LIM_ZIP_ENTRY_BYTES buffer and into a tiny one (the
 * ERR_LIMIT path), and the CRC-32 over the result.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "proto/inflate.h"

static uint8_t out[LIM_ZIP_ENTRY_BYTES];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;
	uint8_t *small;

	if (inflate_raw(data, size, out, sizeof(out), &n) == 0) {
		FUZZ_ASSERT(n <= sizeof(out));
		(void)crc32_update(0, out, n);
	}
	small = malloc(16);
	if (small == NULL)
		abort();
	if (inflate_raw(data, size, small, 16, &n) == 0)
		FUZZ_ASSERT(n <= 16);
	free(small);
	return 0;
}
