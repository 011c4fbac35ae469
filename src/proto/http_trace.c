/*
 * http_trace.c: the -v trace of the HTTP client, on stderr.
 *
 * Request and response heads are traced line by line with the values of
 * secret headers (any name that holds auth, pass, secret, token, key or
 * cookie) replaced by [redacted]; a form body (by a built-in or a user
 * Content-Type) field by field with its secret fields redacted; any other
 * body by its size only, a body from a file by its size and name.
 */
#include "proto/http_int.h"
#include "base/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* trace: one line of the -v trace on stderr. */
void
http_trace(const char *prefix, struct slice s)
{
	if (http_opts.verbose)
		fprintf(stderr, "%s%.*s\n", prefix, (int)s.n, s.p);
}

/* tracef: one printf-style "* " line of the -v trace. */
void
http_tracef(const char *fmt, ...)
{
	va_list ap;

	if (!http_opts.verbose)
		return;
	fputs("* ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * secret_header: a header (or form field) whose value is not traced: any name that holds
 * auth, pass, secret, token, key or cookie in any case (Authorization,
 * Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, X-Auth-Password).
 */
static int
secret_header(struct slice name)
{
	static const char words[] = "auth\0pass\0secret\0token\0key\0cookie\0";
	const char *w;
	size_t i, k;

	for (w = words; *w != '\0'; w += k + 1)
		for (k = strlen(w), i = 0; i + k <= name.n; i++)
			if (strncasecmp(name.p + i, w, k) == 0)
				return 1;
	return 0;
}

/* trace_head: trace request or response header lines, secrets redacted. */
void
http_trace_head(const char *prefix, const char *p, size_t n)
{
	const char *end = p + n, *eol, *colon;
	struct slice line, name;

	if (!http_opts.verbose)
		return;
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		line.p = p;
		line.n = (size_t)((eol ? eol : end) - p);
		if (line.n > 0 && line.p[line.n - 1] == '\r')
			line.n--;
		p = eol ? eol + 1 : end;
		if (line.n == 0)
			break;
		colon = memchr(line.p, ':', line.n);
		name.p = line.p;
		name.n = colon ? (size_t)(colon - line.p) : 0;
		if (colon != NULL && secret_header(name))
			fprintf(stderr, "%s%.*s: [redacted]\n", prefix,
			    (int)name.n, name.p);
		else
			http_trace(prefix, line);
	}
}

/* trace_form: trace a form body, the secret fields (named as secret
 * headers are: apikey, password, refresh_token ...) redacted. */
static void
trace_form(const char *p, size_t n)
{
	const char *end = p + n, *amp, *eq;
	struct slice name;

	fputs("> ", stderr);
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		name.p = p;
		name.n = (size_t)((eq ? eq : amp) - p);
		if (secret_header(name))
			fprintf(stderr, "%.*s=[redacted]", (int)name.n, name.p);
		else
			fprintf(stderr, "%.*s", (int)(amp - p), p);
		if (amp < end)
			fputc('&', stderr);
		p = amp + 1;
	}
	fputc('\n', stderr);
}

#define FORM "application/x-www-form-urlencoded"

/* trace_body: a form body field by field; any other body by its size. */
void
http_trace_body(const struct http_req *rq)
{
	if (http_opts.verbose && rq->file != NULL)
		fprintf(stderr, "> [%llu bytes from %s]\n",
		    (unsigned long long)rq->file->len, rq->file->name);
	if (!http_opts.verbose || rq->body_len == 0 || rq->file != NULL)
		return;
	if ((rq->headers != NULL && strstr(rq->headers, FORM) != NULL) ||
	    (rq->user_headers != NULL && strstr(rq->user_headers, FORM) != NULL))
		trace_form(rq->body, rq->body_len);
	else
		fprintf(stderr, "> [%zu bytes of body]\n", rq->body_len);
}

/* recode: record code with the current detail behind prefix (err_set()
 * formats into a buffer of its own first, so the detail may be an argument). */
int
http_recode(int code, const char *prefix)
{
	return err_set(code, "%s%s", prefix, err_detail());
}
