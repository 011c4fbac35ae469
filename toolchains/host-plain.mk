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
MBED_TARGET_CFLAGS := -g
QEMU :=
