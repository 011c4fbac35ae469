/*
 * cmd_auth.c: login, logout, accounts, target and token.
 *
 * Secrets never need the command line: every secret option takes @FILE
 * or - (stdin) as well, and the API key comes from IBMCLOUD_API_KEY or
 * IC_API_KEY.  A plain secret on the command line works but warns.  The
 * secret itself is wiped once IAM has answered; the store keeps only
 * where it came from (env:NAME, file:/path).  A VPC instance login
 * (--vpc-instance) has no secret at all: its source names the profile.
 */
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"
#include "base/term.h"
#include "cli/cmds.h"
#include "cli/output.h"
#include "cloud/session.h"
#include "proto/http.h"
#include "proto/json.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char secret[LIM_SECRET_BYTES];        /* the login secret */
static char source[LIM_CRED_SOURCE_BYTES];   /* where it came from */
static char own[16384];                      /* iksctl's own JSON output */

/* trimmed: secret[0..n) without trailing line ends and blanks; its length. */
static size_t
trimmed(size_t n)
{
	while (n > 0 && strchr("\n\r\t ", secret[n - 1]) != NULL)
		n--;
	secret[n] = '\0';
	return n;
}

/* set_source: source = "kind:v" (file:/path, env:NAME, vpc-instance:ID). */
static int
set_source(const char *kind, const char *v)
{
	int r = snprintf(source, sizeof(source), "%s:%s", kind, v);

	return r < 0 || (size_t)r >= sizeof(source) ? err_limit(v,
	    "LIM_CRED_SOURCE_BYTES", sizeof(source) - 1) : 0;
}

/* read_stdin: the whole of stdin, trimmed, into secret. */
static int
read_stdin(const char *what)
{
	size_t n = 0;
	ssize_t r;

	while ((r = read(0, secret + n, sizeof(secret) - 1 - n)) > 0) {
		n += (size_t)r;
		if (n == sizeof(secret) - 1)
			return err_limit(what, "LIM_SECRET_BYTES", sizeof(secret) - 1);
	}
	if (trimmed(n) == 0)
		return err_set(ERR_USAGE, "%s: nothing on standard input", what);
	return 0;
}

/*
 * read_cred: the secret in the file at path (for option what), trimmed,
 * into secret.  Every mistake is a usage error (exit 2); a file open to
 * group or others is read, with a warning like a loose store's.
 */
static int
read_cred(const char *what, const char *path)
{
	struct stat st;
	size_t n;
	int r;

	if (stat(path, &st) != 0 || access(path, R_OK) != 0)
		return err_set(ERR_USAGE, "%s %s: %s", what, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return err_set(ERR_USAGE, "%s %s: a directory, not a file", what,
		    path);
	if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
		store_warn_mode("credential file", path, (unsigned)st.st_mode);
	r = file_read(path, secret, sizeof(secret), &n);
	if (r == ERR_LIMIT)
		return err_limit(path, "LIM_SECRET_BYTES", sizeof(secret) - 1);
	if (r != 0)
		return err_set(ERR_USAGE, "%s %s: cannot be read", what, path);
	return trimmed(n) > 0 ? 0 : err_set(ERR_USAGE, "%s %s: the file is "
	    "empty", what, path);
}

/*
 * take_secret: read the value of a secret option: @FILE, - or plain.
 * Sets source to file:/abs/path for a file (so it can be re-read).
 */
static int
take_secret(const char *what, const char *v)
{
	char abs[LIM_PATH_FS_BYTES];
	int r;

	/* The environment holds an API key only (IBMCLOUD_API_KEY). */
	const char *env = what[2] == 'a' ? " or IBMCLOUD_API_KEY" : "";

	source[0] = '\0';
	if (v[0] == '\0' || strcmp(v, "@") == 0)
		return err_set(ERR_USAGE, "%s: an empty value; use %s @FILE, "
		    "%s -%s", what, what, what, env);
	/* A token the platform renews in its file: the file, never a copy. */
	if (v[0] != '@' && what[2] == 'c')
		return err_set(ERR_USAGE, "%s takes @FILE (the file the "
		    "platform renews), not the token", what);
	if (v[0] == '@') {
		if ((r = path_abs(abs, sizeof(abs), v + 1)) != 0)
			return err_set(ERR_USAGE, "%s %s: %s", what, v, err_detail());
		if ((r = set_source("file", abs)) != 0)
			return r;
		return read_cred(what, abs);
	}
	if (strcmp(v, "-") == 0)
		return read_stdin(what);
	fprintf(stderr, "iksctl: warning: a secret on the command line can be "
	    "read by other users; use %s @FILE or %s -%s\n", what, what, env);
	return str_copy(secret, sizeof(secret), v, what);
}

static int
take_env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0')
		return 0;
	if (set_source("env", name) != 0)
		return ERR_LIMIT;
	return str_copy(secret, sizeof(secret), v, name) == 0 ? 1 : ERR_LIMIT;
}

