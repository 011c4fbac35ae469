/*
 * trust.c: where the default trust anchors come from, and finding the
 * roots of a chain in them without parsing the whole bundle (see
 * trust.h).
 *
 * Ownership: this file owns the trust path and the scratch buffers and
 * index of the trust-anchor scan.  mbedTLS calls trust_ca_callback()
 * during a verification; the roots it returns belong to mbedTLS.
 */
#include "net/trust.h"
#include "net/tls.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/str.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/platform.h>
#include <mbedtls/x509_crt.h>

static char trust_path[LIM_PATH_FS_BYTES]; /* bundle file or folder */
static int trust_is_dir;                  /* trust_path is a folder */
static int insecure_mode;                 /* --insecure: no trust tag */

/* The usual system bundles, in the order curl and Go look for them. */
static const char *const bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
};

static int
is_file(const char *p)
{
	struct stat st;

	return p != NULL && p[0] != '\0' && stat(p, &st) == 0 &&
	    S_ISREG(st.st_mode);
}

static int
is_dir(const char *p)
{
	struct stat st;

	return p != NULL && p[0] != '\0' && stat(p, &st) == 0 &&
	    S_ISDIR(st.st_mode);
}

/*
 * has_cert: 1 if the file holds a PEM certificate block.  Reads until
 * the first one (at the start of any real bundle), so it is cheap.
 */
static int
has_cert(const char *path)
{
	static const char mark[] = "-----BEGIN CERTIFICATE-----";
	char buf[4096];
	size_t keep = 0, k = sizeof(mark) - 2, n, i;
	ssize_t got;
	int fd, found = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (!found && (got = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		n = keep + (size_t)got;
		for (i = 0; !found && i + k < n; i++)
			found = memcmp(buf + i, mark, k + 1) == 0;
		/* Keep a tail, so a mark across two reads is still found. */
		keep = n < k ? n : k;
		memmove(buf, buf + n - keep, keep);
	}
	close(fd);
	return found;
}

/* trust_file: use the bundle at path, named by what (--cacert, ...). */
static int
trust_file(const char *path, const char *what)
{
	if (!is_file(path))
		return err_set(ERR_TLS_NO_CA, "%s %s: not a readable file", what,
		    path);
	if (!has_cert(path))
		return err_set(ERR_TLS_NO_CA, "%s %s: holds no certificate (no "
		    "-----BEGIN CERTIFICATE----- block)", what, path);
	return str_copy(trust_path, sizeof(trust_path), path, what);
}

int
trust_find(const char *cacert, int insecure)
{
	const char *env;
	size_t i;

	insecure_mode = insecure;
	if (cacert != NULL)
		return trust_file(cacert, "--cacert");
	env = getenv("SSL_CERT_FILE");
	if (env != NULL && env[0] != '\0')
		return trust_file(env, "SSL_CERT_FILE");
	env = getenv("SSL_CERT_DIR");
	if (env != NULL && env[0] != '\0' && is_dir(env)) {
		trust_is_dir = 1;
		return str_copy(trust_path, sizeof(trust_path), env, "SSL_CERT_DIR");
	}
	for (i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++)
		if (is_file(bundles[i]))
			return str_copy(trust_path, sizeof(trust_path), bundles[i],
			    "bundle");
	trust_path[0] = '\0';
	return 0;
}

uint32_t
tls_trust_tag(void)
{
	struct stat st;
	uint32_t h = 2166136261u;
	const char *p = trust_path;
	long long v[2] = { 0, 0 };
	size_t i;

	if (insecure_mode)
		return 0;
	if (stat(trust_path, &st) == 0) {
		v[0] = (long long)st.st_size;
		v[1] = (long long)st.st_mtime;
	}
	while (*p != '\0')
		h = (h ^ (unsigned char)*p++) * 16777619u;
	for (i = 0; i < sizeof(v); i++)
		h = (h ^ ((const unsigned char *)v)[i]) * 16777619u;
	return h | 1;
}

const char *
tls_trust_source(void)
{
	return trust_path;
}

/*
 * Trust-anchor lookup.  A PEM file is read in blocks; each certificate's
 * base64 is collected, decoded, and its subject compared with the issuer
 * the verifier asks for; only a match is parsed.  The verifier asks once
 * per chain level, so the first scan of a bundle file also builds an
 * index: for each certificate, where its base64 lies in the file and a
 * hash of its subject.  Later lookups read and decode only the blocks
 * whose hash matches the issuer sought.  Indexing stops after
 * LIM_TLS_ROOTS certificates; the rest of such a file is scanned every
 * time.  Folders (SSL_CERT_DIR) are scanned every time.
 */
struct tls_trust_stats tls_trust_stats;

struct root_ref {
	uint32_t off;           /* file offset of the certificate's base64 */
	uint32_t len;           /* its bytes up to the END line */
	uint32_t hash;          /* FNV-1a of its DER subject */
};

/* One pass over a PEM file. */
struct scan {
	const mbedtls_x509_crt *child; /* whose issuer is sought */
	mbedtls_x509_crt **out;  /* the matching roots */
	int build;              /* add each certificate to the index */
	uint64_t pos;           /* file offset of the byte being read */
	uint64_t line_off;      /* offset where the current line starts */
	uint64_t begin_off;     /* offset of the current BEGIN line */
	uint64_t b64_off;       /* offset of the current base64 */
	size_t b64_len;         /* base64 collected in scan_b64 */
	char line[128];         /* the current line */
	size_t line_len;        /* its length */
	int too_long;           /* the line did not fit: not base64 */
	int in_cert;            /* between BEGIN and END */
};

static char scan_buf[8192];       /* file read buffer */
static char scan_b64[13312];      /* base64 of one certificate */
static unsigned char scan_der[LIM_TLS_CERT_DER_BYTES]; /* its DER */
static struct root_ref roots[LIM_TLS_ROOTS]; /* the bundle's index */
static size_t nroots;             /* entries in roots */
static int index_built;           /* the bundle was scanned once */
static int index_partial;         /* indexing stopped at index_end */
static uint64_t index_end;        /* where the unindexed rest starts */

static uint32_t
fnv1a(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

/*
 * der_head: read the tag byte and the length at *p, leaving *p at the
 * contents, which may run past end (a prefix of a certificate is being
 * read).  Returns the tag, or -1.
 */
static int
der_head(const unsigned char **p, const unsigned char *end, size_t *len)
{
	const unsigned char *q = *p;
	size_t n, k;
	int tag;

	if (end - q < 2)
		return -1;
	tag = *q++;
	n = *q++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - q) < k)
			return -1;
		for (n = 0; k > 0; k--)
			n = (n << 8) | *q++;
	}
	*p = q;
	*len = n;
	return tag;
}

