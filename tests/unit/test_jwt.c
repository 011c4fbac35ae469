/*
 * test_jwt.c: base64 encode/decode (src/proto/base64.c) and JWT claims
 * (src/proto/jwt.c).  The tokens are built here from made-up claims.
 */
#include "test.h"

#include "base/errors.h"
#include "base/limits.h"
#include "proto/base64.h"
#include "proto/jwt.h"

#include <stdlib.h>

/* enc: base64 of s (standard alphabet, padded), in a static buffer. */
static const char *
enc(const char *s)
{
	static char buf[256];
	struct sbuf b;

	sbuf_init(&b, buf, sizeof(buf));
	base64_encode(&b, (const uint8_t *)s, strlen(s));
	return buf;
}

/* dec: base64 text decoded, or "ERR<code>". */
static const char *
dec(const char *text, size_t cap)
{
	static char out[256];
	size_t n = 99;
	char *c = guard_copy(text, strlen(text));
	int r = base64url_decode((struct slice){ c, strlen(text) },
	    (uint8_t *)out, cap, &n);

	guard_free(c, strlen(text));
	if (r != 0)
		snprintf(out, sizeof(out), "ERR%d", r);
	else
		out[n] = '\0';
	return out;
}

TEST(test_vectors)
{
	char buf[8];
	struct sbuf b;

	CHECK_STR(enc(""), "");
	CHECK_STR(enc("f"), "Zg==");
	CHECK_STR(enc("fo"), "Zm8=");
	CHECK_STR(enc("foo"), "Zm9v");
	CHECK_STR(enc("foob"), "Zm9vYg==");
	CHECK_STR(enc("fooba"), "Zm9vYmE=");
	CHECK_STR(enc("foobar"), "Zm9vYmFy");
	CHECK_STR(enc("bx:bx"), "Yng6Yng=");
	CHECK_STR(enc("kube:kube"), "a3ViZTprdWJl");
	sbuf_init(&b, buf, sizeof(buf));
	CHECK_EQ_INT(base64_encode(&b, (const uint8_t *)"foobar", 6), 8);
	CHECK_EQ_INT(sbuf_ok(&b, "x"), ERR_LIMIT);
	CHECK_STR(dec("", 10), "");
	CHECK_STR(dec("Zg==", 10), "f");
	CHECK_STR(dec("Zg", 10), "f");
	CHECK_STR(dec("Zg=", 10), "f");
	CHECK_STR(dec("Zm8", 10), "fo");
	CHECK_STR(dec("Zm9vYmFy", 10), "foobar");
	CHECK_STR(dec("-_8", 10), "\xfb\xff");
	CHECK_STR(dec("+/8=", 10), "\xfb\xff");
	CHECK_STR(dec("-/_+", 10), "\xfb\xff\xfe");
	CHECK_STR(dec("Z", 10), "ERR-404");
	CHECK_STR(dec("Zm9vY", 10), "ERR-404");
	CHECK_STR(dec("Zg=a", 10), "ERR-404");
	CHECK_STR(dec("Z===", 10), "ERR-404");
	CHECK_STR(dec("Zm9v!", 10), "ERR-404");
	CHECK_STR(dec("Zm 9v", 10), "ERR-404");
	CHECK_STR(dec("Zm9v\n", 10), "ERR-404");
	CHECK_STR(dec("Zm9vYmFy", 6), "foobar");
	CHECK_STR(dec("Zm9vYmFy", 5), "ERR-3");
	CHECK_STR(dec("Zg", 0), "ERR-3");
}

/* Every length 0..70 of random bytes, padded and base64url. */
TEST(test_round_trip)
{
	uint8_t in[70], out[70];
	char text[128], *c;
	struct sbuf b;
	size_t n, k, len, got;
	int round;

	srand(3);
	for (round = 0; round < 20; round++) {
		for (n = 0; n <= sizeof(in); n++) {
			for (k = 0; k < n; k++)
				in[k] = (uint8_t)rand();
			sbuf_init(&b, text, sizeof(text));
			CHECK_EQ_INT(base64_encode(&b, in, n), (n + 2) / 3 * 4);
			CHECK_EQ_INT(b.len, (n + 2) / 3 * 4);
			len = b.len;
			c = guard_copy(text, len);
			CHECK_EQ_INT(base64url_decode((struct slice){ c, len },
			    out, n, &got), 0);
			CHECK(got == n && memcmp(in, out, n) == 0);
			guard_free(c, len);
			/* The base64url form: other alphabet, no padding. */
			while (len > 0 && text[len - 1] == '=')
				len--;
			for (k = 0; k < len; k++)
				text[k] = text[k] == '+' ? '-' :
				    text[k] == '/' ? '_' : text[k];
			c = guard_copy(text, len);
			CHECK_EQ_INT(base64url_decode((struct slice){ c, len },
			    out, n, &got), 0);
			CHECK(got == n && memcmp(in, out, n) == 0);
			if (n > 0)
				CHECK_EQ_INT(base64url_decode((struct slice){
				    c, len }, out, n - 1, &got), ERR_LIMIT);
			guard_free(c, len);
		}
	}
}

