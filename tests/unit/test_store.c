/*
 * test_store.c: the token store.
 *
 * Round trips (every field, at full length), every kind of damage a
 * store file can suffer (each truncation, each flipped byte, each
 * malformed line), modes, a store or lock of the wrong kind, the
 * cross-process lock, logout of every bad state.  Everything happens in
 * a fresh directory from mkdtemp.  The file helpers: test_file.c.
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

static char text[LIM_STORE_BYTES + 1]; /* file text built by tests */
static struct store s1, s2;        /* a store and its reloaded copy */

/* fill: n bytes of a pattern (printable, no control) plus NUL. */
static void
fill(char *dst, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = (char)('!' + (seed + i * 7) % 94);
	dst[n] = '\0';
}

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

static void
make_typical(struct store *s)
{
	uint8_t sess[300];
	size_t i;

	store_init(s);
	snprintf(s->iam_url, sizeof(s->iam_url), "https://iam.example.test");
	snprintf(s->cs_url, sizeof(s->cs_url),
	    "https://containers.example.test/global");
	snprintf(s->account, sizeof(s->account), "fakeaccount0123456789abcdef");
	snprintf(s->region, sizeof(s->region), "us-south");
	snprintf(s->user, sizeof(s->user), "fake.user@example.test");
	fill(s->access_token, 1200, 20);
	fill(s->refresh_token, 700, 21);
	s->access_iat = 1700000000;
	s->access_exp = 1700003600;
	s->refresh_exp = 1702592000;
	snprintf(s->cred_kind, sizeof(s->cred_kind), "apikey");
	snprintf(s->cred_source, sizeof(s->cred_source),
	    "env:IBMCLOUD_API_KEY");
	for (i = 0; i < sizeof(sess); i++)
		sess[i] = (uint8_t)(i ^ 0x5a);
	CHECK_EQ_INT(store_tls_put(s, "iam.example.test:443", sess,
	    sizeof(sess), 1700000001), 0);
	CHECK_EQ_INT(store_tls_put(s, "containers.example.test:443", sess,
	    100, 1700000002), 0);
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
	n = seal("iksctl-store 3\nfuture stuff\n");
	expect(n, ERR_STORE_VERSION, "newer iksctl (version 3); upgrade");
	expect(16, ERR_STORE_VERSION, "version 3");
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
	CHECK(memcmp(text, "iksctl-store 2\n", 15) == 0);
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
static int
capture_load(const char *home, char *out, size_t cap)
{
	int saved = dup(2), fd, ret;
	size_t n;

	fflush(stderr);
	fd = open(at("stderr.txt"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	ret = store_load(home, &s2);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (file_read(at("stderr.txt"), out, cap, &n) != 0)
		out[0] = '\0';
	return ret;
}

TEST(test_mode_warning)
{
	HOME_AT("modes");
	char msg[1024];

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(capture_load(home, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
	chmod(at("modes/store"), 0644);
	chmod(home, 0755);
	CHECK_EQ_INT(capture_load(home, msg, sizeof(msg)), 0);
	CHECK(strstr(msg, "iksctl: warning: store ") != NULL);
	CHECK(strstr(msg, "chmod 600") != NULL);
	CHECK(strstr(msg, "chmod 700") != NULL);
	CHECK(memcmp(&s1, &s2, sizeof(s1)) == 0);
	/* Once per process. */
	CHECK_EQ_INT(capture_load(home, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
	/* The next save makes the file private again. */
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(mode_of(at("modes/store")), 0600);
}

TEST(test_store_kinds)
{
	HOME_AT("sk");
	int fd = -1;

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK(rename(at("sk/store"), at("sk-target")) == 0);
	CHECK(symlink(at("sk-target"), at("sk/store")) == 0);
	/* A store that is a link: refused, its target never read nor written. */
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE);
	CHECK(strstr(err_detail(), "is a symbolic link, not a regular file")
	    != NULL);
	CHECK(strstr(err_detail(), "iksctl logout") != NULL);
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	CHECK_EQ_INT(store_load(at("sk-none"), &s2), 1);
	CHECK(unlink(at("sk/store")) == 0);
	CHECK(rename(at("sk-target"), at("sk/store")) == 0);
	CHECK_EQ_INT(store_load(home, &s2), 0);
	/* A FIFO store is an error at once, not a hang. */
	CHECK(unlink(at("sk/store")) == 0);
	CHECK(mkfifo(at("sk/store"), 0600) == 0);
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE);
	CHECK(strstr(err_detail(), "is a FIFO, not a regular file") != NULL);
	CHECK_EQ_INT(store_save(home, &s1), ERR_STORE);
	CHECK(unlink(at("sk/store")) == 0);
	/* A lock that is a link: refused, its target never created. */
	unlink(at("sk/lock"));
	CHECK(symlink(at("sk-lock-target"), at("sk/lock")) == 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), ERR_STORE);
	CHECK(strstr(err_detail(), "symbolic link") != NULL);
	CHECK_EQ_INT(fd, -1);
	CHECK(!exists(at("sk-lock-target")));
	CHECK(unlink(at("sk/lock")) == 0);
	CHECK(mkfifo(at("sk/lock"), 0600) == 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), ERR_STORE);
	CHECK(strstr(err_detail(), "FIFO") != NULL);
	CHECK(unlink(at("sk/lock")) == 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	store_unlock(fd);
}

/*
 * fork_holder: a child that takes the lock of home and holds it until
 * *release is closed; returns once it holds it (pid, or -1).
 */
static pid_t
fork_holder(const char *home, int *release)
{
	int up[2], down[2], fd = -1;
	char c = 0;
	pid_t pid;

	if (pipe(up) != 0 || pipe(down) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		if (store_lock(home, &fd, 1000) != 0)
			_exit(1);
		if (write(up[1], "L", 1) != 1)
			_exit(1);
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		store_unlock(fd);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	*release = down[1];
	if (read(up[0], &c, 1) != 1)
		pid = -1;
	close(up[0]);
	return pid;
}

TEST(test_lock)
{
	HOME_AT("lock");
	int release = -1, fd = -1, fd2 = -1;
	struct timespec t0, t1;
	long ms;
	pid_t pid;

	CHECK((pid = fork_holder(home, &release)) > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ_INT(store_lock(home, &fd, 150), ERR_STORE_LOCK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 150 && ms < 2000);
	CHECK_EQ_INT(fd, -1);
	close(release);  /* the child unlocks and exits */
	CHECK_EQ_INT(store_lock(home, &fd, 5000), 0);
	CHECK(fd >= 0);
	/* Held here now: a second open file cannot take it. */
	CHECK_EQ_INT(store_lock(home, &fd2, 0), ERR_STORE_LOCK);
	store_unlock(fd);
	CHECK_EQ_INT(store_lock(home, &fd2, 0), 0);
	store_unlock(fd2);
	store_unlock(-1);
	waitpid(pid, NULL, 0);
	CHECK_EQ_INT(mode_of(at("lock/lock")), 0600);
}

/* lock_text: what the lock file at path holds, NUL-terminated. */
static const char *
lock_text(const char *path)
{
	static char b[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b) - 1) : -1;

	if (fd >= 0)
		close(fd);
	b[n > 0 ? n : 0] = '\0';
	return b;
}

/* The holder's pid in the lock file, and the waiter's message naming it. */
TEST(test_lock_holder)
{
	HOME_AT("holder");
	int release = -1, fd = -1;
	char want[128];
	pid_t pid;

	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	snprintf(want, sizeof(want), "%d\n", (int)getpid());
	CHECK_STR(lock_text(at("holder/lock")), want);
	store_unlock(fd);
	CHECK_STR(lock_text(at("holder/lock")), "");
	/* A long stale text is replaced whole, not overwritten in part. */
	put_file(at("holder/lock"), "99999999999\n", 12);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	CHECK_STR(lock_text(at("holder/lock")), want);
	store_unlock(fd);

	CHECK((pid = fork_holder(home, &release)) > 0);
	CHECK_EQ_INT(store_lock(home, &fd, 120), ERR_STORE_LOCK);
	snprintf(want, sizeof(want), "the store is locked by pid %d: gave up "
	    "after 120 ms", (int)pid);
	CHECK_STR(err_detail(), want);
	CHECK_EQ_INT(store_lock(home, &fd, 1000), ERR_STORE_LOCK);
	snprintf(want, sizeof(want), "the store is locked by pid %d: gave up "
	    "after 1 s", (int)pid);
	CHECK_STR(err_detail(), want);
	CHECK_EQ_INT(err_exit_status(ERR_STORE_LOCK), EXIT_FAIL);
	/* A pid it cannot read: "another process". */
	put_file(at("holder/lock"), "12ab\n", 5);
	CHECK_EQ_INT(store_lock(home, &fd, 50), ERR_STORE_LOCK);
	CHECK_STR(err_detail(), "the store is locked by another process: gave "
	    "up after 50 ms");
	put_file(at("holder/lock"), "", 0);
	CHECK_EQ_INT(store_lock(home, &fd, 50), ERR_STORE_LOCK);
	CHECK_STR(err_detail(), "the store is locked by another process: gave "
	    "up after 50 ms");
	close(release);
	waitpid(pid, NULL, 0);
	CHECK_EQ_INT(store_lock(home, &fd, 1000), 0);
	store_unlock(fd);
}

TEST(test_remove)
{
	HOME_AT("rm");

	make_typical(&s1);
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(dir_ensure(at("rm/clusters/keep"), 0700), 0);
	CHECK_EQ_INT(dir_ensure(at("rm/kube"), 0700), 0);
	put_file(at("rm/clusters/c1.yml"), "x", 1);
	put_file(at("rm/clusters/ca-c1.pem"), "x", 1);
	put_file(at("rm/kube/c1"), "x", 1);
	put_file(at("rm/.store.tmp-999999999-1"), "x", 1);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(!exists(at("rm/store")));
	CHECK(!exists(at("rm/clusters/c1.yml")));
	CHECK(!exists(at("rm/clusters/ca-c1.pem")));
	CHECK(exists(at("rm/clusters/keep")));
	CHECK(!exists(at("rm/kube")));
	CHECK(!exists(at("rm/.store.tmp-999999999-1")));
	CHECK(exists(home));
	CHECK_EQ_INT(store_load(home, &s2), 1);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK_EQ_INT(store_remove(at("never")), 0);
}

/* home_empty: 1 if home holds nothing (what ls -A shows). */
static int
home_empty(const char *home)
{
	struct dirent *e;
	DIR *d = opendir(home);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n == 0;
}

TEST(test_remove_bad_states)
{
	HOME_AT("rb");
	char buf[64];
	size_t n;
	int fd = -1;

	/* Corrupt, newer, with its lock, a dead writer's temp, kube files. */
	CHECK_EQ_INT(dir_ensure(at("rb/kube"), 0700), 0);
	CHECK_EQ_INT(dir_ensure(at("rb/clusters"), 0700), 0);
	put_file(at("rb/store"), "iksctl-store 1\ngarbage\n", 23);
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	store_unlock(fd);
	put_file(at("rb/.store.tmp-999999999-1"), "x", 1);
	put_file(at("rb/kube/c.yaml"), "x", 1);
	put_file(at("rb/kube/.c.yaml.tmp-999999999-1"), "x", 1);
	put_file(at("rb/clusters/cid"), "x", 1);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(home_empty(home));
	put_file(at("rb/store"), "iksctl-store 9\nx\n", 17);
	CHECK_EQ_INT(store_load(home, &s2), ERR_STORE_VERSION);
	CHECK(strstr(err_detail(), "iksctl logout") != NULL);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(home_empty(home));
	/* Links: the link goes, its target stays (a file, a folder). */
	put_file(at("rb-target"), "keep", 4);
	CHECK_EQ_INT(dir_ensure(at("rb-dir"), 0700), 0);
	put_file(at("rb-dir/f"), "keep", 4);
	CHECK(symlink(at("rb-target"), at("rb/store")) == 0);
	CHECK(symlink(at("rb-target"), at("rb/lock")) == 0);
	CHECK(symlink(at("rb-dir"), at("rb/kube")) == 0);
	CHECK(symlink(at("rb-dir"), at("rb/clusters")) == 0);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(home_empty(home));
	CHECK_EQ_INT(file_read(at("rb-target"), buf, sizeof(buf), &n), 0);
	CHECK_STR(buf, "keep");
	CHECK(exists(at("rb-dir/f")));
	/* A FIFO store, a FIFO lock. */
	CHECK(mkfifo(at("rb/store"), 0600) == 0);
	CHECK(mkfifo(at("rb/lock"), 0600) == 0);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(home_empty(home));
	/* A lock held right now stays; the store goes. */
	CHECK_EQ_INT(store_save(home, &s1), 0);
	CHECK_EQ_INT(store_lock(home, &fd, 100), 0);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(!exists(at("rb/store")));
	CHECK(exists(at("rb/lock")));
	store_unlock(fd);
	CHECK_EQ_INT(store_remove(home), 0);
	CHECK(home_empty(home));
}

TEST(test_home)
{
	char out[64];

	setenv("IKSCTL_HOME", "/some/where", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), 0);
	CHECK_STR(out, "/some/where");
	setenv("IKSCTL_HOME", "", 1);
	setenv("HOME", "/home/fake", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), 0);
	CHECK_STR(out, "/home/fake/.iksctl");
	unsetenv("IKSCTL_HOME");
	CHECK_EQ_INT(store_home(out, 10), ERR_LIMIT);
	CHECK(strstr(err_detail(), "HOME/.iksctl over LIM_PATH_FS_BYTES = 9")
	    != NULL);
	setenv("IKSCTL_HOME", "/a/path/of/over/sixty-three/bytes/......"
	    "..............................", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), ERR_LIMIT);
	CHECK(strstr(err_detail(), "IKSCTL_HOME over LIM_PATH_FS_BYTES = 63")
	    != NULL);
	unsetenv("IKSCTL_HOME");
	unsetenv("HOME");
	CHECK_EQ_INT(store_home(out, sizeof(out)), ERR_STORE);
	CHECK_STR(err_detail(), "HOME is not set: set IKSCTL_HOME or HOME");
	setenv("HOME", "", 1);
	CHECK_EQ_INT(store_home(out, sizeof(out)), ERR_STORE);
}

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
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/test_store.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_round_trip_full);
	RUN(test_round_trip_empty);
	RUN(test_truncation_and_flips);
	RUN(test_corrupt_cases);
	RUN(test_clock_offset);
	RUN(test_over_limits);
	RUN(test_save_rejects);
	RUN(test_mode_warning);
	RUN(test_store_kinds);
	RUN(test_lock);
	RUN(test_lock_holder);
	RUN(test_remove);
	RUN(test_remove_bad_states);
	RUN(test_home);
	RUN(test_tls_slots);
	rm_tree(root);
	return test_done();
}
