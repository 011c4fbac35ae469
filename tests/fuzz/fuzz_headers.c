/*
 * fuzz_headers: the checks of what may reach a request line or a header
 * (src/proto/http_check.c).  The input is five NUL-separated parts: a
 * method, a request target, built-in header lines, user header lines
 * (both CRLF-ended, as in struct http_req) and one -H value.  Each
 * accepted request is checked again here by an independent oracle: an
 * upper-case method, a target without space or control byte, lines that
 * are "token: value" ending in CRLF with no other CR, LF or control byte
 * (tab allowed), and no user line naming Host, Content-Length,
 * Transfer-Encoding or Connection.  The target is also checked as a
 * user's PATH (http_path_check: a path, never a URL or a host).  A
 * refusal must be ERR_USAGE with a detail free of control bytes.
 */
#include "fuzz.h"

#include "base/errors.h"
#include "proto/http_int.h"

#include <strings.h>

static int
tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

/* line_ok: the oracle for one line p[n] (no CRLF). */
static int
line_ok(const char *p, size_t n, int user)
{
	static const char *const own[] = { "host", "content-length",
	    "transfer-encoding", "connection", NULL };
	size_t i, k;

	for (k = 0; k < n && p[k] != ':'; k++)
		if (!tchar((unsigned char)p[k]))
			return 0;
	if (k == 0 || k == n)
		return 0;
	for (i = k + 1; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return 0;
	for (i = 0; user && own[i] != NULL; i++)
		if (strlen(own[i]) == k && strncasecmp(p, own[i], k) == 0)
			return 0;
	return 1;
}

/* lines_ok: the oracle for CRLF-ended lines. */
static int
lines_ok(const char *s, int user)
{
	const char *e;

	while (*s != '\0') {
		if ((e = strstr(s, "\r\n")) == NULL ||
		    !line_ok(s, (size_t)(e - s), user))
			return 0;
		s = e + 2;
	}
	return 1;
}

static void
refusal_ok(int r)
{
	const char *d = err_detail();

	FUZZ_ASSERT(r == ERR_USAGE);
	for (; *d != '\0'; d++)
		FUZZ_ASSERT((unsigned char)*d >= 0x20 && *d != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *part[5] = { "", "", "", "", "" };
	static struct url u;
	struct http_req rq;
	char *s = fuzz_cstr(data, size), *p = s, *t;
	int i, r;

	for (i = 0; i < 5 && p <= s + size; i++) {
		part[i] = p;
		p += strlen(p) + 1;
	}
	memset(&u, 0, sizeof(u));
	memset(&rq, 0, sizeof(rq));
	snprintf(u.path, sizeof(u.path), "%s", part[1]);
	rq.method = part[0];
	rq.url = "https://h.example/";
	rq.headers = part[2][0] ? part[2] : NULL;
	rq.user_headers = part[3][0] ? part[3] : NULL;
	err_clear();
	r = http_check_request(&rq, &u);
	if (r != 0) {
		refusal_ok(r);
	} else {
		FUZZ_ASSERT(rq.method[0] != '\0');
		for (t = (char *)rq.method; *t != '\0'; t++)
			FUZZ_ASSERT(*t >= 'A' && *t <= 'Z');
		for (t = u.path; *t != '\0'; t++)
			FUZZ_ASSERT((unsigned char)*t > 0x20 && *t != 0x7f);
		FUZZ_ASSERT(lines_ok(part[2], 0) && lines_ok(part[3], 1));
	}
	err_clear();
	r = http_user_header_check(part[4]);
	if (r != 0)
		refusal_ok(r);
	else
		FUZZ_ASSERT(line_ok(part[4], strlen(part[4]), 1));
	err_clear();
	r = http_field_check("X-Region", part[4]);
	if (r != 0)
		refusal_ok(r);
	else
		for (t = (char *)part[4]; *t != '\0'; t++)
			FUZZ_ASSERT(((unsigned char)*t >= 0x20 || *t == '\t') &&
			    *t != 0x7f);
	/* The target as a user's PATH: a path on the service, never a URL. */
	err_clear();
	r = http_path_check(part[1]);
	if (r != 0) {
		refusal_ok(r);
	} else {
		FUZZ_ASSERT(part[1][0] == '/' && part[1][1] != '/');
		FUZZ_ASSERT(strstr(part[1], "://") == NULL);
		for (t = (char *)part[1]; *t != '\0'; t++)
			FUZZ_ASSERT((unsigned char)*t >= 0x20 && *t != 0x7f);
	}
	free(s);
	return 0;
}
