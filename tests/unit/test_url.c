/*
 * test_url.c: unit tests of src/net/url.c: URL parsing, joining, the
 * Host header, percent-encoding, form bodies and NO_PROXY matching.
 * Every string handed to a parser is placed to end at a guard page.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"
#include "net/url.h"

#include "test.h"

static struct url u;  /* big: keep it off the stack */

/* parse: url_parse on a guarded copy of s (NUL included). */
static int
parse(const char *s, struct url *out)
{
	size_t n = strlen(s) + 1;
	char *g = guard_copy(s, n);
	int rc = url_parse(g, out);

	guard_free(g, n);
	return rc;
}

/* detail_has: 1 if the last error detail mentions s. */
static int
detail_has(const char *s)
{
	return strstr(err_detail(), s) != NULL;
}

TEST(test_parse_forms)
{
	CHECK_EQ_INT(parse("https://containers.cloud.ibm.com/global", &u), 0);
	CHECK_STR(u.scheme, "https");
	CHECK_STR(u.host, "containers.cloud.ibm.com");
	CHECK_EQ_INT(u.port, 443);
	CHECK_STR(u.path, "/global");
	CHECK_EQ_INT(u.ipv6, 0);
	CHECK_EQ_INT(u.has_userinfo, 0);

	CHECK_EQ_INT(parse("HTTP://Example.COM:8080/a/b?x=1&y=%20#frag", &u),
	    0);
	CHECK_STR(u.scheme, "http");
	CHECK_STR(u.host, "example.com");
	CHECK_EQ_INT(u.port, 8080);
	CHECK_STR(u.path, "/a/b?x=1&y=%20");

	CHECK_EQ_INT(parse("https://10.1.2.3:6443", &u), 0);
	CHECK_STR(u.host, "10.1.2.3");
	CHECK_EQ_INT(u.port, 6443);
	CHECK_STR(u.path, "");

	CHECK_EQ_INT(parse("https://[2001:DB8::1]:8443/p", &u), 0);
	CHECK_EQ_INT(u.ipv6, 1);
	CHECK_STR(u.host, "2001:db8::1");
	CHECK_EQ_INT(u.port, 8443);
	CHECK_STR(u.path, "/p");

	CHECK_EQ_INT(parse("https://[::ffff:10.0.0.1]", &u), 0);
	CHECK_STR(u.host, "::ffff:10.0.0.1");
	CHECK_EQ_INT(u.port, 443);

	CHECK_EQ_INT(parse("http://h.example?x=1", &u), 0);
	CHECK_STR(u.path, "/?x=1");
	CHECK_EQ_INT(u.port, 80);

	CHECK_EQ_INT(parse("https://my_host-1.example/", &u), 0);
	CHECK_STR(u.host, "my_host-1.example");
	CHECK_STR(u.path, "/");
}

TEST(test_parse_proxy)
{
	CHECK_EQ_INT(parse("http://u%40x:p%3Aa%25ss@proxy:3128", &u), 0);
	CHECK_EQ_INT(u.has_userinfo, 1);
	CHECK_STR(u.user, "u@x");
	CHECK_STR(u.pass, "p:a%ss");
	CHECK_STR(u.host, "proxy");
	CHECK_EQ_INT(u.port, 3128);

	/* The last '@' ends the user info. */
	CHECK_EQ_INT(parse("http://user:p@ss@proxy", &u), 0);
	CHECK_STR(u.user, "user");
	CHECK_STR(u.pass, "p@ss");
	CHECK_STR(u.host, "proxy");

	CHECK_EQ_INT(parse("http://fake-user@proxy:8080/", &u), 0);
	CHECK_STR(u.user, "fake-user");
	CHECK_STR(u.pass, "");
	CHECK_EQ_INT(u.has_userinfo, 1);

	CHECK_EQ_INT(parse("proxy.corp.example:3128", &u), 0);
	CHECK_STR(u.scheme, "http");
	CHECK_STR(u.host, "proxy.corp.example");
	CHECK_EQ_INT(u.port, 3128);

	CHECK_EQ_INT(parse("proxy", &u), 0);
	CHECK_STR(u.scheme, "http");
	CHECK_EQ_INT(u.port, 80);

	CHECK_EQ_INT(parse("u:p@[::1]:3128", &u), 0);
	CHECK_STR(u.user, "u");
	CHECK_STR(u.host, "::1");
	CHECK_EQ_INT(u.ipv6, 1);
	CHECK_EQ_INT(u.port, 3128);
}

