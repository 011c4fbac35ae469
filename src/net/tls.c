/*
 * tls.c: TLS client over mbedTLS with a static arena and poll()-based
 * timeouts (see tls.h); the default trust anchors are trust.c's.
 *
 * Ownership: this file owns the arena, the random generator and the two
 * mbedTLS configurations (default trust, and one in-memory PEM trust).
 * The caller owns the socket and each struct tls_conn.
 */
#include "net/tls.h"
#include "net/cpu.h"
#include "net/sock.h"
#include "net/trust.h"
#include "base/errors.h"
#include "base/limits.h"
#include "base/fmt.h"
#include "base/str.h"

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
#include <time.h>
#include <unistd.h>

#include <mbedtls/memory_buffer_alloc.h>
#include <mbedtls/platform.h>
#include <mbedtls/psa_util.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

static unsigned char arena[LIM_TLS_ARENA_BYTES] __attribute__((aligned(16))); /* heap */
static mbedtls_ssl_config conf_default;   /* trust from files, lazily */
static mbedtls_ssl_config conf_pem;       /* trust from one PEM in memory */
static mbedtls_x509_crt pem_chain;        /* roots of conf_pem */
static size_t pem_loaded_len;             /* length of the PEM loaded */
static int initialised;                   /* tls_init ran */
static int insecure_mode;                 /* --insecure */
static struct tls_conn *verifying;        /* connection in handshake */

#ifndef IKSCTL_BUILD_EPOCH
#define IKSCTL_BUILD_EPOCH 0    /* the last commit's time (Makefile) */
#endif
#define CLOCK_DOUBT_S 86400     /* an offset this large: the clock is wrong */

int64_t tls_clock_offset;
static mbedtls_x509_time bad_from, bad_to; /* dates of a cert out of date */

/*
 * verify_cb: note that a certificate chain was checked (no resumption),
 * and the validity of a certificate refused for its dates (called from
 * the root down: the last one kept is the nearest to the leaf).
 */
static int
verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	(void)ctx;
	(void)depth;
	if (*flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) {
		bad_from = crt->valid_from;
		bad_to = crt->valid_to;
	}
	if (verifying != NULL)
		verifying->cert_seen = 1;
	return 0;
}

/*
 * date_error: a certificate refused as expired or not yet valid: its
 * date, and whether this machine's clock is to blame: earlier than this
 * build, or over a day from the service's at the last IAM answer.
 */
static int
date_error(const char *host, int future)
{
	const mbedtls_x509_time *t = future ? &bad_from : &bad_to;
	int64_t now = (int64_t)time(NULL);
	char clock[32];

	if (now >= IKSCTL_BUILD_EPOCH && tls_clock_offset <= CLOCK_DOUBT_S &&
	    tls_clock_offset >= -CLOCK_DOUBT_S)
		return err_set(ERR_TLS_CERT_EXPIRED, "%s: certificate %s "
		    "%04d-%02d-%02d", host, future ? "not valid before" :
		    "expired, not valid after", t->year, t->mon, t->day);
	return err_set(ERR_TLS_CERT_EXPIRED, "%s: certificate %s %04d-%02d-%02d; "
	    "this machine's clock reads %s: set the clock (NTP)", host,
	    future ? "not valid before" : "expired, not valid after", t->year,
	    t->mon, t->day, fmt_rfc3339(now, clock, sizeof(clock)));
}

#if defined(MBEDTLS_AESCE_C) && defined(MBEDTLS_CHACHAPOLY_C)
/*
 * The order for an aarch64 CPU without the crypto extensions (such as
 * the Raspberry Pi 4's): ChaCha20-Poly1305 first.  With them, the
 * compiled-in order (AES-GCM first) stands; see mbedtls_config.h.
 */
static const int suites_chacha_first[] = { IKSCTL_SUITES_CHACHA_FIRST, 0 };
#endif