/* b64url: append s as unpadded base64url. */
static void
b64url(struct sbuf *b, const char *s)
{
	size_t k, start = b->len;

	base64_encode(b, (const uint8_t *)s, strlen(s));
	while (b->len > start && b->p[b->len - 1] == '=')
		b->p[--b->len] = '\0';
	for (k = start; k < b->len; k++)
		b->p[k] = b->p[k] == '+' ? '-' : b->p[k] == '/' ? '_' : b->p[k];
}

/* make_jwt: header.payload.sig for the given claims. */
static struct slice
make_jwt(char *buf, size_t cap, const char *claims, const char *sig)
{
	struct sbuf b;

	sbuf_init(&b, buf, cap);
	b64url(&b, "{\"kid\":\"202301110829\",\"alg\":\"RS256\"}");
	sbuf_addc(&b, '.');
	b64url(&b, claims);
	sbuf_addc(&b, '.');
	sbuf_add(&b, sig);
	return (struct slice){ buf, b.overflow ? 0 : b.len };
}

static const char user_claims[] =
    "{\"iam_id\":\"IBMid-000000FAKE\",\"id\":\"IBMid-000000FAKE\","
    "\"realmid\":\"IBMid\",\"sub\":\"jane@example.com\","
    "\"sub_type\":\"user\",\"email\":\"jane@example.com\","
    "\"name\":\"Jane \\u00c9xample\",\"given_name\":\"Jane\","
    "\"account\":{\"valid\":true,\"bss\":\"0123456789abcdef0123456789abcdef\","
    "\"ims\":\"1234567\"},\"iat\":1700000000,\"exp\":1700003600,"
    "\"iss\":\"https://iam.cloud.ibm.com/identity\","
    "\"grant_type\":\"urn:ibm:params:oauth:grant-type:apikey\","
    "\"scope\":\"ibm openid\",\"client_id\":\"bx\",\"acr\":1,"
    "\"amr\":[\"pwd\"]}";

TEST(test_jwt_read)
{
	static char tok[LIM_TOKEN_BYTES];
	struct jwt_info ji;
	struct slice t = make_jwt(tok, sizeof(tok), user_claims, "ZmFrZS1zaWc");
	char *c = guard_copy(t.p, t.n);

	CHECK_EQ_INT(jwt_read((struct slice){ c, t.n }, &ji), 0);
	CHECK_EQ_INT(ji.iat, 1700000000);
	CHECK_EQ_INT(ji.exp, 1700003600);
	CHECK_STR(ji.iam_id, "IBMid-000000FAKE");
	CHECK_STR(ji.account, "0123456789abcdef0123456789abcdef");
	CHECK_STR(ji.sub, "jane@example.com");
	CHECK_STR(ji.sub_type, "user");
	CHECK_STR(ji.email, "jane@example.com");
	CHECK_STR(ji.name, "Jane \xc3\x89xample");
	CHECK_STR(ji.client_id, "bx");
	CHECK_STR(ji.iss, "https://iam.cloud.ibm.com/identity");
	CHECK_STR(ji.scope, "ibm openid");
	CHECK_STR(ji.aud, "");
	guard_free(c, t.n);
}

TEST(test_jwt_kube)
{
	static char tok[LIM_TOKEN_BYTES];
	struct jwt_info ji;
	struct slice t;

	/* A kube id_token: aud, no account, no iat; an empty signature. */
	t = make_jwt(tok, sizeof(tok), "{\"aud\":\"kube\",\"exp\":1700003548,"
	    "\"sub_0123\":\"x\",\"account\":\"flat\",\"email\":7}", "");
	CHECK_EQ_INT(jwt_read(t, &ji), 0);
	CHECK_STR(ji.aud, "kube");
	CHECK_EQ_INT(ji.exp, 1700003548);
	CHECK_EQ_INT(ji.iat, 0);
	CHECK_STR(ji.account, "");
	CHECK_STR(ji.email, "");
	t = make_jwt(tok, sizeof(tok),
	    "{\"aud\":[\"kube\",\"other\"],\"exp\":1}", "c2ln");
	CHECK_EQ_INT(jwt_read(t, &ji), 0);
	CHECK_STR(ji.aud, "kube");
}

