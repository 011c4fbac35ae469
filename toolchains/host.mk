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
MBED_TARGET_CFLAGS := -g
QEMU :=
