/*
 * session.c: tokens that are always valid (see session.h): the core.
 * init (load the store, settle endpoints and region), reload and save
 * of the store, and finish (save TLS sessions).  Token renewal is in
 * session_token.c, login/logout/target in session_login.c, service
 * calls in session_call.c; what they share is in session_int.h.
 *
 * Ownership: this file owns `sess` (the loaded store and the settled
 * endpoints).  Every write of the store happens under the store lock,
 * after reloading it, so that two processes never undo each other's
 * refresh.
 */
#include "cloud/session.h"
#include "cloud/session_int.h"
#include "base/errors.h"
#include "base/str.h"
#include "base/file.h"
#include "net/sock.h"
#include "net/tls.h"
#include "net/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct session sess;

int64_t
session_now(void)
{
	return (int64_t)time(NULL);
}

const char *
session_base(enum session_service svc)
{
	return svc == SVC_IAM ? sess.iam_url : svc == SVC_ACCOUNTS ?
	    sess.accounts_url : sess.cs_url;
}

/* pick: env, else saved, else default into out. */
static int
pick(char *out, size_t cap, const char *env, const char *saved,
    const char *def)
{
	const char *v = getenv(env);

	if (v == NULL || v[0] == '\0')
		v = saved[0] ? saved : def;
	return str_copy(out, cap, v, env);
}

/* private_url: env, else "https://private." region host into out. */
static int
private_url(char *out, size_t cap, const char *env, const char *region,
    const char *host)
{
	const char *v = getenv(env);
	struct sbuf b;

	if (v != NULL && v[0] != '\0')
		return str_copy(out, cap, v, env);
	sbuf_init(&b, out, cap);
	sbuf_add(&b, "https://private.");
	sbuf_add(&b, region);
	sbuf_add(&b, host);
	return sbuf_ok(&b, env);
}

/*
 * settle_private: the private endpoints (IBM-API.md sections 1, 3, 4):
 * IAM and accounts have regional private hosts in us-south and us-east;
 * the containers API has one per region.
 */
static int
settle_private(void)
{
	const char *reg = sess.region[0] ? sess.region : "us-south";
	const char *iam_reg = strcmp(reg, "us-east") == 0 ? "us-east." :
	    strcmp(reg, "us-south") == 0 && sess.region[0] ? "us-south." : "";
	const char *acc_reg = strcmp(reg, "us-east") == 0 ? "us-east" : "us-south";
	int e;

	if ((e = private_url(sess.iam_url, sizeof(sess.iam_url),
	    "IBMCLOUD_PRIVATE_IAM_API_ENDPOINT", iam_reg,
	    "iam.cloud.ibm.com")) != 0 ||
	    (e = private_url(sess.accounts_url, sizeof(sess.accounts_url),
	    "IBMCLOUD_PRIVATE_ACCOUNT_MANAGEMENT_API_ENDPOINT", acc_reg,
	    ".accounts.cloud.ibm.com")) != 0)
		return e;
	return private_url(sess.cs_url, sizeof(sess.cs_url),
	    "IBMCLOUD_PRIVATE_CS_API_ENDPOINT", reg,
	    ".containers.cloud.ibm.com/global");
}

/* either: v (a flag), else the first of two variables set, or "". */
static const char *
either(const char *v, const char *a, const char *b)
{
	if (v == NULL || v[0] == '\0')
		v = getenv(a);
	if (v == NULL || v[0] == '\0')
		v = getenv(b);
	return v != NULL ? v : "";
}

static int
settle(const char *region_flag, const char *visibility, const char *rg)
{
	const char *r;
	int e;

	visibility = either(visibility, "IBMCLOUD_VISIBILITY", "IC_VISIBILITY");
	if (visibility[0] != '\0' && strcmp(visibility, "public") != 0) {
		if (strcmp(visibility, "private") != 0)
			return err_set(ERR_USAGE, "visibility %s: use public or "
			    "private", visibility);
		sess.private_endpoints = 1;
	}
	if ((e = pick(sess.iam_url, sizeof(sess.iam_url),
	    "IBMCLOUD_IAM_API_ENDPOINT", sess.st.iam_url,
	    SESSION_IAM_DEFAULT)) != 0 ||
	    (e = pick(sess.accounts_url, sizeof(sess.accounts_url),
	    "IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT", sess.st.accounts_url,
	    SESSION_ACCOUNTS_DEFAULT)) != 0 ||
	    (e = pick(sess.cs_url, sizeof(sess.cs_url), "IBMCLOUD_CS_API_ENDPOINT",
	    sess.st.cs_url, SESSION_CS_DEFAULT)) != 0)
		return e;
	r = either(region_flag, "IBMCLOUD_REGION", "IC_REGION");
	if (r[0] == '\0')
		r = sess.st.region;
	if ((e = str_copy(sess.region, sizeof(sess.region), r, "region")) != 0 ||
	    (e = http_field_check("X-Region", sess.region)) != 0)
		return e;
	rg = either(rg, "IBMCLOUD_RESOURCE_GROUP", "IC_RESOURCE_GROUP");
	if ((e = str_copy(sess.resource_group, sizeof(sess.resource_group),
	    rg, "resource group")) != 0 ||
	    (e = http_field_check("X-Auth-Resource-Group",
	    sess.resource_group)) != 0)
		return e;
	return sess.private_endpoints ? settle_private() : 0;
}

