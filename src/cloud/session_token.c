/*
 * session_token.c: token renewal (see session.h): the IAM grants, the
 * refresh under the store lock, the silent re-login from the recorded
 * credential source, and the Kubernetes id_token.  Every secret read or
 * received is wiped once copied into the store.
 */
#include "cloud/session.h"
#include "cloud/session_int.h"
#include "base/errors.h"
#include "base/rand.h"
#include "base/str.h"
#include "base/file.h"
#include "cloud/containers.h"
#include "cloud/iam.h"
#include "cloud/metadata.h"
#include "net/tls.h"
#include "net/url.h"
#include "proto/jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iam_tokens sess_toks;             /* the last IAM answer */
char sess_form[LIM_HTTP_REQ_BYTES];      /* an IAM form */
static char secret_buf[LIM_SECRET_BYTES]; /* a secret re-read for login */

/*
 * clock_seen: the service's clock read t when this machine's read at:
 * keep the offset between them (DESIGN.md 4, "Time").
 */
static void
clock_seen(int64_t t, int64_t at)
{
	sess.st.clock_offset = t - at;
	tls_clock_offset = t - at;
	if (http_opts.verbose)
		session_clock_note("* clock");
}

void
session_clock_note(const char *who)
{
	static int64_t said;    /* the offset last reported; 0: none */
	int64_t o = sess.st.clock_offset, d = o - said;

	if ((o >= -CLOCK_NOTE_S && o <= CLOCK_NOTE_S) ||
	    (said != 0 && d >= -CLOCK_NOTE_S && d <= CLOCK_NOTE_S))
		return;
	said = o;
	fprintf(stderr, "%s: this machine's clock is %lld s %s IAM's "
	    "(clock_offset_s %lld); tokens are timed by IAM's clock\n", who,
	    (long long)(o < 0 ? -o : o), o > 0 ? "behind" : "ahead of",
	    (long long)o);
}

int64_t
session_service_now(void)
{
	return session_now() + sess.st.clock_offset;
}

/* sess_apply: put the access and refresh tokens of sess_toks into the store. */
int
sess_apply(void)
{
	static struct jwt_info ji;
	int64_t now;
	int r;

	if (sess_toks.access[0] == '\0')
		return err_set(ERR_JSON_FIELD, "IAM answered without an access_token");
	if (jwt_read(slice_of(sess_toks.access), &ji) == 0) {
		/* No Date from IAM: the token's issue time says its clock. */
		if (sess_toks.date == 0 && ji.iat != 0 && sess_toks.at != 0)
			clock_seen(ji.iat, sess_toks.at);
		now = session_service_now();
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
		now = session_service_now();
		sess.st.access_iat = now;
		sess.st.access_exp = sess_toks.expiration ? sess_toks.expiration :
		    now + (sess_toks.expires_in ? sess_toks.expires_in : 3600);
	}
	if ((r = str_copy(sess.st.access_token, sizeof(sess.st.access_token),
	    sess_toks.access, "access token")) != 0)
		return r;
	if (sess_toks.refresh[0] != '\0') {
		if ((r = str_copy(sess.st.refresh_token,
		    sizeof(sess.st.refresh_token), sess_toks.refresh,
		    "refresh token")) != 0)
			return r;
		sess.st.refresh_exp = sess_toks.refresh_exp;
	} else if (strcmp(sess.st.cred_kind, "cr-token") == 0) {
		sess.st.refresh_token[0] = '\0';
		sess.st.refresh_exp = 0;
	}
	iam_tokens_wipe(&sess_toks);
	return 0;
}

