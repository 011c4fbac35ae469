/*
 * test_json.c: the JSON parser, navigation, unescaping and writers
 * (src/proto/json.c).  Every input is placed against a guard page, and
 * every prefix and many mutations of valid documents are parsed too.
 */
#include "test.h"

#include "base/errors.h"
#include "base/limits.h"
#include "proto/json.h"

#include <stdlib.h>

static jsmntok_t tok[4096];

static const char cluster[] =
    "{\"id\":\"cbsqftpt0thsm9b20hig\",\"name\":\"itzroks-demo\","
    "\"region\":\"jp-tok\",\"dataCenter\":\"tok02\",\"location\":\"Tokyo\","
    "\"type\":\"openshift\",\"state\":\"normal\","
    "\"status\":\"All Workers Normal\","
    "\"masterKubeVersion\":\"4.8.46_1566_openshift\","
    "\"createdDate\":\"2022-08-15T01:57:11+0000\",\"workerCount\":3,\n"
    "  \"workerZones\":[\"tok02\"],\"multiAzCapable\":true,\"isPaid\":true,"
    "\"crn\":\"crn:v1:bluemix:public:containers-kubernetes:jp-tok:a/ead8:"
    "cbsqftpt0thsm9b20hig::\",\"podSubnet\":\"172.30.0.0/16\","
    "\"publicServiceEndpointEnabled\":true,"
    "\"publicServiceEndpointURL\":"
    "\"https://c115-e.jp-tok.containers.cloud.ibm.com:32726\","
    "\"privateServiceEndpointEnabled\":false,"
    "\"privateServiceEndpointURL\":\"\",\"addons\":[],\"vlans\":[],"
    "\"versionEOS\":\"\",\"lifecycle\":null}";

static const char iam[] =
    "{\"access_token\":\"eyJhbGciOiJub25lIn0.e30.\","
    "\"refresh_token\":\"not_supported\",\"ims_user_id\":7560901,"
    "\"token_type\":\"Bearer\",\"expires_in\":3600,"
    "\"expiration\":1604608674,\"refresh_token_expiration\":1607197074,"
    "\"scope\":\"ibm openid\"}";

static const char *const valid[] = {
	"{}", "[]", "0", "-0", "1.5e10", "-1E-2", "12.25E+3", "\"x\"",
	"true", "false", "null",
	" \t\r\n[ 1 , 2 , {\"a\" : [true,false,null]} ] ",
	"{\"a\":{\"b\":{\"c\":[[],{}]}}}", "\"\\u00e9\\ud83d\\ude00\"",
	"123456789012345678901234567890", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
	"[\"caf\xc3\xa9\", -0.0, 1e999]", cluster, iam,
};

static const char *const invalid[] = {
	"", " ", "[1 2]", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\":}", "{,}",
	"[,]", "tru", "truex", "nul", "nulll", "01", "-01", "1.", ".5", "1e",
	"+1", "-", "{\"a\":1}}", "{\"a\":1} x", "[1]]", "[1] [2]", "\"\\x\"",
	"\"a\\u12g4\"", "\"a\x01\"", "{1:2}", "{\"a\" 1}", "[}", "{]", "\"abc",
	"[", "'a'", "[1,2", "{\"a\":1 \"b\":2}", "[\"a\":1]", "{\"a\"::1}",
	"{\"a\":1:2}", "[true false]", "NaN", "Infinity", "1.e5", "0x10",
	"[\"a\"b]", "{\"a\":1,,\"b\":2}", "]", "}", ":", ",", "[01]",
	"\"\\u12\"",
	"[-]", "[1e+]", "{\"a\":[}", "\x7f", "[\"\\\"]",
};

/* parse: parse n bytes of s placed against a guard page. */
static int
parse_n(struct json_doc *d, const char *s, size_t n, char **copy)
{
	*copy = guard_copy(s, n);
	return json_parse(d, *copy, n, tok,
	    (int)(sizeof(tok) / sizeof(tok[0])));
}

static int
parse_once(const char *s, size_t n)
{
	struct json_doc d;
	char *c;
	int r = parse_n(&d, s, n, &c);

	guard_free(c, n);
	return r;
}

TEST(test_valid)
{
	size_t i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		int r = parse_once(valid[i], strlen(valid[i]));
		if (r != 0)
			fprintf(stderr, "valid[%zu] %s: %s\n", i, valid[i],
			    err_detail());
		CHECK_EQ_INT(r, 0);
	}
}

