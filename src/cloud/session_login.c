/*
 * session_login.c: login, logout and target (see session.h).  A login
 * replaces the store under the store lock, keeping what still holds
 * (TLS sessions, the kube token of the same identity and account).
 */
#include "cloud/session.h"
#include "cloud/session_int.h"
#include "base/errors.h"
#include "base/str.h"
#include "base/term.h"
#include "base/file.h"
#include "base/rand.h"
#include "cloud/iam.h"
#include "net/url.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
	char line[4 * 2 * LIM_FIELD_BYTES + 8];
	struct sbuf b;

	if (json_get_str(d, json_get(d, i, "metadata"), "guid", guid,
	    sizeof(guid)) < 0)
		return 0;
	if (json_get_str(d, json_get(d, i, "entity"), "name", name,
	    sizeof(name)) < 0)
		name[0] = '\0';
	if (p->n++ == 0)
		(void)str_copy(p->first, sizeof(p->first), guid, "account");
	/* The names come from the service: escaped for the terminal. */
	sbuf_init(&b, line, sizeof(line));
	term_escape(&b, guid, strlen(guid));
	sbuf_add(&b, "  ");
	term_escape(&b, name, strlen(name));
	fprintf(stderr, "  %s\n", line);
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
	/* A new generation: writers of the old login throw their result away. */
	sess.st.login_id = (int64_t)(rand_u64() >> 1) | 1;
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
	_Static_assert(sizeof(sess.st.iam_url) == sizeof(sess.iam_url) &&
	    sizeof(sess.st.cs_url) == sizeof(sess.cs_url) &&
	    sizeof(sess.st.accounts_url) == sizeof(sess.accounts_url),
	    "the store keeps the endpoints whole");
	memcpy(sess.st.iam_url, sess.iam_url, sizeof(sess.iam_url));
	memcpy(sess.st.accounts_url, sess.accounts_url, sizeof(sess.accounts_url));
	memcpy(sess.st.cs_url, sess.cs_url, sizeof(sess.cs_url));
	return str_copy(sess.st.region, sizeof(sess.st.region),
	    l->region && l->region[0] ? l->region : sess.region, "region");
}

/*
 * say_replacing: one warning line before a login replaces the store
 * that could not be loaded, with why (the load error without the store's
 * name and its advice).
 */
static void
say_replacing(void)
{
	char path[LIM_PATH_FS_BYTES];
	const char *why = sess.load_detail, *end;
	size_t n;

	if (path_join(path, sizeof(path), sess.home, "store") != 0)
		path[0] = '\0';
	n = strlen(path);
	if (strncmp(why, "store ", 6) == 0 && strncmp(why + 6, path, n) == 0)
		why += 6 + n;
	while (*why == ':' || *why == ' ')
		why++;
	end = strstr(why, "; ");
	n = end != NULL ? (size_t)(end - why) : strlen(why);
	fprintf(stderr, "iksctl: login: replacing the unreadable store %s: "
	    "%.*s\n", path, (int)n, why);
}

/*
 * bound: the error for re-scoping a login that has no refresh token: a
 * trusted profile (cr-token, vpc-instance), whose token IAM scopes to the
 * profile's own account.
 */
static int
bound(const char *account)
{
	return err_set(ERR_AUTH, "a trusted profile's token belongs to the "
	    "profile's account %s, not %s: use a profile of that account",
	    sess.st.account[0] ? sess.st.account : "(none)", account);
}

int
session_login(const struct login *l)
{
	struct pick_acct pa;
	struct sbuf f;
	int r, fd = -1;

	if (sess.home[0] == '\0')
		return session_need_store();   /* says why there is no store */
	if (sess.load_err != 0) {
		say_replacing();
		sess.load_err = 0;
	}
	if ((r = store_lock(sess.home, &fd, LOCK_WAIT_MS)) != 0) {
		if (r != ERR_IO)
			return r;
		/* No home yet: store_save creates it; nobody else holds it. */
		fd = -1;
	}
	if ((r = record_login(l)) != 0)
		goto out;
	sbuf_init(&f, sess_form, sizeof(sess_form));
	if (strcmp(l->kind, CRED_VPC) == 0)
		r = sess_vpc_grant(l->source);
	else if ((r = sess_grant_login(&f, l->kind, l->secret, l->username,
	    l->profile_id, l->profile_name)) == 0)
		r = sess_call_iam(&f, IAM_CLIENT_BX);
	if (r != 0)
		goto out;
	if ((r = sess_apply()) != 0)
		goto out;
	if (l->account != NULL && l->account[0] != '\0' &&
	    strcmp(l->account, sess.st.account) != 0) {
		if (sess.st.refresh_token[0] == '\0') {
			r = bound(l->account);
			goto out;
		}
		if ((r = sess_refresh_grant(l->account)) != 0 || (r = sess_apply()) != 0)
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
	/* A new login: written whatever the store holds now. */
	if ((r = store_save(sess.home, &sess.st)) != 0)
		goto out;
	sess.have_store = 1;
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
	iam_tokens_wipe(&sess_toks);
	mem_wipe(&keep, sizeof(keep));
	return r;
}

int
session_logout(void)
{
	struct stat st;
	int r, fd = -1;

	if (sess.home[0] == '\0')
		return session_need_store();   /* says why there is no store */
	store_init(&sess.st);
	sess.load_err = 0;
	if (lstat(sess.home, &st) != 0)
		return 0;   /* nothing there: the lock would create the home */
	/* A refresh in flight ends first; one that takes longer than
	 * --timeout finds no login when it comes to save. */
	if (store_lock(sess.home, &fd, LOCK_WAIT_MS) != 0)
		err_clear();
	/* Whatever is there goes, an unreadable store included. */
	r = store_remove(sess.home);
	if (fd >= 0) {
		store_unlock(fd);
		if (r >= 0)
			(void)store_remove(sess.home);   /* our lock file */
	}
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
	if ((r = sess_reload()) != 0)
		goto out;
	if (account != NULL && account[0] != '\0' &&
	    (sess.st.refresh_token[0] != '\0' ||
	    strcmp(account, sess.st.account) != 0)) {
		if (sess.st.refresh_token[0] == '\0') {
			r = bound(account);
			goto out;
		}
		if ((r = sess_refresh_grant(account)) != 0 || (r = sess_apply()) != 0)
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
	r = sess_save();
out:
	store_unlock(fd);
	iam_tokens_wipe(&sess_toks);
	return r;
}