/* sess_grant_login: the original grant for kind with secret into the form. */
int
sess_grant_login(struct sbuf *f, const char *kind, const char *secret,
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

/* sess_call_iam: send the form with client, wiping the form afterwards. */
int
sess_call_iam(struct sbuf *f, const char *client)
{
	int r = iam_token(sess.iam_url, client, f, &sess_toks);

	mem_wipe(sess_form, sizeof(sess_form));
	if (sess_toks.date != 0)     /* an error answer tells the time too */
		clock_seen(sess_toks.date, sess_toks.at);
	return r;
}

/* sess_vpc_grant: F23 for source "vpc-instance:<profile>", into sess_toks. */
int
sess_vpc_grant(const char *source)
{
	/* Only login writes it (CRED_VPC ":" at least): no check here. */
	int r = metadata_iam_token(source + sizeof(CRED_VPC), &sess_toks);

	sess_toks.date = 0;   /* IAM's clock: the token's iat, not this host */
	return r;
}

/* sess_refresh_grant: F7 (and F6 with account). */
int
sess_refresh_grant(const char *account)
{
	struct sbuf f;

	sbuf_init(&f, sess_form, sizeof(sess_form));
	form_add(&f, "grant_type", SLICE_LIT("refresh_token"));
	form_add(&f, "refresh_token", slice_of(sess.st.refresh_token));
	form_add(&f, "response_type", SLICE_LIT("cloud_iam"));
	if (account != NULL && account[0] != '\0')
		form_add(&f, "bss_account", slice_of(account));
	return sess_call_iam(&f, IAM_CLIENT_BX);
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
	if (strcmp(sess.st.cred_kind, CRED_VPC) == 0) {
		/* No secret: the instance's identity, asked for again. */
		r = sess_vpc_grant(sess.st.cred_source);
		goto said;
	}
	if ((r = cred_read(sess.st.cred_source, secret_buf,
	    sizeof(secret_buf))) != 0)
		return r;
	sbuf_init(&f, sess_form, sizeof(sess_form));
	r = sess_grant_login(&f, sess.st.cred_kind, secret_buf, sess.st.user,
	    sess.st.profile_id, sess.st.profile_name);
	mem_wipe(secret_buf, sizeof(secret_buf));
	if (r != 0)
		return r;
	if (strcmp(sess.st.cred_kind, "password") == 0 ||
	    strcmp(sess.st.cred_kind, "passcode") == 0)
		if (sess.st.account[0] != '\0')
			form_add(&f, "account", slice_of(sess.st.account));
	r = sess_call_iam(&f, IAM_CLIENT_BX);
said:
	if (r != 0)
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
		r = sess_refresh_grant(sess.st.account);
		if (r == 0)
			return sess_apply();
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
	if ((r = sess_apply()) != 0)
		return r;
	/* A new login may land in another account: scope it back (F6). */
	if (account[0] != '\0' && strcmp(account, sess.st.account) != 0 &&
	    sess.st.refresh_token[0] != '\0') {
		if ((r = sess_refresh_grant(account)) != 0)
			return r;
		return sess_apply();
	}
	return 0;
}

/*
 * refresh_at: when the access token should be refreshed: at 80 % of its
 * life, less a random part of up to 10 % (getrandom()).
 */
static int64_t
refresh_at(void)
{
	int64_t life = sess.st.access_exp - sess.st.access_iat;
	int64_t jitter;

	if (life <= 0)
		return sess.st.access_exp - EXPIRY_WINDOW;
	jitter = (int64_t)rand_below((uint64_t)(life / 10 + 1));
	return sess.st.access_iat + life * 8 / 10 - jitter;
}

static int
usable(int64_t now)
{
	return sess.st.access_token[0] != '\0' &&
	    now < sess.st.access_exp - EXPIRY_WINDOW;
}

/*
 * fresh: whether the stored access token can be used as it is: usable
 * and not due (force: never); after a 401 (rejected set), any usable
 * token other than the rejected one, i.e. one another process stored.
 */
static int
fresh(int force, const char *rejected, int64_t now)
{
	if (rejected != NULL)
		return usable(now) && strcmp(sess.st.access_token, rejected) != 0;
	return !force && usable(now) && now < refresh_at();
}

/* get_access: session_access(), or after a 401 for the rejected token. */
static int
get_access(int force, const char *rejected, const char **token)
{
	int64_t now = session_service_now();
	int r, fd = -1, was_usable;

	if ((r = session_need_store()) != 0)
		return r;
	if (sess.st.access_token[0] == '\0')
		return err_set(ERR_AUTH_LOGIN, "no session in %s; run 'iksctl login'",
		    sess.home);
	if (http_opts.verbose)
		session_clock_note("* clock");
	if (rejected == NULL && fresh(force, NULL, now)) {
		*token = sess.st.access_token;
		return 0;
	}
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0) {
		/* A refresh that hangs elsewhere: a valid token still serves. */
		if (r != ERR_STORE_LOCK || force || rejected != NULL ||
		    !usable(now))
			return r;
		if (http_opts.verbose)
			fprintf(stderr, "* %s; using the current token\n",
			    err_detail());
		*token = sess.st.access_token;
		return 0;
	}
	/* Another process may have refreshed while we waited. */
	if ((r = sess_reload()) != 0)
		goto out;
	now = session_service_now();
	if (fresh(force, rejected, now)) {
		if (rejected != NULL && http_opts.verbose)
			fputs("* using the token another process stored\n", stderr);
		goto out;
	}
	force |= rejected != NULL;
	was_usable = usable(now);
	r = renew();
	if (r == 0)
		r = sess_save();
	else if (was_usable && !force) {
		/* Refreshing early failed; the token still works. */
		if (http_opts.verbose)
			fprintf(stderr, "* token refresh failed (%s); using the "
			    "current token\n", err_detail());
		r = 0;
	}
out:
	store_unlock(fd);
	iam_tokens_wipe(&sess_toks);
	if (http_opts.verbose)
		session_clock_note("* clock");
	if (r == 0)
		*token = sess.st.access_token;
	return r;
}

