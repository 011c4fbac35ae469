/*
 * iam.h: IAM's token endpoint, POST {iam}/identity/token, for every
 * grant iksctl uses (DESIGN.md F1-F4, F6, F7, F13, F14).
 *
 * The caller builds the form (grant_type and its fields) with
 * form_add(); iam_token() adds the client (Basic bx:bx, or kube:kube for
 * the delegated exchange), sends it, and parses the answer into a
 * struct iam_tokens that the caller owns.  Secrets in the request are
 * wiped by the caller; iam_tokens_wipe() wipes an answer.
 */
#ifndef IKSCTL_IAM_H
#define IKSCTL_IAM_H

#include <stdint.h>

#include "base/limits.h"
#include "base/str.h"

#define IAM_CLIENT_BX   "Yng6Yng="      /* base64("bx:bx") */
#define IAM_CLIENT_KUBE "a3ViZTprdWJl"  /* base64("kube:kube") */

#define IAM_GRANT_APIKEY "urn:ibm:params:oauth:grant-type:apikey"
#define IAM_GRANT_PASSCODE "urn:ibm:params:oauth:grant-type:passcode"
#define IAM_GRANT_CR_TOKEN "urn:ibm:params:oauth:grant-type:cr-token"
#define IAM_GRANT_DELEGATED \
	"urn:ibm:params:oauth:grant-type:delegated-refresh-token"

struct iam_tokens {
	char access[LIM_TOKEN_BYTES];    /* access_token or "" */
	char refresh[LIM_TOKEN_BYTES];   /* refresh_token or "" */
	char id[LIM_TOKEN_BYTES];        /* id_token or "" */
	char delegated[LIM_TOKEN_BYTES]; /* delegated_refresh_token or "" */
	int64_t expires_in;              /* seconds, 0 if absent */
	int64_t expiration;              /* unix s, 0 if absent */
	int64_t refresh_exp;             /* refresh_token_expiration or 0 */
	int64_t date;                    /* the answer's Date (IAM's clock), 0 if none */
	int64_t at;                      /* this machine's clock at the answer */
};

/*
 * iam_token: POST form to {iam_url}/identity/token with Basic `client`.
 * Returns 0 with *t filled, ERR_AUTH when IAM refuses (the detail has
 * IAM's errorCode and errorMessage), or a transport error.
 */
int iam_token(const char *iam_url, const char *client, struct sbuf *form,
    struct iam_tokens *t);

/*
 * iam_send: send rq (built by the caller) and read a token answer
 * ({access_token, expires_in, ...}) into *t, as iam_token() does; what
 * names the service in errors, *rs keeps the status.  The VPC metadata
 * service's answers have this shape too.
 */
struct http_req;
struct http_resp;
int iam_send(const struct http_req *rq, const char *what,
    struct http_resp *rs, struct iam_tokens *t);

/* iam_tokens_wipe: zero every token in t. */
void iam_tokens_wipe(struct iam_tokens *t);

#endif
