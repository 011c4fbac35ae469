/*
 * tls.c: TLS client over mbedTLS with a static arena, lazy trust anchors
 * and poll()-based timeouts (see tls.h).
 *
 * Ownership: this file owns the arena, the random generator, the two
 * mbedTLS configurations (default trust, and one in-memory PEM trust)
 * and the scratch buffers of the trust-anchor scan.  The caller owns the
 * socket and each struct tls_conn.
 */
#include "net/tls.h"
#include "net/sock.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/fmt.h"
#include "base/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/platform.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

static unsigned char arena[LIM_TLS_ARENA_BYTES] __attribute__((aligned(16))); /* heap */
static mbedtls_entropy_context entropy;   /* kernel randomness */
static mbedtls_ctr_drbg_context drbg;     /* the generator TLS uses */
static mbedtls_ssl_config conf_default;   /* trust from files, lazily */
static mbedtls_ssl_config conf_pem;       /* trust from one PEM in memory */
static mbedtls_x509_crt pem_chain;        /* roots of conf_pem */
static size_t pem_loaded_len;             /* length of the PEM loaded */
static int initialised;                   /* tls_init ran */
static int insecure_mode;                 /* --insecure */
static char trust_path[LIM_PATH_FS_BYTES]; /* bundle file or folder */
static int trust_is_dir;                  /* trust_path is a folder */
static struct tls_conn *verifying;        /* connection in handshake */

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