int
session_access(int force, const char **token)
{
	return get_access(force, NULL, token);
}

int
sess_access_after(const char *rejected, const char **token)
{
	return get_access(1, rejected, token);
}

/* kube_fresh: the stored kube token serves (force: never). */
static int
kube_fresh(int force)
{
	return !force && sess.st.kube_token[0] != '\0' &&
	    session_service_now() < sess.st.kube_exp - EXPIRY_WINDOW;
}

int
session_kube(int force, const char *cluster, const char **token,
    int64_t *exp)
{
	static struct jwt_info ji;
	const char *access;
	struct sbuf f;
	int r, fd = -1;

	if (kube_fresh(force))
		goto done;
	if ((r = session_access(0, &access)) != 0)
		return r;
	if (sess.st.refresh_token[0] == '\0') {
		/* No F13 without a refresh token: the config zip's id_token. */
		if (cluster == NULL)
			return err_set(ERR_AUTH, "no refresh token: use "
			    "kube-credential --cluster C");
		if ((r = cluster_kube_token(cluster, sess_toks.id,
		    sizeof(sess_toks.id))) != 0)
			return r;
	}
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0)
		goto out;
	if ((r = sess_reload()) != 0)
		goto out;
	if (kube_fresh(force))
		goto out;
	if (sess.st.refresh_token[0] == '\0')
		goto id;   /* the config zip's */
	/* F13: a delegated refresh token for the kube client. */
	sbuf_init(&f, sess_form, sizeof(sess_form));
	form_add(&f, "grant_type", SLICE_LIT("refresh_token"));
	form_add(&f, "refresh_token", slice_of(sess.st.refresh_token));
	form_add(&f, "response_type", SLICE_LIT("delegated_refresh_token"));
	form_add(&f, "receiver_client_ids", SLICE_LIT("kube"));
	form_add(&f, "delegated_refresh_token_expiry", SLICE_LIT("600"));
	if ((r = sess_call_iam(&f, IAM_CLIENT_BX)) != 0)
		goto out;
	if (sess_toks.delegated[0] == '\0') {
		r = err_set(ERR_JSON_FIELD, "IAM sent no delegated_refresh_token");
		goto out;
	}
	/* F14: exchange it, as the kube client, for an id_token. */
	sbuf_init(&f, sess_form, sizeof(sess_form));
	form_add(&f, "grant_type", SLICE_LIT(IAM_GRANT_DELEGATED));
	form_add(&f, "refresh_token", slice_of(sess_toks.delegated));
	if ((r = sess_call_iam(&f, IAM_CLIENT_KUBE)) != 0)
		goto out;
id:
	if (sess_toks.id[0] == '\0') {
		r = err_set(ERR_JSON_FIELD, "the answer had no id_token");
		goto out;
	}
	if ((r = jwt_read(slice_of(sess_toks.id), &ji)) != 0)
		goto out;
	if (sess_toks.date == 0 && ji.iat != 0 && sess_toks.at != 0)
		clock_seen(ji.iat, sess_toks.at);
	if ((r = str_copy(sess.st.kube_token, sizeof(sess.st.kube_token),
	    sess_toks.id, "id_token")) != 0)
		goto out;
	sess.st.kube_iat = ji.iat;
	sess.st.kube_exp = ji.exp;
	r = sess_save();
out:
	store_unlock(fd);
	iam_tokens_wipe(&sess_toks);
	if (r != 0)
		return r;
done:
	*token = sess.st.kube_token;
	*exp = sess.st.kube_exp;
	return 0;
}
