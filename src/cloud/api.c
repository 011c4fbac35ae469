/*
 * api.c: JSON bodies and error answers of IBM services (see api.h).
 * Owns the token array every parsed document uses; documents are
 * parsed one at a time.
 */
#include "cloud/api.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"

#include <stdio.h>

static jsmntok_t toks[LIM_JSON_TOKENS];   /* the shared token array */

int
api_parse(const char *what, const char *body, size_t len, struct json_doc *d)
{
	int r = json_parse(d, body, len, toks, LIM_JSON_TOKENS);

	/* json_parse() named the limit: tokens, nesting or size. */
	if (r == ERR_LIMIT)
		return err_set(ERR_LIMIT, "%s: the answer is over a limit: %s",
		    what, err_detail());
	if (r != 0)
		return err_set(r, "%s: the answer is not valid JSON (%s)", what,
		    err_detail());
	return 0;
}

int
api_ok(const struct http_resp *rs)
{
	return rs->status >= 200 && rs->status < 300;
}

/* field: copy a short string field of obj, or "" (never fails). */
static void
field(const struct json_doc *d, int obj, const char *key, char *out,
    size_t cap)
{
	if (json_get_str(d, obj, key, out, cap) < 0)
		out[0] = '\0';
}

int
api_error(const char *what, const struct http_resp *rs, int is_iam)
{
	static char code[64], msg[512], id[160], details[512];
	struct json_doc d;
	struct slice tid;
	int ecode, ctx;

	ecode = rs->status == 401 || (is_iam && (rs->status == 400 ||
	    rs->status == 403)) ? ERR_AUTH : ERR_HTTP_STATUS;
	code[0] = msg[0] = id[0] = details[0] = '\0';
	if (rs->body_len > 0 && api_parse(what, rs->body, rs->body_len, &d) == 0 &&
	    json_type(&d, 0) == JSON_OBJECT) {
		field(&d, 0, "errorCode", code, sizeof(code));
		if (code[0] != '\0') {   /* IAM */
			field(&d, 0, "errorMessage", msg, sizeof(msg));
			field(&d, 0, "errorDetails", details, sizeof(details));
			ctx = json_get(&d, 0, "context");
			field(&d, ctx, "requestId", id, sizeof(id));
		} else {                 /* containers, Kubernetes */
			field(&d, 0, "code", code, sizeof(code));
			field(&d, 0, "description", msg, sizeof(msg));
			field(&d, 0, "incidentID", id, sizeof(id));
			if (msg[0] == '\0')
				field(&d, 0, "message", msg, sizeof(msg));
			if (msg[0] == '\0')
				field(&d, 0, "errorMessage", msg, sizeof(msg));
		}
	}
	if (id[0] == '\0') {
		tid = http_header(rs, "transaction-id");
		if (tid.n == 0)
			tid = http_header(rs, "x-request-id");
		if (slice_copy(id, sizeof(id), tid, "id") != 0)
			id[0] = '\0';
	}
	if (code[0] == '\0' && msg[0] == '\0')
		return err_set(ecode, "%s: HTTP %d%s%s%s", what, rs->status,
		    id[0] ? " (id " : "", id, id[0] ? ")" : "");
	return err_set(ecode, "%s: %s%s%s%s%s (HTTP %d%s%s)", what, code,
	    code[0] && msg[0] ? ": " : "", msg, details[0] ? " " : "", details,
	    rs->status, id[0] ? (is_iam ? ", transaction-id " : ", incidentID ") :
	    "", id);
}
