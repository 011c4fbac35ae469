/*
 * test_zip.c: unit tests of proto/zip.
 *
 * The zip reader is checked on archives written by Python's zipfile,
 * Info-ZIP's zip (plain, to a pipe, from stdin) and a Go-style writer, at
 * every truncation, under byte flips and on corrupt copies made in
 * memory.  Inputs end at a guard page, and so do output buffers.
 * Inflate itself: test_inflate.c.
 */
#include "base/errors.h"
#include "base/limits.h"
#include "proto/inflate.h"
#include "proto/zip.h"

#include <stdint.h>
#include <stdlib.h>

#include "test.h"
#include "zip_test.h"

/* ---- zip fixtures ---- */

static uint8_t zip_buf[FILE_MAX];  /* a zip fixture */
static uint8_t want_buf[FILE_MAX]; /* an expected entry */

/* expect: the expected content of entry name (ERR-free). */
static size_t
expect(struct slice name)
{
	char path[512];

	if (slice_eq(name, "-")) {
		memcpy(want_buf, "streamed from stdin\n", 20);
		return 20;
	}
	snprintf(path, sizeof(path), FIX "src/%.*s", (int)name.n, name.p);
	return read_file(path, want_buf, sizeof(want_buf));
}

/* load_zip: a fixture into a guard copy; *len gets its size. */
static uint8_t *
load_zip(const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), FIX "%s", name);
	*len = read_file(path, zip_buf, sizeof(zip_buf));
	return (uint8_t *)guard_copy(zip_buf, *len);
}

/* check_all: extract every entry of z and compare; the entry count. */
static int
check_all(const uint8_t *z, size_t len)
{
	struct zip_entry e;
	size_t cursor = 0, got, n;
	char *out;
	int count = 0, r;

	while ((r = zip_next(z, len, &cursor, &e)) == 1) {
		count++;
		if (e.name.n > 0 && e.name.p[e.name.n - 1] == '/') {
			CHECK_EQ_INT(zip_extract(z, len, &e, out_buf, 16, &got),
			    0);
			CHECK_EQ_INT(got, 0);
			continue;
		}
		n = expect(e.name);
		out = guard_copy(want_buf, n);
		memset(out, 0, n);
		r = zip_extract(z, len, &e, (uint8_t *)out, n, &got);
		CHECK_EQ_INT(r, 0);
		CHECK(got == n && memcmp(out, want_buf, n) == 0);
		if (n > 0)
			CHECK_EQ_INT(zip_extract(z, len, &e, (uint8_t *)out + 1,
			    n - 1, &got), ERR_LIMIT);
		guard_free(out, n);
	}
	CHECK_EQ_INT(r, 0);
	return count;
}

/* check_find: find and extract the CA and the kubeconfig. */
static void
check_find(const uint8_t *z, size_t len)
{
	struct zip_entry e;
	size_t got, n;

	CHECK_EQ_INT(zip_find_suffix(z, len, "ca-", ".pem", &e), 0);
	CHECK(slice_eq(e.name, "kubeConfig123/ca-dal10-mycluster.pem"));
	n = expect(e.name);
	CHECK_EQ_INT(zip_extract(z, len, &e, out_buf, LIM_ZIP_ENTRY_BYTES,
	    &got), 0);
	CHECK(got == n && memcmp(out_buf, want_buf, n) == 0);
	CHECK(got > 27 && memcmp(out_buf, "-----BEGIN CERTIFICATE-----", 27)
	    == 0);
	CHECK_EQ_INT(zip_find_suffix(z, len, "", ".yml", &e), 0);
	CHECK(slice_eq(e.name, "kubeConfig123/kube-config-dal10-mycluster.yml"));
	CHECK_EQ_INT(zip_extract(z, len, &e, out_buf, LIM_ZIP_ENTRY_BYTES,
	    &got), 0);
	CHECK(got > 11 && memcmp(out_buf, "apiVersion:", 11) == 0);
	CHECK_EQ_INT(zip_find_suffix(z, len, "kube-config-", ".yml", &e), 0);
	CHECK_EQ_INT(zip_find_suffix(z, len, "admin", ".pem", &e), 0);
	CHECK(slice_eq(e.name, "kubeConfig123/admin.pem"));
	/* Folders are skipped; prefix and suffix may not overlap. */
	CHECK_EQ_INT(zip_find_suffix(z, len, "", "", &e), 0);
	CHECK(e.name.n > 0 && e.name.p[e.name.n - 1] != '/');
	CHECK_EQ_INT(zip_find_suffix(z, len, "kubeConfig", "", &e),
	    ERR_ZIP_MISSING);
	CHECK_EQ_INT(zip_find_suffix(z, len, "admin.pem", "n.pem", &e),
	    ERR_ZIP_MISSING);
	CHECK_EQ_INT(zip_find_suffix(z, len, "ca-", ".key", &e),
	    ERR_ZIP_MISSING);
	CHECK(strstr(err_detail(), "ca-*.key") != NULL);
}

