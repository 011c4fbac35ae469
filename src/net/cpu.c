/*
 * cpu.c: the CPU feature test behind cpu_hw_aes() (see cpu.h).  It asks
 * the same question as mbedTLS's own run-time detection, so that the
 * ciphersuite order and the code mbedTLS picks agree: CPUID leaf 1 on
 * x86_64 (ECX bit 25 AES-NI, bit 1 PCLMULQDQ); the kernel's AT_HWCAP on
 * aarch64 (HWCAP_AES, HWCAP_PMULL; mbedTLS checks AES and ASIMD and
 * uses PMULL with them: every Armv8 core with the AES instructions has
 * PMULL, both being the crypto extension).  No state but the cache.
 */
#include "net/cpu.h"

#include <mbedtls/build_info.h>

#if defined(MBEDTLS_AESNI_C) && defined(__x86_64__)
#include <cpuid.h>
#elif defined(MBEDTLS_AESCE_C) && defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_AES
#define HWCAP_AES (1 << 3)
#endif
#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)
#endif
/* mbedTLS's cached answer (library/aesce.h, not an installed header). */
extern signed char mbedtls_aesce_has_support_result;
#endif

static signed char cached = -1;   /* -1: not asked yet */

static int
ask_cpu(void)
{
#if defined(MBEDTLS_AESNI_C) && defined(__x86_64__)
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return (c & (1u << 25)) != 0 && (c & (1u << 1)) != 0;
#elif defined(MBEDTLS_AESCE_C) && defined(__aarch64__)
	unsigned long want = HWCAP_ASIMD | HWCAP_AES | HWCAP_PMULL;

	return (getauxval(AT_HWCAP) & want) == want;
#else
	return 0;
#endif
}

int
cpu_hw_aes(void)
{
	if (cached < 0)
		cached = (signed char)ask_cpu();
	return cached;
}

void
cpu_hw_aes_pretend(int has)
{
	cached = (signed char)(has != 0);
#if defined(MBEDTLS_AESCE_C) && defined(__aarch64__)
	mbedtls_aesce_has_support_result = (signed char)(has != 0);
#endif
}
