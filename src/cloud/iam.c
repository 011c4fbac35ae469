/*
 * iam.c: the IAM token call (see iam.h).  The URL may be given with or
 * without /identity/token, as IBM's SDKs accept both.
 */
#include "cloud/iam.h"
#include "base/errors.h"
#include "cloud/api.h"
#include "net/url.h"
#include "proto/http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void
iam_tokens_wipe(struct iam_tokens *t)
{
	mem_wipe(t, sizeof(*t));
}

/* token_url: {iam}/identity/token, not doubling the suffix. */
static int
token_url(const char *iam_url, char *out, size_t cap)
{
	static struct url u;
	size_t n = strlen(iam_url);
	const char *suffix = "/identity/token";
	int r;

	if ((r = url_parse(iam_url, &u)) != 0)
		return err_set(ERR_NET_URL, "IAM endpoint %s: %s", iam_url,
		    err_detail());
	if (n >= strlen(suffix) && strcmp(iam_url + n - strlen(suffix),
	    suffix) == 0)
		suffix = "";
	return url_join(&u, suffix, out, cap);
}

static int
take(const struct json_doc *d, const char *key, char *out, size_t cap)
{
	const unsigned char *p;
	int i = json_get(d, 0, key);

	out[0] = '\0';
	if (i < 0 || json_type(d, i) != JSON_STRING)
		return 0;
	if (json_str(d, i, out, cap) < 0)
		return err_set(ERR_LIMIT, "IAM's %s is longer than LIM_TOKEN_BYTES "
		    "= %d", key, LIM_TOKEN_BYTES);
	/* Tokens go into headers: only printable ASCII, no space. */
	for (p = (const unsigned char *)out; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f) {
			out[0] = '\0';
			return err_set(ERR_JSON_FIELD, "IAM's %s has a byte that "
			    "cannot go into a header (0x%02x)", key, *p);
		}
	return 0;
}

static int
parse_tokens(const struct http_resp *rs, struct iam_tokens *t)
{
	struct json_doc d;
	int r;

	if ((r = api_parse("IAM token", rs->body, rs->body_len, &d)) != 0)
		return r;
	if (json_type(&d, 0) != JSON_OBJECT)
		return err_set(ERR_JSON_FIELD, "IAM token: the answer is not an "
		    "object");
	if ((r = take(&d, "access_token", t->access, sizeof(t->access))) != 0 ||
	    (r = take(&d, "refresh_token", t->refresh, sizeof(t->refresh))) != 0 ||
	    (r = take(&d, "id_token", t->id, sizeof(t->id))) != 0 ||
	    (r = take(&d, "delegated_refresh_token", t->delegated,
	    sizeof(t->delegated))) != 0)
		return r;
	(void)json_get_i64(&d, 0, "expires_in", &t->expires_in);
	(void)json_get_i64(&d, 0, "expiration", &t->expiration);
	(void)json_get_i64(&d, 0, "refresh_token_expiration", &t->refresh_exp);
	/* Without a client the refresh token is the literal "not_supported". */
	if (strcmp(t->refresh, "not_supported") == 0)
		t->refresh[0] = '\0';
	if (t->access[0] == '\0' && t->delegated[0] == '\0' && t->id[0] == '\0')
		return err_set(ERR_JSON_FIELD, "IAM token: no token in the answer");
	return 0;
}

int
iam_token(const char *iam_url, const char *client, struct sbuf *form,
    struct iam_tokens *t)
{
	static char url[LIM_URL_BYTES];
	char headers[256];
	struct http_resp rs;
	struct http_req rq;
	int r;

	if ((r = sbuf_ok(form, "IAM form")) != 0)
		return r;
	if ((r = token_url(iam_url, url, sizeof(url))) != 0)
		return r;
	r = snprintf(headers, sizeof(headers), "Authorization: Basic %s\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Accept: application/json\r\n", client);
	if (r < 0 || (size_t)r >= sizeof(headers))
		return err_limit("IAM headers", "their buffer", sizeof(headers));
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.headers = headers;
	rq.body = form->p;
	rq.body_len = form->len;
	rq.retry = 1;   /* the token POST is safe to repeat */
	return iam_send(&rq, "IAM", &rs, t);
}

int
iam_send(const struct http_req *rq, const char *what, struct http_resp *rs,
    struct iam_tokens *t)
{
	int r;

	memset(t, 0, sizeof(*t));
	if ((r = http_do(rq, rs)) != 0)
		return r;
	t->at = (int64_t)time(NULL);
	if (http_date(http_header(rs, "date"), &t->date) != 0)
		t->date = 0;
	if (!api_ok(rs))
		return api_error(what, rs, 1);
	r = parse_tokens(rs, t);
	/* The answer held tokens: wipe it from the receive buffer. */
	mem_wipe((char *)rs->body, rs->body_len);
	return r;
}
