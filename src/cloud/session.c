/*
 * session.c: tokens that are always valid (see session.h).
 *
 * Ownership: this file owns `sess` (the loaded store and the settled
 * endpoints) and the IAM answers it handles; every secret it reads or
 * receives is wiped once copied into the store.  Every write of the
 * store happens under the store lock, after reloading it, so that two
 * processes never undo each other's refresh.
 */
#include "cloud/session.h"
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"
#include "cloud/api.h"
#include "cloud/iam.h"
#include "net/url.h"
#include "proto/jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct session sess;

#define EXPIRY_WINDOW 10      /* a token counts as expired 10 s early */
#define LOCK_WAIT_MS 60000    /* wait for another process's refresh */
#define TLS_RESAVE_S 600      /* keep a saved TLS session this long */

static struct iam_tokens toks;          /* the last IAM answer */
static char form_buf[LIM_HTTP_REQ_BYTES]; /* an IAM form */
static char secret_buf[LIM_SECRET_BYTES]; /* a secret re-read for login */

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

static int
settle(const char *region_flag, const char *visibility)
{
	const char *r = region_flag;
	int e;

	if (visibility == NULL || visibility[0] == '\0')
		visibility = getenv("IBMCLOUD_VISIBILITY");
	if (visibility == NULL || visibility[0] == '\0')
		visibility = getenv("IC_VISIBILITY");
	if (visibility != NULL && visibility[0] != '\0' &&
	    strcmp(visibility, "public") != 0) {
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
	if (r == NULL || r[0] == '\0')
		r = getenv("IBMCLOUD_REGION");
	if (r == NULL || r[0] == '\0')
		r = getenv("IC_REGION");
	if (r == NULL || r[0] == '\0')
		r = sess.st.region;
	if ((e = str_copy(sess.region, sizeof(sess.region), r, "region")) != 0 ||
	    (e = http_field_check("X-Region", sess.region)) != 0)
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

int
session_init(const char *region_flag, const char *visibility)
{
	int r;

	store_init(&sess.st);
	if ((r = store_home(sess.home, sizeof(sess.home))) != 0) {
		/* No HOME nor IKSCTL_HOME: calls without a token still work. */
		sess.home[0] = '\0';
		return settle(region_flag, visibility) != 0 ? err_code_last() : 0;
	}
	r = store_load(sess.home, &sess.st);
	if (r < 0)
		return r;
	sess.have_store = r == 0;
	offer_tls();
	return settle(region_flag, visibility);
}

/* reload: read the store again (under the lock) before changing it. */
static int
reload(void)
{
	static struct store fresh;
	int r;

	r = store_load(sess.home, &fresh);
	if (r < 0)
		return r;
	if (r == 0)
		memcpy(&sess.st, &fresh, sizeof(fresh));
	mem_wipe(&fresh, sizeof(fresh));
	return 0;
}

static int
save(void)
{
	int r;

	if (sess.home[0] == '\0')
		return err_set(ERR_STORE, "no place for the store: set IKSCTL_HOME "
		    "or HOME");
	r = store_save(sess.home, &sess.st);

	if (r == 0)
		sess.have_store = 1;
	return r;
}

/* apply: put the access and refresh tokens of toks into the store. */
static int
apply(void)
{
	static struct jwt_info ji;
	int64_t now = session_now();
	int r;

	if (toks.access[0] == '\0')
		return err_set(ERR_JSON_FIELD, "IAM answered without an access_token");
	if (jwt_read(slice_of(toks.access), &ji) == 0) {
		sess.st.access_iat = ji.iat ? ji.iat : now;
		sess.st.access_exp = ji.exp;
		if ((r = str_copy(sess.st.iam_id, sizeof(sess.st.iam_id), ji.iam_id,
		    "iam_id")) != 0)
			return r;
		if (strcmp(sess.st.account, ji.account) != 0) {
			/* A token for another account: the kube token is stale. */
			sess.st.kube_token[0] = '\0';
			sess.st.kube_exp = 0;
		}
		if ((r = str_copy(sess.st.account, sizeof(sess.st.account),
		    ji.account, "account")) != 0)
			return r;
		if (ji.email[0] != '\0' && sess.st.user[0] == '\0')
			(void)str_copy(sess.st.user, sizeof(sess.st.user), ji.email,
			    "user");
	} else {
		sess.st.access_iat = now;
		sess.st.access_exp = toks.expiration ? toks.expiration :
		    now + (toks.expires_in ? toks.expires_in : 3600);
	}
	if ((r = str_copy(sess.st.access_token, sizeof(sess.st.access_token),
	    toks.access, "access token")) != 0)
		return r;
	if (toks.refresh[0] != '\0') {
		if ((r = str_copy(sess.st.refresh_token,
		    sizeof(sess.st.refresh_token), toks.refresh,
		    "refresh token")) != 0)
			return r;
		sess.st.refresh_exp = toks.refresh_exp;
	} else if (strcmp(sess.st.cred_kind, "cr-token") == 0) {
		sess.st.refresh_token[0] = '\0';
		sess.st.refresh_exp = 0;
	}
	iam_tokens_wipe(&toks);
	return 0;
}

/* grant_login: the original grant for kind with secret into the form. */
static int
grant_login(struct sbuf *f, const char *kind, const char *secret,
    const char *username, const char *profile_id, const char *profile_name)
{
	if (strcmp(kind, "apikey") == 0) {
		form_add(f, "grant_type", SLICE_LIT(IAM_GRANT_APIKEY));
		form_add(f, "apikey", slice_of(secret));
	} else if (strcmp(kind, "password") == 0) {
		form_add(f, "grant_type", SLICE_LIT("password"));
		form_add(f, "username", slice_of(username));
		form_add(f, "password", slice_of(secret));
	} else if (strcmp(kind, "passcode") == 0) {
		form_add(f, "grant_type", SLICE_LIT(IAM_GRANT_PASSCODE));
		form_add(f, "passcode", slice_of(secret));
	} else if (strcmp(kind, "cr-token") == 0) {
		form_add(f, "grant_type", SLICE_LIT(IAM_GRANT_CR_TOKEN));
		form_add(f, "cr_token", slice_of(secret));
		if (profile_id != NULL && profile_id[0] != '\0')
			form_add(f, "profile_id", slice_of(profile_id));
		else
			form_add(f, "profile_name", slice_of(profile_name));
	} else {
		return err_set(ERR_USAGE, "unknown credential kind %s", kind);
	}
	form_add(f, "response_type", SLICE_LIT("cloud_iam"));
	return 0;
}

/* call_iam: send the form with client, wiping the form afterwards. */
static int
call_iam(struct sbuf *f, const char *client)
{
	int r = iam_token(sess.iam_url, client, f, &toks);

	mem_wipe(form_buf, sizeof(form_buf));
	return r;
}

/* refresh_grant: F7 (and F6 with account). */
static int
refresh_grant(const char *account)
{
	struct sbuf f;

	sbuf_init(&f, form_buf, sizeof(form_buf));
	form_add(&f, "grant_type", SLICE_LIT("refresh_token"));
	form_add(&f, "refresh_token", slice_of(sess.st.refresh_token));
	form_add(&f, "response_type", SLICE_LIT("cloud_iam"));
	if (account != NULL && account[0] != '\0')
		form_add(&f, "bss_account", slice_of(account));
	return call_iam(&f, IAM_CLIENT_BX);
}

int
cred_read(const char *source, char *out, size_t cap)
{
	const char *v;
	size_t n;
	int r;

	if (strncmp(source, "env:", 4) == 0) {
		v = getenv(source + 4);
		if (v == NULL || v[0] == '\0')
			return err_set(ERR_AUTH_EXPIRED, "the credential source %s is "
			    "not set", source);
		return str_copy(out, cap, v, source);
	}
	if (strncmp(source, "file:", 5) != 0)
		return err_set(ERR_AUTH_EXPIRED, "unknown credential source %s",
		    source);
	r = file_read(source + 5, out, cap, &n);
	if (r == 1)
		return err_set(ERR_AUTH_EXPIRED, "the credential file %s is gone",
		    source + 5);
	if (r == ERR_LIMIT)
		return err_limit(source + 5, "LIM_SECRET_BYTES", cap - 1);
	if (r != 0)
		return r;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' ||
	    out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (n == 0)
		return err_set(ERR_AUTH_EXPIRED, "the credential file %s is empty",
		    source + 5);
	return 0;
}

/* relogin: a new login from the recorded credential source. */
static int
relogin(void)
{
	struct sbuf f;
	int r;

	if (sess.st.cred_source[0] == '\0' || sess.st.cred_kind[0] == '\0' ||
	    strcmp(sess.st.cred_kind, "passcode") == 0)
		return err_set(ERR_AUTH_EXPIRED, "the session has expired and "
		    "no credential source was recorded at login; run 'iksctl login'");
	if ((r = cred_read(sess.st.cred_source, secret_buf,
	    sizeof(secret_buf))) != 0)
		return r;
	sbuf_init(&f, form_buf, sizeof(form_buf));
	r = grant_login(&f, sess.st.cred_kind, secret_buf, sess.st.user,
	    sess.st.profile_id, sess.st.profile_name);
	mem_wipe(secret_buf, sizeof(secret_buf));
	if (r != 0)
		return r;
	if (strcmp(sess.st.cred_kind, "password") == 0 ||
	    strcmp(sess.st.cred_kind, "passcode") == 0)
		if (sess.st.account[0] != '\0')
			form_add(&f, "account", slice_of(sess.st.account));
	if ((r = call_iam(&f, IAM_CLIENT_BX)) != 0)
		return r == ERR_AUTH ? err_set(ERR_AUTH, "login from %s failed: %s",
		    sess.st.cred_source, err_detail()) : r;
	return 0;
}

/* renew: refresh, or log in again when the refresh token is done. */
static int
renew(void)
{
	char account[LIM_FIELD_BYTES];
	int r;

	if (sess.st.refresh_token[0] != '\0') {
		r = refresh_grant(sess.st.account);
		if (r == 0)
			return apply();
		if (r != ERR_AUTH)
			return r;
		/* Refresh token expired or revoked: try the credential source. */
		if (sess.st.cred_source[0] == '\0')
			return err_set(ERR_AUTH_EXPIRED, "%s; run 'iksctl login'",
			    err_detail());
	}
	memcpy(account, sess.st.account, sizeof(account));
	if ((r = relogin()) != 0)
		return r;
	if ((r = apply()) != 0)
		return r;
	/* A new login may land in another account: scope it back (F6). */
	if (account[0] != '\0' && strcmp(account, sess.st.account) != 0 &&
	    sess.st.refresh_token[0] != '\0') {
		if ((r = refresh_grant(account)) != 0)
			return r;
		return apply();
	}
	return 0;
}

/* refresh_at: when the access token should be refreshed (80 %, jitter). */
static int64_t
refresh_at(void)
{
	int64_t life = sess.st.access_exp - sess.st.access_iat;
	int64_t jitter;

	if (life <= 0)
		return sess.st.access_exp - EXPIRY_WINDOW;
	jitter = life / 10 > 0 ? (int64_t)((unsigned)rand() %
	    (unsigned)(life / 10 + 1)) : 0;
	return sess.st.access_iat + life * 8 / 10 - jitter;
}

static int
usable(int64_t now)
{
	return sess.st.access_token[0] != '\0' &&
	    now < sess.st.access_exp - EXPIRY_WINDOW;
}

int
session_access(int force, const char **token)
{
	int64_t now = session_now();
	int r, fd = -1, was_usable;

	if (sess.st.access_token[0] == '\0')
		return err_set(ERR_AUTH_LOGIN, "no session in %s; run 'iksctl login'",
		    sess.home);
	if (!force && usable(now) && now < refresh_at()) {
		*token = sess.st.access_token;
		return 0;
	}
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0)
		return r;
	/* Another process may have refreshed while we waited. */
	if ((r = reload()) != 0)
		goto out;
	now = session_now();
	if (!force && usable(now) && now < refresh_at())
		goto out;
	was_usable = usable(now);
	r = renew();
	if (r == 0)
		r = save();
	else if (was_usable && !force) {
		/* Refreshing early failed; the token still works. */
		if (http_opts.verbose)
			fprintf(stderr, "* token refresh failed (%s); using the "
			    "current token\n", err_detail());
		r = 0;
	}
out:
	store_unlock(fd);
	iam_tokens_wipe(&toks);
	if (r == 0)
		*token = sess.st.access_token;
	return r;
}

int
session_kube(int force, const char **token, int64_t *exp)
{
	static struct jwt_info ji;
	const char *access;
	struct sbuf f;
	int r, fd = -1;

	if (!force && sess.st.kube_token[0] != '\0' &&
	    session_now() < sess.st.kube_exp - EXPIRY_WINDOW)
		goto done;
	if ((r = session_access(0, &access)) != 0)
		return r;
	if (sess.st.refresh_token[0] == '\0')
		return err_set(ERR_AUTH, "a Kubernetes token needs a refresh token, "
		    "and this login (%s) has none", sess.st.cred_kind);
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0)
		return r;
	if ((r = reload()) != 0)
		goto out;
	if (!force && sess.st.kube_token[0] != '\0' &&
	    session_now() < sess.st.kube_exp - EXPIRY_WINDOW)
		goto out;
	/* F13: a delegated refresh token for the kube client. */
	sbuf_init(&f, form_buf, sizeof(form_buf));
	form_add(&f, "grant_type", SLICE_LIT("refresh_token"));
	form_add(&f, "refresh_token", slice_of(sess.st.refresh_token));
	form_add(&f, "response_type", SLICE_LIT("delegated_refresh_token"));
	form_add(&f, "receiver_client_ids", SLICE_LIT("kube"));
	form_add(&f, "delegated_refresh_token_expiry", SLICE_LIT("600"));
	if ((r = call_iam(&f, IAM_CLIENT_BX)) != 0)
		goto out;
	if (toks.delegated[0] == '\0') {
		r = err_set(ERR_JSON_FIELD, "IAM sent no delegated_refresh_token");
		goto out;
	}
	/* F14: exchange it, as the kube client, for an id_token. */
	sbuf_init(&f, form_buf, sizeof(form_buf));
	form_add(&f, "grant_type", SLICE_LIT(IAM_GRANT_DELEGATED));
	form_add(&f, "refresh_token", slice_of(toks.delegated));
	if ((r = call_iam(&f, IAM_CLIENT_KUBE)) != 0)
		goto out;
	if (toks.id[0] == '\0') {
		r = err_set(ERR_JSON_FIELD, "IAM sent no id_token");
		goto out;
	}
	if ((r = jwt_read(slice_of(toks.id), &ji)) != 0)
		goto out;
	if ((r = str_copy(sess.st.kube_token, sizeof(sess.st.kube_token),
	    toks.id, "id_token")) != 0)
		goto out;
	sess.st.kube_iat = ji.iat;
	sess.st.kube_exp = ji.exp;
	r = save();
out:
	store_unlock(fd);
	iam_tokens_wipe(&toks);
	if (r != 0)
		return r;
done:
	*token = sess.st.kube_token;
	*exp = sess.st.kube_exp;
	return 0;
}

