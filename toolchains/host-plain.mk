# host-plain: the machine's own gcc and glibc without sanitizers, for
# running iksctl under valgrind (tests/sanitize.sh valgrind).  Valgrind
# and AddressSanitizer cannot share a process, hence this second host
# build.  -O1 keeps valgrind's reports readable and its run time sane.
ifeq ($(origin CC),default)
CC := gcc
endif
STRIP ?= strip
TARGET_CFLAGS := -g -O1 -fno-omit-frame-pointer
TARGET_LDFLAGS :=
# -maes -mpclmul: the same AES-NI code as the x86_64 build (see
# x86_64-linux-musl.mk), still chosen at run time.
MBED_TARGET_CFLAGS := -g -maes -mpclmul
QEMU :=
# Unaligned loads and stores are fine in every x86_64 instruction: mbedTLS
# may use them (see MBED_UNALIGNED in the Makefile).
MBED_UNALIGNED :=
