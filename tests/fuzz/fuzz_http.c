/*
 * fuzz_http: an HTTP/1.x response head, then its body framing and, for
 * a chunked body, the chunked decoder fed in pieces.  The first input
 * byte picks the piece size (1 to 64 bytes) so partial reads are
 * covered; the rest is what the server sent.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "proto/http_parse.h"

static void
check_head(const char *buf, size_t len, int r, size_t nh,
    const struct http_header *h, struct slice reason)
{
	size_t i;

	FUZZ_ASSERT(r == -1 || r == -2 || (r > 0 && (size_t)r <= len));
	if (r <= 0)
		return;
	FUZZ_ASSERT(nh <= LIM_HTTP_HEADERS);
	FUZZ_ASSERT(reason.n == 0 || (reason.p >= buf &&
	    reason.p + reason.n <= buf + r));
	for (i = 0; i < nh; i++) {
		FUZZ_ASSERT(h[i].name.p >= buf &&
		    h[i].name.p + h[i].name.n <= buf + r);
		FUZZ_ASSERT(h[i].value.n == 0 || (h[i].value.p >= buf &&
		    h[i].value.p + h[i].value.n <= buf + r));
	}
}

static void
decode_chunked(const uint8_t *body, size_t n, size_t piece)
{
	struct http_chunked c;
	char *buf;
	size_t off = 0, len, take;
	int r = -2;

	http_chunked_init(&c);
	while (off < n && r == -2) {
		take = n - off < piece ? n - off : piece;
		buf = malloc(take);
		if (buf == NULL)
			abort();
		memcpy(buf, body + off, take);
		len = take;
		r = http_chunked_decode(&c, buf, &len);
		FUZZ_ASSERT(len <= take);
		if (r >= 0)
			FUZZ_ASSERT(len + (size_t)r <= take);
		free(buf);
		off += take;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_header h[LIM_HTTP_HEADERS];
	enum http_body_kind kind;
	struct slice reason = { 0 }, v;
	uint64_t length;
	size_t nh = LIM_HTTP_HEADERS, piece;
	int r, minor = -1, status = -1;
	char *buf;

	if (size < 1)
		return 0;
	piece = (size_t)(data[0] % 64) + 1;
	data++;
	size--;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	r = http_parse_response(buf, size, &minor, &status, &reason, h, &nh);
	check_head(buf, size, r, nh, h, reason);
	if (r > 0) {
		FUZZ_ASSERT(status >= 100 && status <= 999);
		(void)http_header_find(h, nh, "content-type", &v);
		(void)http_connection_close(minor, h, nh);
		if (http_body_framing(status, data[0] & 1, h, nh, &kind,
		    &length) == 0 && kind == HTTP_BODY_CHUNKED)
			decode_chunked(data + r, size - (size_t)r, piece);
	}
	free(buf);
	/* The body alone as a chunked stream, whatever the head said. */
	decode_chunked(data, size, piece);
	return 0;
}
