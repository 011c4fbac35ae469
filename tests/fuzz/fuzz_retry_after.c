/*
 * fuzz_retry_after: a Retry-After value (delta-seconds or an HTTP date
 * in any of its three forms) against a clock: the first 5 input bytes
 * give "now" (0 .. 2^40 s, the range time() can realistically return),
 * the rest is the header value.
 */
#include "fuzz.h"

#include "proto/http_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slice v;
	uint32_t secs = 12345;
	int64_t now = 0;
	size_t i;
	int r;

	if (size < 5)
		return 0;
	for (i = 0; i < 5; i++)
		now = now << 8 | data[i];
	v.p = (const char *)data + 5;
	v.n = size - 5;
	r = http_retry_after(v, now, &secs);
	FUZZ_ASSERT(r == 0 || r < 0);
	/* The same value at the epoch and at the end of time_t's range. */
	(void)http_retry_after(v, 0, &secs);
	(void)http_retry_after(v, INT64_MAX / 2, &secs);
	return 0;
}
