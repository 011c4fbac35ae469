/*
 * session_call.c: the service calls (see session.h): the service URL,
 * the auth headers, one retry after a 401, and the accounts list with
 * its paging.
 */
#include "cloud/session.h"
#include "cloud/session_int.h"
#include "base/errors.h"
#include "base/str.h"
#include "cloud/api.h"
#include "net/url.h"

#include <stdio.h>
#include <string.h>

/*
 * build_headers: the auth headers of a service call, into b (token
 * NULL: with the secrets redacted, for --dry-run).  The caller's -H
 * lines go to the HTTP layer apart (user_headers), which drops a
 * built-in header of the same name.
 */
static int
build_headers(enum session_service svc, const char *token, int has_body,
    struct sbuf *b)
{
	/* The containers headers, when their value is not empty. */
	static const struct {
		const char *name;       /* with ": " */
		const char *value;      /* a string of sess */
	} cs[] = {
		{ "X-Auth-Refresh-Token: ", sess.st.refresh_token },  /* a secret */
		{ "X-Region: ", sess.region },
		{ "X-Auth-Resource-Group: ", sess.resource_group },
	};
	const char *v;
	size_t k;

	sbuf_add(b, "Authorization: Bearer ");
	sbuf_add(b, token == NULL ? "[redacted]" : token);
	sbuf_add(b, "\r\nAccept: application/json\r\n");
	for (k = 0; svc == SVC_CS && k < sizeof(cs) / sizeof(cs[0]); k++) {
		if (cs[k].value[0] == '\0')
			continue;
		v = k == 0 && token == NULL ? "[redacted]" : cs[k].value;
		sbuf_addf(b, "%s%s\r\n", cs[k].name, v);
	}
	if (has_body)
		sbuf_add(b, "Content-Type: application/json\r\n");
	return sbuf_ok(b, "request headers");
}

/*
 * service_url: base of svc joined with path.  path must be a path on
 * the service: a full URL, "//host" or a control character would send
 * the tokens elsewhere (DESIGN.md, "Untrusted answers").
 */
static int
service_url(enum session_service svc, const char *path, char *out,
    size_t cap)
{
	static struct url u;
	int r;

	if ((r = http_path_check(path)) != 0)
		return r;
	if ((r = url_parse(session_base(svc), &u)) != 0)
		return err_set(ERR_NET_URL, "%s: %s", session_base(svc), err_detail());
	return url_join(&u, path, out, cap);
}

/* call_url: session_call() on a URL already checked to be on svc. */
static int
call_url(enum session_service svc, const char *method, const char *url,
    const char *extra, const char *body, size_t body_len,
    const struct http_file *file, http_sink_fn sink, void *sink_ctx,
    struct http_resp *rs)
{
	static char hdr[3 * LIM_TOKEN_BYTES];
	static char rejected[LIM_TOKEN_BYTES];
	struct http_req rq;
	const char *token;
	struct sbuf b;
	int r, try;

	for (try = 0; try < 2; try++) {
		r = try == 0 ? session_access(0, &token) :
		    sess_access_after(rejected, &token);
		mem_wipe(rejected, sizeof(rejected));
		if (r != 0)
			return r;
		sbuf_init(&b, hdr, sizeof(hdr));
		if ((r = build_headers(svc, token, body != NULL || file != NULL,
		    &b)) != 0)
			return r;
		memset(&rq, 0, sizeof(rq));
		rq.method = method;
		rq.url = url;
		rq.headers = hdr;
		rq.user_headers = extra;
		rq.body = body;
		rq.body_len = body_len;
		rq.file = file;     /* read again from its start on a retry */
		/* Changing calls: never repeated after a 5xx (DESIGN.md). */
		rq.retry = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
		rq.sink = sink;
		rq.sink_ctx = sink_ctx;
		r = http_do(&rq, rs);
		mem_wipe(hdr, b.len);
		if (r != 0 || rs->status != 401 || try > 0)
			break;
		/* Keep the token that got the 401: a reload replaces it. */
		if ((r = str_copy(rejected, sizeof(rejected), token, "token")) != 0)
			return r;
		if (http_opts.verbose)
			fputs("* 401: renewing the token and trying again\n", stderr);
	}
	return r;
}

/* call_path: call_url() for a path on svc, checked first. */
static int
call_path(enum session_service svc, const char *method, const char *path,
    const char *extra, const char *body, size_t body_len,
    const struct http_file *file, http_sink_fn sink, void *sink_ctx,
    struct http_resp *rs)
{
	static char url[LIM_URL_BYTES];
	int r;

	if ((r = service_url(svc, path, url, sizeof(url))) != 0)
		return r;
	return call_url(svc, method, url, extra, body, body_len, file, sink,
	    sink_ctx, rs);
}

