/*
 * test_store.c: the token store.
 *
 * Round trips (every field, at full length), every kind of damage a
 * store file can suffer (each truncation, each flipped byte, each
 * malformed line), limits, what a save refuses, the TLS session slots.
 * The store in its folder (modes, kinds, the lock, logout, the home):
 * test_store_fs.c; the file helpers: test_file.c.
 */
#include "base/errors.h"
#include "base/file.h"
#include "cloud/store.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "fs_helpers.h"
#include "store_test.h"

static char text[LIM_STORE_BYTES + 1]; /* file text built by tests */

static void
make_full(struct store *s)
{
	size_t i, k;

	store_init(s);
	fill(s->iam_url, sizeof(s->iam_url) - 1, 1);
	fill(s->accounts_url, sizeof(s->accounts_url) - 1, 2);
	fill(s->cs_url, sizeof(s->cs_url) - 1, 3);
	fill(s->account, sizeof(s->account) - 1, 4);
	fill(s->region, sizeof(s->region) - 1, 5);
	fill(s->iam_id, sizeof(s->iam_id) - 1, 6);
	fill(s->user, sizeof(s->user) - 1, 7);
	memcpy(s->user, "J\xc3\xa9r\xc3\xb4me Fake User ", 19);
	fill(s->access_token, sizeof(s->access_token) - 1, 8);
	fill(s->refresh_token, sizeof(s->refresh_token) - 1, 9);
	fill(s->kube_token, sizeof(s->kube_token) - 1, 10);
	fill(s->cred_kind, sizeof(s->cred_kind) - 1, 11);
	fill(s->cred_source, sizeof(s->cred_source) - 1, 12);
	fill(s->profile_id, sizeof(s->profile_id) - 1, 13);
	fill(s->profile_name, sizeof(s->profile_name) - 1, 14);
	s->profile_name[3] = ' ';
	s->access_iat = INT64_MAX;
	s->access_exp = INT64_MAX - 1;
	s->refresh_exp = 1;
	s->kube_iat = 1700000000;
	s->kube_exp = 1700003600;
	for (i = 0; i < LIM_STORE_TLS; i++) {
		fill(s->tls[i].host, sizeof(s->tls[i].host) - 1, (int)i);
		s->tls[i].host[0] = (char)('a' + i);
		for (k = 0; k < sizeof(s->tls[i].data); k++)
			s->tls[i].data[k] = (uint8_t)(k * 31 + i);
		s->tls[i].len = sizeof(s->tls[i].data);
		s->tls[i].saved_at = INT64_MAX - (int64_t)i;
	}
}

static int
is_empty(const struct store *s)
{
	static struct store zero;

	return memcmp(s, &zero, sizeof(*s)) == 0;
}

