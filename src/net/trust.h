/*
 * trust.h: the default trust anchors of the TLS layer (internal to
 * src/net; tls.h has the public trust tag and source).
 *
 * trust_find() settles, once, where they come from: --cacert, else
 * SSL_CERT_FILE, else SSL_CERT_DIR, else the first system bundle that
 * exists.  A file named by the user must hold at least one PEM
 * certificate.  trust_ca_callback() is the mbedTLS CA callback that
 * finds the roots of a chain there, reading only what it must.
 */
#ifndef IKSCTL_TRUST_H
#define IKSCTL_TRUST_H

#include <mbedtls/x509_crt.h>

/*
 * trust_find: choose the trust anchors (cacert: --cacert or NULL;
 * insecure: --insecure, under which the trust tag is 0).  Returns 0, or
 * ERR_TLS_NO_CA naming the file that is missing or holds no certificate.
 */
int trust_find(const char *cacert, int insecure);

/* trust_ca_callback: mbedTLS asks for the trusted parents of child. */
int trust_ca_callback(void *ctx, const mbedtls_x509_crt *child,
    mbedtls_x509_crt **candidates);

#endif