TEST(test_zip_fixtures)
{
	static const struct {
		const char *file;  /* fixture */
		int entries;       /* central directory entries */
		int has_ca;        /* holds the kubeConfig123 files */
	} z[] = {
		{ "py_stored.zip", 5, 1 }, { "py_deflated.zip", 5, 1 },
		{ "zip_deflated.zip", 5, 1 }, { "zip_stream.zip", 5, 1 },
		{ "zip_stdin.zip", 1, 0 }, { "go_style.zip", 3, 1 },
	};
	size_t i, len;
	uint8_t *p;

	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		p = load_zip(z[i].file, &len);
		CHECK_EQ_INT(check_all(p, len), z[i].entries);
		if (z[i].has_ca)
			check_find(p, len);
		guard_free((char *)p, len);
	}
}

TEST(test_zip_truncated)
{
	static const char *files[] = { "py_stored.zip", "py_deflated.zip",
	    "zip_stream.zip", "go_style.zip" };
	struct zip_entry e;
	size_t i, cut, len, got, cursor;
	uint8_t *p;
	int bad = 0, r;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		load_zip(files[i], &len);
		guard_free((char *)guard_copy(zip_buf, 0), 0);
		for (cut = 0; cut < len; cut++) {
			p = (uint8_t *)guard_copy(zip_buf, cut);
			r = zip_find_suffix(p, cut, "ca-", ".pem", &e);
			if (r == 0)
				r = zip_extract(p, cut, &e, out_buf,
				    sizeof(out_buf), &got);
			bad += r >= 0 || !fuzz_ok(r);
			cursor = 0;
			bad += zip_next(p, cut, &cursor, &e) != ERR_ZIP;
			guard_free((char *)p, cut);
			/* Cut from the front: no crash, any answer. */
			p = (uint8_t *)guard_copy(zip_buf + cut, len - cut);
			r = zip_find_suffix(p, len - cut, "ca-", ".pem", &e);
			if (r == 0)
				r = zip_extract(p, len - cut, &e, out_buf,
				    sizeof(out_buf), &got);
			bad += !fuzz_ok(r);
			guard_free((char *)p, len - cut);
		}
	}
	CHECK_EQ_INT(bad, 0);
}

TEST(test_zip_flips)
{
	static const char *files[] = { "py_deflated.zip", "zip_stream.zip",
	    "go_style.zip" };
	struct zip_entry e;
	size_t i, pos, len, got, cursor;
	uint8_t *p, save;
	int bad = 0, r, caught = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		p = load_zip(files[i], &len);
		for (pos = 0; pos < len; pos++) {
			save = p[pos];
			p[pos] ^= 0x21;
			cursor = 0;
			while ((r = zip_next(p, len, &cursor, &e)) == 1)
				if ((r = zip_extract(p, len, &e, out_buf, 4096,
				    &got)) < 0)
					break;
			bad += !fuzz_ok(r);
			caught += r < 0;
			p[pos] = save;
		}
		guard_free((char *)p, len);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK(caught > 1000);
}

/* ---- hand-made corruption ---- */

static uint8_t work[FILE_MAX + 70000];  /* a fixture being corrupted */
static size_t work_len;                 /* its length */

