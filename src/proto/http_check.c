/*
 * http_check.c: what may reach a request line or a header (see http.h).
 *
 * Every request is checked here before a connection is opened, so no
 * caller (a flag, the environment, a value from a service) can add a
 * header, split the request or send a control byte to a server: the
 * method is an upper-case token, the target has no space or control
 * byte, and each header line is "Name: value" with a token name (RFC 9110
 * 5.6.2) and a value without control bytes.  A tab inside a value is
 * allowed (RFC 9110 5.5 allows HTAB in field values, and curl sends it);
 * bytes 0x80-0xff (obs-text) pass as they are.  Errors are ERR_USAGE and
 * print only bytes that passed the check, never the offending one.
 */
#include "proto/http_int.h"
#include "base/errors.h"

#include <string.h>
#include <strings.h>

/* is_tchar: c may appear in a token (a method or a header name). */
static int
is_tchar(int c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* is_ctl: a control byte; a tab counts only if tab is 0. */
static int
is_ctl(int c, int tab)
{
	return (c < 0x20 && !(tab && c == '\t')) || c == 0x7f;
}

/* line_check: one header line p[n], without its CRLF. */
static int
line_check(const char *p, size_t n)
{
	size_t i = 0, j;

	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (n == 0 || p[0] == ':')
		return err_set(ERR_USAGE, "a header has an empty name");
	if (i == n)
		return err_set(ERR_USAGE, "header %.*s: no colon (use 'Name: "
		    "value')", (int)n, p);
	if (p[i] != ':')
		return err_set(ERR_USAGE, "header %.*s: the name has the byte "
		    "0x%02x (not a token character)", (int)i, p,
		    (unsigned char)p[i]);
	for (j = i + 1; j < n; j++)
		if (is_ctl((unsigned char)p[j], 1))
			return err_set(ERR_USAGE, "header %.*s: the value has a "
			    "control character (0x%02x)", (int)i, p,
			    (unsigned char)p[j]);
	return 0;
}

/* user_line_check: line_check, and none of the names iksctl owns. */
static int
user_line_check(const char *p, size_t n)
{
	static const char *const own[] = { "Host", "Content-Length",
	    "Transfer-Encoding", "Connection", NULL };
	size_t i, k;
	int r;

	if ((r = line_check(p, n)) != 0)
		return r;
	k = (size_t)((const char *)memchr(p, ':', n) - p);
	for (i = 0; own[i] != NULL; i++)
		if (strlen(own[i]) == k && strncasecmp(p, own[i], k) == 0)
			return err_set(ERR_USAGE, "header %.*s: iksctl sets it; it "
			    "cannot be given with -H", (int)k, p);
	return 0;
}

int
http_field_check(const char *name, const char *value)
{
	for (; *value != '\0'; value++)
		if (is_ctl((unsigned char)*value, 1))
			return err_set(ERR_USAGE, "header %s: the value has a "
			    "control character (0x%02x)", name,
			    (unsigned char)*value);
	return 0;
}

int
http_path_check(const char *path)
{
	const char *p;

	for (p = path; *p != '\0' && !is_ctl((unsigned char)*p, 0); p++)
		;
	if (path[0] != '/' || path[1] == '/' || *p != '\0' ||
	    strstr(path, "://") != NULL)
		return err_set(ERR_USAGE, "PATH must be a path on the service "
		    "(/v1/...), not a URL");
	return 0;
}

int
http_user_header_check(const char *line)
{
	return user_line_check(line, strlen(line));
}

/* lines_check: every CRLF-ended line of s (NULL: none). */
static int
lines_check(const char *s, int user)
{
	const char *eol;
	int r;

	for (; s != NULL && *s != '\0'; s = eol + 2) {
		eol = strstr(s, "\r\n");
		r = (user ? user_line_check : line_check)(s, eol != NULL ?
		    (size_t)(eol - s) : strlen(s));
		if (r != 0)
			return r;
		if (eol == NULL)
			return err_set(ERR_USAGE, "a header line does not end "
			    "with CRLF");
	}
	return 0;
}

int
http_method_check(const char *m)
{
	size_t n = 0;

	while (m[n] >= 'A' && m[n] <= 'Z')
		n++;
	if (n > 0 && m[n] == '\0')
		return 0;
	for (n = 0; m[n] != '\0' && !is_ctl((unsigned char)m[n], 0) &&
	    (unsigned char)m[n] < 0x80; n++)
		continue;
	return err_set(ERR_USAGE, "method '%.*s%s': use an upper-case token "
	    "such as GET", (int)n, m, m[n] != '\0' ? "..." : "");
}

int
http_check_request(const struct http_req *rq, const struct url *u)
{
	const char *t;
	int r;

	if ((r = http_method_check(rq->method)) != 0)
		return r;
	for (t = u->path; *t != '\0'; t++)
		if (*t == ' ' || is_ctl((unsigned char)*t, 0))
			return err_set(ERR_USAGE, "the request path has a space or "
			    "a control character (0x%02x)", (unsigned char)*t);
	if ((r = lines_check(rq->headers, 0)) != 0)
		return r;
	return lines_check(rq->user_headers, 1);
}
