/*
 * mbedtls_config.h: iksctl's own mbedTLS 3.6 configuration.
 *
 * iksctl is a TLS client and nothing else.  Every group below says why
 * it is here; anything not listed is off, because each feature costs
 * bytes in a binary that must stay under 300 000 bytes.  The build
 * points MBEDTLS_CONFIG_FILE at this file for mbedTLS and for our code.
 */
#ifndef IKSCTL_MBEDTLS_CONFIG_H
#define IKSCTL_MBEDTLS_CONFIG_H

/*
 * Platform.  All of mbedTLS's memory comes from a static arena that
 * src/net/tls.c hands to mbedtls_memory_buffer_alloc_init(): no heap.
 * Time is needed to check certificate validity dates.
 */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
/*
 * Certificate dates go through our own UTC conversion (src/base/fmt.c):
 * libc's gmtime_r would link its time-zone code, 4 KB we never use.
 */
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/*
 * The arena's default alignment is 4 bytes: structures holding 64-bit
 * fields or pointers would be misaligned (undefined behaviour; a bus
 * error for ldrd/ldm on armv7).  Align every block on 8 bytes.
 */
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#define MBEDTLS_DEPRECATED_REMOVED

/*
 * Randomness: the kernel's getrandom(), as PSA's external generator
 * (src/net/tls.c: mbedtls_psa_external_get_random), for PSA and for TLS
 * (mbedtls_psa_get_random).  The kernel's generator is a CSPRNG itself;
 * stretching it again with the entropy module and CTR_DRBG cost about
 * 3 KB of code for nothing.  getrandom() needs no file, so iksctl runs
 * in an empty root (FROM scratch, a chroot: no /dev/random).
 */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG

/*
 * The TLS client, versions 1.3 and 1.2 (IAM and the containers API
 * speak both; older appliances' proxies may only pass 1.2).
 */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
/* Resumption in TLS 1.3 uses a ticket as a PSK, with a fresh ECDHE. */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
/*
 * TLS 1.2 hygiene that every modern server offers.  No encrypt-then-MAC:
 * it changes only CBC suites (RFC 7366), and the client offers none.
 */
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
/*
 * Session tickets, so that the store can save a session after one run
 * and the next process resumes instead of a full handshake.
 */
#define MBEDTLS_SSL_SESSION_TICKETS
/* mbedTLS 3.6's TLS 1.3 client requires the peer certificate kept. */
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
/* Records: servers may send full 16 KiB records; ours are small. */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 16384

/*
 * TLS 1.2 key exchanges: ECDHE only (forward secrecy), with ECDSA (IAM)
 * or RSA (most other hosts) certificates.  No PSK-only, no static RSA.
 */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED

/* Key agreement: X25519, P-256 and P-384. */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
/*
 * Fast reduction modulo the NIST primes: verifying IAM's P-384 chain is
 * most of a cold login's work, and this makes it several times cheaper
 * for about 1.3 KB of code.  Not on aarch64, whose budget it no longer
 * fits: its CPUs are the fast ones, and a handshake that resumes (every
 * process after the first, the store keeping the sessions) verifies no
 * chain at all.
 */
#if !defined(__aarch64__)
#define MBEDTLS_ECP_NIST_OPTIM
#endif
/*
 * No precomputed multiples of the curves' base points: the tables and
 * the code that fills them cost about 2.3 KB on aarch64, and a process
 * makes a handful of point multiplications (one ECDHE key, a few
 * signature checks on a cold start, none on a resumed one).
 */
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_BIGNUM_C
/*
 * Bignum division without the compiler's 128-bit (on 32-bit targets
 * 64-bit) divide: libgcc's __udivti3 is about 800 bytes on aarch64, and
 * division only sets up a modulus (once per RSA key, per curve), never
 * inside the exponentiation or the point multiplication.
 */
#define MBEDTLS_NO_UDBL_DIVISION

