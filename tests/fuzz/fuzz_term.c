/*
 * fuzz_term: any bytes as a table cell or an error line from a service
 * (src/base/term.c): the escaped text holds no C0 control, no DEL, no C1
 * control and no bidirectional override, is valid UTF-8, and its width
 * is at most two columns a byte.
 */
#include "fuzz.h"

#include "base/term.h"

/* next: decode one UTF-8 character of s[n]; its length, or 0. */
static size_t
next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 :
	    s[0] >= 0xc2 ? 2 : 0, i;
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7f >> len);

	if (len == 0 || len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = 6 * size + 1, i, len;
	char *out = malloc(cap);
	struct sbuf b;
	uint32_t c;

	if (out == NULL)
		return 0;
	sbuf_init(&b, out, cap);
	term_escape(&b, (const char *)data, size);
	FUZZ_ASSERT(!b.overflow && strlen(out) == b.len);
	for (i = 0; i < b.len; i += len) {
		len = next((const unsigned char *)out + i, b.len - i, &c);
		FUZZ_ASSERT(len > 0);
		FUZZ_ASSERT(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f));
		FUZZ_ASSERT(!(c >= 0x202a && c <= 0x202e) &&
		    !(c >= 0x2066 && c <= 0x2069));
	}
	FUZZ_ASSERT(term_width(out) <= 2 * b.len);
	/* A buffer too small overflows cleanly, never past its end. */
	sbuf_init(&b, out, size / 2 + 1);
	term_escape(&b, (const char *)data, size);
	FUZZ_ASSERT(b.len < size / 2 + 1);
	free(out);
	return 0;
}
