# aarch64, static with musl: Debian's gcc-aarch64-linux-gnu with the
# multiarch musl-dev:arm64 (its specs file sits beside its libc.a).
ifeq ($(origin CC),default)
CC := aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
endif
STRIP := aarch64-linux-gnu-strip
TARGET_CFLAGS :=
# The 64 KiB default page alignment would pad the file by about 57 KB.
TARGET_LDFLAGS := -static -Wl,-z,max-page-size=4096
QEMU := qemu-aarch64-static
