/*
 * store.c: load, save, lock and remove the token store (see store.h).
 *
 * One static buffer holds the file text while it is parsed or built; it
 * is wiped afterwards because it holds tokens.  The scalar fields are
 * described by one table (name, offset, size, limit), so reading,
 * writing and the error messages cannot disagree.  Parsing checks the
 * header, then the "end <crc32>" line and the checksum, then each line;
 * any error leaves the caller's store empty.  store_fs.c has the
 * rest: the home directory, the lock and logout.
 */
#include "cloud/store.h"
#include "proto/inflate.h"
#include "base/errors.h"
#include "base/file.h"
#include "base/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_FIX "run 'iksctl logout' then 'iksctl login'"
#define END_LINE_BYTES 13  /* "end " + 8 hex digits + "\n" */

/* The limits that size the fields, by name (an index in the table). */
enum { L_INT64_MAX, L_LIM_URL_BYTES, L_LIM_FIELD_BYTES, L_LIM_TOKEN_BYTES,
	L_LIM_CRED_KIND_BYTES, L_LIM_CRED_SOURCE_BYTES };
static const char *const limits[] = { "INT64_MAX", "LIM_URL_BYTES",
    "LIM_FIELD_BYTES", "LIM_TOKEN_BYTES", "LIM_CRED_KIND_BYTES",
    "LIM_CRED_SOURCE_BYTES" };

/* 16 bytes a field: the limit is an index, not a pointer. */
struct store_field {
	const char *key;     /* key in the file: the member's name */
	uint16_t off;        /* offsetof the member in struct store */
	uint16_t cap;        /* array size of a string; 0 for an int64_t
			      * >= 0, 1 for one that may be negative */
	uint8_t limit;       /* the limit that sizes it: limits[limit] */
};

#define FSTR(m, lim) { #m, offsetof(struct store, m), \
	sizeof(((struct store *)0)->m), L_##lim }
#define FNUM(m) { #m, offsetof(struct store, m), 0, L_INT64_MAX }
#define FSNUM(m) { #m, offsetof(struct store, m), 1, L_INT64_MAX }