/*
 * Certificate signatures.  ECDSA for P-256 and P-384 chains (IAM's chain
 * is ECDSA P-384, DigiCert Global Root G3).  RSA 2048 to 4096 bits with
 * PKCS#1 v1.5 (certificates, TLS 1.2) and PSS (TLS 1.3 requires
 * rsa_pss_rsae for CertificateVerify: without PKCS1_V21 a TLS 1.3
 * handshake with an RSA server fails with "no suitable signature
 * algorithm").  mbedTLS only offers rsa_pss_rsae_* signature algorithms
 * when X509_RSASSA_PSS_SUPPORT is on, so it is required too.
 */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_PK_C
/*
 * Verify only: iksctl has no key of its own (no client certificate), so
 * it never signs, encrypts, decrypts or checks a key pair.  Our patch
 * third_party/patches/mbedtls-3.6.7-pk-verify-only.patch reads this and
 * leaves those operations out of pk_wrap.c's tables (about 4.8 KB on
 * aarch64); certificate and handshake signatures are verified as before.
 */
#define IKSCTL_PK_VERIFY_ONLY
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C

/*
 * X.509 and PEM: trust anchors come from PEM bundles, chains from the
 * server.  No file I/O in mbedTLS: src/net/tls.c reads the bundles itself
 * (and only parses the roots a handshake needs).
 */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
/*
 * Certificates are parsed and verified, never described: the OID tables
 * keep no names or descriptions ("sha256WithRSAEncryption", "RSA with
 * SHA-256"), and the x509 *_info() printers are left out.  No check
 * depends on them.
 */
#define MBEDTLS_X509_REMOVE_INFO
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C
/*
 * Trust anchors are looked up by a callback when a chain is verified, so
 * a run parses only the roots whose subject matches an issuer it meets
 * (Debian's bundle has 144 roots; parsing them all costs time and RAM).
 */
#define MBEDTLS_X509_TRUSTED_CERTIFICATE_CALLBACK
/*
 * A host that is an IP address is matched against the certificate's IP
 * SANs by mbedTLS's own address parser, not libc's inet_pton(): iksctl
 * resolves names itself (src/net/dns.c), and inet_pton() was the last
 * piece of musl's resolver code in the binary.  The define is mbedTLS's
 * switch for that parser (x509_crt.c); the "TEST" in its name is theirs.
 */
#define MBEDTLS_TEST_SW_INET_PTON

/*
 * Record protection: AES-GCM (128 and 256), the AEAD every TLS 1.3
 * server and every modern TLS 1.2 suite offers, on every target; plus
 * ChaCha20-Poly1305 where a CPU may lack AES instructions.  No CBC, no
 * CCM.  AES tables are computed at first use and kept small (fewer
 * tables).  GCM only ever runs AES forward, so the inverse
 * cipher (its tables, key schedule and rounds) is left out.
 */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_BLOCK_CIPHER_NO_DECRYPT
#define MBEDTLS_GCM_C

/*
 * Per target: what its CPU can use (compiler's own target macros, so
 * the host test builds follow x86_64).  The ciphersuite list is the
 * compiled-in preference (MBEDTLS_SSL_CIPHERSUITES replaces mbedTLS's
 * list of every suite it knows, about 400 bytes of table).  With AES
 * instructions AES-256-GCM comes first, as before and as in OpenSSL's
 * own list; in plain C, AES-128 (10 rounds, not 14).  src/net/tls.c
 * puts ChaCha20-Poly1305 first at run time on an aarch64 CPU without the
 * crypto extensions (src/net/cpu.c detects them).
 *
 * x86_64: AES-NI and PCLMULQDQ (mbedTLS's intrinsics, chosen at run
 * time by CPUID; the plain-C AES and GCM stay as the fallback; see
 * toolchains/x86_64-linux-musl.mk for the flags).  Every x86_64
 * CPU of the last ten years has them (Intel since Westmere, 2010, Atom
 * since Silvermont, 2013; AMD since Bulldozer and Jaguar, 2011-2013),
 * so no ChaCha20-Poly1305 here: the rare CPU or VM without them (an old
 * Atom, a hypervisor masking CPUID, qemu's qemu64 model) still speaks
 * AES-GCM, in plain C, about 3x slower, and every server offers it.
 */