/* offer_tls: hand the saved TLS sessions to the HTTP layer. */
static void
offer_tls(void)
{
	size_t i;

	for (i = 0; i < LIM_STORE_TLS; i++)
		if (sess.st.tls[i].host[0] != '\0' && sess.st.tls[i].len > 0)
			http_session_put(sess.st.tls[i].host, sess.st.tls[i].data,
			    sess.st.tls[i].len);
}

/* keep_load_err: remember why the store cannot be used (code r). */
static void
keep_load_err(int r)
{
	sess.load_err = r;
	if (str_copy(sess.load_detail, sizeof(sess.load_detail), err_detail(),
	    "detail") != 0)
		sess.load_detail[0] = '\0';
	err_clear();
}

int
session_init(const char *region_flag, const char *visibility,
    const char *resource_group)
{
	int r;

	store_init(&sess.st);
	sess.load_err = 0;
	if ((r = store_home(sess.home, sizeof(sess.home))) != 0) {
		/* No HOME nor IKSCTL_HOME: calls without a token still work. */
		sess.home[0] = '\0';
		keep_load_err(r);
	} else if ((r = store_load(sess.home, &sess.st)) < 0) {
		/* Unreadable: logout removes it, login replaces it. */
		keep_load_err(r);
	} else {
		sess.have_store = r == 0;
		tls_clock_offset = sess.st.clock_offset;
		offer_tls();
	}
	return settle(region_flag, visibility, resource_group);
}

int
session_need_store(void)
{
	if (sess.load_err == 0)
		return 0;
	if (sess.home[0] == '\0' || strstr(sess.load_detail, "iksctl logout"))
		return err_set(sess.load_err, "%s", sess.load_detail);
	return err_set(sess.load_err, "%s; run 'iksctl logout' or 'iksctl "
	    "login' to start over", sess.load_detail);
}

/*
 * gone: forget the login this process read (its tokens wiped) and say
 * why, as ERR_AUTH_LOGIN: the store holds no login, or another one.
 */
static int
gone(int replaced)
{
	store_init(&sess.st);
	sess.have_store = 0;   /* session_finish saves nothing either */
	return err_set(ERR_AUTH_LOGIN, "%s meanwhile; nothing saved",
	    replaced ? "another login" : "logged out");
}

/*
 * disk_check: read the store again into fresh and compare its login with
 * the one this process holds (login_id).  Returns 1 if fresh holds the
 * same login (or this process had none and a store was there), 0 if
 * there is no store and this process had no login, else gone()'s error
 * or the load error.
 */
static int
disk_check(struct store *fresh)
{
	int r = store_load(sess.home, fresh);

	if (r < 0)
		return r;
	if (sess.st.access_token[0] != '\0' && (r == 1 ||
	    fresh->login_id != sess.st.login_id))
		return gone(r == 0);
	return r == 0;
}

/*
 * sess_reload: read the store again (under the lock) before changing it.
 * A login that was removed or replaced meanwhile is not this process's
 * to renew: ERR_AUTH_LOGIN, and nothing is written.
 */
int
sess_reload(void)
{
	static struct store fresh;
	int r;

	r = disk_check(&fresh);
	if (r == 1)
		memcpy(&sess.st, &fresh, sizeof(fresh));
	mem_wipe(&fresh, sizeof(fresh));
	return r < 0 ? r : 0;
}

/*
 * sess_save: write the store, unless it no longer holds this process's
 * login (a logout that did not wait for our lock): then what we got is
 * thrown away (ERR_AUTH_LOGIN).
 */
int
sess_save(void)
{
	static struct store fresh;
	int r;

	if (sess.home[0] == '\0')
		return session_need_store();
	r = disk_check(&fresh);
	mem_wipe(&fresh, sizeof(fresh));
	if (r >= 0)
		r = store_save(sess.home, &sess.st);
	if (r == 0)
		sess.have_store = 1;
	return r;
}

int
session_finish(void)
{
	const uint8_t *p;
	const char *hp;
	struct store_tls *t;
	int64_t now = session_now();
	size_t n;
	int i = 0, want = 0, r, fd = -1;

	/* The next unit of work (the agent's next renewal) starts afresh. */
	sock_max_time(-1);
	if (!sess.have_store)
		return 0;
	while (http_session_next(&i, &hp, &p, &n)) {
		t = store_tls_find(&sess.st, hp);
		/* New, stale, or the saved one was refused (a full handshake). */
		if (t == NULL || now - t->saved_at > TLS_RESAVE_S ||
		    http_stats.handshakes > 0)
			want = 1;
	}
	if (!want)
		return 0;
	/* Best effort: never block a command's exit for long on the lock. */
	if (store_lock(sess.home, &fd, 2000) != 0)
		return 0;
	if (sess_reload() == 0 && sess.st.access_token[0] != '\0') {
		i = 0;
		while (http_session_next(&i, &hp, &p, &n))
			(void)store_tls_put(&sess.st, hp, p, n, now);
		r = sess_save();
		(void)r;
	}
	store_unlock(fd);
	return 0;
}