static const struct store_field fields[] = {
	FSTR(iam_url, LIM_URL_BYTES),
	FSTR(accounts_url, LIM_URL_BYTES),
	FSTR(cs_url, LIM_URL_BYTES),
	FSTR(account, LIM_FIELD_BYTES),
	FSTR(region, LIM_FIELD_BYTES),
	FSTR(iam_id, LIM_FIELD_BYTES),
	FSTR(user, LIM_FIELD_BYTES),
	FSTR(access_token, LIM_TOKEN_BYTES),
	FNUM(access_iat),
	FNUM(access_exp),
	FSTR(refresh_token, LIM_TOKEN_BYTES),
	FNUM(refresh_exp),
	FSTR(kube_token, LIM_TOKEN_BYTES),
	FNUM(kube_iat),
	FNUM(kube_exp),
	FSTR(cred_kind, LIM_CRED_KIND_BYTES),
	FSTR(cred_source, LIM_CRED_SOURCE_BYTES),
	FSTR(profile_id, LIM_FIELD_BYTES),
	FSTR(profile_name, LIM_FIELD_BYTES),
	FSNUM(clock_offset),
	FNUM(login_id),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* A full store (hex doubles the sessions) must fit in the file limit. */
_Static_assert(sizeof(struct store) + LIM_STORE_TLS * LIM_TLS_SESSION_BYTES +
    40 * 64 <= LIM_STORE_BYTES, "LIM_STORE_BYTES cannot hold a full store");
_Static_assert(NFIELDS <= 32, "the duplicate-key mask is 32 bits");
_Static_assert(offsetof(struct store, tls) <= UINT16_MAX &&
    LIM_TOKEN_BYTES <= UINT16_MAX, "store_field's off and cap are 16 bits");

static char file_buf[LIM_STORE_BYTES + 1];  /* the file text, wiped */

void
store_init(struct store *s)
{
	memset(s, 0, sizeof(*s));
}

/* crc32_of: the zip CRC-32 of n bytes (proto/inflate.c has it). */
static uint32_t
crc32_of(const char *p, size_t n)
{
	return crc32_update(0, (const uint8_t *)p, n);
}

/* text_ok: 1 if p[0..n) holds no control character (space if !space). */
static int
text_ok(const char *p, size_t n, int space)
{
	unsigned char c;

	while (n-- > 0) {
		c = (unsigned char)*p++;
		if (c < 0x20 || c == 0x7f || (c == ' ' && !space))
			return 0;
	}
	return 1;
}

/*
 * bad: record ERR_STORE for the store file name, at line (0: the whole
 * file), with a printf-style reason and the fix.  Returns ERR_STORE.
 */
static int
bad(const char *name, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(const char *name, size_t line, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(why, sizeof(why), fmt, ap) < 0)
		why[0] = '\0';
	va_end(ap);
	return err_set(ERR_STORE, line ? "store %s line %zu: %s; " STORE_FIX :
	    "store %s%.0zu: %s; " STORE_FIX, name, line, why);
}

/* field_set: store the value v of field f, from line of name. */
static int
field_set(const char *name, size_t line, struct store *s,
    const struct store_field *f, struct slice v)
{
	char *dst = (char *)s + f->off;
	const char *p = v.p;
	int neg = f->cap == 1 && v.n > 1 && *p == '-';
	uint64_t u;

	if (f->cap <= 1) {
		p += neg;
		if (parse_u64(&p, v.p + v.n, INT64_MAX, &u) != 0 ||
		    p != v.p + v.n)
			return bad(name, line, "%s: bad number", f->key);
		*(int64_t *)(void *)dst = neg ? -(int64_t)u : (int64_t)u;
		return 0;
	}
	if (v.n >= f->cap)
		return bad(name, line, "%s is over %s - 1 = %zu bytes", f->key,
		    limits[f->limit], (size_t)f->cap - 1);
	memcpy(dst, v.p, v.n);
	return 0;
}

/* tls_set: parse "host:port saved_at hex" into the next free slot. */
static int
tls_set(const char *name, size_t line, struct store *s, struct slice v)
{
	const char *p = v.p, *end = v.p + v.n, *sp, *q;
	struct store_tls *t = s->tls;
	uint64_t at, b;
	size_t k;

	while (t < s->tls + LIM_STORE_TLS && t->host[0] != '\0')
		t++;
	if (t == s->tls + LIM_STORE_TLS)
		return bad(name, line, "more than LIM_STORE_TLS = %d sessions",
		    LIM_STORE_TLS);
	sp = memchr(p, ' ', v.n);
	if (sp == NULL || sp == p || (size_t)(sp - p) >= sizeof(t->host))
		return bad(name, line, "tls: no host, or over "
		    "LIM_HOSTPORT_BYTES - 1 = %d bytes", LIM_HOSTPORT_BYTES - 1);
	memcpy(t->host, p, (size_t)(sp - p));
	for (k = 0; s->tls + k < t; k++)
		if (strcmp(s->tls[k].host, t->host) == 0)
			return bad(name, line, "tls: duplicate host");
	p = sp + 1;
	if (parse_u64(&p, end, INT64_MAX, &at) != 0 || p == end || *p != ' ')
		return bad(name, line, "tls: bad time");
	p++;
	if (p == end || (end - p) % 2 != 0 ||
	    end - p > 2 * LIM_TLS_SESSION_BYTES)
		return bad(name, line, "tls: session empty, odd or over "
		    "LIM_TLS_SESSION_BYTES = %d bytes", LIM_TLS_SESSION_BYTES);
	for (k = 0; p < end; k++, p += 2) {
		q = p;
		if (parse_hex(&q, p + 2, 255, &b) != 0 || q != p + 2)
			return bad(name, line, "tls: bad hex");
		t->data[k] = (uint8_t)b;
	}
	t->len = k;
	t->saved_at = (int64_t)at;
	return 0;
}

/* line_set: one "key value" line; seen marks the keys already read. */
static int
line_set(const char *name, size_t line, struct store *s, struct slice l,
    uint32_t *seen)
{
	const char *sp = memchr(l.p, ' ', l.n);
	struct slice key, v;
	size_t i;

	if (sp == NULL || sp + 1 == l.p + l.n)
		return bad(name, line, "no value");
	key.p = l.p;
	key.n = (size_t)(sp - l.p);
	v.p = sp + 1;
	v.n = l.n - key.n - 1;
	if (!text_ok(l.p, l.n, 1))
		return bad(name, line, "control character");
	if (slice_eq(key, "tls"))
		return tls_set(name, line, s, v);
	for (i = 0; i < NFIELDS; i++)
		if (slice_eq(key, fields[i].key))
			break;
	if (i == NFIELDS)
		return bad(name, line, "unknown key '%.*s'",
		    (int)(key.n < 40 ? key.n : 40), key.p);
	if (*seen & (1u << i))
		return bad(name, line, "duplicate key %s", fields[i].key);
	*seen |= 1u << i;
	return field_set(name, line, s, &fields[i], v);
}

/* count_lines: the number of the line that starts at end. */
static size_t
count_lines(const char *p, const char *end)
{
	size_t n = 1;

	for (; p < end; p++)
		n += *p == '\n';
	return n;
}

/*
 * frame_check: check the header line, the "end" line and the checksum.
 * Sets *body to the first field line and *tail to the "end" line.
 */
static int
frame_check(const char *name, const char *buf, size_t n, const char **body,
    const char **tail)
{
	static const char magic[] = "iksctl-store ";
	const char *end = buf + n, *p = buf + sizeof(magic) - 1, *t, *q;
	uint64_t v, crc;

	if (n > LIM_STORE_BYTES)
		return bad(name, 0, "over LIM_STORE_BYTES = %d bytes",
		    LIM_STORE_BYTES);
	if (n < sizeof(magic) || memcmp(buf, magic, sizeof(magic) - 1) != 0)
		return bad(name, 1, "not an iksctl store (no header)");
	if (parse_u64(&p, end, UINT32_MAX, &v) != 0 || p == end ||
	    *p != '\n' || v == 0)
		return bad(name, 1, "garbled header");
	if (v > STORE_VERSION)
		return err_set(ERR_STORE_VERSION, "store %s: written by a "
		    "newer iksctl (version %llu); upgrade iksctl, or run "
		    "'iksctl logout' to remove it",
		    name, (unsigned long long)v);
	*body = p + 1;
	if (end - *body < END_LINE_BYTES)
		return bad(name, 0, "no 'end' line: the file is truncated");
	t = end - END_LINE_BYTES;
	if (t[-1] != '\n' || memcmp(t, "end ", 4) != 0 || end[-1] != '\n')
		return bad(name, 0, "no 'end' line: the file is truncated");
	/* The sum is written in lower case: "A" for "a" is damage too. */
	for (q = t + 4; q < end - 1 && !(*q >= 'A' && *q <= 'F'); q++)
		;
	p = t + 4;
	if (q != end - 1 || parse_hex(&p, end - 1, UINT32_MAX, &crc) != 0 ||
	    p != end - 1)
		return bad(name, count_lines(buf, t), "garbled 'end' line");
	if (crc != crc32_of(buf, (size_t)(t - buf)))
		return bad(name, count_lines(buf, t), "bad checksum");
	*tail = t;
	return 0;
}

int
store_parse(const char *name, const char *buf, size_t n, struct store *s)
{
	const char *p = buf, *t = buf, *nl;
	struct slice l;
	uint32_t seen = 0;
	size_t line = 1;
	int ret;

	store_init(s);
	ret = frame_check(name, buf, n, &p, &t);
	for (; ret == 0 && p < t; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(t - p));
		l.p = p;
		l.n = (size_t)(nl - p);
		ret = line_set(name, ++line, s, l, &seen);
	}
	if (ret != 0)
		store_init(s);
	return ret;
}