static int
conf_setup(mbedtls_ssl_config *conf)
{
	int r;

	mbedtls_ssl_config_init(conf);
	r = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		return err_set(ERR_TLS_HANDSHAKE, "TLS setup: -0x%04x", -r);
	mbedtls_ssl_conf_rng(conf, mbedtls_psa_get_random,
	    MBEDTLS_PSA_RANDOM_STATE);
	mbedtls_ssl_conf_authmode(conf, insecure_mode ?
	    MBEDTLS_SSL_VERIFY_NONE : MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
#if defined(MBEDTLS_AESCE_C) && defined(MBEDTLS_CHACHAPOLY_C)
	if (!cpu_hw_aes())
		mbedtls_ssl_conf_ciphersuites(conf, suites_chacha_first);
#endif
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
	if ((r = trust_find(cacert, insecure)) != 0)
		return r;
	if (psa_crypto_init() != PSA_SUCCESS)
		return err_set(ERR_TLS_HANDSHAKE, "PSA crypto init failed");
	if ((r = conf_setup(&conf_default)) != 0)
		return r;
	mbedtls_ssl_conf_ca_cb(&conf_default, trust_ca_callback, NULL);
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
		    tls_trust_source()[0] ? tls_trust_source() : "cluster CA");
	if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
		return date_error(host, !(f & MBEDTLS_X509_BADCERT_EXPIRED));
	if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		return err_set(ERR_TLS_CERT_HOST, "certificate is not for %s", host);
	return err_set(ERR_TLS_CERT, "%s: certificate rejected (flags 0x%x)",
	    host, (unsigned)f);
}

/* ssl_error: map an mbedTLS error during I/O to our codes. */
static int
ssl_error(const struct tls_conn *c, int r, const char *what)
{
	if (r == MBEDTLS_ERR_NET_CONN_RESET)
		return err_set(ERR_NET_RESET, "%s: connection reset", what);
	if (r == MBEDTLS_ERR_NET_SEND_FAILED || r == MBEDTLS_ERR_NET_RECV_FAILED)
		return err_set(ERR_NET_IO, "%s: %s", what, strerror(errno));
	if (r == MBEDTLS_ERR_SSL_ALLOC_FAILED)
		return err_limit("TLS memory", "LIM_TLS_ARENA_BYTES",
		    LIM_TLS_ARENA_BYTES);
	if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
		return tls_why(c, r, what);
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
			r = ssl_error(c, r, host);
		} else {
			r = tls_why(c, r, host);
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
	} else if (tls_trust_source()[0] == '\0' && !insecure_mode) {
		return err_set(ERR_TLS_NO_CA, "no CA bundle found in the usual "
		    "places; set SSL_CERT_FILE or use --cacert");
	}
	mbedtls_ssl_init(&c->ssl);
	c->open = 1;
	if ((r = mbedtls_ssl_setup(&c->ssl, conf)) != 0)
		return ssl_error(c, r, host);
	if ((r = mbedtls_ssl_set_hostname(&c->ssl, host)) != 0)
		return ssl_error(c, r, host);
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
		r = c->plain ? bio_send(c, b, n) : mbedtls_ssl_write(&c->ssl, b, n);
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
		return ssl_error(c, r, "sending");
	}
	return 0;
}

int
tls_read(struct tls_conn *c, void *p, size_t cap, size_t *got)
{
	int r;

	c->deadline_ms = c->timeout_ms > 0 ? sock_now_ms() + c->timeout_ms :
	    INT64_MAX;
	*got = 0;
	for (;;) {
		r = c->plain ? bio_recv(c, p, cap) : mbedtls_ssl_read(&c->ssl, p, cap);
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
		return ssl_error(c, r, "receiving");
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
	return c->plain ? "plain HTTP" : mbedtls_ssl_get_version(&c->ssl);
}

const char *
tls_suite(const struct tls_conn *c)
{
	return mbedtls_ssl_get_ciphersuite(&c->ssl);
}

int
tls_idle_closed(struct tls_conn *c)
{
	unsigned char b;
	int i, r;

	if (!c->open)   /* never opened, or plain: not kept (http.c) */
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
 * mbedtls_psa_external_get_random: PSA's generator, and so TLS's (see
 * mbedtls_config.h): the kernel's getrandom(), which needs no file, so
 * iksctl runs in an empty root.  All of size bytes, or an error.
 */
psa_status_t
mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *ctx,
    uint8_t *output, size_t size, size_t *len)
{
	ssize_t n;

	(void)ctx;
	*len = 0;
	while (*len < size) {
		n = getrandom(output + *len, size - *len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return PSA_ERROR_INSUFFICIENT_ENTROPY;
		*len += (size_t)n;
	}
	return PSA_SUCCESS;
}
