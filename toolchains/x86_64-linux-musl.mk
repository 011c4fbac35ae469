# x86_64, static with musl: Debian's musl-tools wrapper around the host gcc.
ifeq ($(origin CC),default)
CC := musl-gcc
endif
STRIP ?= strip
# The shipped static binary also loses its section headers (about 1 KB;
# toolchains/sstrip.sh says why that is safe).
SSTRIP := sh toolchains/sstrip.sh
# A static executable is not position-independent: code built for PIE
# only pays for GOT indirections (about 3 KB on aarch64).
# IKSCTL_OWN_PRINTF, IKSCTL_OWN_ALLOC, IKSCTL_OWN_STRERROR,
# IKSCTL_OWN_STRSTR and IKSCTL_OWN_CLOCK: fmt.c, alloc.c, strerror.c,
# strstr.c and clock.c replace libc's printf engine, its malloc, its
# strerror table, its two-way strstr and its vDSO clock lookup (static
# musl links only).
# -maes -mpclmul: mbedTLS's AES-NI code is then its intrinsics (its
# inline-assembly variant does not survive LTO, and the intrinsics also
# expand keys in hardware).  GCC emits these instructions only where the
# intrinsics are written, in code mbedTLS runs after CPUID said yes, so
# the binary still runs on a CPU without them (plain-C AES-GCM).
TARGET_CFLAGS := -DIKSCTL_OWN_PRINTF -DIKSCTL_OWN_ALLOC -DIKSCTL_OWN_STRERROR -DIKSCTL_OWN_STRSTR -DIKSCTL_OWN_CLOCK -fno-pie -maes -mpclmul
TARGET_LDFLAGS := -static -no-pie
QEMU :=
# Link-time optimisation for the shipped binary: about 4 per cent smaller.
# Fat objects keep ordinary code too, so test programs link without LTO.
# One partition: the whole program optimised at once (about 800 bytes
# smaller than the default partitions, and the same size every build).
LTO_CFLAGS := -flto -ffat-lto-objects -flto-partition=one
ifeq ($(origin AR),default)
AR := gcc-ar
endif
# Unaligned loads and stores are fine in every x86_64 instruction: mbedTLS
# may use them (see MBED_UNALIGNED in the Makefile).
MBED_UNALIGNED :=
# aesni.c built for speed (MBED_FAST in the Makefile: -O2, outside LTO),
# with SSSE3 so that GCM's byte reversals become one pshufb each: GHASH
# drops from about 295 to 64 instructions a block, for 550 bytes.  Every
# CPU with AES-NI has SSSE3, and this file's code for other CPUs
# (mbedtls_aesni_has_support: CPUID and a bit test) uses none of it.
MBED_FAST := aesni
MBED_FAST_CFLAGS := -mssse3