/* find_trust: choose where the default trust anchors come from. */
static int
find_trust(const char *cacert)
{
	const char *env;
	size_t i;

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

/* ca_callback: mbedTLS asks for the trusted parents of child. */
static int
ca_callback(void *ctx, const mbedtls_x509_crt *child,
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

/* verify_cb: note that a certificate chain was checked (no resumption). */
static int
verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	(void)ctx;
	(void)crt;
	(void)depth;
	(void)flags;
	if (verifying != NULL)
		verifying->cert_seen = 1;
	return 0;
}

static int
conf_setup(mbedtls_ssl_config *conf)
{
	int r;

	mbedtls_ssl_config_init(conf);
	r = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		return err_set(ERR_TLS_HANDSHAKE, "TLS setup: -0x%04x", -r);
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_authmode(conf, insecure_mode ?
	    MBEDTLS_SSL_VERIFY_NONE : MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_verify(conf, verify_cb, NULL);
	mbedtls_ssl_conf_session_tickets(conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
	mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(conf,
	    MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
	return 0;
}

int
tls_init(const char *cacert, int insecure)
{
	int r;

	if (initialised)
		return 0;
	mbedtls_memory_buffer_alloc_init(arena, sizeof(arena));
	insecure_mode = insecure;
	if (insecure)
		fputs("iksctl: warning: --insecure: TLS certificates are not "
		    "verified\n", stderr);
	if ((r = find_trust(cacert)) != 0)
		return r;
	if (psa_crypto_init() != PSA_SUCCESS)
		return err_set(ERR_TLS_HANDSHAKE, "PSA crypto init failed");
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)"iksctl", 6);
	if (r != 0)
		return err_set(ERR_TLS_HANDSHAKE, "random generator: -0x%04x", -r);
	if ((r = conf_setup(&conf_default)) != 0)
		return r;
	mbedtls_ssl_conf_ca_cb(&conf_default, ca_callback, NULL);
	mbedtls_x509_crt_init(&pem_chain);
	if ((r = conf_setup(&conf_pem)) != 0)
		return r;
	initialised = 1;
	return 0;
}

/* use_pem: make conf_pem trust exactly the certificates in pem. */
static int
use_pem(const char *pem, size_t len)
{
	static unsigned char copy[16384]; /* NUL-terminated copy for mbedTLS */
	int r;

	/* Compare contents: the caller may reuse one buffer for another CA. */
	if (len > 0 && pem_loaded_len == len && memcmp(copy, pem, len) == 0)
		return 0;
	if (len + 1 > sizeof(copy))
		return err_limit("cluster CA", "the PEM buffer", sizeof(copy) - 1);
	pem_loaded_len = 0;   /* until the new one parses */
	memcpy(copy, pem, len);
	copy[len] = '\0';
	mbedtls_x509_crt_free(&pem_chain);
	mbedtls_x509_crt_init(&pem_chain);
	r = mbedtls_x509_crt_parse(&pem_chain, copy, len + 1);
	if (r < 0 || pem_chain.raw.len == 0)
		return err_set(ERR_TLS_CERT_CA, "the cluster CA does not parse (-0x%04x)",
		    r < 0 ? -r : 0);
	mbedtls_ssl_conf_ca_chain(&conf_pem, &pem_chain, NULL);
	pem_loaded_len = len;
	return 0;
}

static int
bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return errno == EPIPE || errno == ECONNRESET ?
	    MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int
bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct tls_conn *c = ctx;
	int one = 1;
	ssize_t n;

	/*
	 * Acknowledge at once: a server that writes its head and body in two
	 * sends without TCP_NODELAY would otherwise wait for our delayed ACK
	 * (40 ms) before sending the body.  Linux clears the mode by itself,
	 * so it is set again before every read.
	 */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	n = recv(c->fd, buf, len, 0);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET :
	    MBEDTLS_ERR_NET_RECV_FAILED;
}

/* wait_io: after WANT_READ/WANT_WRITE, wait for the socket. */
static int
wait_io(struct tls_conn *c, int r, const char *what)
{
	int w = sock_wait(c->fd, r == MBEDTLS_ERR_SSL_WANT_WRITE, c->deadline_ms);

	if (w == ERR_NET_TIMEOUT)
		return err_set(w, "%s: no answer within %d ms", what, c->timeout_ms);
	return w;
}

/* cert_error: turn verification flags into one code and a detail. */
static int
cert_error(struct tls_conn *c, const char *host)
{
	uint32_t f = mbedtls_ssl_get_verify_result(&c->ssl);

	if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return err_set(ERR_TLS_CERT_CA, "%s: certificate signed by an "
		    "unknown CA (trust store: %s)", host,
		    trust_path[0] ? trust_path : "cluster CA");
	if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
		return err_set(ERR_TLS_CERT_EXPIRED, "%s: certificate %s", host,
		    (f & MBEDTLS_X509_BADCERT_EXPIRED) ? "has expired" :
		    "is not valid yet");
	if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		return err_set(ERR_TLS_CERT_HOST, "certificate is not for %s", host);
	return err_set(ERR_TLS_CERT, "%s: certificate rejected (flags 0x%x)",
	    host, (unsigned)f);
}

/* ssl_error: map an mbedTLS error during I/O to our codes. */
static int
ssl_error(int r, const char *what)
{
	if (r == MBEDTLS_ERR_NET_CONN_RESET)
		return err_set(ERR_NET_RESET, "%s: connection reset", what);
	if (r == MBEDTLS_ERR_NET_SEND_FAILED || r == MBEDTLS_ERR_NET_RECV_FAILED)
		return err_set(ERR_NET_IO, "%s: %s", what, strerror(errno));
	if (r == MBEDTLS_ERR_SSL_ALLOC_FAILED)
		return err_limit("TLS memory", "LIM_TLS_ARENA_BYTES",
		    LIM_TLS_ARENA_BYTES);
	return err_set(ERR_TLS_IO, "%s: TLS error -0x%04x", what, -r);
}

static int
handshake(struct tls_conn *c, const char *host)
{
	uint32_t v;
	int r;

	verifying = c;
	for (;;) {
		r = mbedtls_ssl_handshake(&c->ssl);
		if (r == 0)
			break;
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
			if ((r = wait_io(c, r, "TLS handshake")) != 0)
				break;
			continue;
		}
		if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		v = mbedtls_ssl_get_verify_result(&c->ssl);
		if (r == MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION) {
			/* Our patch over 3.6.7: see third_party/patches. */
			r = err_set(ERR_TLS_HANDSHAKE, "%s: TLS handshake failed: %s",
			    host, mbedtls_ssl_get_version_number(&c->ssl) <
			    MBEDTLS_SSL_VERSION_TLS1_2 ? "the server chose a TLS "
			    "version older than 1.2" : "the server chose TLS 1.3 "
			    "without the supported_versions extension or with a "
			    "bad legacy_version");
		} else if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
		    (v != 0 && v != 0xffffffffu)) {
			/* All ones: no certificate was verified yet. */
			r = cert_error(c, host);
		} else if (r == 0 || r == MBEDTLS_ERR_SSL_CONN_EOF) {
			r = err_set(ERR_NET_RESET, "%s: closed during the TLS handshake",
			    host);
		} else if (r == MBEDTLS_ERR_NET_CONN_RESET ||
		    r == MBEDTLS_ERR_NET_RECV_FAILED || r == MBEDTLS_ERR_NET_SEND_FAILED) {
			r = ssl_error(r, host);
		} else {
			r = err_set(ERR_TLS_HANDSHAKE, "%s: TLS handshake failed "
			    "(mbedTLS -0x%04x)", host, -r);
		}
		break;
	}
	verifying = NULL;
	if (r == 0)
		c->resumed = !c->cert_seen && !insecure_mode;
	return r;
}