TEST(test_jwt_bad)
{
	static char tok[2 * LIM_JWT_CLAIMS_BYTES];
	static char big[LIM_JWT_CLAIMS_BYTES + 64];
	struct slice h, p, s;
	struct jwt_info ji;
	struct slice t;
	size_t len;
	char out[16];

	CHECK_EQ_INT(jwt_split(SLICE_LIT("a.b.c"), &h, &p, &s), 0);
	CHECK(slice_eq(h, "a") && slice_eq(p, "b") && slice_eq(s, "c"));
	CHECK_EQ_INT(jwt_split(SLICE_LIT("a.b."), &h, &p, &s), 0);
	CHECK_EQ_INT(s.n, 0);
	CHECK_EQ_INT(jwt_split(SLICE_LIT("a.b"), &h, &p, &s), ERR_JWT);
	CHECK_EQ_INT(jwt_split(SLICE_LIT("a.b.c.d"), &h, &p, &s), ERR_JWT);
	CHECK_EQ_INT(jwt_split(SLICE_LIT(".b.c"), &h, &p, &s), ERR_JWT);
	CHECK_EQ_INT(jwt_split(SLICE_LIT("a..c"), &h, &p, &s), ERR_JWT);
	CHECK_EQ_INT(jwt_split(SLICE_LIT(""), &h, &p, &s), ERR_JWT);
	CHECK_EQ_INT(jwt_split(SLICE_LIT("not_supported"), &h, &p, &s),
	    ERR_JWT);
	CHECK_EQ_INT(jwt_read(SLICE_LIT("not_supported"), &ji), ERR_JWT);
	CHECK_EQ_INT(jwt_read(SLICE_LIT("a.b!c.d"), &ji), ERR_JWT);
	CHECK_EQ_INT(jwt_read(SLICE_LIT("a.b$.c"), &ji), ERR_JWT);
	CHECK_STR(err_detail(), "not a valid JWT");
	/* The refresh token is JWT-shaped but has no exp. */
	t = make_jwt(tok, sizeof(tok), "{\"iam_id\":\"iam-x\","
	    "\"account_id\":\"abc\"}", "");
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_JWT);
	t = make_jwt(tok, sizeof(tok), "{\"exp\":1.5e9}", "");
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_JWT);
	t = make_jwt(tok, sizeof(tok), "[1,2]", "");
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_JWT);
	t = make_jwt(tok, sizeof(tok), "{\"exp\":1", "");
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_JWT);
	/* Limits: a claim too long, claims too big, too many tokens. */
	memset(big, 'a', 300);
	memcpy(big, "{\"exp\":1,\"email\":\"", 18);
	memcpy(big + 300, "\"}", 3);
	t = make_jwt(tok, sizeof(tok), big, "");
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_FIELD_BYTES") != NULL);
	CHECK_EQ_INT(jwt_claims(t, out, sizeof(out), &len), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_JWT_CLAIMS_BYTES") != NULL);
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	memcpy(big + sizeof(big) - 10, "\"exp\":1}", 9);
	t = make_jwt(tok, sizeof(tok), big, "");
	CHECK(t.n > 0);
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_JWT_CLAIMS_BYTES") != NULL);
	/* 300 array elements need more than LIM_JWT_TOKENS tokens. */
	memcpy(big, "{\"exp\":1,\"a\":[", 14);
	for (len = 0; len < 300; len++)
		memcpy(big + 14 + 2 * len, "1,", 2);
	memcpy(big + 14 + 2 * len - 1, "]}", 3);
	t = make_jwt(tok, sizeof(tok), big, "");
	CHECK_EQ_INT(jwt_read(t, &ji), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_JWT_TOKENS") != NULL);
}

int
main(void)
{
	RUN(test_vectors);
	RUN(test_round_trip);
	RUN(test_jwt_read);
	RUN(test_jwt_kube);
	RUN(test_jwt_bad);
	return test_done();
}
