/*
 * fuzz_jwt: the claims of a token as iksctl reads them (jwt_read, which
 * base64url-decodes the payload and parses it as JSON), plus the
 * splitter and the base64url decoder on the raw input.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "proto/base64.h"
#include "proto/jwt.h"

static char claims[LIM_JWT_CLAIMS_BYTES];
static uint8_t raw[LIM_JWT_CLAIMS_BYTES];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slice tok = { (const char *)data, size }, h, p, s;
	struct jwt_info ji;
	size_t n = 0;

	if (jwt_read(tok, &ji) == 0) {
		FUZZ_ASSERT(memchr(ji.iam_id, 0, sizeof(ji.iam_id)) != NULL);
		FUZZ_ASSERT(memchr(ji.scope, 0, sizeof(ji.scope)) != NULL);
	}
	if (jwt_split(tok, &h, &p, &s) == 0)
		FUZZ_ASSERT(h.n + p.n + s.n + 2 == size);
	if (jwt_claims(tok, claims, sizeof(claims), &n) == 0)
		FUZZ_ASSERT(n < sizeof(claims) && claims[n] == '\0');
	if (base64url_decode(tok, raw, sizeof(raw), &n) == 0)
		FUZZ_ASSERT(n <= sizeof(raw) && n <= size);
	(void)base64url_decode(tok, raw, 3, &n);
	return 0;
}