/* account_cb for login: count accounts, remember the first. */
struct pick_acct {
	int n;                          /* accounts seen */
	char first[LIM_FIELD_BYTES];    /* the first one's guid */
};

static int
count_account(void *ctx, const struct json_doc *d, int i)
{
	struct pick_acct *p = ctx;
	char guid[LIM_FIELD_BYTES], name[LIM_FIELD_BYTES];

	if (json_get_str(d, json_get(d, i, "metadata"), "guid", guid,
	    sizeof(guid)) < 0)
		return 0;
	if (json_get_str(d, json_get(d, i, "entity"), "name", name,
	    sizeof(name)) < 0)
		name[0] = '\0';
	if (p->n++ == 0)
		(void)str_copy(p->first, sizeof(p->first), guid, "account");
	fprintf(stderr, "  %s  %s\n", guid, name);
	return 0;
}

/*
 * What a new login keeps of the old store: the TLS sessions (the hosts
 * are the same; a full handshake costs far more than a resumption) and
 * the kube id_token if the identity and account turn out the same.
 */
static struct {
	struct store_tls tls[LIM_STORE_TLS]; /* saved TLS sessions */
	char kube_token[LIM_TOKEN_BYTES];    /* the old kube id_token */
	int64_t kube_iat, kube_exp;          /* its times */
	char iam_id[LIM_FIELD_BYTES];        /* whose it was */
	char account[LIM_FIELD_BYTES];       /* for which account */
} keep;

