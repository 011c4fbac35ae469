/*
 * tls_why.c: a TLS failure that is neither a certificate refused by our
 * checks nor a socket error, in words: the cause a user can act on (no
 * TLS version or cipher suite in common, a certificate algorithm or key
 * type we do not support, a server that wants a client certificate),
 * not mbedTLS's number.
 *
 * A fatal alert from the server says little by itself: OpenSSL answers
 * handshake_failure both when no cipher suite is shared and when no
 * signature algorithm suits its certificate's key, so one message names
 * both.  Where in the handshake it came tells the rest: after our whole
 * TLS 1.2 flight (ClientKeyExchange, Finished) it is the server refusing
 * a client without a certificate (TLS 1.3 servers say so with
 * certificate_required, after the handshake, on the first read).
 */
#include "net/tls.h"
#include "base/errors.h"

#include <mbedtls/pk.h>
#include <mbedtls/x509.h>

/* What iksctl speaks, for the messages (mbedtls_config.h). */
#if defined(MBEDTLS_CHACHAPOLY_C)
#define WE_AEAD "AES-GCM or ChaCha20-Poly1305"
#else
#define WE_AEAD "AES-GCM"
#endif
static const char we_offer[] = "; iksctl offers ECDHE with " WE_AEAD
    ", and verifies RSA and ECDSA P-256/P-384 certificates";

/* alert_why: the fatal alert the server sent, during or after the handshake. */
static int
alert_why(const struct tls_conn *c, const char *host)
{
	unsigned a = c->ssl.MBEDTLS_PRIVATE(in_msg)[1];
	int st = c->ssl.MBEDTLS_PRIVATE(state);
	const char *why = "the server ended the connection", *tail = "";

	if (a == MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION) {
		why = "no TLS version in common: the server refused TLS 1.2 and "
		    "1.3, and iksctl speaks no older one";
	} else if (a == MBEDTLS_SSL_ALERT_MSG_CERT_REQUIRED ||
	    (a == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE &&
	    st > MBEDTLS_SSL_SERVER_HELLO_DONE && st < MBEDTLS_SSL_HANDSHAKE_OVER)) {
		why = "the server requires a client certificate, which iksctl "
		    "does not send";
	} else if ((a == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE ||
	    a == MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY) &&
	    st <= MBEDTLS_SSL_SERVER_HELLO) {
		why = "no cipher suite or certificate key type in common with the "
		    "server";
		tail = we_offer;
	}
	return err_set(ERR_TLS_HANDSHAKE, "%s: %s (TLS alert %u)%s", host, why,
	    a, tail);
}

int
tls_why(const struct tls_conn *c, int r, const char *host)
{
	int high = -r & 0xff80;   /* mbedTLS's high-level part of r */
	const char *why;

	if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
		return alert_why(c, host);
	if (high == -MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG)
		why = "is signed with an algorithm";
	else if (high == -MBEDTLS_ERR_PK_UNKNOWN_PK_ALG ||
	    high == -MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE ||
	    high == -MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
		why = "has a key type";
	else
		return err_set(ERR_TLS_HANDSHAKE, "%s: TLS handshake failed "
		    "(mbedTLS -0x%04x)", host, -r);
	return err_set(ERR_TLS_CERT, "%s: the server's certificate chain %s "
	    "iksctl does not support%s", host, why, we_offer);
}