/*
 * der_subject: find the subject Name (tag and length included) in der,
 * which may be only the first len bytes of a certificate.  Returns 0,
 * -2 if the subject lies past len, or -1 if it is not a certificate.
 */
static int
der_subject(const unsigned char *der, size_t len, const unsigned char **subj,
    size_t *subj_len)
{
	const unsigned char *p = der, *end = der + len;
	size_t l;
	int i;

	if (der_head(&p, end, &l) != 0x30 || der_head(&p, end, &l) != 0x30)
		return -1;
	/* Optional [0] version; serial, signature, issuer, validity. */
	for (i = p < end && *p == 0xa0 ? 0 : 1; i < 5; i++) {
		if (der_head(&p, end, &l) < 0)
			return -2;
		if ((size_t)(end - p) < l)
			return -2;
		p += l;
	}
	*subj = p;
	if (der_head(&p, end, &l) < 0)
		return -2;
	if ((size_t)(end - p) < l)
		return -2;
	*subj_len = (size_t)(p + l - *subj);
	return 0;
}

/* The base64 decoded first: enough for the subject of nearly any root. */
#define SUBJECT_B64 1024

/* decode: base64 in scan_b64[0 .. n) to scan_der; 0 or -1. */
static int
decode(size_t n, size_t *der_len)
{
	tls_trust_stats.decoded++;
	return mbedtls_base64_decode(scan_der, sizeof(scan_der), der_len,
	    (const unsigned char *)scan_b64, n) == 0 ? 0 : -1;
}

/*
 * consider: the certificate whose base64 is in scan_b64: add it to *out
 * if its subject is child's issuer.  Only a prefix is decoded unless the
 * subject lies further or it matches.  Returns 0 with the hash of its
 * subject in *hash, or -1 if it does not decode.
 */
static int
consider(const mbedtls_x509_crt *child, size_t b64_len,
    mbedtls_x509_crt **out, uint32_t *hash)
{
	const unsigned char *subj;
	size_t der_len, subj_len, pre = b64_len;
	mbedtls_x509_crt *crt;
	int r;

	if (pre > SUBJECT_B64)
		pre = SUBJECT_B64;
	if (decode(pre, &der_len) != 0)
		return -1;
	r = der_subject(scan_der, der_len, &subj, &subj_len);
	if (r == -2 && pre < b64_len) {
		if (decode(b64_len, &der_len) != 0)
			return -1;
		pre = b64_len;
		r = der_subject(scan_der, der_len, &subj, &subj_len);
	}
	if (r != 0)
		return -1;
	*hash = fnv1a(subj, subj_len);
	if (subj_len != child->issuer_raw.len ||
	    memcmp(subj, child->issuer_raw.p, subj_len) != 0)
		return 0;
	if (pre < b64_len && decode(b64_len, &der_len) != 0)
		return -1;
	if (*out == NULL) {
		crt = mbedtls_calloc(1, sizeof(*crt));
		if (crt == NULL)
			return 0;
		mbedtls_x509_crt_init(crt);
		*out = crt;
	}
	/* A root that does not parse is skipped, as curl does. */
	tls_trust_stats.parsed++;
	(void)mbedtls_x509_crt_parse_der(*out, scan_der, der_len);
	return 0;
}