void
store_warn_mode(const char *what, const char *path, unsigned mode)
{
	const char *want = strcmp(what, "directory") == 0 ? "700" : "600";

	fprintf(stderr, "iksctl: warning: %s %s has mode %03o, looser than %s; "
	    "run 'chmod %s %s'\n", what, path, mode & 0777, want, want, path);
}

/* warn_modes: warn once if the store or its directory is not private. */
static void
warn_modes(const char *home, const char *path)
{
	static int warned;  /* a warning was printed */
	struct stat st;

	if (warned)
		return;
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0) {
		store_warn_mode("store", path, (unsigned)st.st_mode);
		warned = 1;
	}
	if (stat(home, &st) == 0 && (st.st_mode & 077) != 0) {
		store_warn_mode("directory", home, (unsigned)st.st_mode);
		warned = 1;
	}
}

/*
 * odd_kind: ERR_STORE if the store at path exists and is not a regular
 * file (a symbolic link is never followed); logout removes it.
 */
static int
odd_kind(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
		return 0;
	return bad(path, 0, "is a %s, not a regular file",
	    file_kind(st.st_mode));
}

int
store_load(const char *home, struct store *s)
{
	char path[LIM_PATH_FS_BYTES];
	size_t n = 0;
	int ret;

	store_init(s);
	ret = path_join(path, sizeof(path), home, "store");
	if (ret != 0 || (ret = odd_kind(path)) != 0)
		return ret;
	ret = file_read_regular(path, file_buf, sizeof(file_buf), &n);
	if (ret == ERR_IO && odd_kind(path) != 0)
		ret = err_code_last();
	if (ret == ERR_LIMIT)
		ret = bad(path, 0, "over LIM_STORE_BYTES = %d bytes",
		    LIM_STORE_BYTES);
	if (ret == 0) {
		warn_modes(home, path);
		ret = store_parse(path, file_buf, n, s);
	}
	mem_wipe(file_buf, n);
	return ret;
}

