# x86_64, static with musl: Debian's musl-tools wrapper around the host gcc.
ifeq ($(origin CC),default)
CC := musl-gcc
endif
STRIP ?= strip
TARGET_CFLAGS :=
TARGET_LDFLAGS := -static
QEMU :=
