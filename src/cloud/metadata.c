/*
 * metadata.c: the VPC instance identity exchange (see metadata.h).
 *
 * The calls are the rows of one table, newest API first: an identity
 * token row (PUT, Metadata-Flavor: ibm, {"expires_in":300}) is followed
 * by the IAM token rows that take it (POST, Bearer <identity token>,
 * {"trusted_profile":{...}}).  A 404 moves on to the next row: an IAM
 * row to the next spelling, an identity token row to the older API.
 * This file owns the identity token and the request headers, wiped
 * before it returns.
 */
#include "cloud/metadata.h"
#include "base/errors.h"
#include "base/str.h"
#include "proto/http.h"
#include "proto/json.h"

#include <stdlib.h>
#include <string.h>

/*
 * The table: an API, newest first: its folder, its version and its IAM
 * token calls in turn (IBM's docs write iam_tokens, DESIGN.md and the
 * older API iam_token); each API's first call is its identity token.
 */
static const char *const apis[][4] = {
	{ "/identity/v1/", "2025-08-26", "iam_tokens", "iam_token" },
	{ "/instance_identity/v1/", "2022-03-01", "iam_token", NULL },
};

static char ident[LIM_TOKEN_BYTES];        /* the identity token */
static char hdr[LIM_TOKEN_BYTES + 128];    /* one call's headers */

/* md_send: call `name` of api with body into *t; *status its answer's. */
static int
md_send(const char *base, const char *const *api, const char *name,
    const char *body, struct iam_tokens *t, int *status)
{
	static char url[LIM_URL_BYTES];
	static struct http_resp rs;
	struct http_req rq;
	struct sbuf u, h;
	int r, iam = name[0] == 'i';

	*status = 0;
	sbuf_init(&u, url, sizeof(url));
	sbuf_addf(&u, "%s%s%s?version=%s", base, api[0], name, api[1]);
	if ((r = sbuf_ok(&u, "IKSCTL_METADATA_URL")) != 0)
		return r;
	/* Room for the longest identity token: this cannot overflow. */
	sbuf_init(&h, hdr, sizeof(hdr));
	sbuf_addf(&h, "Metadata-Flavor: ibm\r\n%s%s",
	    "Content-Type: application/json\r\n", "Accept: application/json\r\n");
	if (iam)
		sbuf_addf(&h, "Authorization: Bearer %s\r\n", ident);
	memset(&rq, 0, sizeof(rq));
	rq.method = iam ? "POST" : "PUT";
	rq.url = url;
	rq.headers = hdr;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.retry = 1;     /* both calls may be repeated */
	rq.direct = 1;    /* plain HTTP allowed, never a proxy */
	r = iam_send(&rq, "metadata service", &rs, t);
	mem_wipe(hdr, sizeof(hdr));
	*status = rs.status;
	return r;
}

int
metadata_iam_token(const char *profile, struct iam_tokens *t)
{
	static char pbody[2 * LIM_FIELD_BYTES + 64];
	const char *base = getenv("IKSCTL_METADATA_URL"), *name;
	struct sbuf pb;
	size_t i;
	int r = 0, status = 0;

	if (base == NULL || base[0] == '\0')
		base = METADATA_DEFAULT;
	sbuf_init(&pb, pbody, sizeof(pbody));
	sbuf_addf(&pb, "{\"trusted_profile\":{\"%s\":", strncmp(profile, "crn:",
	    4) == 0 ? "crn" : "id");
	json_add_string(&pb, slice_of(profile));
	sbuf_add(&pb, "}}");
	if ((r = sbuf_ok(&pb, "--profile-crn")) != 0)
		return r;
	ident[0] = '\0';
	for (i = 0; i < 6; i++) {
		name = i % 3 ? apis[i / 3][i % 3 + 1] : "token";
		if (name == NULL || (i % 3 != 0 && ident[0] == '\0'))
			continue;   /* none, or its identity token answered 404 */
		r = md_send(base, apis[i / 3], name, i % 3 ? pbody :
		    "{\"expires_in\":300}", t, &status);
		if (r == 0 && i % 3 != 0)
			break;
		if (i % 3 == 0)   /* "" after a failure */
			memcpy(ident, t->access, sizeof(ident));
		iam_tokens_wipe(t);
		if (r != 0 && status != 404)
			break;
	}
	mem_wipe(ident, sizeof(ident));
	/* Refused, unreachable, silent or unnamed: no service to talk to. */
	if (r <= ERR_NET_DNS && r >= ERR_NET_TIMEOUT)
		return http_recode(r, "enable the instance's metadata service: ");
	if (r != 0 && status >= 400 && status < 500 && status != 429)
		return http_recode(ERR_AUTH, strstr(err_detail(),
		    "profile_not_linked") ? "link the profile to this instance: " :
		    "");
	return r;
}
