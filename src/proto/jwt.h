/*
 * jwt.h: read the claims of a JSON Web Token without verifying its
 * signature, as IBM's SDKs do, to learn when a token expires and whom
 * and which account it is for.  Nothing here allocates: the claims are
 * decoded into a buffer on the stack and copied into struct jwt_info.
 */
#ifndef IKSCTL_JWT_H
#define IKSCTL_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/str.h"

struct jwt_info {
	int64_t iat;                      /* issued at, unix s; 0 if absent */
	int64_t exp;                      /* expires at, unix s (required) */
	char iam_id[LIM_FIELD_BYTES];     /* "IBMid-...", "iam-ServiceId-..." */
	char account[LIM_FIELD_BYTES];    /* account.bss: the account id */
	char sub[LIM_FIELD_BYTES];        /* subject: email or service id */
	char sub_type[LIM_FIELD_BYTES];   /* "ServiceId", "Profile", ... */
	char aud[LIM_FIELD_BYTES];        /* audience ("kube"), or its first */
	char email[LIM_FIELD_BYTES];      /* users only */
	char name[LIM_FIELD_BYTES];       /* display name */
	char client_id[LIM_FIELD_BYTES];  /* "bx", "kube", "default" */
	char iss[LIM_FIELD_BYTES];        /* issuer URL */
	char scope[LIM_FIELD_BYTES];      /* "ibm openid ..." */
};

/*
 * jwt_split: the three dot-separated parts of tok.  Returns 0, or
 * ERR_JWT unless there are exactly three parts with a non-empty header
 * and payload (the signature may be empty).
 */
int jwt_split(struct slice tok, struct slice *header, struct slice *payload,
    struct slice *sig);

/*
 * jwt_claims: the payload of tok decoded into out[cap] with a NUL, its
 * length into *len.  Returns 0, ERR_JWT ("not a valid JWT"), or
 * ERR_LIMIT naming LIM_JWT_CLAIMS_BYTES if it does not fit.
 */
int jwt_claims(struct slice tok, char *out, size_t cap, size_t *len);

/*
 * jwt_read: the claims of tok into *ji.  Missing optional claims, and
 * claims that are not strings, are left empty (iat 0).  Returns 0;
 * ERR_JWT if tok is not a JWT, its claims are not a JSON object or have
 * no integer exp; ERR_LIMIT naming LIM_JWT_CLAIMS_BYTES, LIM_JWT_TOKENS
 * or LIM_FIELD_BYTES (for a claim too long).
 */
int jwt_read(struct slice tok, struct jwt_info *ji);

#endif