TEST(test_invalid)
{
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		int r = parse_once(invalid[i], strlen(invalid[i]));
		if (r != ERR_JSON)
			fprintf(stderr, "invalid[%zu] %s accepted\n", i,
			    invalid[i]);
		CHECK_EQ_INT(r, ERR_JSON);
	}
	/* A NUL byte anywhere is refused (jsmn would stop there). */
	CHECK_EQ_INT(parse_once("[1,\0 2]", 7), ERR_JSON);
	CHECK_EQ_INT(parse_once("[\"a\0\"]", 6), ERR_JSON);
	CHECK_EQ_INT(parse_once("{} \0", 4), ERR_JSON);
}

TEST(test_details)
{
	CHECK_EQ_INT(parse_once("", 0), ERR_JSON);
	CHECK_STR(err_detail(), "empty");
	CHECK_EQ_INT(parse_once("{\"a\":[1,", 8), ERR_JSON);
	CHECK_STR(err_detail(), "truncated");
	CHECK_EQ_INT(parse_once("[1,2,x]", 7), ERR_JSON);
	CHECK_STR(err_detail(), "invalid at byte 5");
	CHECK_EQ_INT(parse_once("{\"a\":1} x", 9), ERR_JSON);
	CHECK_STR(err_detail(), "invalid at byte 8");
}

/* Every proper prefix of an object or array is an error, never a crash. */
TEST(test_truncated)
{
	size_t i, n;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		if (valid[i][strspn(valid[i], " \t\r\n")] != '{' &&
		    valid[i][strspn(valid[i], " \t\r\n")] != '[')
			continue;
		for (n = 0; n < strlen(valid[i]); n++) {
			int r = parse_once(valid[i], n);

			/* Only trailing white space may be cut. */
			if (strspn(valid[i] + n, " \t\r\n") !=
			    strlen(valid[i] + n))
				CHECK_EQ_INT(r, ERR_JSON);
		}
	}
}

/* Random damage: parse must not crash; what parses must stay valid. */
TEST(test_mutations)
{
	static const char junk[] = "{}[]\",:\\ -0.eE+tfnu\x01\x80\"";
	char buf[2048], out[2048];
	struct json_doc d;
	struct sbuf b;
	size_t i, k, n;
	int round, r, ok = 0;
	char *c;

	srand(1);
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		for (round = 0; round < 300; round++) {
			n = strlen(valid[i]);
			memcpy(buf, valid[i], n);
			for (k = 0; k < 1 + (size_t)round % 3 && n > 0; k++)
				buf[rand() % (int)n] =
				    junk[rand() % (int)(sizeof(junk) - 1)];
			r = parse_n(&d, buf, n, &c);
			CHECK(r == 0 || r == ERR_JSON);
			if (r == 0) {
				ok++;
				sbuf_init(&b, out, sizeof(out));
				json_compact(&b, (struct slice){ c, n });
				CHECK_EQ_INT(parse_once(out, b.len), 0);
				CHECK(json_next(&d, 0) == d.ntok);
			}
			guard_free(c, n);
		}
	}
	CHECK(ok > 0);
}

