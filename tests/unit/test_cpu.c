/*
 * test_cpu.c: the AES-instruction detection (src/net/cpu.c) and each
 * target's compiled-in ciphersuites (third_party/mbedtls_config.h).
 *
 * The detection is checked against what the kernel or the CPU says by
 * another way: /proc/cpuinfo's flags on x86_64 (the host build runs
 * natively), the auxiliary vector on aarch64 (qemu-user gives its CPU
 * model's; /proc/cpuinfo there is the host's).  Then the order: AES-GCM
 * first where the build has hardware AES, ChaCha20-Poly1305 first where
 * it has none (armv7), AES-GCM in every list, and every suite listed one
 * this build can run.
 */
#include "test.h"

#include "net/cpu.h"

#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#include <stdio.h>
#include <string.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#if defined(MBEDTLS_AESNI_C)
/* cpuinfo_has: 1 if /proc/cpuinfo's first "flags" line lists word. */
static int
cpuinfo_has(const char *word)
{
	static char line[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	size_t n = strlen(word);
	char *p;
	int found = -1;

	if (f == NULL)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		found = 0;
		for (p = strstr(line, word); p != NULL; p = strstr(p + 1, word))
			if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n'))
				found = 1;
	}
	fclose(f);
	return found;
}
#endif

TEST(detection)
{
	int hw = cpu_hw_aes();

	CHECK(hw == 0 || hw == 1);
	CHECK_EQ_INT(cpu_hw_aes(), hw);   /* cached, stable */
#if defined(MBEDTLS_AESNI_C)
	if (cpuinfo_has("aes") >= 0)
		CHECK_EQ_INT(hw, cpuinfo_has("aes") == 1 && cpuinfo_has("pclmulqdq") == 1);
	else
		printf("note: no /proc/cpuinfo flags, detection not cross-checked\n");
#elif defined(MBEDTLS_AESCE_C) && defined(__aarch64__)
	/* AT_HWCAP: ASIMD bit 1, AES bit 3, PMULL bit 4. */
	CHECK_EQ_INT(hw, (getauxval(AT_HWCAP) & 0x1a) == 0x1a);
#else
	CHECK_EQ_INT(hw, 0);   /* no hardware AES code in this build */
#endif
	printf("cpu_hw_aes: %d\n", hw);
	cpu_hw_aes_pretend(!hw);
	CHECK_EQ_INT(cpu_hw_aes(), !hw);
	cpu_hw_aes_pretend(hw);
	CHECK_EQ_INT(cpu_hw_aes(), hw);
}

/* position: index of id in the compiled-in list, or -1. */
static int
position(int id)
{
	const int *l = mbedtls_ssl_list_ciphersuites();
	int i;

	for (i = 0; l[i] != 0; i++)
		if (l[i] == id)
			return i;
	return -1;
}

TEST(suites)
{
	const int *l = mbedtls_ssl_list_ciphersuites();
	int i, n = 0;

	for (i = 0; l[i] != 0; i++) {
		n++;
		/* Every suite listed is compiled in (no silent no-ops). */
		CHECK(mbedtls_ssl_ciphersuite_from_id(l[i]) != NULL);
	}
	CHECK(n >= 6);
	/* AES-GCM everywhere: TLS 1.3 and both TLS 1.2 key exchanges. */
	CHECK(position(MBEDTLS_TLS1_3_AES_128_GCM_SHA256) >= 0);
	CHECK(position(MBEDTLS_TLS1_3_AES_256_GCM_SHA384) >= 0);
	CHECK(position(MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) >= 0);
	CHECK(position(MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) >= 0);
	CHECK(position(MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384) >= 0);
	CHECK(position(MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) >= 0);
#if defined(MBEDTLS_AESNI_C) || defined(MBEDTLS_AESCE_C)
	CHECK_EQ_INT(l[0], MBEDTLS_TLS1_3_AES_256_GCM_SHA384);
	CHECK(position(MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) <
	    position(MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
#else
	CHECK_EQ_INT(l[0], MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256);
	CHECK(position(MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256) <
	    position(MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
	CHECK(position(MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256) <
	    position(MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
#endif
#if defined(__x86_64__)
	/* No ChaCha20-Poly1305 on x86_64 (mbedtls_config.h says why). */
	CHECK(position(MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256) < 0);
	CHECK(mbedtls_ssl_ciphersuite_from_id(MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256) == NULL);
#else
	CHECK(position(MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256) >= 0);
	CHECK(position(MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256) >= 0);
	CHECK(position(MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256) >= 0);
#endif
}

int
main(void)
{
	RUN(detection);
	RUN(suites);
	return test_done();
}
