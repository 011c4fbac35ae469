# host: the machine's own gcc and glibc, for unit tests and tools under
# AddressSanitizer and UndefinedBehaviorSanitizer (they need glibc).
# mbedTLS itself is built without them (it is not our code).
ifeq ($(origin CC),default)
CC := gcc
endif
STRIP ?= strip
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
TARGET_CFLAGS := -g $(SAN)
TARGET_LDFLAGS := $(SAN)
# -maes -mpclmul: the same AES-NI code as the x86_64 build (see
# x86_64-linux-musl.mk), still chosen at run time.
MBED_TARGET_CFLAGS := -g -maes -mpclmul
QEMU :=
# Unaligned loads and stores are fine in every x86_64 instruction: mbedTLS
# may use them (see MBED_UNALIGNED in the Makefile).
MBED_UNALIGNED :=