TEST(test_parse_garbage)
{
	static const char *bad[] = {
		"", "https://", "ftp://x", "socks5://p:1080", "https://h:0",
		"https://h:65536", "https://h:12a", "https://h:",
		"https://[::1",
		"https://[zz::1]", "https://[1]", "https://[::1]x",
		"https://h h/", "https://h/a b", "https://h/a\r\nX: y",
		"https://1.2.3", "https://256.1.1.1", "https://1.2.3.4.5",
		"http://u:%zz@h", "http://u:%4@h", "http://u%00:p@h",
		"https://host$/", "https://@/", "https://h\xc3\xa9/",
		":80", "https://h/\x7f",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear();
		if (parse(bad[i], &u) != ERR_NET_URL || err_detail()[0] == 0)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK_EQ_INT(err_code_last(), ERR_NET_URL);
	}
}

TEST(test_parse_limits)
{
	static char s[LIM_URL_BYTES + 16];
	struct sbuf b;
	size_t i;

	sbuf_init(&b, s, sizeof(s));
	sbuf_add(&b, "https://");
	for (i = 0; i < LIM_HOST_BYTES; i++)
		sbuf_addc(&b, 'a');
	CHECK_EQ_INT(parse(s, &u), ERR_LIMIT);
	CHECK(detail_has("LIM_HOST_BYTES"));

	/* 255 bytes fit. */
	s[8 + LIM_HOST_BYTES - 1] = '\0';
	CHECK_EQ_INT(parse(s, &u), 0);
	CHECK_EQ_INT(strlen(u.host), LIM_HOST_BYTES - 1);

	sbuf_init(&b, s, sizeof(s));
	sbuf_add(&b, "https://h/");
	while (b.len < LIM_URL_BYTES)
		sbuf_addc(&b, 'p');
	CHECK_EQ_INT(parse(s, &u), ERR_LIMIT);
	CHECK(detail_has("LIM_URL_BYTES"));
	s[LIM_URL_BYTES - 1] = '\0';
	CHECK_EQ_INT(parse(s, &u), 0);

	sbuf_init(&b, s, sizeof(s));
	sbuf_add(&b, "http://");
	for (i = 0; i < LIM_URL_USERINFO_BYTES; i++)
		sbuf_addc(&b, 'u');
	sbuf_add(&b, "@proxy");
	CHECK_EQ_INT(parse(s, &u), ERR_LIMIT);
	CHECK(detail_has("LIM_URL_USERINFO_BYTES"));
}

/* Every prefix of a URL parses or fails cleanly at a guard page. */
TEST(test_parse_prefixes)
{
	static const char *urls[] = {
		"http://u%41:p%3a@[2001:db8::1]:8443/a/b?c=d#e",
		"https://10.0.0.1:443/x?y",
		"proxy.example:3128",
	};
	char tmp[128];
	size_t i, k;
	int rc;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		for (k = 0; k <= strlen(urls[i]); k++) {
			memcpy(tmp, urls[i], k);
			tmp[k] = '\0';
			rc = parse(tmp, &u);
			CHECK(rc == 0 || rc == ERR_NET_URL);
		}
		CHECK_EQ_INT(rc, 0);
	}
	CHECK_STR(u.host, "proxy.example");
}

/* join: url_join(base, path) compared with want. */
static void
check_join(const char *base, const char *path, const char *want)
{
	char out[LIM_URL_BYTES];

	CHECK_EQ_INT(parse(base, &u), 0);
	CHECK_EQ_INT(url_join(&u, path, out, sizeof(out)), 0);
	CHECK_STR(out, want);
}

TEST(test_join)
{
	check_join("https://h/global", "/v1/clusters",
	    "https://h/global/v1/clusters");
	check_join("https://h/global/", "/v1/clusters",
	    "https://h/global/v1/clusters");
	check_join("https://h/global/", "v1/clusters",
	    "https://h/global/v1/clusters");
	check_join("https://h", "/v1", "https://h/v1");
	check_join("https://h", "v1", "https://h/v1");
	check_join("https://h", "", "https://h/");
	check_join("https://h", NULL, "https://h/");
	check_join("https://h/global", "", "https://h/global");
	check_join("https://h/global", "?a=b", "https://h/global?a=b");
	check_join("https://h", "?a=b", "https://h/?a=b");
	check_join("https://h/global?z=1", "/v1", "https://h/global/v1");
	check_join("https://h:8443", "/x", "https://h:8443/x");
	check_join("https://h:443/", "/x", "https://h/x");
	check_join("http://h:443/", "/x", "http://h:443/x");
	check_join("https://u:p@[::1]:8443/p", "/x?y=1",
	    "https://[::1]:8443/p/x?y=1");
}