int
session_call(enum session_service svc, const char *method, const char *path,
    const char *extra, const char *body, size_t body_len, http_sink_fn sink,
    void *sink_ctx, struct http_resp *rs)
{
	return call_path(svc, method, path, extra, body, body_len, NULL, sink,
	    sink_ctx, rs);
}

int
session_call_file(enum session_service svc, const char *method,
    const char *path, const char *extra, const struct http_file *file,
    http_sink_fn sink, void *sink_ctx, struct http_resp *rs)
{
	return call_path(svc, method, path, extra, NULL, 0, file, sink,
	    sink_ctx, rs);
}

int
session_describe(enum session_service svc, const char *method,
    const char *path, int has_body, struct sbuf *b)
{
	static char url[LIM_URL_BYTES];
	int r;

	if ((r = service_url(svc, path, url, sizeof(url))) != 0)
		return r;
	sbuf_add(b, method);
	sbuf_addc(b, ' ');
	sbuf_add(b, url);
	sbuf_add(b, "\r\n");
	return build_headers(svc, NULL, has_body, b);
}

/*
 * next_page: the URL of next_url: a path from the accounts host's root,
 * or a URL on that same host (scheme, host and port); a link to any
 * other host is not followed.  Returns 0, 1 (no next page) or an error.
 */
static int
next_page(const struct json_doc *d, char *out, size_t cap)
{
	static char link[LIM_URL_BYTES], abs[LIM_URL_BYTES];
	static struct url u, nu;
	const char *path = link;
	struct sbuf b;
	int i = json_get(d, 0, "next_url");

	if (i < 0 || json_type(d, i) != JSON_STRING)
		return 1;
	if (json_str(d, i, link, sizeof(link)) < 0)
		return err_code_last();
	if (link[0] == '\0')
		return 1;
	if (url_parse(sess.accounts_url, &u) != 0)
		return err_code_last();
	u.path[0] = '\0';   /* next_url is a path from the host's root */
	if (strstr(link, "://") != NULL || strncmp(link, "//", 2) == 0) {
		sbuf_init(&b, abs, sizeof(abs));
		if (link[0] == '/') {   /* "//host/x": the scheme of the base */
			sbuf_add(&b, u.scheme);
			sbuf_add(&b, ":");
		}
		sbuf_add(&b, link);
		if (sbuf_ok(&b, "next_url") != 0 || url_parse(abs, &nu) != 0)
			return err_set(ERR_FAIL, "accounts: next_url is not a URL; "
			    "not followed");
		if (strcmp(nu.scheme, u.scheme) != 0 ||
		    strcmp(nu.host, u.host) != 0 || nu.port != u.port)
			return err_set(ERR_FAIL, "accounts: next_url points at another "
			    "host (%s:%u); not followed", nu.host, nu.port);
		path = nu.path;
	}
	return url_join(&u, path, out, cap);
}

struct slice session_accounts_page;

int
session_accounts(int (*cb)(void *ctx, const struct json_doc *d, int i),
    void *ctx)
{
	static char url[LIM_URL_BYTES];
	struct http_resp rs;
	struct json_doc d;
	int r, res, n, k, pages = 0;

	session_accounts_page.n = 0;
	if ((r = str_copy(url, sizeof(url), "/coe/v2/accounts", "path")) != 0)
		return r;
	for (;;) {
		if (++pages > 1000)
			return err_set(ERR_LIMIT, "accounts: over 1000 pages");
		r = pages == 1 ? session_call(SVC_ACCOUNTS, "GET", url, NULL, NULL,
		    0, NULL, NULL, &rs) : call_url(SVC_ACCOUNTS, "GET", url, NULL,
		    NULL, 0, NULL, NULL, NULL, &rs);
		if (r != 0)
			return r;
		/* As bluemix-go does: a 404 with no list means no accounts. */
		if (rs.status == 404 && pages == 1)
			return 0;
		if (!api_ok(&rs))
			return api_error("accounts", &rs, 0);
		if ((r = api_parse("accounts", rs.body, rs.body_len, &d)) != 0)
			return r;
		res = json_get(&d, 0, "resources");
		if (json_type(&d, res) != JSON_ARRAY)
			return err_set(ERR_JSON_FIELD, "accounts: no resources array");
		n = json_size(&d, res);
		for (k = 0; k < n; k++)
			if ((r = cb(ctx, &d, json_at(&d, res, k))) != 0)
				return r;
		r = next_page(&d, url, sizeof(url));
		if (r == 1) {
			if (pages == 1) {
				session_accounts_page.p = rs.body;
				session_accounts_page.n = rs.body_len;
			}
			return 0;
		}
		if (r != 0)
			return r;
	}
}
