/*
 * fuzz_connect: a proxy's answer to CONNECT, read the way proxy_answer()
 * in src/proto/http_net.c reads it: one byte at a time into a buffer of
 * LIM_HTTP_HEAD_BYTES, calling http_parse_response() after each byte
 * until the head is complete, malformed or the buffer is full.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "proto/http_parse.h"

static char rx[LIM_HTTP_HEAD_BYTES];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_header h[LIM_HTTP_HEADERS];
	struct slice reason;
	size_t have = 0, nh;
	int r = -2, minor, status;

	while (r == -2 && have < size && have < sizeof(rx)) {
		rx[have] = (char)data[have];
		have++;
		nh = LIM_HTTP_HEADERS;
		r = http_parse_response(rx, have, &minor, &status, &reason,
		    h, &nh);
		FUZZ_ASSERT(r == -1 || r == -2 || (size_t)r == have);
		if (r > 0) {
			FUZZ_ASSERT(nh <= LIM_HTTP_HEADERS);
			FUZZ_ASSERT(reason.n <= have);
		}
	}
	return 0;
}
