# armv7 hard-float, static with musl: Debian's gcc-arm-linux-gnueabihf with
# the multiarch musl-dev:armhf.  Thumb-2 code is about a third smaller.
ifeq ($(origin CC),default)
CC := arm-linux-gnueabihf-gcc -specs /usr/lib/arm-linux-musleabihf/musl-gcc.specs
endif
STRIP := arm-linux-gnueabihf-strip
# The shipped static binary also loses its section headers (about 1 KB;
# toolchains/sstrip.sh says why that is safe).
SSTRIP := sh toolchains/sstrip.sh
# A static executable is not position-independent: code built for PIE
# only pays for GOT indirections (about 3 KB on aarch64).
# IKSCTL_OWN_PRINTF, IKSCTL_OWN_ALLOC, IKSCTL_OWN_STRERROR and
# IKSCTL_OWN_STRSTR: fmt.c, alloc.c, strerror.c and strstr.c replace
# libc's printf engine, its malloc, its strerror table and its two-way
# strstr (static musl links only).
TARGET_CFLAGS := -DIKSCTL_OWN_PRINTF -DIKSCTL_OWN_ALLOC -DIKSCTL_OWN_STRERROR -DIKSCTL_OWN_STRSTR -fno-pie -march=armv7-a -mfpu=vfpv3-d16 -mfloat-abi=hard -mthumb
TARGET_LDFLAGS := -static -no-pie -Wl,-z,max-page-size=4096
QEMU := qemu-arm-static
# Link-time optimisation for the shipped binary: about 4 per cent smaller.
# Fat objects keep ordinary code too, so test programs link without LTO.
# One partition: the whole program optimised at once (about 800 bytes
# smaller than the default partitions, and the same size every build).
LTO_CFLAGS := -flto -ffat-lto-objects -flto-partition=one
ifeq ($(origin AR),default)
AR := arm-linux-gnueabihf-gcc-ar
endif