/* default_cr_token: the trusted-profile token file to use. */
static const char *
default_cr_token(void)
{
	static const char *const paths[] = {
		"/var/run/secrets/tokens/vault-token",
		"/var/run/secrets/tokens/sa-token",
	};
	const char *v = getenv("IBMCLOUD_CR_TOKEN_FILE");
	size_t i;

	if (v != NULL && v[0] != '\0')
		return v;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}

struct login_args {
	const char *apikey, *username, *password, *passcode, *cr_token;
	const char *profile_id, *profile_name, *profile_crn, *account;
	int vpc;        /* --vpc-instance */
};

/* The options of login that take a value, and where it goes. */
#define LA(f) offsetof(struct login_args, f)
static const struct {
	char name[15];          /* the option (16 bytes a row, no pointer) */
	unsigned char off;      /* its member in struct login_args */
} login_opts[] = {
	{ "--apikey", LA(apikey) }, { "--username", LA(username) },
	{ "-u", LA(username) }, { "--password", LA(password) },
	{ "-p", LA(password) }, { "--passcode", LA(passcode) },
	{ "--cr-token", LA(cr_token) }, { "--profile-id", LA(profile_id) },
	{ "--profile-name", LA(profile_name) },
	{ "--profile-crn", LA(profile_crn) }, { "--account", LA(account) },
	{ "-c", LA(account) },
};

static int
parse_login(int argc, char **argv, struct login_args *a)
{
	size_t k, n = sizeof(login_opts) / sizeof(login_opts[0]);
	int i, r = 0;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--vpc-instance") == 0) {
			a->vpc = 1;
			continue;
		}
		for (k = 0; k < n && r == 0; k++)
			r = arg_value(argc, argv, &i, login_opts[k].name,
			    (const char **)(void *)((char *)a + login_opts[k].off));
		if (r < 0)
			return r;
		if (r == 0)
			return arg_unknown("login", argv[i]);
		r = 0;
	}
	return 0;
}

/* choose: settle the kind of login and read its secret. */
static int
choose(struct login_args *a, struct login *l)
{
	const char *prof = getenv("IBMCLOUD_CR_PROFILE"), *file;
	int r;

	if (a->vpc || a->profile_crn != NULL) {
		/* F23: no secret; the source names the profile. */
		l->kind = CRED_VPC;
		file = a->profile_crn != NULL ? a->profile_crn : a->profile_id;
		if (a->profile_crn != NULL && a->profile_id != NULL)
			return err_set(ERR_USAGE, "--profile-id and --profile-crn: "
			    "pass one");
		if (file == NULL)
			return err_set(ERR_USAGE, "--vpc-instance needs --profile-id "
			    "ID or --profile-crn CRN");
		return set_source(CRED_VPC, file);
	}
	if (a->apikey != NULL) {
		l->kind = "apikey";
		return take_secret("--apikey", a->apikey);
	}
	if (a->username != NULL || a->password != NULL) {
		if (a->username == NULL || a->password == NULL)
			return err_set(ERR_USAGE, "--username and --password go together");
		l->kind = "password";
		l->username = a->username;
		return take_secret("--password", a->password);
	}
	if (a->passcode != NULL) {
		l->kind = "passcode";
		r = take_secret("--passcode", a->passcode);
		source[0] = '\0';   /* one-time: never re-read */
		return r;
	}
	if (a->cr_token == NULL && a->profile_id == NULL &&
	    a->profile_name == NULL && (prof == NULL || prof[0] == '\0')) {
		if ((r = take_env("IBMCLOUD_API_KEY")) == 0)
			r = take_env("IC_API_KEY");
		if (r < 0)
			return r;
		if (r == 1) {
			l->kind = "apikey";
			return 0;
		}
		return err_set(ERR_USAGE, "no credential: pass --apikey @FILE, "
		    "set IBMCLOUD_API_KEY, or use --username/--password, "
		    "--passcode or --cr-token");
	}
	l->kind = "cr-token";
	if (a->profile_id == NULL && a->profile_name == NULL) {
		if (prof == NULL || prof[0] == '\0')
			return err_set(ERR_USAGE, "--cr-token needs a trusted "
			    "profile: pass --profile-id ID or --profile-name NAME, "
			    "or set IBMCLOUD_CR_PROFILE");
		if (strncmp(prof, "Profile-", 8) == 0)
			a->profile_id = prof;
		else
			a->profile_name = prof;
	}
	l->profile_id = a->profile_id;
	l->profile_name = a->profile_name;
	if (a->cr_token != NULL)
		return take_secret("--cr-token", a->cr_token);
	if ((file = default_cr_token()) == NULL)
		return err_set(ERR_USAGE, "no compute-resource token: pass "
		    "--cr-token @FILE or set IBMCLOUD_CR_TOKEN_FILE");
	if ((r = set_source("file", file)) != 0)
		return r;
	return read_cred("compute-resource token", file);
}

