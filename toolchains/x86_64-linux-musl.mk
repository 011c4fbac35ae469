# x86_64, static with musl: Debian's musl-tools wrapper around the host gcc.
ifeq ($(origin CC),default)
CC := musl-gcc
endif
STRIP ?= strip
# A static executable is not position-independent: code built for PIE
# only pays for GOT indirections (about 3 KB on aarch64).
# IKSCTL_OWN_PRINTF, IKSCTL_OWN_ALLOC and IKSCTL_OWN_STRERROR: fmt.c,
# alloc.c and strerror.c replace libc's printf engine, its malloc and its
# strerror table (static musl links only).
TARGET_CFLAGS := -DIKSCTL_OWN_PRINTF -DIKSCTL_OWN_ALLOC -DIKSCTL_OWN_STRERROR -fno-pie
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
