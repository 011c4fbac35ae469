/*
 * manage.c: the cluster a changing command acts on, and the lookup that
 * keeps a create from being sent twice (see manage.h).  A create is
 * never resent: after a 5xx or a lost answer the service may well have
 * made the cluster (IBM-LIFECYCLE.md: E0007 after a 500), so the name is
 * read back instead.
 */
#include "cloud/manage.h"
#include "base/errors.h"
#include "base/fmt.h"
#include "base/term.h"
#include "cloud/api.h"
#include "cloud/containers.h"
#include "cloud/session.h"
#include "net/sock.h"
#include "net/url.h"

#include <stdio.h>
#include <string.h>

#define CREATE_SLACK_S 2   /* Date and createdDate have whole seconds */

/* get: GET /v1/clusters/{key} with id and name into t; 0 or an error. */
static int
get(const char *key, struct manage_target *t, struct http_resp *rs,
    struct json_doc *d)
{
	int r;

	if ((r = cluster_read(key, "", rs)) != 0 ||
	    (r = api_parse(key, rs->body, rs->body_len, d)) != 0 ||
	    (r = json_get_str(d, 0, "id", t->id, sizeof(t->id))) < 0 ||
	    (r = json_get_str(d, 0, "name", t->name, sizeof(t->name))) < 0)
		return r;
	return 0;
}

int
manage_target(const char *key, struct manage_target *t)
{
	static struct http_resp rs;
	struct json_doc d;
	int r;

	if ((r = get(key, t, &rs, &d)) == 0)
		t->vpc = json_str_eq(&d, json_get(&d, 0, "provider"), "vpc-gen2");
	return r;
}

int
manage_pool_get(const struct manage_target *t, const char *pool,
    struct http_resp *rs)
{
	char sub[LIM_PATH_BYTES];
	struct sbuf b;
	int r;

	sbuf_init(&b, sub, sizeof(sub));
	sbuf_add(&b, t->vpc ? "/v2/vpc/getWorkerPool?cluster=" :
	    "/v1/clusters/");
	url_encode(&b, slice_of(t->id), 0);
	sbuf_add(&b, t->vpc ? "&workerpool=" : "/workerpools/");
	url_encode(&b, slice_of(pool), 0);
	if ((r = sbuf_ok(&b, "path")) != 0)
		return r;
	return session_call(SVC_CS, "GET", sub, NULL, NULL, 0, NULL, NULL, rs);
}

int
manage_pool_exists(const struct manage_target *t, const char *pool)
{
	static struct http_resp rs;

	return manage_pool_get(t, pool, &rs) != 0 || rs.status != 404;
}

/* created_after: 1 if the cluster in d was created after start. */
static int
created_after(const struct json_doc *d, const struct http_resp *rs,
    int64_t elapsed_s)
{
	char when[64];
	int64_t created, start, date;

	if (json_get_str(d, 0, "createdDate", when, sizeof(when)) < 0 ||
	    fmt_parse_time(when, &created) != 0)
		return 0;
	/* The service's clock, from its Date (this machine's may be off). */
	if (http_date(http_header(rs, "date"), &date) == 0)
		start = date - elapsed_s;
	else
		start = session_service_now() - elapsed_s;
	return created >= start - CREATE_SLACK_S;
}

int
manage_created(const char *what, struct manage_target *t, const char *pool,
    int before, const char *id_key, int64_t t0_ms, int r,
    struct http_resp *rs)
{
	static char saved[512], shown[4 * 512], made[2 * LIM_FIELD_BYTES];
	static struct manage_target found;
	static struct http_resp look;
	char *id = pool != NULL ? t->pool_id : t->id;
	struct json_doc d;
	struct sbuf b;
	int code, ok, made_it = (r == 0 || r == ERR_HTTP_TOO_LARGE) &&
	    api_ok(rs);

	/*
	 * A 2xx whose id cannot be read (an answer over a limit, or broken)
	 * is a create the service accepted: its id comes from the lookup
	 * below, as for a create whose answer never came.
	 */
	if (made_it) {
		if (r == 0 && (r = api_parse(what, rs->body, rs->body_len,
		    &d)) == 0 && json_get_str(&d, 0, id_key, id,
		    LIM_FIELD_BYTES) >= 0)
			return 0;
		code = r != 0 ? r : err_code_last();
	} else if (r == 0 && rs->status < 500)
		return api_error(what, rs, 0);
	else if (r != 0 && err_exit_status(r) != EXIT_NET)
		return r;
	else
		code = r == 0 ? api_error(what, rs, 0) : r;
	(void)str_copy(saved, sizeof(saved), err_detail(), "detail");
	/*
	 * The lookup tells a create that timed out (--max-time included)
	 * from one that never happened: it gets a --max-time of its own.
	 */
	sock_max_time(-1);
	if (pool != NULL)
		ok = !before && manage_pool_get(t, pool, &look) == 0 && api_ok(&look) &&
		    api_parse(pool, look.body, look.body_len, &d) == 0 &&
		    json_get_str(&d, 0, "id", found.id, sizeof(found.id)) >= 0;
	else
		ok = get(t->name, &found, &look, &d) == 0 && created_after(&d,
		    &look, (sock_now_ms() - t0_ms + 999) / 1000);
	if (!ok)
		return err_set(code, "%s", saved);
	memcpy(id, found.id, LIM_FIELD_BYTES);
	sbuf_init(&b, made, sizeof(made));
	sbuf_addc(&b, '{');
	json_add_string(&b, slice_of(id_key));
	sbuf_addc(&b, ':');
	json_add_string(&b, slice_of(id));
	sbuf_add(&b, "}\n");
	t->body = (struct slice){ made, b.len };
	sbuf_init(&b, shown, sizeof(shown));
	term_escape(&b, saved, strlen(saved));
	sbuf_add(&b, pool != NULL ? "; but worker pool " : "; but cluster ");
	term_escape(&b, id, strlen(id));
	fprintf(stderr, "iksctl: %s %s\n", shown, made_it ? "was created; its "
	    "id is from a lookup" : "was created after the request, so it is "
	    "not sent again");
	return 0;
}