TEST(test_join_errors)
{
	static char path[LIM_PATH_BYTES + 8];
	static char out[2 * LIM_URL_BYTES];
	char small[16];

	CHECK_EQ_INT(parse("https://h/global", &u), 0);
	CHECK_EQ_INT(url_join(&u, "/a b", out, sizeof(out)), ERR_NET_URL);
	CHECK_EQ_INT(url_join(&u, "/a\r\nX: y", out, sizeof(out)),
	    ERR_NET_URL);
	CHECK_EQ_INT(url_join(&u, "/v1/clusters", small, sizeof(small)),
	    ERR_LIMIT);
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[LIM_PATH_BYTES - 4] = '\0';
	CHECK_EQ_INT(url_join(&u, path, out, sizeof(out)), ERR_LIMIT);
	CHECK(detail_has("LIM_PATH_BYTES"));
}

TEST(test_target)
{
	char buf[64], tiny[8];
	struct sbuf b;

	CHECK_EQ_INT(parse("https://h/global/", &u), 0);
	sbuf_init(&b, buf, sizeof(buf));
	sbuf_add(&b, "GET ");
	CHECK_EQ_INT(url_target(&u, "/v1/clusters?x=1", &b), 0);
	sbuf_add(&b, " HTTP/1.1");
	CHECK_STR(buf, "GET /global/v1/clusters?x=1 HTTP/1.1");

	sbuf_init(&b, tiny, sizeof(tiny));
	CHECK_EQ_INT(url_target(&u, "/v1/clusters", &b), ERR_LIMIT);

	CHECK_EQ_INT(parse("https://h", &u), 0);
	sbuf_init(&b, buf, sizeof(buf));
	CHECK_EQ_INT(url_target(&u, "", &b), 0);
	CHECK_STR(buf, "/");
}

TEST(test_host_header)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "https://h.example", "h.example" },
		{ "https://h.example:443", "h.example" },
		{ "https://h.example:8080", "h.example:8080" },
		{ "http://h.example:80/x", "h.example" },
		{ "http://h.example:443", "h.example:443" },
		{ "https://[::1]:8443", "[::1]:8443" },
		{ "https://[::1]", "[::1]" },
		{ "https://10.0.0.1:6443", "10.0.0.1:6443" },
	};
	char buf[64];
	struct sbuf b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ_INT(parse(cases[i].url, &u), 0);
		sbuf_init(&b, buf, sizeof(buf));
		CHECK_EQ_INT(url_host_header(&u, &b), 0);
		CHECK_STR(buf, cases[i].want);
	}
	sbuf_init(&b, buf, 4);
	CHECK_EQ_INT(url_host_header(&u, &b), ERR_LIMIT);
}

static int
unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

TEST(test_encode)
{
	char buf[64], want[8], byte;
	struct sbuf b;
	int c;

	sbuf_init(&b, buf, sizeof(buf));
	url_encode(&b, SLICE_LIT("a b/c~d%"), 1);
	CHECK_STR(buf, "a%20b/c~d%25");
	sbuf_init(&b, buf, sizeof(buf));
	url_encode(&b, SLICE_LIT("my cluster/x"), 0);
	CHECK_STR(buf, "my%20cluster%2Fx");
	for (c = 0; c < 256; c++) {
		byte = (char)c;
		sbuf_init(&b, buf, sizeof(buf));
		url_encode(&b, (struct slice){ &byte, 1 }, 0);
		if (unreserved(c)) {
			want[0] = (char)c;
			want[1] = '\0';
		} else {
			snprintf(want, sizeof(want), "%%%02X", c);
		}
		CHECK_STR(buf, want);
	}
	sbuf_init(&b, buf, 4);
	url_encode(&b, SLICE_LIT("  "), 0);
	CHECK(b.overflow);
}

/* decode_guarded: form_decode on a copy of body ending at a guard page. */
static int
decode_guarded(const char *body, size_t n, const char *name, char *out,
    size_t cap)
{
	char *g = guard_copy(body, n);
	int rc = form_decode((struct slice){ g, n }, name, out, cap);

	guard_free(g, n);
	return rc;
}

