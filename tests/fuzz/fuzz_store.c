/*
 * fuzz_store: the store file.  The first input byte chooses how the
 * rest is used: as the whole file (even: the frame check, header and
 * checksum, meets it as is), or as the fields with the header line and
 * a correct "end <crc32>" line added around them (odd), so the fuzzer
 * reaches the field parser behind the checksum.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "cloud/store.h"
#include "proto/inflate.h"

static struct store st;

static uint32_t
crc32_of(const char *p, size_t n)
{
	return crc32_update(0, (const uint8_t *)p, n);
}

static void
check(const struct store *s)
{
	size_t i;

	FUZZ_ASSERT(memchr(s->access_token, 0, sizeof(s->access_token)));
	FUZZ_ASSERT(memchr(s->cred_source, 0, sizeof(s->cred_source)));
	for (i = 0; i < LIM_STORE_TLS; i++)
		FUZZ_ASSERT(s->tls[i].len <= LIM_TLS_SESSION_BYTES);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "iksctl-store 1\n";
	char *buf, tail[16];
	size_t n;

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0) {
		/* libFuzzer's copy ends exactly there: no NUL to lean on. */
		if (store_parse("fuzz", (const char *)data + 1, size - 1,
		    &st) == 0)
			check(&st);
		return 0;
	}
	n = sizeof(head) - 1 + size - 1;
	buf = malloc(n + 13);
	if (buf == NULL)
		abort();
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + sizeof(head) - 1, data + 1, size - 1);
	snprintf(tail, sizeof(tail), "end %08x\n", crc32_of(buf, n));
	memcpy(buf + n, tail, 13);
	if (store_parse("fuzz", buf, n + 13, &st) == 0)
		check(&st);
	free(buf);
	return 0;
}
