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
#define WE_OFFER "iksctl offers ECDHE with " WE_AEAD ", and verifies RSA " \
	"and ECDSA P-256/P-384 certificates"

/* alert_why: the fatal alert the server sent, during or after the handshake. */
static int
alert_why(const struct tls_conn *c, const char *host)
{
	unsigned a = c->ssl.MBEDTLS_PRIVATE(in_msg)[1];
	int st = c->ssl.MBEDTLS_PRIVATE(state);

	if (a == MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION)
		return err_set(ERR_TLS_HANDSHAKE, "%s: no TLS version in common: "
		    "the server refused TLS 1.2 and 1.3 (protocol_version alert); "
		    "iksctl speaks no older version", host);
	if (a == MBEDTLS_SSL_ALERT_MSG_CERT_REQUIRED ||
	    (a == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE &&
	    st > MBEDTLS_SSL_SERVER_HELLO_DONE && st < MBEDTLS_SSL_HANDSHAKE_OVER))
		return err_set(ERR_TLS_HANDSHAKE, "%s: the server requires a client "
		    "certificate (alert %u); iksctl does not send one", host, a);
	if ((a == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE ||
	    a == MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY) &&
	    st <= MBEDTLS_SSL_SERVER_HELLO)
		return err_set(ERR_TLS_HANDSHAKE, "%s: no cipher suite or "
		    "certificate key type in common with the server (alert %u): "
		    WE_OFFER, host, a);
	return err_set(ERR_TLS_HANDSHAKE, "%s: the server ended the "
	    "connection with TLS alert %u", host, a);
}

int
tls_why(const struct tls_conn *c, int r, const char *host)
{
	int high = -r & 0xff80;   /* mbedTLS's high-level part of r */

	if (r == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
		return alert_why(c, host);
	if (high == -MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG)
		return err_set(ERR_TLS_CERT, "%s: the server's certificate chain "
		    "is signed with an algorithm iksctl does not support "
		    "(such as Ed25519 or DSA); " WE_OFFER, host);
	if (high == -MBEDTLS_ERR_PK_UNKNOWN_PK_ALG ||
	    high == -MBEDTLS_ERR_PK_UNKNOWN_NAMED_CURVE ||
	    high == -MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
		return err_set(ERR_TLS_CERT, "%s: the server's certificate chain "
		    "has a key type iksctl does not support; " WE_OFFER, host);
	if (high >= -MBEDTLS_ERR_X509_FEATURE_UNAVAILABLE &&
	    high < -MBEDTLS_ERR_PK_ALLOC_FAILED &&
	    high != -MBEDTLS_ERR_X509_ALLOC_FAILED)
		return err_set(ERR_TLS_CERT, "%s: the server's certificate does "
		    "not parse (mbedTLS -0x%04x)", host, -r);
	return err_set(ERR_TLS_HANDSHAKE, "%s: TLS handshake failed "
	    "(mbedTLS -0x%04x)", host, -r);
}
