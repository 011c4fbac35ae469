/*
 * jwt.c: split a JWT, decode its payload and pick the claims iksctl
 * uses (see jwt.h).  The signature is not checked: the token came from
 * IAM over TLS, and only IAM and the services need to trust it.
 */
#include "proto/jwt.h"
#include "proto/base64.h"
#include "proto/json.h"
#include "base/errors.h"

#include <string.h>

/*
 * The string claims copied into struct jwt_info; account's value is
 * inside its object, at "bss".  No pointer per row: 14 bytes a claim.
 */
static const struct {
	char key[10];              /* claim name */
	unsigned short off;        /* offset of the field in struct jwt_info */
} claims[] = {
	{ "iam_id", offsetof(struct jwt_info, iam_id) },
	{ "account", offsetof(struct jwt_info, account) },
	{ "sub", offsetof(struct jwt_info, sub) },
	{ "sub_type", offsetof(struct jwt_info, sub_type) },
	{ "aud", offsetof(struct jwt_info, aud) },
	{ "email", offsetof(struct jwt_info, email) },
	{ "name", offsetof(struct jwt_info, name) },
	{ "client_id", offsetof(struct jwt_info, client_id) },
	{ "iss", offsetof(struct jwt_info, iss) },
	{ "scope", offsetof(struct jwt_info, scope) },
};
_Static_assert(sizeof(struct jwt_info) <= 65535, "claims' off is 16 bits");

int
jwt_split(struct slice tok, struct slice *header, struct slice *payload,
    struct slice *sig)
{
	const char *end = tok.p + tok.n, *a, *b;

	if (tok.n == 0 || (a = memchr(tok.p, '.', tok.n)) == NULL ||
	    (b = memchr(a + 1, '.', (size_t)(end - a - 1))) == NULL ||
	    memchr(b + 1, '.', (size_t)(end - b - 1)) != NULL ||
	    a == tok.p || b == a + 1)
		return err_set(ERR_JWT, "not a valid JWT");
	header->p = tok.p;
	header->n = (size_t)(a - tok.p);
	payload->p = a + 1;
	payload->n = (size_t)(b - a - 1);
	sig->p = b + 1;
	sig->n = (size_t)(end - b - 1);
	return 0;
}

int
jwt_claims(struct slice tok, char *out, size_t cap, size_t *len)
{
	struct slice h = { "", 0 }, p = { "", 0 }, s = { "", 0 };
	int r;

	*len = 0;
	if (jwt_split(tok, &h, &p, &s) != 0)
		return ERR_JWT;
	if (cap == 0)
		return err_limit("JWT claims", "LIM_JWT_CLAIMS_BYTES", 0);
	r = base64url_decode(p, (uint8_t *)out, cap - 1, len);
	if (r == ERR_LIMIT)
		return err_limit("JWT claims", "LIM_JWT_CLAIMS_BYTES", cap - 1);
	if (r != 0)
		return err_set(ERR_JWT, "not a valid JWT");
	out[*len] = '\0';
	return 0;
}

int
jwt_read(struct slice tok, struct jwt_info *ji)
{
	char buf[LIM_JWT_CLAIMS_BYTES];
	jsmntok_t t[LIM_JWT_TOKENS];
	struct json_doc d;
	size_t len, k;
	int r, v;

	memset(ji, 0, sizeof(*ji));
	if ((r = jwt_claims(tok, buf, sizeof(buf), &len)) != 0)
		return r;
	r = json_parse(&d, buf, len, t, LIM_JWT_TOKENS);
	if (r == ERR_LIMIT)
		return err_limit("JWT claims", "LIM_JWT_TOKENS",
		    LIM_JWT_TOKENS);
	if (r != 0 || json_type(&d, 0) != JSON_OBJECT)
		return err_set(ERR_JWT, "claims are not a JSON object");
	if (json_i64(&d, json_get(&d, 0, "exp"), &ji->exp) != 0)
		return err_set(ERR_JWT, "no integer exp claim");
	(void)json_i64(&d, json_get(&d, 0, "iat"), &ji->iat);
	for (k = 0; k < sizeof(claims) / sizeof(claims[0]); k++) {
		v = json_get(&d, 0, claims[k].key);
		if (k == 1)   /* account */
			v = json_get(&d, v, "bss");
		if (json_type(&d, v) == JSON_ARRAY)
			v = json_at(&d, v, 0);
		if (json_str(&d, v, (char *)ji + claims[k].off,
		    LIM_FIELD_BYTES) == ERR_LIMIT)
			return err_limit(claims[k].key, "LIM_FIELD_BYTES",
			    LIM_FIELD_BYTES - 1);
	}
	return 0;
}
