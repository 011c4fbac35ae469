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

	return get(key, t, &rs, &d);
}

/* created_after: 1 if the cluster in d was created after start. */
static int
created_after(const struct json_doc *d, const struct http_resp *rs,
    int64_t elapsed_s)
{
	char when[64];
	uint32_t date;
	int64_t created, start;

	if (json_get_str(d, 0, "createdDate", when, sizeof(when)) < 0 ||
	    fmt_parse_time(when, &created) != 0)
		return 0;
	/* The service's clock, from its Date (this machine's may be off). */
	if (http_retry_after(http_header(rs, "date"), 0, &date) == 0 &&
	    date > 0)
		start = (int64_t)date - elapsed_s;
	else
		start = session_now() - elapsed_s;
	return created >= start - CREATE_SLACK_S;
}

int
manage_created(const char *what, struct manage_target *t,
    const char *id_key, int64_t t0_ms, int r, struct http_resp *rs)
{
	static char saved[512], shown[4 * 512], made[2 * LIM_FIELD_BYTES];
	static struct manage_target found;
	static struct http_resp look;
	struct json_doc d;
	struct sbuf b;
	int code;

	if (r == 0 && api_ok(rs)) {
		if ((r = api_parse(what, rs->body, rs->body_len, &d)) != 0)
			return r;
		return json_get_str(&d, 0, id_key, t->id, sizeof(t->id)) < 0 ?
		    err_code_last() : 0;
	}
	if (r == 0 && rs->status < 500)
		return api_error(what, rs, 0);
	if (r != 0 && err_exit_status(r) != EXIT_NET)
		return r;
	code = r == 0 ? api_error(what, rs, 0) : r;
	(void)str_copy(saved, sizeof(saved), err_detail(), "detail");
	if (get(t->name, &found, &look, &d) != 0 || !created_after(&d, &look,
	    (sock_now_ms() - t0_ms + 999) / 1000))
		return err_set(code, "%s", saved);
	memcpy(t->id, found.id, sizeof(t->id));
	sbuf_init(&b, made, sizeof(made));
	sbuf_addc(&b, '{');
	json_add_string(&b, slice_of(id_key));
	sbuf_addc(&b, ':');
	json_add_string(&b, slice_of(t->id));
	sbuf_add(&b, "}\n");
	t->body = (struct slice){ made, b.len };
	sbuf_init(&b, shown, sizeof(shown));
	term_escape(&b, saved, strlen(saved));
	sbuf_add(&b, "; but cluster ");
	term_escape(&b, t->id, strlen(t->id));
	fprintf(stderr, "iksctl: %s was created after the request, so it is "
	    "not sent again\n", shown);
	return 0;
}