/*
 * The order for a CPU without AES instructions: ChaCha20-Poly1305 first
 * (several times faster than AES-GCM in plain C, and free of its table
 * lookups), then AES-GCM for servers that offer nothing else.
 */
#define IKSCTL_SUITES_CHACHA_FIRST \
	MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS1_3_AES_128_GCM_SHA256, \
	MBEDTLS_TLS1_3_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384

#if defined(__x86_64__)
#define MBEDTLS_AESNI_C
#define MBEDTLS_SSL_CIPHERSUITES \
	MBEDTLS_TLS1_3_AES_256_GCM_SHA384, \
	MBEDTLS_TLS1_3_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
/*
 * aarch64: the Armv8 crypto extensions (AES and PMULL, mbedTLS's
 * intrinsics, chosen at run time by getauxval), the plain-C code as the
 * fallback, and ChaCha20-Poly1305, because common aarch64 CPUs lack the
 * extensions (the Raspberry Pi 4's Cortex-A72 as Broadcom ships it, and
 * the Pi 3's).  Compiled-in order: AES-GCM first; src/net/tls.c sets
 * IKSCTL_SUITES_CHACHA_FIRST instead when the CPU lacks the extensions.
 * Size: the AESCE code (about 1 KB) is paid for by the inverse cipher
 * and mbedTLS's full suite list left out above.
 */
#elif defined(__aarch64__)
#define MBEDTLS_AESCE_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_SSL_CIPHERSUITES \
	MBEDTLS_TLS1_3_AES_256_GCM_SHA384, \
	MBEDTLS_TLS1_3_AES_128_GCM_SHA256, \
	MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, \
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
/*
 * armv7 (and any other target): no AES instructions (our armv7 build is
 * plain Armv7-A; an Armv8 CPU in 32-bit mode runs it too), so
 * ChaCha20-Poly1305 first, always.
 */
#else
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_SSL_CIPHERSUITES IKSCTL_SUITES_CHACHA_FIRST
#endif

/*
 * Hashes: SHA-256 and SHA-384 for TLS and certificates; the smaller
 * (slower) implementations, since hashing is a tiny part of a run.
 * SHA-1 only so that old roots and intermediates signed with it still
 * parse (Debian's bundle has some); no handshake signature uses it.  No
 * SHA-224 (about 700 bytes on aarch64): no TLS signature algorithm of
 * 1.3 uses it, and public CAs do not sign with it.
 */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
/*
 * mbedTLS's SHA-1 block function is fully unrolled: 4 132 bytes on
 * aarch64 (4 728 x86_64, 3 748 armv7).  Ours, third_party/sha1_small.c,
 * is one loop of 80 rounds: 436 bytes (372, 336), and the binary 3.4 to
 * 4.2 KB smaller.  Slower, but SHA-1 only hashes a few certificates.
 */
#define MBEDTLS_SHA1_PROCESS_ALT
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_SHA512_SMALLER
#define MBEDTLS_HKDF_C

/*
 * PSA Crypto: mbedTLS 3.6 implements TLS 1.3 (key schedule, ECDHE) on
 * top of the PSA API, so its core is required.  No key storage.
 * MBEDTLS_USE_PSA_CRYPTO stays off: routing X.509 and TLS 1.2 through
 * PSA as well costs 8 KB more than their own code paths.
 */
#define MBEDTLS_PSA_CRYPTO_C
/*
 * Only the PSA mechanisms TLS needs (psa_crypto_config.h says which):
 * otherwise PSA offers every legacy mechanism, RSA key pairs and the
 * AEADs included, and its dispatch links them in (about 800 bytes).  The
 * ClientHello is the same byte for byte.
 */
#define MBEDTLS_PSA_CRYPTO_CONFIG
#define MBEDTLS_PSA_CRYPTO_CONFIG_FILE "psa_crypto_config.h"

#endif
