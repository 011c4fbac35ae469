/*
 * session_int.h: what the session files (session.c, session_token.c,
 * session_login.c, session_call.c) share; not for other layers.
 */
#ifndef IKSCTL_SESSION_INT_H
#define IKSCTL_SESSION_INT_H

#include "base/str.h"
#include "cloud/iam.h"
#include "proto/http.h"

#define EXPIRY_WINDOW 10      /* a token counts as expired 10 s early */
#define CLOCK_NOTE_S 60       /* a clock this far off is reported */
/* The wait for another process's refresh: --timeout. */
#define LOCK_WAIT_MS (http_opts.timeout_ms)
#define TLS_RESAVE_S 600      /* keep a saved TLS session this long */

extern struct iam_tokens sess_toks;     /* the last IAM answer */
extern char sess_form[LIM_HTTP_REQ_BYTES]; /* an IAM form */

/*
 * sess_reload: read the store again (under the lock) before changing it;
 * ERR_AUTH_LOGIN if the login this process read was removed or replaced
 * meanwhile (the tokens in memory are then forgotten).
 */
int sess_reload(void);

/*
 * sess_save: write the store; says where it should go if nowhere.  The
 * store must still hold this process's login (its login_id): else
 * ERR_AUTH_LOGIN and nothing is written (a login saves with store_save).
 */
int sess_save(void);

/* sess_apply: put the tokens of sess_toks into the store. */
int sess_apply(void);

/* sess_grant_login: the original grant for kind with secret into f. */
int sess_grant_login(struct sbuf *f, const char *kind, const char *secret,
    const char *username, const char *profile_id, const char *profile_name);

/* sess_call_iam: send the form f with client, wiping the form. */
int sess_call_iam(struct sbuf *f, const char *client);

/*
 * sess_vpc_grant: F23, the VPC instance identity exchange, for source
 * "vpc-instance:<profile id or crn>", into sess_toks.
 */
int sess_vpc_grant(const char *source);

/* sess_refresh_grant: F7 (and F6 with account) into sess_toks. */
int sess_refresh_grant(const char *account);

/*
 * sess_access_after: a token to retry with after `rejected` got a 401:
 * a usable token another process stored meanwhile, else a refresh (or
 * a re-login) under the store lock.  Returns as session_access().
 */
int sess_access_after(const char *rejected, const char **token);

#endif