static int
record_login(const struct login *l)
{
	int r;

	memcpy(keep.tls, sess.st.tls, sizeof(keep.tls));
	memcpy(keep.kube_token, sess.st.kube_token, sizeof(keep.kube_token));
	keep.kube_iat = sess.st.kube_iat;
	keep.kube_exp = sess.st.kube_exp;
	memcpy(keep.iam_id, sess.st.iam_id, sizeof(keep.iam_id));
	memcpy(keep.account, sess.st.account, sizeof(keep.account));
	store_init(&sess.st);
	memcpy(sess.st.tls, keep.tls, sizeof(keep.tls));
	if ((r = str_copy(sess.st.cred_kind, sizeof(sess.st.cred_kind), l->kind,
	    "kind")) != 0 ||
	    (r = str_copy(sess.st.cred_source, sizeof(sess.st.cred_source),
	    l->source ? l->source : "", "source")) != 0 ||
	    (r = str_copy(sess.st.user, sizeof(sess.st.user),
	    l->username ? l->username : "", "username")) != 0 ||
	    (r = str_copy(sess.st.profile_id, sizeof(sess.st.profile_id),
	    l->profile_id ? l->profile_id : "", "profile id")) != 0 ||
	    (r = str_copy(sess.st.profile_name, sizeof(sess.st.profile_name),
	    l->profile_name ? l->profile_name : "", "profile name")) != 0)
		return r;
	/* Endpoints as given now, so later runs talk to the same cloud. */
	if ((r = str_copy(sess.st.iam_url, sizeof(sess.st.iam_url), sess.iam_url,
	    "IAM URL")) != 0 ||
	    (r = str_copy(sess.st.accounts_url, sizeof(sess.st.accounts_url),
	    sess.accounts_url, "accounts URL")) != 0 ||
	    (r = str_copy(sess.st.cs_url, sizeof(sess.st.cs_url), sess.cs_url,
	    "containers URL")) != 0)
		return r;
	return str_copy(sess.st.region, sizeof(sess.st.region),
	    l->region && l->region[0] ? l->region : sess.region, "region");
}