/* crc: CRC-32 like the store's, to craft files that pass the check. */
static uint32_t
crc(const char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	int k;

	while (n-- > 0) {
		c ^= (unsigned char)*p++;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

/* seal: text = body + a correct end line; returns its length. */
static size_t
seal(const char *body)
{
	size_t n = strlen(body);

	memcpy(text, body, n);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "end %08lx\n",
	    (unsigned long)crc(body, n));
	return n;
}

/* expect: parse n bytes of text, want code and a detail substring. */
static void
expect(size_t n, int code, const char *part)
{
	char *g = guard_copy(text, n);
	int ret = store_parse("/x/store", g, n, &s2);

	CHECK_EQ_INT(ret, code);
	CHECK(is_empty(&s2));
	if (strstr(err_detail(), part) == NULL)
		fprintf(stderr, "detail \"%s\" lacks \"%s\"\n", err_detail(),
		    part);
	CHECK(strstr(err_detail(), part) != NULL);
	guard_free(g, n);
}

TEST(test_round_trip_full)
{
	HOME_AT("full");

	make_full(&s1);
	umask(0);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	umask(022);
	CHECK_EQ_INT(mode_of(home), 0700);
	CHECK_EQ_INT(mode_of(at("full/store")), 0600);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	CHECK(memcmp(&s1, &s2, sizeof(s1)) == 0);
	CHECK_STR(s2.user, s1.user);
	CHECK_EQ_INT(s2.access_iat, INT64_MAX);
	CHECK_EQ_INT(s2.tls[3].len, LIM_TLS_SESSION_BYTES);
	CHECK_EQ_INT(count_temps(home), 0);
	/* Saving again replaces it; still 0600, still no temp files. */
	s1.region[0] = 'Z';
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	CHECK_EQ_INT(s2.region[0], 'Z');
	CHECK_EQ_INT(count_temps(home), 0);
}

TEST(test_round_trip_empty)
{
	HOME_AT("empty/a/b");

	CHECK_EQ_INT(store_load(home, &s2), 1);
	CHECK(is_empty(&s2));
	store_init(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(mode_of(home), 0700);
	memset(&s2, 0x55, sizeof(s2));
	CHECK_EQ_INT(store_load(home, &s2), 0);
	CHECK(is_empty(&s2));
}

TEST(test_truncation_and_flips)
{
	HOME_AT("trunc");
	size_t n, k, bad_ok = 0, bad_empty = 0;
	char *g;
	int ret;

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(file_read(at("trunc/store"), text, sizeof(text), &n), 0);
	CHECK(n > 2000);
	for (k = 0; k <= n; k++) {
		g = guard_copy(text, k);
		ret = store_parse("t", g, k, &s2);
		if (k < n && ret != ERR_STORE)
			bad_ok++;
		if (k < n && !is_empty(&s2))
			bad_empty++;
		if (k == n)
			CHECK(ret == 0 && memcmp(&s1, &s2, sizeof(s1)) == 0);
		guard_free(g, k);
	}
	CHECK_EQ_INT(bad_ok, 0);
	CHECK_EQ_INT(bad_empty, 0);
	/* The same through real files, every 61st length. */
	for (k = 0; k < n; k += 61) {
		put_file(at("trunc/store"), text, k);
		bad_ok += store_load(home, &s2) >= 0;
	}
	CHECK_EQ_INT(bad_ok, 0);
	/* Every single flipped bit is detected. */
	for (k = 0; k < n; k++) {
		text[k] ^= (char)(1 << (k % 8));
		ret = store_parse("t", text, n, &s2);
		bad_ok += ret >= 0 || !is_empty(&s2);
		text[k] ^= (char)(1 << (k % 8));
	}
	CHECK_EQ_INT(bad_ok, 0);
}

TEST(test_corrupt_cases)
{
	size_t n;

	n = seal("iksctl-store 1\nregion us-south\n");
	CHECK_EQ_INT(store_parse("t", text, n, &s2), 0);
	CHECK_STR(s2.region, "us-south");
	expect(n - 1, ERR_STORE, "truncated");
	text[20] ^= 1;
	expect(n, ERR_STORE, "line 3: bad checksum; run 'iksctl logout'");
	n = seal("hello\n");
	expect(n, ERR_STORE, "no header");
	expect(0, ERR_STORE, "no header");
	n = seal("iksctl-store x\n");
	expect(n, ERR_STORE, "garbled header");
	n = seal("iksctl-store 4\nfuture stuff\n");
	expect(n, ERR_STORE_VERSION, "newer iksctl (version 4); upgrade");
	expect(16, ERR_STORE_VERSION, "version 4");
	n = seal("iksctl-store 1\nregion x\nbogus 1\n");
	expect(n, ERR_STORE, "line 3: unknown key 'bogus'");
	n = seal("iksctl-store 1\nregion x\nregion y\n");
	expect(n, ERR_STORE, "line 3: duplicate key region");
	n = seal("iksctl-store 1\naccess_exp 12a\n");
	expect(n, ERR_STORE, "access_exp: bad number");
	n = seal("iksctl-store 1\naccess_exp -5\n");
	expect(n, ERR_STORE, "bad number");
	n = seal("iksctl-store 1\naccess_exp 9223372036854775808\n");
	expect(n, ERR_STORE, "bad number");
	n = seal("iksctl-store 1\nregion\n");
	expect(n, ERR_STORE, "line 2: no value");
	n = seal("iksctl-store 1\nregion a\rb\n");
	expect(n, ERR_STORE, "control character");
	n = seal("iksctl-store 1\nend 00000000\n");
	expect(n, ERR_STORE, "unknown key 'end'");
	n = seal("iksctl-store 1\ntls h:1 5 0g\n");
	expect(n, ERR_STORE, "tls: bad hex");
	n = seal("iksctl-store 1\ntls h:1 5 012\n");
	expect(n, ERR_STORE, "LIM_TLS_SESSION_BYTES");
	n = seal("iksctl-store 1\ntls h:1 x 01\n");
	expect(n, ERR_STORE, "tls: bad time");
	n = seal("iksctl-store 1\ntls h:1 5 01\ntls h:1 6 02\n");
	expect(n, ERR_STORE, "line 3: tls: duplicate host");
	n = seal("iksctl-store 1\ntls a 1 01\ntls b 1 01\ntls c 1 01\n"
	    "tls d 1 01\ntls e 1 01\n");
	expect(n, ERR_STORE, "line 6: more than LIM_STORE_TLS = 4");
}

/* The clock offset: signed, kept, and a version 1 store still loads. */
TEST(test_clock_offset)
{
	HOME_AT("clock");
	char body[64];
	size_t n;

	make_typical(&s1);
	s1.clock_offset = -7200;
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(file_read(at("clock/store"), text, sizeof(text), &n), 0);
	CHECK(memcmp(text, "iksctl-store 3\n", 15) == 0);
	CHECK(strstr(text, "\nclock_offset -7200\n") != NULL);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	CHECK(s2.clock_offset == -7200);
	CHECK(memcmp(&s1, &s2, sizeof(s1)) == 0);
	s1.clock_offset = 31536000;
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	CHECK(s2.clock_offset == 31536000);
	/* Zero is not written; a version 1 file reads as offset 0. */
	s1.clock_offset = 0;
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(file_read(at("clock/store"), text, sizeof(text), &n), 0);
	CHECK(strstr(text, "clock_offset") == NULL);
	n = seal("iksctl-store 1\nregion x\nclock_offset 5\n");
	CHECK_EQ_INT(store_parse("t", text, n, &s2), 0);
	CHECK(s2.clock_offset == 5);
	n = seal("iksctl-store 1\nregion x\n");
	CHECK_EQ_INT(store_parse("t", text, n, &s2), 0);
	CHECK(s2.clock_offset == 0);
	n = seal("iksctl-store 2\nclock_offset -\n");
	expect(n, ERR_STORE, "clock_offset: bad number");
	n = seal("iksctl-store 2\nclock_offset --5\n");
	expect(n, ERR_STORE, "clock_offset: bad number");
	n = seal("iksctl-store 2\nclock_offset -9223372036854775808\n");
	expect(n, ERR_STORE, "clock_offset: bad number");
	n = seal("iksctl-store 2\naccess_iat -5\n");
	expect(n, ERR_STORE, "access_iat: bad number");
	/* The sum in upper case is damage (it is written in lower case). */
	{
		static const char *regions[] = { "a", "b", "c", "d", "e", "f" };
		size_t k, r, up = 0;

		for (r = 0; r < 6 && up == 0; r++) {
			snprintf(body, sizeof(body), "iksctl-store 2\nregion %s\n",
			    regions[r]);
			n = seal(body);
			for (k = n - 9; k < n - 1; k++)
				if (text[k] >= 'a' && text[k] <= 'f') {
					text[k] = (char)(text[k] - 'a' + 'A');
					up++;
				}
		}
		CHECK(up > 0);
		expect(n, ERR_STORE, "garbled 'end' line");
	}
}

TEST(test_login_id)
{
	HOME_AT("gen");
	size_t n;

	/* The login's generation survives a save; a v2 store has none. */
	make_typical(&s1);
	s1.login_id = 0x7123456789abcdefLL;
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(file_read(at("gen/store"), text, sizeof(text), &n), 0);
	CHECK(strstr(text, "\nlogin_id 8152436061464415727\n") != NULL);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	CHECK(s2.login_id == s1.login_id);
	n = seal("iksctl-store 2\nregion x\n");
	CHECK_EQ_INT(store_parse("t", text, n, &s2), 0);
	CHECK(s2.login_id == 0);
	n = seal("iksctl-store 3\nlogin_id -1\n");
	expect(n, ERR_STORE, "login_id: bad number");
	n = seal("iksctl-store 3\nlogin_id 1\nlogin_id 2\n");
	expect(n, ERR_STORE, "duplicate key login_id");
}

TEST(test_over_limits)
{
	char body[LIM_TOKEN_BYTES + 64];
	size_t n;
	int k;

	/* Each field one byte over its array: ERR_STORE naming the limit. */
	k = snprintf(body, sizeof(body), "iksctl-store 1\nregion ");
	fill(body + k, LIM_FIELD_BYTES, 1);
	body[k + LIM_FIELD_BYTES] = '\n';
	body[k + LIM_FIELD_BYTES + 1] = '\0';
	n = seal(body);
	expect(n, ERR_STORE, "region is over LIM_FIELD_BYTES - 1 = 255");
	body[k + LIM_FIELD_BYTES - 1] = '\n';
	body[k + LIM_FIELD_BYTES] = '\0';
	n = seal(body);
	CHECK_EQ_INT(store_parse("t", text, n, &s2), 0);
	CHECK_EQ_INT(strlen(s2.region), LIM_FIELD_BYTES - 1);
	k = snprintf(body, sizeof(body), "iksctl-store 1\nkube_token ");
	fill(body + k, LIM_TOKEN_BYTES, 2);
	body[k + LIM_TOKEN_BYTES] = '\n';
	body[k + LIM_TOKEN_BYTES + 1] = '\0';
	n = seal(body);
	expect(n, ERR_STORE, "kube_token is over LIM_TOKEN_BYTES - 1");
	k = snprintf(body, sizeof(body), "iksctl-store 1\ncred_kind ");
	fill(body + k, LIM_CRED_KIND_BYTES, 3);
	body[k + LIM_CRED_KIND_BYTES] = '\n';
	body[k + LIM_CRED_KIND_BYTES + 1] = '\0';
	n = seal(body);
	expect(n, ERR_STORE, "cred_kind is over LIM_CRED_KIND_BYTES");
	/* A file over LIM_STORE_BYTES, through the file path. */
	memset(text, 'x', LIM_STORE_BYTES + 1);
	memcpy(text, "iksctl-store 1\n", 15);
	CHECK_EQ_INT(dir_ensure(at("big"), 0700), 0);
	put_file(at("big/store"), text, LIM_STORE_BYTES + 1);
	CHECK_EQ_INT(store_load(at("big"), &s2), ERR_STORE);
	CHECK(strstr(err_detail(), "over LIM_STORE_BYTES") != NULL);
	CHECK(is_empty(&s2));
}

TEST(test_save_rejects)
{
	HOME_AT("rej");
	char before[256], after[256];
	size_t n1, n2;

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	s1.refresh_token[5] = '\n';
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	CHECK(strstr(err_detail(), "refresh_token") != NULL);
	s1.refresh_token[5] = 'a';
	s1.kube_exp = -1;
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	CHECK(strstr(err_detail(), "kube_exp is negative") != NULL);
	s1.kube_exp = 0;
	memset(s1.region, 'r', sizeof(s1.region));  /* no NUL */
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	/* The stored file is still the first one. */
	make_typical(&s2);
	CHECK_EQ_INT(store_load(home, &s1), 0);
	CHECK(memcmp(&s1, &s2, sizeof(s1)) == 0);
	/* Loading a damaged store does not change it. */
	put_file(at("rej/store"), "iksctl-store 1\nregion x\n", 24);
	CHECK_EQ_INT(store_load(home, &s1), ERR_STORE);
	CHECK_EQ_INT(file_read(at("rej/store"), before, sizeof(before), &n1),
	    0);
	CHECK_EQ_INT(store_load(home, &s1), ERR_STORE);
	CHECK_EQ_INT(file_read(at("rej/store"), after, sizeof(after), &n2), 0);
	CHECK(n1 == 24 && n2 == 24 && memcmp(before, after, n1) == 0);
}

/* capture_load: store_load with stderr captured into out. */
TEST(test_tls_slots)
{
	static uint8_t big[LIM_TLS_SESSION_BYTES + 1];
	char host[LIM_HOSTPORT_BYTES + 1];
	struct store_tls *t;

	store_init(&s1);
	CHECK(store_tls_find(&s1, "a:443") == NULL);
	CHECK_EQ_INT(store_tls_put(&s1, "a:443", (const uint8_t *)"1", 1, 50),
	    0);
	CHECK_EQ_INT(store_tls_put(&s1, "b:443", (const uint8_t *)"2", 1, 10),
	    0);
	CHECK_EQ_INT(store_tls_put(&s1, "c:443", (const uint8_t *)"3", 1, 30),
	    0);
	CHECK_EQ_INT(store_tls_put(&s1, "d:443", (const uint8_t *)"4", 1, 40),
	    0);
	/* Full: the oldest (b, 10) goes. */
	CHECK_EQ_INT(store_tls_put(&s1, "e:443", (const uint8_t *)"55", 2,
	    60), 0);
	CHECK(store_tls_find(&s1, "b:443") == NULL);
	t = store_tls_find(&s1, "e:443");
	CHECK(t != NULL && t->len == 2 && memcmp(t->data, "55", 2) == 0);
	/* Same host: replaced in place. */
	CHECK_EQ_INT(store_tls_put(&s1, "a:443", (const uint8_t *)"9", 1, 70),
	    0);
	t = store_tls_find(&s1, "a:443");
	CHECK(t == &s1.tls[0] && t->data[0] == '9' && t->saved_at == 70);
	CHECK_EQ_INT(store_tls_put(&s1, "a:443", big, sizeof(big), 1),
	    ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_TLS_SESSION_BYTES") != NULL);
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	CHECK_EQ_INT(store_tls_put(&s1, host, big, 1, 1), ERR_LIMIT);
	CHECK(strstr(err_detail(), "LIM_HOSTPORT_BYTES") != NULL);
	CHECK_EQ_INT(store_tls_put(&s1, "a b", big, 1, 1), ERR_STORE);
	CHECK_EQ_INT(store_tls_put(&s1, "", big, 1, 1), ERR_STORE);
	CHECK_EQ_INT(store_tls_put(&s1, "z:1", big, 0, 1), ERR_STORE);
	CHECK(store_tls_find(&s1, "a:443")->data[0] == '9');
}

int
main(void)
{
	if (root_make("test_store") != 0)
		return 1;
	RUN(test_round_trip_full);
	RUN(test_round_trip_empty);
	RUN(test_truncation_and_flips);
	RUN(test_corrupt_cases);
	RUN(test_clock_offset);
	RUN(test_login_id);
	RUN(test_over_limits);
	RUN(test_save_rejects);
	RUN(test_tls_slots);
	rm_tree(root);
	return test_done();
}
