/*
 * psa_crypto_config.h: the PSA Crypto mechanisms our TLS client uses
 * (mbedTLS 3.6 reads it because mbedtls_config.h defines
 * MBEDTLS_PSA_CRYPTO_CONFIG).  Without it PSA would offer everything the
 * legacy configuration can do, RSA keys and AEAD included, and every
 * PSA dispatch function would link that code in.  mbedTLS 3.6 runs
 * these through PSA whatever MBEDTLS_USE_PSA_CRYPTO says:
 *
 * - the running handshake hash and the TLS 1.3 transcript: SHA-256 and
 *   SHA-384;
 * - the TLS 1.3 key schedule: HKDF-Extract and HKDF-Expand over them,
 *   HMAC for Finished;
 * - the TLS 1.2 PRF;
 * - the TLS 1.3 (EC)DHE key exchange: key generation, export of the
 *   public key and ECDH on X25519, P-256 and P-384.
 *
 * Certificate and CertificateVerify signatures (RSA, RSA-PSS, ECDSA),
 * TLS 1.2's ECDHE and the record ciphers (AES-GCM, ChaCha20-Poly1305)
 * stay on the legacy modules of mbedtls_config.h.
 */
#ifndef IKSCTL_PSA_CRYPTO_CONFIG_H
#define IKSCTL_PSA_CRYPTO_CONFIG_H

#define PSA_WANT_ALG_SHA_256                    1
#define PSA_WANT_ALG_SHA_384                    1
/* TLS 1.3 offers rsa_pss_rsae_sha512 only with it, as before. */
#define PSA_WANT_ALG_SHA_512                    1
#define PSA_WANT_ALG_HMAC                       1
#define PSA_WANT_KEY_TYPE_HMAC                  1
#define PSA_WANT_ALG_HKDF                       1
#define PSA_WANT_ALG_HKDF_EXTRACT               1
#define PSA_WANT_ALG_HKDF_EXPAND                1
#define PSA_WANT_ALG_TLS12_PRF                  1
#define PSA_WANT_KEY_TYPE_DERIVE                1
#define PSA_WANT_KEY_TYPE_RAW_DATA              1

/*
 * Not used through PSA, but mbedTLS 3.6's TLS 1.2 client accepts a
 * ServerKeyExchange signed with rsa_pss_rsae_* (OpenSSL's choice for an
 * RSA server) only when this is defined; the check itself is legacy.
 */
#define PSA_WANT_ALG_RSA_PSS                    1
#define PSA_WANT_KEY_TYPE_RSA_PUBLIC_KEY        1

#define PSA_WANT_ALG_ECDH                       1
#define PSA_WANT_ECC_MONTGOMERY_255             1
#define PSA_WANT_ECC_SECP_R1_256                1
#define PSA_WANT_ECC_SECP_R1_384                1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY        1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_BASIC    1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_IMPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_EXPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_GENERATE 1

#endif