int
session_login(const struct login *l)
{
	struct pick_acct pa;
	struct sbuf f;
	int r, fd = -1;

	if (sess.home[0] == '\0')
		return save();   /* says where the store should go */
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0) {
		if (r != ERR_IO)
			return r;
		/* No home yet: store_save creates it; nobody else holds it. */
		fd = -1;
	}
	if ((r = record_login(l)) != 0)
		goto out;
	sbuf_init(&f, form_buf, sizeof(form_buf));
	if ((r = grant_login(&f, l->kind, l->secret, l->username, l->profile_id,
	    l->profile_name)) != 0)
		goto out;
	if ((r = call_iam(&f, IAM_CLIENT_BX)) != 0)
		goto out;
	if ((r = apply()) != 0)
		goto out;
	if (l->account != NULL && l->account[0] != '\0' &&
	    strcmp(l->account, sess.st.account) != 0) {
		if (sess.st.refresh_token[0] == '\0') {
			r = err_set(ERR_AUTH, "this login has no refresh token to scope "
			    "it to account %s", l->account);
			goto out;
		}
		if ((r = refresh_grant(l->account)) != 0 || (r = apply()) != 0)
			goto out;
	}
	if (keep.kube_token[0] != '\0' && sess.st.kube_token[0] == '\0' &&
	    strcmp(keep.iam_id, sess.st.iam_id) == 0 &&
	    strcmp(keep.account, sess.st.account) == 0) {
		memcpy(sess.st.kube_token, keep.kube_token, sizeof(keep.kube_token));
		sess.st.kube_iat = keep.kube_iat;
		sess.st.kube_exp = keep.kube_exp;
	}
	mem_wipe(&keep, sizeof(keep));
	if ((r = save()) != 0)
		goto out;
	if (sess.st.account[0] == '\0' && (l->account == NULL ||
	    l->account[0] == '\0')) {
		/* A user's token: find their accounts (F5). */
		memset(&pa, 0, sizeof(pa));
		store_unlock(fd);
		fd = -1;
		fputs("iksctl: accounts of this user:\n", stderr);
		if ((r = session_accounts(count_account, &pa)) != 0)
			goto out;
		if (pa.n == 1)
			r = session_target(pa.first, NULL);
		else if (pa.n == 0)
			r = err_set(ERR_AUTH, "this user has no account");
		else
			r = err_set(ERR_AUTH, "%d accounts: pass --account ID (or run "
			    "'iksctl target --account ID')", pa.n);
	}
