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

/* build_headers: the auth headers of a service call, into buf. */
static int
build_headers(enum session_service svc, const char *token, const char *extra,
    int has_body, struct sbuf *b)
{
	sbuf_add(b, "Authorization: Bearer ");
	sbuf_add(b, token);
	sbuf_add(b, "\r\nAccept: application/json\r\n");
	if (svc == SVC_CS) {
		if (sess.st.refresh_token[0] != '\0') {
			sbuf_add(b, "X-Auth-Refresh-Token: ");
			sbuf_add(b, sess.st.refresh_token);
			sbuf_add(b, "\r\n");
		}
		if (sess.region[0] != '\0') {
			sbuf_add(b, "X-Region: ");
			sbuf_add(b, sess.region);
			sbuf_add(b, "\r\n");
		}
	}
	if (has_body && (extra == NULL || strstr(extra, "Content-Type") == NULL))
		sbuf_add(b, "Content-Type: application/json\r\n");
	if (extra != NULL)
		sbuf_add(b, extra);
	return sbuf_ok(b, "request headers");
}

/* service_url: base of svc joined with path (an absolute URL passes). */
static int
service_url(enum session_service svc, const char *path, char *out,
    size_t cap)
{
	static struct url u;
	int r;

	if (strncmp(path, "https://", 8) == 0)
		return str_copy(out, cap, path, "URL");
	if ((r = url_parse(session_base(svc), &u)) != 0)
		return err_set(ERR_NET_URL, "%s: %s", session_base(svc), err_detail());
	return url_join(&u, path, out, cap);
}

int
session_call(enum session_service svc, const char *method, const char *path,
    const char *extra, const char *body, size_t body_len, http_sink_fn sink,
    void *sink_ctx, struct http_resp *rs)
{
	static char url[LIM_URL_BYTES];
	static char hdr[3 * LIM_TOKEN_BYTES];
	struct http_req rq;
	const char *token;
	struct sbuf b;
	int r, try;

	if ((r = service_url(svc, path, url, sizeof(url))) != 0)
		return r;
	for (try = 0; try < 2; try++) {
		if ((r = session_access(try > 0, &token)) != 0)
			return r;
		sbuf_init(&b, hdr, sizeof(hdr));
		if ((r = build_headers(svc, token, extra, body != NULL, &b)) != 0)
			return r;
		memset(&rq, 0, sizeof(rq));
		rq.method = method;
		rq.url = url;
		rq.headers = hdr;
		rq.body = body;
		rq.body_len = body_len;
		rq.retry = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
		rq.sink = sink;
		rq.sink_ctx = sink_ctx;
		r = http_do(&rq, rs);
		mem_wipe(hdr, b.len);
		if (r != 0 || rs->status != 401)
			break;
		if (http_opts.verbose)
			fputs("* 401: refreshing the token and trying again\n", stderr);
	}
	return r;
}

/* next_page: the URL of next_url (a path on the accounts host). */
static int
next_page(const struct json_doc *d, char *out, size_t cap)
{
	static char path[LIM_URL_BYTES];
	static struct url u;
	int i = json_get(d, 0, "next_url");

	if (i < 0 || json_type(d, i) != JSON_STRING)
		return 1;
	if (json_str(d, i, path, sizeof(path)) < 0)
		return err_code_last();
	if (path[0] == '\0')
		return 1;
	if (strncmp(path, "https://", 8) == 0)
		return str_copy(out, cap, path, "next_url");
	if (url_parse(sess.accounts_url, &u) != 0)
		return err_code_last();
	u.path[0] = '\0';   /* next_url is a path from the host's root */
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
		if ((r = session_call(SVC_ACCOUNTS, "GET", url, NULL, NULL, 0, NULL,
		    NULL, &rs)) != 0)
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