TEST(test_form_round_trip)
{
	static char body[4096];
	char val[256], out[300];
	struct sbuf b;
	int c, i;

	/* Every byte alone, NUL included. */
	for (c = 0; c < 256; c++) {
		val[0] = (char)c;
		sbuf_init(&b, body, sizeof(body));
		form_add(&b, "k", (struct slice){ val, 1 });
		CHECK_EQ_INT(decode_guarded(body, b.len, "k", out,
		    sizeof(out)), 1);
		CHECK_EQ_INT((unsigned char)out[0], c);
	}
	/* All bytes 1..255 in one value between two other fields. */
	for (i = 0; i < 255; i++)
		val[i] = (char)(i + 1);
	sbuf_init(&b, body, sizeof(body));
	form_add(&b, "grant_type", SLICE_LIT("password"));
	form_add(&b, "password", (struct slice){ val, 255 });
	form_add(&b, "after", SLICE_LIT("x"));
	CHECK_EQ_INT(sbuf_ok(&b, "form"), 0);
	CHECK_EQ_INT(decode_guarded(body, b.len, "password", out,
	    sizeof(out)), 255);
	CHECK(memcmp(out, val, 255) == 0);
	CHECK_EQ_INT(decode_guarded(body, b.len, "after", out, sizeof(out)),
	    1);
	CHECK_STR(out, "x");
	CHECK_EQ_INT(decode_guarded(body, b.len, "grant_type", out,
	    sizeof(out)), 8);
	CHECK_STR(out, "password");
}

TEST(test_form_strings)
{
	static const char *vals[] = {
		"a b&c=d+e%f", "&=+% ", "p\xc3\xa4ss w\xc3\xb6rd \xe2\x9c\x93",
		"", "%20+%2B", "fake-apikey-0000",
	};
	char body[512], out[128];
	struct sbuf b;
	size_t i;

	sbuf_init(&b, body, sizeof(body));
	form_add(&b, "password", SLICE_LIT("a b&c=d+e%f"));
	CHECK_STR(body, "password=a+b%26c%3Dd%2Be%25f");
	form_add(&b, "grant_type",
	    SLICE_LIT("urn:ibm:params:oauth:grant-type:apikey"));
	CHECK_STR(body, "password=a+b%26c%3Dd%2Be%25f&grant_type="
	    "urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey");

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		sbuf_init(&b, body, sizeof(body));
		form_add(&b, "a", SLICE_LIT("1"));
		form_add(&b, "v", slice_of(vals[i]));
		form_add(&b, "z", SLICE_LIT("2"));
		CHECK_EQ_INT(decode_guarded(body, b.len, "v", out,
		    sizeof(out)), (int)strlen(vals[i]));
		CHECK_STR(out, vals[i]);
	}
}

TEST(test_form_decode_edges)
{
	static const char body[] = "apikey=k1&api=k2&flag&e=&x%5Fy=z&b=%zz"
	    "&c=%4";
	size_t n = sizeof(body) - 1;
	char out[16], tiny[2];

	CHECK_EQ_INT(decode_guarded(body, n, "apikey", out, sizeof(out)), 2);
	CHECK_STR(out, "k1");
	CHECK_EQ_INT(decode_guarded(body, n, "api", out, sizeof(out)), 2);
	CHECK_STR(out, "k2");
	CHECK_EQ_INT(decode_guarded(body, n, "flag", out, sizeof(out)), 0);
	CHECK_EQ_INT(decode_guarded(body, n, "e", out, sizeof(out)), 0);
	CHECK_EQ_INT(decode_guarded(body, n, "x_y", out, sizeof(out)), 1);
	CHECK_STR(out, "z");
	CHECK_EQ_INT(decode_guarded(body, n, "apike", out, sizeof(out)),
	    ERR_FAIL);
	CHECK_EQ_INT(decode_guarded(body, n, "missing", out, sizeof(out)),
	    ERR_FAIL);
	CHECK_EQ_INT(decode_guarded(body, n, "b", out, sizeof(out)),
	    ERR_NET_URL);
	CHECK_EQ_INT(decode_guarded(body, n, "c", out, sizeof(out)),
	    ERR_NET_URL);
	CHECK_EQ_INT(decode_guarded(body, n, "apikey", tiny, sizeof(tiny)),
	    ERR_LIMIT);
	CHECK_EQ_INT(decode_guarded("", 0, "a", out, sizeof(out)), ERR_FAIL);
}

/* Every prefix of a form body decodes or fails cleanly. */
TEST(test_form_prefixes)
{
	static const char body[] = "a=%41%42&bb=c+d&e=%";
	char out[16];
	size_t k;
	int rc;

	for (k = 0; k < sizeof(body); k++) {
		rc = decode_guarded(body, k, "bb", out, sizeof(out));
		CHECK(rc == ERR_FAIL || (rc >= 0 && rc <= 3));
		rc = decode_guarded(body, k, "e", out, sizeof(out));
		CHECK(rc == ERR_FAIL || rc == ERR_NET_URL || rc == 0);
	}
	CHECK_EQ_INT(decode_guarded(body, sizeof(body) - 1, "e", out,
	    sizeof(out)), ERR_NET_URL);
	CHECK_EQ_INT(decode_guarded(body, sizeof(body) - 1, "bb", out,
	    sizeof(out)), 3);
	CHECK_STR(out, "c d");
}