/* field_add: append "key value\n" for a non-empty field f of s. */
static int
field_add(struct sbuf *b, const struct store *s, const struct store_field *f)
{
	const char *src = (const char *)s + f->off;
	int64_t x;
	size_t n;

	if (f->cap <= 1) {
		x = *(const int64_t *)(const void *)src;
		if (x < 0 && f->cap == 0)
			return err_set(ERR_STORE, "cannot save the store: %s "
			    "is negative", f->key);
		if (x != 0)
			sbuf_addf(b, "%s %lld\n", f->key, (long long)x);
		return 0;
	}
	n = strnlen(src, f->cap);
	if (n == f->cap || !text_ok(src, n, 1))
		return err_set(ERR_STORE, "cannot save the store: %s holds a "
		    "control character or is not terminated", f->key);
	if (n > 0)
		sbuf_addf(b, "%s %s\n", f->key, src);
	return 0;
}

/* tls_add: append "tls host saved_at hex\n" for a used slot. */
static int
tls_add(struct sbuf *b, const struct store_tls *t)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = strnlen(t->host, sizeof(t->host));
	char h[2];

	if (n == 0 || t->len == 0)
		return 0;
	if (n == sizeof(t->host) || !text_ok(t->host, n, 0) ||
	    t->len > sizeof(t->data) || t->saved_at < 0)
		return err_set(ERR_STORE, "cannot save the store: malformed "
		    "TLS session");
	sbuf_addf(b, "tls %s %lld ", t->host, (long long)t->saved_at);
	for (i = 0; i < t->len; i++) {
		h[0] = hex[t->data[i] >> 4];
		h[1] = hex[t->data[i] & 15];
		sbuf_add_mem(b, h, 2);
	}
	sbuf_addc(b, '\n');
	return 0;
}

int
store_save(const char *home, const struct store *s)
{
	char path[LIM_PATH_FS_BYTES];
	struct sbuf b;
	size_t i;
	int ret = 0;

	sbuf_init(&b, file_buf, sizeof(file_buf));
	sbuf_addf(&b, "iksctl-store %d\n", STORE_VERSION);
	for (i = 0; ret == 0 && i < NFIELDS; i++)
		ret = field_add(&b, s, &fields[i]);
	for (i = 0; ret == 0 && i < LIM_STORE_TLS; i++)
		ret = tls_add(&b, &s->tls[i]);
	if (ret != 0)
		goto out;
	if (!b.overflow)
		sbuf_addf(&b, "end %08lx\n",
		    (unsigned long)crc32_of(b.p, b.len));
	if (b.overflow) {
		ret = err_limit("store", "LIM_STORE_BYTES", LIM_STORE_BYTES);
		goto out;
	}
	ret = dir_ensure(home, 0700);
	if (ret == 0)
		ret = path_join(path, sizeof(path), home, "store");
	if (ret == 0)
		ret = odd_kind(path);
	if (ret == 0)
		ret = file_write_atomic(path, b.p, b.len, 0600);
out:
	mem_wipe(file_buf, b.len);
	return ret;
}

struct store_tls *
store_tls_find(struct store *s, const char *hostport)
{
	size_t i;

	for (i = 0; i < LIM_STORE_TLS; i++)
		if (s->tls[i].host[0] != '\0' &&
		    strcmp(s->tls[i].host, hostport) == 0)
			return &s->tls[i];
	return NULL;
}

int
store_tls_put(struct store *s, const char *hostport, const uint8_t *data,
    size_t len, int64_t now)
{
	struct store_tls *t = store_tls_find(s, hostport);
	size_t i, n = strlen(hostport);

	if (n >= LIM_HOSTPORT_BYTES)
		return err_limit("TLS session host", "LIM_HOSTPORT_BYTES",
		    LIM_HOSTPORT_BYTES - 1);
	if (len > LIM_TLS_SESSION_BYTES)
		return err_limit("TLS session", "LIM_TLS_SESSION_BYTES",
		    LIM_TLS_SESSION_BYTES);
	if (n == 0 || !text_ok(hostport, n, 0) || len == 0 || now < 0)
		return err_set(ERR_STORE, "TLS session: bad host, time or "
		    "empty session");
	for (i = 0; t == NULL && i < LIM_STORE_TLS; i++)
		if (s->tls[i].host[0] == '\0')
			t = &s->tls[i];
	if (t == NULL) {
		t = &s->tls[0];
		for (i = 1; i < LIM_STORE_TLS; i++)
			if (s->tls[i].saved_at < t->saved_at)
				t = &s->tls[i];
	}
	memset(t, 0, sizeof(*t));
	memcpy(t->host, hostport, n);
	memcpy(t->data, data, len);
	t->len = len;
	t->saved_at = now;
	return 0;
}