int
tls_open(struct tls_conn *c, int fd, const char *host, const char *ca_pem,
    size_t ca_len, const uint8_t *sess, size_t sess_len, int timeout_ms)
{
	mbedtls_ssl_config *conf = &conf_default;
	mbedtls_ssl_session s;
	int r;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	if (!initialised && (r = tls_init(NULL, 0)) != 0)
		return r;
	if (ca_pem != NULL) {
		if ((r = use_pem(ca_pem, ca_len)) != 0)
			return r;
		conf = &conf_pem;
	} else if (trust_path[0] == '\0' && !insecure_mode) {
		return err_set(ERR_TLS_NO_CA, "no CA bundle found in the usual "
		    "places; set SSL_CERT_FILE or use --cacert");
	}
	mbedtls_ssl_init(&c->ssl);
	c->open = 1;
	if ((r = mbedtls_ssl_setup(&c->ssl, conf)) != 0)
		return ssl_error(r, host);
	if ((r = mbedtls_ssl_set_hostname(&c->ssl, host)) != 0)
		return ssl_error(r, host);
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	if (sess != NULL && sess_len > 0) {
		mbedtls_ssl_session_init(&s);
		/* A stale or foreign session is simply not offered. */
		if (mbedtls_ssl_session_load(&s, sess, sess_len) == 0)
			(void)mbedtls_ssl_set_session(&c->ssl, &s);
		mbedtls_ssl_session_free(&s);
	}
	c->deadline_ms = sock_now_ms() + timeout_ms;
	return handshake(c, host);
}

int
tls_write(struct tls_conn *c, const void *p, size_t n)
{
	const unsigned char *b = p;
	int r;

	c->deadline_ms = sock_now_ms() + c->timeout_ms;
	while (n > 0) {
		r = mbedtls_ssl_write(&c->ssl, b, n);
		if (r > 0) {
			b += r;
			n -= (size_t)r;
			continue;
		}
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE ||
		    r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
			if (r != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET &&
			    (r = wait_io(c, r, "sending")) != 0)
				return r;
			continue;
		}
		return ssl_error(r, "sending");
	}
	return 0;
}

int
tls_read(struct tls_conn *c, void *p, size_t cap, size_t *got)
{
	int r;

	c->deadline_ms = sock_now_ms() + c->timeout_ms;
	*got = 0;
	for (;;) {
		r = mbedtls_ssl_read(&c->ssl, p, cap);
		if (r > 0) {
			*got = (size_t)r;
			return 0;
		}
		if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
			return 0;
		if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			continue;
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
			if ((r = wait_io(c, r, "waiting for the answer")) != 0)
				return r;
			continue;
		}
		return ssl_error(r, "receiving");
	}
}

int
tls_session(struct tls_conn *c, uint8_t *out, size_t cap, size_t *len)
{
	mbedtls_ssl_session s;
	int r;

	mbedtls_ssl_session_init(&s);
	r = mbedtls_ssl_get_session(&c->ssl, &s);
	if (r == 0)
		r = mbedtls_ssl_session_save(&s, out, cap, len);
	mbedtls_ssl_session_free(&s);
	if (r == MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL)
		return err_limit("TLS session", "LIM_TLS_SESSION_BYTES", cap);
	return r == 0 ? 0 : err_set(ERR_TLS_IO, "no session to save (-0x%04x)", -r);
}

const char *
tls_version(const struct tls_conn *c)
{
	return mbedtls_ssl_get_version(&c->ssl);
}

int
tls_idle_closed(struct tls_conn *c)
{
	unsigned char b;
	int i, r;

	if (!c->open)
		return 1;
	for (i = 0; i < 4; i++) {
		if (mbedtls_ssl_get_bytes_avail(&c->ssl) > 0)
			return 1;   /* data nobody asked for: out of step */
		if (!sock_readable(c->fd))
			return 0;
		r = mbedtls_ssl_read(&c->ssl, &b, 1);
		if (r != MBEDTLS_ERR_SSL_WANT_READ &&
		    r != MBEDTLS_ERR_SSL_WANT_WRITE &&
		    r != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
			return 1;   /* close_notify, EOF, reset, data */
	}
	return 0;
}

void
tls_close(struct tls_conn *c)
{
	if (!c->open)
		return;
	/* Best effort, never waiting: the socket is closed next anyway. */
	(void)mbedtls_ssl_close_notify(&c->ssl);
	mbedtls_ssl_free(&c->ssl);
	c->open = 0;
}

/*
 * mbedtls_platform_gmtime_r: certificate validity checks need UTC dates;
 * ours (fmt_utc) keeps libc's time-zone code out of the binary.
 */
struct tm *
mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
	fmt_utc((int64_t)*tt, tm_buf);
	return tm_buf;
}

/*
 * mbedtls_hardware_poll: the entropy source of mbedTLS and PSA (see
 * mbedtls_config.h): the kernel's getrandom(), which needs no file, so
 * iksctl runs in an empty root.  Returns 0 with *olen bytes, or -1.
 * mbedTLS declares it in no header; this is its prototype.
 */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
    size_t *olen);

int
mbedtls_hardware_poll(void *data, unsigned char *output, size_t len,
    size_t *olen)
{
	ssize_t n;

	(void)data;
	*olen = 0;
	while (*olen < len) {
		n = getrandom(output + *olen, len - *olen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		*olen += (size_t)n;
	}
	return 0;
}
