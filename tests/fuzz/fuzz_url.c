/*
 * fuzz_url: URL parsing and everything built on it.  The input is
 * "URL\0REST": the URL goes to url_parse(); REST is used as a request
 * path (url_target, url_join), as a NO_PROXY list matched against the
 * parsed host, as a form body searched with form_decode(), and is
 * percent-encoded back.
 */
#include "fuzz.h"

#include "base/limits.h"
#include "net/url.h"

static struct url u;
static char out[LIM_URL_BYTES + 64];
static char big[4 * LIM_PATH_BYTES + 64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	struct sbuf sb;
	struct slice rest;
	size_t an, bn;
	char *s, *t;
	int r;

	fuzz_split(data, size, &a, &an, &b, &bn);
	s = fuzz_cstr(a, an);
	t = fuzz_cstr(b, bn);
	rest.p = t;
	rest.n = bn;
	r = url_parse(s, &u);
	if (r == 0) {
		FUZZ_ASSERT(memchr(u.host, 0, sizeof(u.host)) != NULL);
		FUZZ_ASSERT(memchr(u.path, 0, sizeof(u.path)) != NULL);
		FUZZ_ASSERT(u.port <= 65535);
		sbuf_init(&sb, big, sizeof(big));
		(void)url_target(&u, t, &sb);
		FUZZ_ASSERT(sb.len < sizeof(big));
		(void)url_join(&u, t, out, sizeof(out));
		sbuf_init(&sb, big, sizeof(big));
		(void)url_host_header(&u, &sb);
		(void)url_no_proxy_match(t, u.host, u.port);
		(void)url_no_proxy_match(s, u.host, u.port);
	}
	/* The NO_PROXY matcher against a host name that did not parse. */
	(void)url_no_proxy_match(t, s, 443);
	(void)form_decode(rest, s, out, sizeof(out));
	(void)form_decode(slice_of(s), "refresh_token", out, 16);
	sbuf_init(&sb, big, sizeof(big));
	url_encode(&sb, rest, size > 0 && (data[0] & 1));
	form_add(&sb, s, rest);
	free(s);
	free(t);
	return 0;
}