static char exp_at[32];     /* the access token's expiry, RFC 3339 */

/* The string members of show_session's JSON, in order, then numbers. */
static const struct {
	const char *key;        /* the member's name, with what goes before */
	const char *value;      /* a string of sess */
} view[] = {
	{ "{\"account\":", sess.st.account }, { ",\"region\":", sess.region },
	{ ",\"iam_id\":", sess.st.iam_id }, { ",\"user\":", sess.st.user },
	{ ",\"credential\":", sess.st.cred_kind },
	{ ",\"credential_source\":", sess.st.cred_source },
	{ ",\"expires_at\":", exp_at },
	{ ",\"iam_endpoint\":", sess.iam_url },
	{ ",\"accounts_endpoint\":", sess.accounts_url },
	{ ",\"cs_endpoint\":", sess.cs_url },
	{ ",\"access_token\":", sess.st.access_token },   /* with_token */
};

/* show_session: the table or JSON view of the session (login, target, token). */
static int
show_session(int with_token)
{
	const char *hdr[] = { "ACCOUNT", "USER", "REGION", "SOURCE", "EXPIRES" };
	const char *row[5];
	struct sbuf b;
	struct store *s = &sess.st;
	size_t k, n = sizeof(view) / sizeof(view[0]) - !with_token;

	out_time(s->access_exp, exp_at, sizeof(exp_at));
	if (!out_body_wanted()) {
		row[0] = s->account[0] ? s->account : "-";
		row[1] = s->user[0] ? s->user : s->iam_id;
		row[2] = sess.region[0] ? sess.region : "-";
		row[3] = s->cred_source[0] ? s->cred_source : s->cred_kind;
		row[4] = exp_at;
		out_table_begin(hdr, 5);
		if (out_table_row(row) != 0)
			return err_code_last();
		return out_table_end();
	}
	sbuf_init(&b, own, sizeof(own));
	for (k = 0; k < n; k++) {
		sbuf_add(&b, view[k].key);
		json_add_string(&b, slice_of(view[k].value));
	}
	sbuf_addf(&b, ",\"access_token_expiration\":%lld,"
	    "\"refresh_token_expiration\":%lld,\"clock_offset_s\":%lld}\n",
	    (long long)s->access_exp, (long long)s->refresh_exp,
	    (long long)s->clock_offset);
	if (sbuf_ok(&b, "output") != 0)
		return err_code_last();
	return out_doc("output", own, b.len);
}

int
cmd_login(int argc, char **argv)
{
	struct login_args a;
	struct login l;
	int r;

	memset(&l, 0, sizeof(l));
	if ((r = parse_login(argc, argv, &a)) != 0 ||
	    (r = region_check(cli.region)) != 0)
		return r;
	if ((r = choose(&a, &l)) != 0)
		goto out;
	l.secret = secret;
	l.source = source;
	l.account = a.account;
	l.region = cli.region;
	r = session_login(&l);
	if (r == 0) {
		session_clock_note("iksctl: login");
		r = show_session(0);
	}
out:
	mem_wipe(secret, sizeof(secret));
	return r;
}

int
cmd_logout(int argc, char **argv)
{
	int r;

	if (argc > 1)
		return arg_unknown("logout", argv[1]);
	if ((r = session_logout()) < 0)
		return r;
	if (!out_body_wanted())
		fprintf(stderr, "iksctl: %s (%s)\n", r ? "logged out" :
		    "not logged in: nothing to remove", sess.home);
	return 0;
}

