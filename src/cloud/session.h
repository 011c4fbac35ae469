/*
 * session.h: a valid token for every call, without the user thinking
 * about expiry.
 *
 * session_init() loads the store and settles the endpoints and region
 * (flag > environment > saved at login > default).  session_access()
 * returns an access token that is not expired (10 s before exp counts
 * as expired) and refreshes it once 80 % of its life has passed
 * (jittered); one refresh at a time across processes (the store lock;
 * a process that waited finds the new token and does not refresh
 * again).  An expired refresh token triggers a silent login from the
 * recorded credential source.  session_call() sends a request with the
 * token and retries once after a 401: with the token another process
 * stored meanwhile if there is one, else with a fresh one (one refresh
 * across processes).
 * session_finish() saves TLS sessions for the next process.
 */
#ifndef IKSCTL_SESSION_H
#define IKSCTL_SESSION_H

#include <stdint.h>

#include "base/limits.h"
#include "cloud/store.h"
#include "proto/http.h"
#include "proto/json.h"

enum session_service {
	SVC_IAM,        /* IBMCLOUD_IAM_API_ENDPOINT */
	SVC_ACCOUNTS,   /* IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT */
	SVC_CS,         /* IBMCLOUD_CS_API_ENDPOINT (path prefix kept) */
};

#define SESSION_IAM_DEFAULT "https://iam.cloud.ibm.com"
#define SESSION_ACCOUNTS_DEFAULT "https://accounts.cloud.ibm.com"
#define SESSION_CS_DEFAULT "https://containers.cloud.ibm.com/global"

struct session {
	char home[LIM_PATH_FS_BYTES];      /* $IKSCTL_HOME or ~/.iksctl */
	struct store st;                   /* the store as loaded/updated */
	int have_store;                    /* a store existed or was saved */
	char iam_url[LIM_URL_BYTES];       /* effective IAM base URL */
	char accounts_url[LIM_URL_BYTES];  /* effective accounts base URL */
	char cs_url[LIM_URL_BYTES];        /* effective containers base URL */
	char region[LIM_FIELD_BYTES];      /* effective region or "" */
	int private_endpoints;             /* --visibility private */
	char resource_group[LIM_FIELD_BYTES]; /* --resource-group or
	                                      * IBMCLOUD_RESOURCE_GROUP, or "" */
	int load_err;                      /* why the store is unusable, or 0 */
	char load_detail[320];             /* its detail (names the store) */
};

extern struct session sess;

/* The kind of a VPC instance login; its source is CRED_VPC ":<profile>". */
#define CRED_VPC "vpc-instance"

/* What `login` asks for; the CLI has read the secret already. */
struct login {
	const char *kind;          /* "apikey", "password", "passcode", "cr-token",
	                            * CRED_VPC */
	const char *secret;        /* the API key, password, passcode or CR token */
	const char *source;        /* "env:NAME", "file:/path", CRED_VPC ":<profile
	                            * id or crn>" or "" (not renewable) */
	const char *username;      /* password logins */
	const char *profile_id;    /* cr-token logins: one of these two */
	const char *profile_name;
	const char *account;       /* --account or NULL */
	const char *region;        /* --region or NULL */
};

/*
 * session_init: load the store and settle endpoints and region.  A
 * store that cannot be loaded (corrupt, newer, not a file) or no place
 * for one (HOME unset) is not an error here: it is kept in load_err,
 * and session_need_store() (every token, target, kube call) returns it,
 * while login replaces the store and logout removes it.
 * visibility: --visibility, or NULL for IBMCLOUD_VISIBILITY, else
 * public.  "private" uses IAM's, accounts' and containers' private hosts
 * (IBMCLOUD_PRIVATE_*_API_ENDPOINT override them) and the clusters'
 * private service endpoints; no public host is touched.
 */
int session_init(const char *region_flag, const char *visibility,
    const char *resource_group);

/*
 * session_login: get tokens for l, scope them to l->account (or to the
 * only account of a user), and save the store.  Returns 0, or ERR_AUTH
 * (detail: IAM's code; or "several accounts") and other codes.
 */
int session_login(const struct login *l);