/* get16_at: the 16-bit field at work + off. */
static size_t
get16_at(size_t off)
{
	return (size_t)work[off] | (size_t)work[off + 1] << 8;
}

/* eocd: offset of the last end record signature in work. */
static size_t
eocd(void)
{
	size_t i = work_len - 22;

	while (i > 0 && get32(work + i) != 0x06054b50u)
		i--;
	return i;
}

/* central: offset of the central header of the ca-*.pem entry. */
static size_t
central(void)
{
	struct zip_entry e;
	size_t cursor = 0, before = 0;

	while (zip_next(work, work_len, &cursor, &e) == 1) {
		if (slice_eq(e.name, "kubeConfig123/ca-dal10-mycluster.pem"))
			return get32(work + eocd() + 16) + before;
		before = cursor;
	}
	CHECK(0);
	return 0;
}

/* try_ca: find and extract ca-*.pem of work from a guard copy. */
static int
try_ca(void)
{
	struct zip_entry e;
	size_t got;
	char *p = guard_copy(work, work_len);
	int r;

	r = zip_find_suffix((uint8_t *)p, work_len, "ca-", ".pem", &e);
	if (r == 0)
		r = zip_extract((uint8_t *)p, work_len, &e, out_buf,
		    sizeof(out_buf), &got);
	guard_free(p, work_len);
	return r;
}

/* reload: a fresh copy of fixture name in work. */
static void
reload(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), FIX "%s", name);
	work_len = read_file(path, work, sizeof(work));
}

/* check_ca_fails: try_ca() gives code and a detail containing what. */
static void
check_ca_fails(int code, const char *what)
{
	int r = try_ca();

	CHECK_EQ_INT(r, code);
	if (strstr(err_detail(), what) == NULL) {
		fprintf(stderr, "detail \"%s\" lacks \"%s\"\n", err_detail(),
		    what);
		CHECK(0);
	}
}

TEST(test_zip_corrupt_entry)
{
	size_t c, loc;

	reload("py_deflated.zip");
	CHECK_EQ_INT(try_ca(), 0);
	c = central();
	loc = get32(work + c + 42);
	put32(work + c + 16, get32(work + c + 16) ^ 1);
	check_ca_fails(ERR_ZIP, "CRC-32");
	reload("py_deflated.zip");
	put32(work + c + 24, get32(work + c + 24) + 1);
	check_ca_fails(ERR_ZIP, "shorter");
	reload("py_deflated.zip");
	put32(work + c + 24, get32(work + c + 24) - 1);
	check_ca_fails(ERR_ZIP, "longer");
	reload("py_deflated.zip");
	put32(work + c + 20, 0x7fffffff);
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put32(work + c + 42, (uint32_t)work_len - 10);
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put32(work + c + 42, 0xfffffff0u);
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put32(work + c + 42, loc + 1);
	check_ca_fails(ERR_ZIP, "bad local header");
	reload("py_deflated.zip");
	put16(work + loc + 28, 0xffff);  /* local extra runs off the end */
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put16(work + c + 8, 1);
	check_ca_fails(ERR_ZIP, "encrypted");
	reload("py_deflated.zip");
	put16(work + c + 10, 12);
	check_ca_fails(ERR_ZIP, "method");
	reload("py_deflated.zip");
	put16(work + loc + 8, 0);
	check_ca_fails(ERR_ZIP, "local header mismatch");
	reload("py_deflated.zip");
	put32(work + c + 20, 0xffffffffu);
	check_ca_fails(ERR_ZIP, "zip64");
	reload("py_deflated.zip");
	put32(work + c + 24, LIM_ZIP_ENTRY_BYTES + 1);
	check_ca_fails(ERR_LIMIT, "LIM_ZIP_ENTRY_BYTES");
	/* Deflate data with block type 3, then with HLIT = 288. */
	reload("py_deflated.zip");
	work[loc + 30 + get16_at(loc + 26) + get16_at(loc + 28)] |= 6;
	check_ca_fails(ERR_INFLATE, "block type");
	reload("py_deflated.zip");
	c = loc + 30 + get16_at(loc + 26) + get16_at(loc + 28);
	CHECK_EQ_INT(work[c] & 6, 4);  /* a dynamic block */
	work[c] |= 0xf8;
	check_ca_fails(ERR_INFLATE, "too many");
	/* Stored: sizes differ; a flipped data byte breaks the CRC. */
	reload("py_stored.zip");
	c = central();
	loc = get32(work + c + 42);
	put32(work + c + 20, get32(work + c + 20) - 1);
	check_ca_fails(ERR_ZIP, "sizes");
	reload("py_stored.zip");
	work[loc + 30 + get16_at(loc + 26) + 40] ^= 0x20;
	check_ca_fails(ERR_ZIP, "CRC-32");
}

