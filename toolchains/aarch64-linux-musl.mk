# aarch64, static with musl: Debian's gcc-aarch64-linux-gnu with the
# multiarch musl-dev:arm64 (its specs file sits beside its libc.a).
ifeq ($(origin CC),default)
CC := aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
endif
STRIP := aarch64-linux-gnu-strip
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
TARGET_CFLAGS := -DIKSCTL_OWN_PRINTF -DIKSCTL_OWN_ALLOC -DIKSCTL_OWN_STRERROR -DIKSCTL_OWN_STRSTR -DIKSCTL_OWN_CLOCK -fno-pie
# The 64 KiB default page alignment would pad the file by about 57 KB.
# With a 64-byte "common page" ld starts the data segment at the file
# offset where the text ends (its address stays congruent modulo the
# 4 KiB page), instead of padding the file up to the next page.
TARGET_LDFLAGS := -static -no-pie -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=64
QEMU := qemu-aarch64-static
# Link-time optimisation for the shipped binary: about 4 per cent smaller.
# Fat objects keep ordinary code too, so test programs link without LTO.
# One partition: the whole program optimised at once (about 800 bytes
# smaller than the default partitions, and the same size every build).
LTO_CFLAGS := -flto -ffat-lto-objects -flto-partition=one
ifeq ($(origin AR),default)
AR := aarch64-linux-gnu-gcc-ar
endif
# Unaligned loads and stores are fine in every aarch64 instruction: mbedTLS
# may use them (see MBED_UNALIGNED in the Makefile).
MBED_UNALIGNED :=