int
cmd_target(int argc, char **argv)
{
	const char *account = NULL;
	const char *t;
	int i, r;

	for (i = 1; i < argc; i++) {
		if ((r = arg_value(argc, argv, &i, "--account", &account)) ||
		    (r = arg_value(argc, argv, &i, "-c", &account))) {
			if (r < 0)
				return r;
			continue;
		}
		return arg_unknown("target", argv[i]);
	}
	if ((r = region_check(cli.region)) != 0)
		return r;
	if (account != NULL || cli.region != NULL)
		r = session_target(account, cli.region);
	else
		r = session_access(0, &t);
	return r != 0 ? r : show_session(0);
}

int
cmd_token(int argc, char **argv)
{
	const char *t, *sink = NULL;
	char exp[32];
	int64_t kexp;
	int i, r, refresh = 0, kube = 0, watch = 0;
	struct sbuf b;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--refresh") == 0)
			refresh = 1;
		else if (strcmp(argv[i], "--kube") == 0)
			kube = 1;
		else if (strcmp(argv[i], "--watch") == 0)
			watch = 1;
		else if ((r = arg_value(argc, argv, &i, "--sink", &sink)) != 0) {
			if (r < 0)
				return r;
		} else
			return arg_unknown("token", argv[i]);
	}
	if (watch != (sink != NULL))
		return err_set(ERR_USAGE, "--watch and --sink FILE go together");
	if (watch)  /* A sink that cannot be written: no network at all. */
		return (r = file_check_target(sink)) != 0 ? r : cmd_token_agent(sink, kube);
	r = kube ? session_kube(refresh, NULL, &t, &kexp) :
	    session_access(refresh, &t);
	if (r != 0)
		return r;
	if (!out_body_wanted()) {
		printf("%s\n", t);
		return 0;
	}
	if (!kube)
		return show_session(1);
	sbuf_init(&b, own, sizeof(own));
	sbuf_add(&b, "{\"id_token\":");
	json_add_string(&b, slice_of(t));
	sbuf_addf(&b, ",\"expiration\":%lld,\"expires_at\":", (long long)kexp);
	json_add_string(&b, slice_of(out_time(kexp, exp, sizeof(exp))));
	sbuf_add(&b, ",\"account\":");
	json_add_string(&b, slice_of(sess.st.account));
	sbuf_add(&b, "}\n");
	if (sbuf_ok(&b, "output") != 0)
		return err_code_last();
	return out_doc("output", own, b.len);
}

/* The accounts list: a table, or one JSON document over all pages. */
struct acct_out {
	struct sbuf json;       /* merged resources for -o json / -q */
	int n;                  /* accounts seen */
};

static char merged[LIM_HTTP_BODY_BYTES];   /* all pages' resources */

static int
acct_row(void *ctx, const struct json_doc *d, int i)
{
	static const char *const key[4] = { "guid", "name", "state", "type" };
	struct acct_out *o = ctx;
	char col[4][LIM_FIELD_BYTES];
	const char *row[4];
	int k;

	if (out_body_wanted()) {
		if (o->n++ > 0)
			sbuf_addc(&o->json, ',');
		json_compact(&o->json, json_raw(d, i));
		return sbuf_ok(&o->json, "accounts");
	}
	o->n++;
	/* metadata.guid, then entity's name, state and type. */
	for (k = 0; k < 4; k++) {
		row[k] = col[k];
		if (json_get_str(d, json_get(d, i, k ? "entity" : "metadata"),
		    key[k], col[k], sizeof(col[k])) < 0)
			col[k][0] = '\0';
	}
	return out_table_row(row);
}

int
cmd_accounts(int argc, char **argv)
{
	const char *hdr[] = { "ID", "NAME", "STATE", "TYPE" };
	struct acct_out o;
	int r;

	if (argc > 1)
		return arg_unknown("accounts", argv[1]);
	memset(&o, 0, sizeof(o));
	sbuf_init(&o.json, merged, sizeof(merged));
	sbuf_add(&o.json, "{\"next_url\":null,\"resources\":[");
	if (!out_body_wanted())
		out_table_begin(hdr, 4);
	if ((r = session_accounts(acct_row, &o)) != 0)
		return r;
	if (!out_body_wanted())
		return out_table_end();
	/* One page: the service's body as it came; several: one document. */
	if (session_accounts_page.n > 0)
		return out_doc("accounts", session_accounts_page.p,
		    session_accounts_page.n);
	sbuf_addf(&o.json, "],\"total_results\":%d}\n", o.n);
	if ((r = sbuf_ok(&o.json, "accounts")) != 0)
		return r;
	return out_doc("accounts", merged, o.json.len);
}