TEST(test_zip_corrupt_dir)
{
	static const uint8_t empty[22] = { 'P', 'K', 5, 6 };
	struct zip_entry e;
	size_t end, cursor, i;
	char *p;

	reload("py_deflated.zip");
	end = eocd();
	put16(work + end + 4, 1);
	check_ca_fails(ERR_ZIP, "multi-disk");
	reload("py_deflated.zip");
	put16(work + end + 8, 0xffff);
	put16(work + end + 10, 0xffff);
	check_ca_fails(ERR_ZIP, "zip64");
	reload("py_deflated.zip");
	put32(work + end + 16, get32(work + end + 16) - 1);
	check_ca_fails(ERR_ZIP, "bad central");
	reload("py_deflated.zip");
	put32(work + end + 16, get32(work + end + 16) + 1);
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put32(work + end + 16, 0xfffffff0u);
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put32(work + end + 12, get32(work + end + 12) + 1);
	check_ca_fails(ERR_ZIP, "out of bounds");
	reload("py_deflated.zip");
	put32(work + end + 12, get32(work + end + 12) - 1);
	check_ca_fails(ERR_ZIP, "overruns");
	reload("py_deflated.zip");
	put16(work + end + 8, 0);
	put16(work + end + 10, 0);
	check_ca_fails(ERR_ZIP, "count");
	reload("py_deflated.zip");
	work[end + 3] = 7;
	check_ca_fails(ERR_ZIP, "no end of central directory");
	reload("py_deflated.zip");
	put16(work + end + 20, 1);  /* a comment that is not there */
	check_ca_fails(ERR_ZIP, "no end of central directory");
	reload("py_deflated.zip");
	put16(work + central() + 28, 0xfff0);
	check_ca_fails(ERR_ZIP, "overruns");

	/* A cursor outside the directory. */
	reload("py_deflated.zip");
	cursor = 1u << 20;
	CHECK_EQ_INT(zip_next(work, work_len, &cursor, &e), ERR_ZIP);

	/* The longest comment is found; one byte more is not. */
	reload("py_deflated.zip");
	end = eocd();
	for (i = 0; i < 65535; i++)
		work[work_len + i] = (uint8_t)(i % 7 == 0 ? 'P' : 'K');
	put16(work + end + 20, 65535);
	work_len += 65535;
	CHECK_EQ_INT(try_ca(), 0);
	work[work_len++] = 'x';
	check_ca_fails(ERR_ZIP, "no end of central directory");

	/* An empty archive. */
	p = guard_copy(empty, sizeof(empty));
	cursor = 0;
	CHECK_EQ_INT(zip_next((uint8_t *)p, sizeof(empty), &cursor, &e), 0);
	CHECK_EQ_INT(zip_find_suffix((uint8_t *)p, sizeof(empty), "ca-",
	    ".pem", &e), ERR_ZIP_MISSING);
	guard_free(p, sizeof(empty));
	CHECK_EQ_INT(zip_find_suffix(NULL, 0, "ca-", ".pem", &e), ERR_ZIP);
}

int
main(void)
{
	RUN(test_zip_fixtures);
	RUN(test_zip_truncated);
	RUN(test_zip_flips);
	RUN(test_zip_corrupt_entry);
	RUN(test_zip_corrupt_dir);
	return test_done();
}