out:
	store_unlock(fd);
	iam_tokens_wipe(&toks);
	mem_wipe(&keep, sizeof(keep));
	return r;
}

int
session_logout(void)
{
	int r = sess.home[0] != '\0' ? store_remove(sess.home) : 0;

	store_init(&sess.st);
	return r;
}

int
session_target(const char *account, const char *region)
{
	const char *t;
	int r, fd = -1;

	if ((r = session_access(0, &t)) != 0)
		return r;
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0)
		return r;
	if ((r = reload()) != 0)
		goto out;
	if (account != NULL && account[0] != '\0') {
		if (sess.st.refresh_token[0] == '\0') {
			r = err_set(ERR_AUTH, "this login has no refresh token; log in "
			    "again with --account %s", account);
			goto out;
		}
		if ((r = refresh_grant(account)) != 0 || (r = apply()) != 0)
			goto out;
		if (strcmp(sess.st.account, account) != 0) {
			r = err_set(ERR_AUTH, "IAM did not scope the token to account "
			    "%s", account);
			goto out;
		}
	}
	if (region != NULL) {
		if ((r = str_copy(sess.st.region, sizeof(sess.st.region), region,
		    "region")) != 0)
			goto out;
		(void)str_copy(sess.region, sizeof(sess.region), region, "region");
	}
	r = save();
out:
	store_unlock(fd);
	iam_tokens_wipe(&toks);
	return r;
}

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
		rq.user_headers = extra;
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

int
session_finish(void)
{
	const uint8_t *p;
	const char *hp;
	struct store_tls *t;
	int64_t now = session_now();
	size_t n;
	int i = 0, want = 0, r, fd = -1;

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
	if (reload() == 0 && sess.st.access_token[0] != '\0') {
		i = 0;
		while (http_session_next(&i, &hp, &p, &n))
			(void)store_tls_put(&sess.st, hp, p, n, now);
		r = save();
		(void)r;
	}
	store_unlock(fd);
	return 0;
}
