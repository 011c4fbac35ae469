/*
 * tls.h: TLS client connections over mbedTLS.
 *
 * tls_init() sets up, once per process, the static arena mbedTLS
 * allocates from, the random generator and the trust anchors.  Trust
 * comes from, in order: --cacert, SSL_CERT_FILE, SSL_CERT_DIR, then the
 * usual system bundles; the files are not parsed up front: when a chain
 * is verified, a callback scans them for roots whose subject matches the
 * issuer it needs, so a handshake parses only those.  The first scan of
 * a bundle file indexes it (offset and subject hash of each root), so
 * later lookups in the process decode only matching blocks.  A
 * connection can instead trust one PEM given in memory (a cluster's CA).
 *
 * Verification is always required (peer certificate, host name, SNI)
 * unless --insecure was given, which warns once.  A session can be
 * exported after a handshake and offered to the next one.
 */
#ifndef IKSCTL_TLS_H
#define IKSCTL_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ssl.h>

struct tls_conn {
	mbedtls_ssl_context ssl;   /* the mbedTLS context */
	int fd;                    /* the connected socket, owned by caller */
	int64_t deadline_ms;       /* deadline of the current operation */
	int timeout_ms;            /* per-operation timeout (0: reads wait) */
	int resumed;               /* 1 if the handshake resumed a session */
	int cert_seen;             /* a certificate was verified */
	int open;                  /* ssl is initialised */
	int plain;                 /* no TLS at all: the bytes go as they are
	                            * (http://, set by the caller, not open) */
};

/*
 * tls_init: global setup.  cacert: the --cacert file or NULL; insecure:
 * skip verification (prints a warning).  Returns 0 or a negative code.
 * Trust anchors are only located here; ERR_TLS_NO_CA comes from
 * tls_open when none exist.
 */
int tls_init(const char *cacert, int insecure);

/*
 * tls_clock_offset: the service's clock minus this machine's, as last
 * measured (the session sets it): a certificate refused for its dates
 * while it is over a day, or while this machine's clock reads earlier
 * than the build, is reported as a clock to set.
 */
extern int64_t tls_clock_offset;

/*
 * tls_open: handshake over fd for host.  ca_pem (len bytes, may be
 * NULL): trust only these roots instead of the default ones.  sess
 * (may be NULL): a session from tls_session() to resume.  Returns 0 or
 * ERR_TLS_* / ERR_NET_* with a detail.
 */
int tls_open(struct tls_conn *c, int fd, const char *host,
    const char *ca_pem, size_t ca_len, const uint8_t *sess, size_t sess_len,
    int timeout_ms);

/*
 * tls_why (tls_why.c, for tls.c): record the cause of mbedTLS error r on
 * c (a fatal alert from the server, a certificate we cannot parse) in
 * words, for host (or what was being done); returns ERR_TLS_*.
 */
int tls_why(const struct tls_conn *c, int r, const char *host);

/* tls_write: write all n bytes.  0 or a negative code. */
int tls_write(struct tls_conn *c, const void *p, size_t n);

/*
 * tls_read: read up to cap bytes.  0 with *got > 0, 0 with *got == 0 at
 * the end of the stream (close_notify or EOF), or a negative code.
 */
int tls_read(struct tls_conn *c, void *p, size_t cap, size_t *got);

/* tls_session: serialise the session for resumption into out[cap]. */
int tls_session(struct tls_conn *c, uint8_t *out, size_t cap, size_t *len);

/* tls_version: "TLSv1.3" or "TLSv1.2". */
const char *tls_version(const struct tls_conn *c);

/*
 * tls_suite: the ciphersuite negotiated, in mbedTLS's spelling
 * ("TLS1-3-AES-256-GCM-SHA384", "TLS-ECDHE-RSA-WITH-CHACHA20-POLY1305-SHA256").
 */
const char *tls_suite(const struct tls_conn *c);

/*
 * tls_idle_closed: 1 if the peer closed (or broke) an idle connection:
 * a close_notify, EOF, reset or unexpected data is waiting.  A session
 * ticket arriving late is consumed and the connection stays usable (0).
 * Never blocks.
 */
int tls_idle_closed(struct tls_conn *c);

/* Counters of the trust-anchor lookup, for tests and measurements. */
struct tls_trust_stats {
	int lookups;            /* times the verifier asked for a parent */
	int decoded;            /* PEM blocks base64-decoded */
	int parsed;             /* certificates parsed (matches) */
	int indexed;            /* certificates in the bundle's index */
};
extern struct tls_trust_stats tls_trust_stats;

/* tls_close: send close_notify (best effort) and free the context. */
void tls_close(struct tls_conn *c);

/*
 * tls_trust_tag: a number naming the default trust in force (its path,
 * size and time), so that a TLS session saved under one trust is never
 * resumed under another; 0 with --insecure, whose sessions are never
 * saved nor offered.
 */
uint32_t tls_trust_tag(void);

/* tls_trust_source: the file or folder default trust comes from, or "". */
const char *tls_trust_source(void);

#endif
