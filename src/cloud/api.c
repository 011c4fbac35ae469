/*
 * api.c: JSON bodies and error answers of IBM services (see api.h).
 * Owns the token array every parsed document uses; documents are
 * parsed one at a time.
 */
#include "cloud/api.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"

#include "proto/http_parse.h"

#include <stdio.h>
#include <time.h>

static jsmntok_t toks[LIM_JSON_TOKENS];   /* the shared token array */

int
api_parse_bare(const char *body, size_t len, struct json_doc *d)
{
	return json_parse(d, body, len, toks, LIM_JSON_TOKENS);
}

int
api_parse_error(const char *what, int r)
{
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
api_parse(const char *what, const char *body, size_t len, struct json_doc *d)
{
	int r = api_parse_bare(body, len, d);

	return r == 0 ? 0 : api_parse_error(what, r);
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

/*
 * read_body: the service's code, message, details and id from an error
 * body; *label names the id: IAM's context.requestId is a request id,
 * the containers API's incidentID an incidentID, Account Management's
 * trace a trace.
 */
static void
read_body(const struct json_doc *d, char *code, char *msg, char *details,
    char *id, const char **label)
{
	/* The shapes: code, message, details, id (its label is its name). */
	static const char *const shape[3][4] = {
		{ "errorCode", "errorMessage", "errorDetails", "requestId" },
		{ "code", "message", "more_info", "trace" },
		{ "code", "description", "", "incidentID" },
	};
	int e = json_get(d, 0, "errors"), obj = 0, idobj = 0, k = 2;

	field(d, 0, "errorCode", code, 64);
	if (code[0] != '\0' || json_get(d, 0, "errorMessage") >= 0) {   /* IAM */
		k = 0;
		idobj = json_get(d, 0, "context");
	} else if (json_type(d, e) == JSON_ARRAY) {   /* Account Management, VPC */
		k = 1;
		obj = json_at(d, e, 0);
	}                        /* else containers, Kubernetes */
	field(d, obj, shape[k][0], code, 64);
	field(d, obj, shape[k][1], msg, 512);
	field(d, obj, shape[k][2], details, 512);
	field(d, idobj, shape[k][3], id, 160);
	*label = k == 0 ? "request id" : shape[k][3];
	if (msg[0] == '\0')
		field(d, 0, "message", msg, 512);
}

int
api_error(const char *what, const struct http_resp *rs, int is_iam)
{
	static char code[64], msg[512], id[160], details[512], st[128];
	const char *label = "request id";
	struct json_doc d;
	struct slice v;
	uint32_t wait;
	int ecode, n;

	ecode = rs->status == 401 || (is_iam && (rs->status == 400 ||
	    rs->status == 403)) ? ERR_AUTH : ERR_HTTP_STATUS;
	code[0] = msg[0] = id[0] = details[0] = '\0';
	if (rs->body_len > 0 && api_parse(what, rs->body, rs->body_len, &d) == 0 &&
	    json_type(&d, 0) == JSON_OBJECT)
		read_body(&d, code, msg, details, id, &label);
	if (id[0] == '\0') {
		label = "request id";
		v = http_header(rs, "transaction-id");
		if (v.n == 0)
			v = http_header(rs, "x-request-id");
		if (slice_copy(id, sizeof(id), v, "id") != 0)
			id[0] = '\0';
	}
	/* "HTTP 429 Too Many Requests after 3 tries, the service asked..." */
	n = snprintf(st, sizeof(st), "HTTP %d%s", rs->status,
	    rs->status == 429 ? " Too Many Requests" : "");
	if (n > 0 && (rs->attempts > 1 || rs->status == 429))
		n += snprintf(st + n, sizeof(st) - (size_t)n, " after %d tr%s",
		    rs->attempts, rs->attempts == 1 ? "y" : "ies");
	v = http_header(rs, "retry-after");
	if (n > 0 && v.n > 0 && http_retry_after(v, http_resp_now(rs),
	    &wait) == 0)
		(void)snprintf(st + n, sizeof(st) - (size_t)n, ", the service "
		    "asked to wait %lu s", (unsigned long)wait);
	if (code[0] == '\0' && msg[0] == '\0')
		return err_set(ecode, "%s: %s%s%s%s%s%s", what, st,
		    id[0] ? " (" : "", id[0] ? label : "", id[0] ? " " : "", id,
		    id[0] ? ")" : "");
	return err_set(ecode, "%s: %s%s%s%s%s (%s%s%s%s%s)", what, code,
	    code[0] && msg[0] ? ": " : "", msg, details[0] ? " " : "", details,
	    st, id[0] ? ", " : "", id[0] ? label : "", id[0] ? " " : "", id);
}
