/*
 * fuzz_zip: a cluster config zip as cluster config reads it: walk the
 * central directory, find the CA and the kubeconfig by name, and
 * extract every entry (stored or deflated) into a LIM_ZIP_ENTRY_BYTES
 * buffer, checking sizes and CRCs.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "proto/zip.h"

static uint8_t out[LIM_ZIP_ENTRY_BYTES];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zip_entry e;
	size_t cur = 0, n;
	int r, i;

	if (size > LIM_ZIP_BYTES)
		return 0;
	for (i = 0; i < 1000 && (r = zip_next(data, size, &cur, &e)) == 1;
	    i++) {
		FUZZ_ASSERT(e.name.p >= (const char *)data &&
		    e.name.p + e.name.n <= (const char *)data + size);
		if (zip_extract(data, size, &e, out, sizeof(out), &n) == 0)
			FUZZ_ASSERT(n == e.size && n <= sizeof(out));
	}
	if (zip_find_suffix(data, size, "ca-", ".pem", &e) == 0)
		(void)zip_extract(data, size, &e, out, sizeof(out), &n);
	if (zip_find_suffix(data, size, "", ".yml", &e) == 0)
		(void)zip_extract(data, size, &e, out, 100, &n);
	return 0;
}