TEST(test_depth)
{
	static char deep[200002];
	size_t n;

	memset(deep, '[', LIM_JSON_DEPTH);
	memset(deep + LIM_JSON_DEPTH, ']', LIM_JSON_DEPTH);
	CHECK_EQ_INT(parse_once(deep, 2 * LIM_JSON_DEPTH), 0);
	memset(deep, '[', LIM_JSON_DEPTH + 1);
	memset(deep + LIM_JSON_DEPTH + 1, ']', LIM_JSON_DEPTH + 1);
	CHECK_EQ_INT(parse_once(deep, 2 * LIM_JSON_DEPTH + 2), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_JSON_DEPTH") != NULL);
	n = sizeof(deep);
	memset(deep, '[', n);
	CHECK_EQ_INT(parse_once(deep, n), ERR_LIMIT);
	memset(deep, '{', n);
	CHECK_EQ_INT(parse_once(deep, n), ERR_JSON);
}

TEST(test_token_limit)
{
	static jsmntok_t few[4];
	struct json_doc d;

	CHECK_EQ_INT(json_parse(&d, "[1,2,3]", 7, few, 3), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_JSON_TOKENS") != NULL);
	CHECK_EQ_INT(json_parse(&d, "[1,2,3]", 7, few, 4), 0);
	CHECK_EQ_INT(d.ntok, 4);
	CHECK_EQ_INT(json_parse(&d, "{}", 2, few, 0), ERR_LIMIT);
}

TEST(test_cluster)
{
	struct json_doc d;
	char s[LIM_FIELD_BYTES], *c;
	int64_t v = 0;
	int b = 0, z;

	CHECK_EQ_INT(parse_n(&d, cluster, sizeof(cluster) - 1, &c), 0);
	CHECK_EQ_INT(json_type(&d, 0), JSON_OBJECT);
	CHECK_EQ_INT(json_size(&d, 0), 24);
	CHECK_EQ_INT(json_get_str(&d, 0, "id", s, sizeof(s)), 20);
	CHECK_STR(s, "cbsqftpt0thsm9b20hig");
	CHECK_EQ_INT(json_get_str(&d, 0, "publicServiceEndpointURL", s,
	    sizeof(s)), 52);
	CHECK_STR(s, "https://c115-e.jp-tok.containers.cloud.ibm.com:32726");
	CHECK_EQ_INT(json_get_str(&d, 0, "privateServiceEndpointURL", s,
	    sizeof(s)), 0);
	CHECK_STR(s, "");
	CHECK_EQ_INT(json_get_i64(&d, 0, "workerCount", &v), 0);
	CHECK_EQ_INT(v, 3);
	CHECK_EQ_INT(json_bool(&d, json_get(&d, 0, "multiAzCapable"), &b), 0);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(json_bool(&d, json_get(&d, 0,
	    "privateServiceEndpointEnabled"), &b), 0);
	CHECK_EQ_INT(b, 0);
	z = json_get(&d, 0, "workerZones");
	CHECK_EQ_INT(json_type(&d, z), JSON_ARRAY);
	CHECK_EQ_INT(json_size(&d, z), 1);
	CHECK(json_str_eq(&d, json_at(&d, z, 0), "tok02"));
	CHECK_EQ_INT(json_at(&d, z, 1), -1);
	CHECK_EQ_INT(json_at(&d, z, -1), -1);
	CHECK_EQ_INT(json_type(&d, json_get(&d, 0, "lifecycle")), JSON_NULL);
	CHECK_EQ_INT(json_type(&d, json_get(&d, 0, "addons")), JSON_ARRAY);
	CHECK_EQ_INT(json_size(&d, json_get(&d, 0, "addons")), 0);
	CHECK_EQ_INT(json_get(&d, 0, "nope"), -1);
	CHECK_EQ_INT(json_get(&d, z, "tok02"), -1);
	CHECK_EQ_INT(json_type(&d, json_get(&d, -1, "id")), JSON_NONE);
	/* Missing and mistyped fields name the key. */
	CHECK_EQ_INT(json_get_str(&d, 0, "masterURL", s, sizeof(s)),
	    ERR_JSON_FIELD);
	CHECK_STR(err_detail(), "'masterURL' is missing");
	CHECK_EQ_INT(json_get_str(&d, 0, "workerCount", s, sizeof(s)),
	    ERR_JSON_FIELD);
	CHECK_STR(err_detail(), "'workerCount' is not a string");
	CHECK_EQ_INT(json_get_i64(&d, 0, "name", &v), ERR_JSON_FIELD);
	CHECK_STR(err_detail(), "'name' is not an integer");
	CHECK_EQ_INT(json_get_str(&d, 0, "crn", s, 10), ERR_LIMIT);
	CHECK_STR(s, "");
	CHECK(strstr(err_detail(), "crn") != NULL);
	/* The last value's json_next is the end. */
	CHECK_EQ_INT(json_next(&d, json_get(&d, 0, "lifecycle")), d.ntok);
	CHECK_EQ_INT(json_next(&d, 0), d.ntok);
	CHECK_EQ_INT(json_next(&d, -1), -1);
	guard_free(c, sizeof(cluster) - 1);
}

TEST(test_iam)
{
	struct json_doc d;
	char s[LIM_TOKEN_BYTES], *c;
	int64_t v = 0;

	CHECK_EQ_INT(parse_n(&d, iam, sizeof(iam) - 1, &c), 0);
	CHECK(json_get_str(&d, 0, "access_token", s, sizeof(s)) > 0);
	CHECK_STR(s, "eyJhbGciOiJub25lIn0.e30.");
	CHECK_EQ_INT(json_get_i64(&d, 0, "expires_in", &v), 0);
	CHECK_EQ_INT(v, 3600);
	CHECK_EQ_INT(json_get_i64(&d, 0, "expiration", &v), 0);
	CHECK_EQ_INT(v, 1604608674);
	CHECK_EQ_INT(json_get_i64(&d, 0, "refresh_token_expiration", &v), 0);
	CHECK_EQ_INT(v, 1607197074);
	CHECK_EQ_INT(json_get_str(&d, 0, "scope", s, sizeof(s)), 10);
	CHECK_STR(s, "ibm openid");
	CHECK_EQ_INT(json_get_i64(&d, 0, "delegated", &v), ERR_JSON_FIELD);
	CHECK_STR(err_detail(), "'delegated' is missing");
	guard_free(c, sizeof(iam) - 1);
}

/* str1: the one string in text, unescaped, or "ERR<code>". */
static const char *
str1(const char *text, size_t cap)
{
	static char out[256];
	struct json_doc d;
	char *c;
	int r = parse_n(&d, text, strlen(text), &c);

	if (r == 0)
		r = json_str(&d, 0, out, cap);
	if (r < 0)
		snprintf(out, sizeof(out), "ERR%d", r);
	guard_free(c, strlen(text));
	return out;
}

TEST(test_escapes)
{
	CHECK_STR(str1("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", 64),
	    "a\"b\\c/d\b\f\n\r\t");
	CHECK_STR(str1("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00z\"", 64),
	    "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");
	CHECK_STR(str1("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"", 64),
	    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
	CHECK_STR(str1("\"\\udbff\\udfff\"", 64), "\xf4\x8f\xbf\xbf");
	CHECK_STR(str1("\"\\u003cb\\u003e\"", 64), "<b>");
	CHECK_STR(str1("\"\\ud83d\"", 64), "ERR-400");
	CHECK_STR(str1("\"\\ude00x\"", 64), "ERR-400");
	CHECK_STR(str1("\"\\ud83d\\u0041\"", 64), "ERR-400");
	CHECK_STR(str1("\"\\ud83dx\\ude00\"", 64), "ERR-400");
	CHECK_STR(str1("\"a\\u0000b\"", 64), "ERR-400");
	CHECK(strstr(err_detail(), "\\u0000") != NULL);
	CHECK_STR(str1("12", 64), "ERR-401");
	/* Exactly full fits; one byte less is a limit error. */
	CHECK_STR(str1("\"abc\\u00e9\"", 6), "abc\xc3\xa9");
	CHECK_STR(str1("\"abc\\u00e9\"", 5), "ERR-3");
	CHECK_STR(str1("\"\"", 1), "");
	CHECK_STR(str1("\"a\"", 1), "ERR-3");
	CHECK_STR(str1("\"a\"", 0), "ERR-3");
}

TEST(test_str_eq)
{
	static const char t[] = "{\"na\\u006de\":\"x\\ty\",\"n\":\"\\ud83d\"}";
	struct json_doc d;
	char *c;

	CHECK_EQ_INT(parse_n(&d, t, sizeof(t) - 1, &c), 0);
	CHECK(json_str_eq(&d, 1, "name"));
	CHECK(!json_str_eq(&d, 1, "nam"));
	CHECK(!json_str_eq(&d, 1, "names"));
	CHECK(json_str_eq(&d, json_get(&d, 0, "name"), "x\ty"));
	CHECK(!json_str_eq(&d, json_get(&d, 0, "name"), "x\\ty"));
	CHECK(!json_str_eq(&d, json_get(&d, 0, "n"), "?"));
	CHECK(!json_str_eq(&d, 0, "name"));
	CHECK(json_str_eq(&d, 3, "n"));
	guard_free(c, sizeof(t) - 1);
}

/* \u0000 unescapes to the byte; only json_str (a C string) refuses it. */
TEST(test_nul)
{
	static const char t[] = "{\"a\\u0000\":\"x\\u0000y\"}";
	struct json_doc d;
	size_t off = 0;
	char *c, buf[8];

	CHECK_EQ_INT(parse_n(&d, t, sizeof(t) - 1, &c), 0);
	CHECK_EQ_INT(json_str_chunk(&d, 2, &off, buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "x\0y", 3) == 0);
	CHECK_EQ_INT(json_str_chunk(&d, 2, &off, buf, sizeof(buf)), 0);
	CHECK_EQ_INT(json_str(&d, 2, buf, sizeof(buf)), ERR_JSON);
	CHECK_STR(buf, "");
	CHECK_EQ_INT(json_get(&d, 0, "a"), -1);
	CHECK(!json_str_eq(&d, 2, "x"));
	CHECK(!json_str_eq(&d, 1, "a"));
	guard_free(c, sizeof(t) - 1);
}

/* i64: the integer in text, or a sentinel on failure. */
static int
i64(const char *text, int64_t *v)
{
	struct json_doc d;
	char *c;
	int r = parse_n(&d, text, strlen(text), &c);

	if (r == 0)
		r = json_i64(&d, 0, v);
	guard_free(c, strlen(text));
	return r;
}

TEST(test_numbers)
{
	int64_t v = 0;

	CHECK_EQ_INT(i64("9223372036854775807", &v), 0);
	CHECK(v == INT64_MAX);
	CHECK_EQ_INT(i64("-9223372036854775808", &v), 0);
	CHECK(v == INT64_MIN);
	CHECK_EQ_INT(i64("-42", &v), 0);
	CHECK_EQ_INT(v, -42);
	CHECK_EQ_INT(i64("0", &v), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(i64("9223372036854775808", &v), ERR_JSON_FIELD);
	CHECK_EQ_INT(i64("-9223372036854775809", &v), ERR_JSON_FIELD);
	CHECK_EQ_INT(i64("123456789012345678901234567890", &v),
	    ERR_JSON_FIELD);
	CHECK_EQ_INT(i64("1.0", &v), ERR_JSON_FIELD);
	CHECK_EQ_INT(i64("1e3", &v), ERR_JSON_FIELD);
	CHECK_EQ_INT(i64("\"12\"", &v), ERR_JSON_FIELD);
	CHECK_EQ_INT(i64("true", &v), ERR_JSON_FIELD);
	CHECK_EQ_INT(v, 0);
}

TEST(test_types)
{
	static const char t[] = "[{},[],\"s\",-1.5,true,false,null]";
	struct json_doc d;
	struct slice s;
	int b = 5, i;

	CHECK_EQ_INT(json_parse(&d, t, sizeof(t) - 1, tok, 64), 0);
	for (i = 0; i < 7; i++)
		CHECK_EQ_INT(json_type(&d, json_at(&d, 0, i)), JSON_OBJECT + i);
	s = json_raw(&d, json_at(&d, 0, 2));
	CHECK(s.n == 1 && s.p[0] == 's');
	s = json_raw(&d, json_at(&d, 0, 3));
	CHECK(slice_eq(s, "-1.5"));
	s = json_raw(&d, -1);
	CHECK_EQ_INT(s.n, 0);
	CHECK_EQ_INT(json_bool(&d, json_at(&d, 0, 6), &b), ERR_JSON_FIELD);
	CHECK_EQ_INT(b, 5);
	CHECK_EQ_INT(json_type(&d, 99), JSON_NONE);
	CHECK_EQ_INT(json_size(&d, json_at(&d, 0, 2)), 0);
	CHECK_EQ_INT(json_parse(&d, " 42 ", 4, tok, 64), 0);
	CHECK_EQ_INT(json_type(&d, 0), JSON_NUMBER);
	CHECK(slice_eq(json_raw(&d, 0), "42"));
}

TEST(test_write)
{
	char buf[64];
	struct sbuf b;

	sbuf_init(&b, buf, sizeof(buf));
	json_add_string(&b, SLICE_LIT("a\"b\\c\n\x01\x1f caf\xc3\xa9/"));
	CHECK_STR(buf, "\"a\\\"b\\\\c\\u000a\\u0001\\u001f caf\xc3\xa9/\"");
	CHECK_EQ_INT(sbuf_ok(&b, "x"), 0);
	sbuf_init(&b, buf, sizeof(buf));
	json_add_string(&b, SLICE_LIT(""));
	CHECK_STR(buf, "\"\"");
	sbuf_init(&b, buf, 5);
	json_add_string(&b, SLICE_LIT("abcd"));
	CHECK_EQ_INT(sbuf_ok(&b, "x"), ERR_LIMIT);
	sbuf_init(&b, buf, sizeof(buf));
	json_compact(&b,
	    SLICE_LIT(" {\n\t\"a b\" : [ 1 , \"x \\\" y\" ,{ }] } "));
	CHECK_STR(buf, "{\"a b\":[1,\"x \\\" y\",{}]}");
	sbuf_init(&b, buf, sizeof(buf));
	json_compact(&b, SLICE_LIT("\"\\\\\" "));
	CHECK_STR(buf, "\"\\\\\"");
}

int
main(void)
{
	RUN(test_valid);
	RUN(test_invalid);
	RUN(test_details);
	RUN(test_truncated);
	RUN(test_mutations);
	RUN(test_depth);
	RUN(test_token_limit);
	RUN(test_cluster);
	RUN(test_iam);
	RUN(test_escapes);
	RUN(test_str_eq);
	RUN(test_nul);
	RUN(test_numbers);
	RUN(test_types);
	RUN(test_write);
	return test_done();
}
