/*
 * cpu.h: whether this CPU has the instructions mbedTLS's hardware AES-GCM
 * uses (x86_64: AES-NI and PCLMULQDQ; aarch64: the Armv8 crypto
 * extensions, AES and PMULL).  src/net/tls.c orders the ciphersuites by
 * it; third_party/mbedtls_config.h says which target builds which code.
 */
#ifndef IKSCTL_CPU_H
#define IKSCTL_CPU_H

/*
 * cpu_hw_aes: 1 if this build has hardware AES-GCM code and the CPU can
 * run it, else 0 (always 0 on armv7, which builds none).  Asked of the
 * CPU once, then cached.
 */
int cpu_hw_aes(void);

/*
 * cpu_hw_aes_pretend: tests only: make cpu_hw_aes() answer has (0 or 1)
 * from now on.  On aarch64 mbedTLS follows too (its own cached answer is
 * set), so has = 0 runs the plain-C AES and GCM; on x86_64 mbedTLS keeps
 * asking CPUID (qemu-x86_64's CPU models test the real detection there).
 */
void cpu_hw_aes_pretend(int has);

#endif