TEST(test_no_proxy)
{
	CHECK_EQ_INT(url_no_proxy_match(NULL, "a.example", 443), 0);
	CHECK_EQ_INT(url_no_proxy_match("", "a.example", 443), 0);
	CHECK_EQ_INT(url_no_proxy_match("*", "a.example", 443), 1);
	CHECK_EQ_INT(url_no_proxy_match("foo, *", "10.0.0.1", 1), 1);

	CHECK_EQ_INT(url_no_proxy_match("example.com", "example.com", 443), 1);
	CHECK_EQ_INT(url_no_proxy_match("example.com", "a.example.com", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("example.com", "A.EXAMPLE.Com", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("EXAMPLE.com", "a.b.example.com", 1),
	    1);
	CHECK_EQ_INT(url_no_proxy_match("example.com", "badexample.com", 1),
	    0);
	CHECK_EQ_INT(url_no_proxy_match("example.com", "example.com.evil", 1),
	    0);
	CHECK_EQ_INT(url_no_proxy_match("example.com", "xample.com", 1), 0);
	CHECK_EQ_INT(url_no_proxy_match(".example.com", "example.com", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match(".example.com", "a.example.com", 1),
	    1);
	CHECK_EQ_INT(url_no_proxy_match("*.example.com", "a.example.com", 1),
	    1);
	CHECK_EQ_INT(url_no_proxy_match("example.com", "example.com.", 1), 1);

	CHECK_EQ_INT(url_no_proxy_match("example.com:8443", "example.com",
	    8443), 1);
	CHECK_EQ_INT(url_no_proxy_match("example.com:8443", "example.com",
	    443), 0);
	CHECK_EQ_INT(url_no_proxy_match("example.com:x", "example.com", 443),
	    0);

	CHECK_EQ_INT(url_no_proxy_match("foo.test, bar.test\tbaz.test",
	    "x.baz.test", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("foo.test,,bar.test", "bar.test", 1),
	    1);
	CHECK_EQ_INT(url_no_proxy_match("foo.test,bar.test", "qux.test", 1),
	    0);
	CHECK_EQ_INT(url_no_proxy_match("localhost", "LOCALHOST", 80), 1);
}

TEST(test_no_proxy_ip)
{
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.1", "10.0.0.1", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.1", "10.0.0.12", 1), 0);
	CHECK_EQ_INT(url_no_proxy_match("0.0.1", "10.0.0.1", 1), 0);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.1:6443", "10.0.0.1", 6443),
	    1);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.1:6443", "10.0.0.1", 443), 0);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.0/8", "10.1.2.3", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.0/8", "11.0.0.1", 1), 0);
	CHECK_EQ_INT(url_no_proxy_match("192.168.1.0/24", "192.168.1.77", 1),
	    1);
	CHECK_EQ_INT(url_no_proxy_match("192.168.1.0/24", "192.168.2.1", 1),
	    0);
	CHECK_EQ_INT(url_no_proxy_match("0.0.0.0/0", "8.8.8.8", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.0/33", "10.0.0.1", 1), 0);
	CHECK_EQ_INT(url_no_proxy_match("10.0.0.0/8", "host.example", 1), 0);

	CHECK_EQ_INT(url_no_proxy_match("::1", "::1", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("::1", "[::1]", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("[::1]", "::1", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("[::1]:8443", "::1", 8443), 1);
	CHECK_EQ_INT(url_no_proxy_match("[::1]:8443", "::1", 443), 0);
	CHECK_EQ_INT(url_no_proxy_match("2001:DB8::1", "2001:db8::1", 1), 1);
	CHECK_EQ_INT(url_no_proxy_match("::1", "::2", 1), 0);
	CHECK_EQ_INT(url_no_proxy_match("1", "::1", 1), 0);
}

int
main(void)
{
	RUN(test_parse_forms);
	RUN(test_parse_proxy);
	RUN(test_parse_garbage);
	RUN(test_parse_limits);
	RUN(test_parse_prefixes);
	RUN(test_join);
	RUN(test_join_errors);
	RUN(test_target);
	RUN(test_host_header);
	RUN(test_encode);
	RUN(test_form_round_trip);
	RUN(test_form_strings);
	RUN(test_form_decode_edges);
	RUN(test_form_prefixes);
	RUN(test_no_proxy);
	RUN(test_no_proxy_ip);
	return test_done();
}
