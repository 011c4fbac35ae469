# aarch64, static with musl: Debian's gcc-aarch64-linux-gnu with the
# multiarch musl-dev:arm64 (its specs file sits beside its libc.a).
ifeq ($(origin CC),default)
CC := aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
endif
STRIP := aarch64-linux-gnu-strip
TARGET_CFLAGS := -DIKSCTL_OWN_PRINTF
# The 64 KiB default page alignment would pad the file by about 57 KB.
TARGET_LDFLAGS := -static -Wl,-z,max-page-size=4096
QEMU := qemu-aarch64-static
# Link-time optimisation for the shipped binary: about 4 per cent smaller.
# Fat objects keep ordinary code too, so test programs link without LTO.
LTO_CFLAGS := -flto -ffat-lto-objects
ifeq ($(origin AR),default)
AR := aarch64-linux-gnu-gcc-ar
endif