/* index_add: record the certificate the scan just read. */
static void
index_add(struct scan *s, uint32_t hash)
{
	uint64_t len = s->line_off - s->b64_off;

	if (nroots == LIM_TLS_ROOTS || len > sizeof(scan_b64) ||
	    s->b64_off + len > UINT32_MAX) {
		/* From here on the file is scanned at every lookup. */
		s->build = 0;
		index_partial = 1;
		index_end = s->begin_off;
		return;
	}
	roots[nroots].off = (uint32_t)s->b64_off;
	roots[nroots].len = (uint32_t)len;
	roots[nroots].hash = hash;
	nroots++;
	tls_trust_stats.indexed = (int)nroots;
}

/* scan_line: one complete line of a PEM file (at s->line). */
static void
scan_line(struct scan *s)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	uint32_t hash;

	while (s->line_len > 0 && (s->line[s->line_len - 1] == '\r' ||
	    s->line[s->line_len - 1] == ' '))
		s->line_len--;
	s->line[s->line_len] = '\0';
	if (!s->in_cert) {
		if (strcmp(s->line, begin) == 0) {
			s->in_cert = 1;
			s->b64_len = 0;
			s->begin_off = s->line_off;
			s->b64_off = s->pos + 1;
		}
	} else if (strcmp(s->line, end) == 0) {
		s->in_cert = 0;
		if (consider(s->child, s->b64_len, s->out, &hash) == 0 && s->build)
			index_add(s, hash);
	} else if (s->too_long || s->b64_len + s->line_len > sizeof(scan_b64)) {
		s->in_cert = 0;   /* not a certificate we can hold */
	} else {
		memcpy(scan_b64 + s->b64_len, s->line, s->line_len);
		s->b64_len += s->line_len;
	}
}

/* scan_file: look through path from offset `from` for roots of child. */
static void
scan_file(const char *path, const mbedtls_x509_crt *child,
    mbedtls_x509_crt **out, uint64_t from, int build)
{
	struct scan s;
	ssize_t n, i;
	int fd;

	memset(&s, 0, sizeof(s));
	s.child = child;
	s.out = out;
	s.build = build;
	s.pos = s.line_off = from;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (from > 0 && lseek(fd, (off_t)from, SEEK_SET) < 0) {
		close(fd);
		return;
	}
	while ((n = read(fd, scan_buf, sizeof(scan_buf))) > 0) {
		for (i = 0; i < n; i++, s.pos++) {
			if (scan_buf[i] != '\n') {
				if (s.line_len < sizeof(s.line) - 1)
					s.line[s.line_len++] = scan_buf[i];
				else
					s.too_long = 1;
				continue;
			}
			scan_line(&s);
			s.line_len = 0;
			s.too_long = 0;
			s.line_off = s.pos + 1;
		}
	}
	close(fd);
}

/* index_lookup: decode only the indexed blocks whose subject may match. */
static void
index_lookup(const mbedtls_x509_crt *child, mbedtls_x509_crt **out)
{
	uint32_t want = fnv1a(child->issuer_raw.p, child->issuer_raw.len), h;
	size_t i, j, k;
	ssize_t n;
	int fd;

	fd = open(trust_path, O_RDONLY | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < nroots; i++) {
		if (roots[i].hash != want)
			continue;
		n = pread(fd, scan_b64, roots[i].len, (off_t)roots[i].off);
		if (n < 0 || (size_t)n != roots[i].len)
			continue;
		for (j = k = 0; j < (size_t)n; j++)
			if (scan_b64[j] != '\n' && scan_b64[j] != '\r' &&
			    scan_b64[j] != ' ' && scan_b64[j] != '\t')
				scan_b64[k++] = scan_b64[j];
		(void)consider(child, k, out, &h);
	}
	if (fd >= 0)
		close(fd);
	if (index_partial)
		scan_file(trust_path, child, out, index_end, 0);
}

int
trust_ca_callback(void *ctx, const mbedtls_x509_crt *child,
    mbedtls_x509_crt **candidates)
{
	char path[LIM_PATH_FS_BYTES];
	struct dirent *de;
	DIR *d;
	int r;

	(void)ctx;
	*candidates = NULL;
	tls_trust_stats.lookups++;
	if (!trust_is_dir) {
		if (index_built) {
			index_lookup(child, candidates);
		} else {
			scan_file(trust_path, child, candidates, 0, 1);
			index_built = 1;
		}
		return 0;
	}
	d = opendir(trust_path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		r = snprintf(path, sizeof(path), "%s/%s", trust_path, de->d_name);
		if (r > 0 && (size_t)r < sizeof(path) && is_file(path))
			scan_file(path, child, candidates, 0, 0);
	}
	closedir(d);
	return 0;
}