/*
 * session_logout: remove the store (even an unreadable one) and cached
 * cluster files, under the store lock (waiting --timeout for a refresh
 * in flight; past that, removing anyway: a writer that finds the login
 * gone throws its result away).  Returns how many of them were there
 * (0: nothing to remove) or an error.
 */
int session_logout(void);

/*
 * session_access: a valid access token in *token (force: refresh now).
 * Returns 0, ERR_AUTH_LOGIN (never logged in), ERR_AUTH_EXPIRED (nothing
 * can renew it) or another code.
 */
int session_access(int force, const char **token);

/*
 * session_kube: a valid Kubernetes id_token (F13, F14), cached.  A
 * login without a refresh token (cr-token, vpc-instance) takes it from
 * the config zip of cluster (id or name); with none it is ERR_AUTH.
 */
int session_kube(int force, const char *cluster, const char **token,
    int64_t *exp);

/*
 * session_target: re-scope the token to account (F6) and/or set the
 * region; NULL leaves a value as it is.  Saves the store.
 */
int session_target(const char *account, const char *region);

/*
 * session_call: method path on service with the access token, the
 * refresh token and the region (containers only) as headers.  path
 * must be a path on the service ("/v1/..."): a URL, "//host" or a
 * control character is ERR_USAGE and nothing is sent.  extra: the
 * user's header lines (CRLF-ended; each replaces a built-in header of
 * its name) or NULL; body may be NULL; sink: stream a 2xx body.  A 401
 * is retried once (see above).  Returns as http_do() (any status), or
 * a session error.
 */
int session_call(enum session_service svc, const char *method,
    const char *path, const char *extra, const char *body, size_t body_len,
    http_sink_fn sink, void *sink_ctx, struct http_resp *rs);

/*
 * session_call_file: session_call() with the body streamed from file
 * (http.h), whatever its size; each try (the one after a 401, a 429's)
 * reads it again from its start.
 */
int session_call_file(enum session_service svc, const char *method,
    const char *path, const char *extra, const struct http_file *file,
    http_sink_fn sink, void *sink_ctx, struct http_resp *rs);

/*
 * session_describe: what session_call() would send, for --dry-run:
 * "METHOD URL" and the header lines, each CRLF-ended, with the token and
 * the refresh token shown as [redacted], into b.  Needs no token and
 * sends nothing.  Returns 0, ERR_USAGE for a bad path, or ERR_LIMIT.
 */
int session_describe(enum session_service svc, const char *method,
    const char *path, int has_body, struct sbuf *b);

/*
 * session_need_store: 0 if the store could be loaded (or there is none
 * yet), else the load error again, with an advice that is true.
 */
int session_need_store(void);

/* session_base: the base URL of svc. */
const char *session_base(enum session_service svc);

/*
 * session_accounts: call cb once per account (all pages of
 * /coe/v2/accounts): d is the page, i the resource's token index.  cb
 * returns nonzero to stop.  A next_url is followed only on the accounts
 * host (same scheme, host and port).  Returns 0 or a negative code.
 */
int session_accounts(int (*cb)(void *ctx, const struct json_doc *d, int i),
    void *ctx);

/*
 * The body of the accounts list when it came in one page, else empty:
 * valid after session_accounts() until the next call (for -o json).
 */
extern struct slice session_accounts_page;

/*
 * session_finish: save what changed (TLS sessions) for the next process;
 * the next network wait starts a fresh --max-time deadline.
 */
int session_finish(void);

/*
 * cred_read: read a secret from "env:NAME" or "file:/path" into
 * out[cap] (trailing newline and spaces removed).  Returns 0 or an error
 * naming the source.
 */
int cred_read(const char *source, char *out, size_t cap);

/* session_now: this machine's unix time (IKSCTL_FAKE_NOW is not honoured). */
int64_t session_now(void);

/*
 * session_service_now: the service's unix time: this machine's plus the
 * offset between the clocks that IAM's last answer showed (its Date,
 * else the token's iat), kept in the store.  Token expiry and renewal
 * are judged with it, never with this machine's clock alone.
 */
int64_t session_service_now(void);

/*
 * session_clock_note: when this machine's clock is over 60 s from the
 * service's, say so on stderr as "<who>: this machine's clock is N s
 * behind IAM's ...", once per process and again only if the offset
 * moves by over 60 s (-v, login and the token agent use it).
 */
void session_clock_note(const char *who);

#endif
