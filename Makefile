# iksctl: a small static IBM Cloud Kubernetes Service client.
#
#   make              build/iksctl (x86_64, musl, static, stripped)
#   make cross        build/<triple>/iksctl for the three targets
#   make test         unit tests (host ASan+UBSan, aarch64 and armv7 under
#                     qemu) and the integration tests
#   make size         stripped size of each target
#   make lint         reject unbounded string calls and malloc in src/
#   make bench        benchmarks (not part of make test)
#   make demo         the IBM guide, step by step, against the emulator
#   make docs         build/docs/: the man page and the bash completion
#
# TARGET selects toolchains/$(TARGET).mk.  CFLAGS and LDFLAGS given by the
# user are appended, never replaced.  `make` installs missing Debian
# packages first (toolchains/install-deps.sh) and fetches the pinned
# dependencies (third_party/fetch.sh).

VERSION := 0.1.0
TARGET ?= x86_64-linux-musl
TRIPLES := x86_64-linux-musl aarch64-linux-musl armv7-linux-musleabihf

include toolchains/$(TARGET).mk
MBED_TARGET_CFLAGS ?= $(TARGET_CFLAGS)

manifest = $(shell awk '$$1 == "$(1)" { print $$2 }' third_party/MANIFEST)
MBEDTLS_VER := $(call manifest,mbedtls)
JSMN_VER := $(call manifest,jsmn)
# Our patches over this mbedTLS version (MANIFEST "patch" lines), for `version`.
MBEDTLS_PATCHES := $(shell awk '$$1 == "patch" && $$2 == "mbedtls" && \
	$$3 == "$(MBEDTLS_VER)" { printf "%s%s", s, $$5; s = " " }' third_party/MANIFEST)
DEPS := build/deps
MBEDTLS_DIR := $(DEPS)/mbedtls-$(MBEDTLS_VER)
JSMN_DIR := $(DEPS)/jsmn-$(JSMN_VER)
MBEDTLS_STAMP := $(MBEDTLS_DIR)/include/mbedtls/version.h
JSMN_STAMP := $(JSMN_DIR)/jsmn.h

OUT := build/$(TARGET)
OBJ := $(OUT)/obj

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wpointer-arith -Wundef
SIZE_CFLAGS := -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-ident
DEFS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DMBEDTLS_CONFIG_FILE='<mbedtls_config.h>' \
	-DIKSCTL_VERSION='"$(VERSION)"' -DIKSCTL_TARGET='"$(TARGET)"' \
	-DIKSCTL_JSMN_VERSION='"$(JSMN_VER)"' \
	-DIKSCTL_MBEDTLS_PATCHES='"$(MBEDTLS_PATCHES)"'
INCS := -Isrc -Ithird_party -isystem $(MBEDTLS_DIR)/include -isystem $(JSMN_DIR)
ALL_CFLAGS := -std=c11 $(SIZE_CFLAGS) $(WARN) $(DEFS) $(INCS) \
	-ffile-prefix-map=$(CURDIR)/= $(TARGET_CFLAGS) $(LTO_CFLAGS) $(CFLAGS)
# Debian builds mbedTLS with MBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS
# ("buggy efficient unaligned access": GCC merging unaligned loads into
# ldrd/ldm, which fault on 32-bit Arm); so do we, unless the toolchain
# says its CPU does unaligned access in every instruction (x86_64 and
# aarch64 set MBED_UNALIGNED empty: mbedTLS then XORs GCM's key stream
# 8 bytes at a time, not byte by byte).  Warnings in mbedTLS are not ours
# to fix.
MBED_UNALIGNED ?= -DMBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS
MBED_CFLAGS := -std=c99 $(SIZE_CFLAGS) -w $(INCS) \
	-DMBEDTLS_CONFIG_FILE='<mbedtls_config.h>' $(MBED_UNALIGNED) \
	-ffile-prefix-map=$(CURDIR)/= $(MBED_TARGET_CFLAGS) $(LTO_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code \
	-Wl,-z,norelro $(TARGET_LDFLAGS) $(LDFLAGS)

SRC := $(sort $(wildcard src/*/*.c))
MAIN_SRC := src/cli/main.c
# alloc.c (malloc for libc's own few allocations, from a static arena)
# and strerror.c (strerror with the few texts iksctl can meet) are linked
# into the iksctl binary only, as objects: in libiksctl.a the linker would
# not take them (nothing of ours calls malloc; libc's strerror would be
# as good a match as ours), and the tests and tools keep the C library's.
# They are empty unless the toolchain defines IKSCTL_OWN_ALLOC and
# IKSCTL_OWN_STRERROR (the musl targets; not host builds, whose ASan and
# valgrind need the real allocator and whose libc words errors its own way).
OVERRIDE_SRC := src/base/alloc.c src/base/strerror.c src/base/strstr.c \
	src/base/clock.c
LIB_SRC := $(filter-out $(MAIN_SRC) $(OVERRIDE_SRC),$(SRC))
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(OBJ)/%.o)
OVERRIDE_OBJ := $(OVERRIDE_SRC:%.c=$(OBJ)/%.o)
MBED_SRC = $(sort $(wildcard $(MBEDTLS_DIR)/library/*.c))
MBED_OBJ = $(MBED_SRC:$(MBEDTLS_DIR)/library/%.c=$(OBJ)/mbedtls/%.o)
# Our replacements for mbedTLS functions (its *_ALT options in
# third_party/mbedtls_config.h): built with our warnings, archived into
# libmbedtls.a so that whatever links mbedTLS links them.
MBED_OURS := third_party/sha1_small.c
MBED_OURS_OBJ := $(MBED_OURS:%.c=$(OBJ)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OUT)/test/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(OUT)/tools/%) $(OUT)/tools/tls_probe_2100
HDRS := $(wildcard src/*/*.h) third_party/mbedtls_config.h \
	third_party/psa_crypto_config.h

.PHONY: all bin cross size lint test unit-build unit-run tools deps fetch \
	clean distclean bench demo
.DELETE_ON_ERROR:
.SECONDARY:

all: deps
	@$(MAKE) --no-print-directory TARGET=x86_64-linux-musl bin
	@cp build/x86_64-linux-musl/iksctl build/iksctl
	@echo "built build/iksctl ($$(wc -c < build/iksctl) bytes)"

deps:
	@sh toolchains/install-deps.sh build

fetch: $(MBEDTLS_STAMP) $(JSMN_STAMP)

# A change of the manifest or of a patch re-runs the unpack (fetch.sh then
# unpacks again if the patches applied differ from those wanted).
$(MBEDTLS_STAMP): third_party/MANIFEST $(wildcard third_party/patches/mbedtls-*)
	@sh third_party/fetch.sh unpack mbedtls $(DEPS)
	@touch $@
# After mbedTLS, never beside it: under make -j both would share fetch.sh's
# private apt state when they fall back to Debian's source packages.
$(JSMN_STAMP): | $(MBEDTLS_STAMP)
	@sh third_party/fetch.sh unpack jsmn $(DEPS)
	@touch $@

bin: $(OUT)/iksctl

$(OUT)/iksctl: $(MAIN_OBJ) $(OVERRIDE_OBJ) $(OUT)/libiksctl.a $(OUT)/libmbedtls.a
	@echo "  LD $@"
	@$(CC) $(ALL_CFLAGS) -Wno-error -o $@.unstripped $^ $(ALL_LDFLAGS)
	@$(STRIP) -s -R .comment -R .note -o $@ $@.unstripped
	@$(if $(SSTRIP),$(SSTRIP) $@)

$(OUT)/libiksctl.a: $(LIB_OBJ)
	@rm -f $@
	@$(AR) rcs $@ $^

# The mbedTLS sources exist only once fetched: a sub-make lists them, so
# that the list is not taken (empty) before the fetch.
$(OUT)/libmbedtls.a: $(MBEDTLS_STAMP) third_party/mbedtls_config.h \
	third_party/psa_crypto_config.h $(MBED_OURS)
	@$(MAKE) --no-print-directory TARGET=$(TARGET) mbed-lib

.PHONY: mbed-lib
mbed-lib: $(MBED_OBJ) $(MBED_OURS_OBJ)
	@rm -f $(OUT)/libmbedtls.a
	@$(AR) rcs $(OUT)/libmbedtls.a $(MBED_OBJ) $(MBED_OURS_OBJ)
	@test -n "$(MBED_OBJ)" || { echo "no mbedTLS sources in $(MBEDTLS_DIR)"; exit 1; }

# tls.c knows when this iksctl was built, to tell a clock set before it:
# SOURCE_DATE_EPOCH, else the last commit's time (reproducible).
BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),0)
$(OBJ)/src/net/tls.o: FILE_DEFS = -DIKSCTL_BUILD_EPOCH=$(BUILD_EPOCH)

# The command table (src/cli/commands.txt) gives main.c its dispatch rows
# and its help pages, deflated (gzip -9n less its 10-byte header and
# 8-byte trailer is a raw deflate stream; inflate.c reads it back).
GEN := $(OUT)/gen
CMD_TABLE := src/cli/commands.txt src/cli/commands.awk
$(GEN)/commands.inc: $(CMD_TABLE)
	@mkdir -p $(GEN)
	@awk -v mode=c -f src/cli/commands.awk src/cli/commands.txt > $@.tmp
	@mv $@.tmp $@
$(GEN)/help_z.inc: $(CMD_TABLE)
	@mkdir -p $(GEN)
	@awk -v mode=help -f src/cli/commands.awk src/cli/commands.txt > $@.txt
	@{ echo "#define HELP_LEN $$(wc -c < $@.txt)"; \
	  echo "static const uint8_t help_z[] = {"; \
	  gzip -9n < $@.txt | tail -c +11 | head -c -8 | od -An -v -tu1 | \
	    awk -v mode=bytes -f src/cli/commands.awk; \
	  echo "};"; } > $@.tmp
	@mv $@.tmp $@
$(OBJ)/src/cli/main.o: $(GEN)/commands.inc $(GEN)/help_z.inc
$(OBJ)/src/cli/main.o: FILE_DEFS = -I$(GEN)

$(OBJ)/src/%.o: src/%.c $(HDRS) $(MBEDTLS_STAMP) $(JSMN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) $(FILE_DEFS) -c -o $@ $<

# MBED_FAST (toolchains/*.mk): mbedTLS files built for speed, not size:
# -O2, and outside LTO, whose link-time -Os would otherwise win.
$(foreach f,$(MBED_FAST),$(OBJ)/mbedtls/$(f).o): MBED_FILE_CFLAGS = -O2 -fno-lto $(MBED_FAST_CFLAGS)
$(OBJ)/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c third_party/mbedtls_config.h \
	third_party/psa_crypto_config.h
	@mkdir -p $(dir $@)
	@$(CC) $(MBED_CFLAGS) $(MBED_FILE_CFLAGS) -c -o $@ $<
	@echo "  CC mbedtls/$*.c"

$(OBJ)/third_party/%.o: third_party/%.c third_party/mbedtls_config.h \
	third_party/psa_crypto_config.h $(MBEDTLS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/tests/%.o: tests/%.c $(wildcard tests/unit/*.h) $(HDRS) $(JSMN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(OUT)/test/%: $(OBJ)/tests/unit/%.o $(OUT)/libiksctl.a $(OUT)/libmbedtls.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(ALL_CFLAGS) -fno-lto -o $@ $^ $(ALL_LDFLAGS)

$(OUT)/tools/%: $(OBJ)/tests/tools/%.o $(OUT)/libiksctl.a $(OUT)/libmbedtls.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(ALL_CFLAGS) -fno-lto -o $@ $^ $(ALL_LDFLAGS)

# tls_probe as if built in 2100: this machine's clock then reads earlier
# than the build (test_clock.sh).  Its tls.o comes before the library's.
$(OBJ)/tests/tools/tls_2100.o: src/net/tls.c $(HDRS) $(MBEDTLS_STAMP)
	@mkdir -p $(dir $@)
	@$(CC) $(ALL_CFLAGS) -DIKSCTL_BUILD_EPOCH=4102444800 -c -o $@ $<
$(OUT)/tools/tls_probe_2100: $(OBJ)/tests/tools/tls_probe.o \
	$(OBJ)/tests/tools/tls_2100.o $(OUT)/libiksctl.a $(OUT)/libmbedtls.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(ALL_CFLAGS) -fno-lto -o $@ $^ $(ALL_LDFLAGS)

unit-build: $(UNIT_BIN)
tools: $(TOOL_BIN)

# unit-run: run this target's unit tests (under qemu for ARM targets).
unit-run: unit-build
	@sh tests/run.sh --runner "$(QEMU)" $(UNIT_BIN)

cross: deps-cross
	@for t in $(TRIPLES); do \
		$(MAKE) --no-print-directory TARGET=$$t bin || exit 1; \
	done
	@for t in $(TRIPLES); do file build/$$t/iksctl; done

.PHONY: deps-cross deps-test
deps-cross:
	@sh toolchains/install-deps.sh build cross
deps-test:
	@sh toolchains/install-deps.sh build cross test

size: cross
	@printf '%-26s %10s %10s\n' target bytes limit
	@for t in $(TRIPLES); do \
		case $$t in armv7*) lim=250000 ;; *) lim=300000 ;; esac; \
		n=$$(wc -c < build/$$t/iksctl); \
		if [ $$n -le $$lim ]; then ok=ok; else ok=OVER; fi; \
		printf '%-26s %10s %10s %s\n' $$t $$n $$lim $$ok; \
	done

# The README's test command.  Builds everything it needs, then runs the
# unit tests on every target and the integration tests on x86_64 (the
# ARM builds' tools too: test_tls_suites.sh runs them under qemu).
test: deps-test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory TARGET=host unit-build tools
	@$(MAKE) --no-print-directory TARGET=x86_64-linux-musl tools
	@for t in aarch64-linux-musl armv7-linux-musleabihf; do \
		$(MAKE) --no-print-directory TARGET=$$t unit-build tools || exit 1; \
	done
	@sh tests/run.sh --all

LINT_RE := '\b(strcpy|strcat|sprintf|vsprintf|atoi|atol|atoll|strtok|sscanf|gets|malloc|calloc|realloc|free|alloca)[[:space:]]*\('
# src/base/alloc.c defines malloc, calloc, realloc and free for libc's
# own use; it names them as ALLOC_NAME(malloc) (so that its unit test can
# rename them), which this rule does not match; it calls none of them.
lint:
	@if grep -nE $(LINT_RE) $(SRC) $(wildcard src/*/*.h); then \
		echo "lint: unbounded string call or heap allocation in src/ (see above)"; \
		exit 1; \
	fi
	@echo "lint: ok ($(words $(SRC)) files)"

bench: deps-test all
	@sh tests/bench/run.sh

demo: deps-test all
	@sh tests/demo.sh

clean:
	rm -rf build/x86_64-linux-musl build/aarch64-linux-musl \
		build/armv7-linux-musleabihf build/host build/iksctl

distclean:
	rm -rf build third_party/cache

# ---- issue 8: hardening (fuzzing, sanitizers, valgrind) -------------
# Owned by the hardening work; appended, no rule above is changed.
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_JOBS=2] [FUZZ_TARGETS="http url"]
#                     build the libFuzzer harnesses (tests/fuzz/), run
#                     each FUZZ_SECONDS, update tests/fuzz/README.md
#   make fuzz-build   only build them (build/fuzz/fuzz_<name>)
#   make fuzz-corpus  run each harness once over its corpus (as make test)
#   make test-asan    the integration suite against an ASan+UBSan build
#   make test-valgrind  the integration suite under valgrind
#                     (TARGET=host-plain: glibc, no sanitizers)
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
FUZZ_TARGETS ?=
.PHONY: fuzz fuzz-build fuzz-corpus test-asan test-valgrind
fuzz-build: fetch
	@sh tests/fuzz/build.sh
fuzz: fetch
	@sh tests/fuzz/run.sh -j $(FUZZ_JOBS) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-corpus: fetch
	@sh tests/integration/test_fuzz_corpus.sh
test-asan: fetch
	@sh tests/sanitize.sh asan
test-valgrind: fetch
	@sh tests/sanitize.sh valgrind
# ---- end of issue 8 block -------------------------------------------
# ---- issue 9: release tarballs (make dist) ---------------------------
# Owned by the release work; appended, no rule above is changed.
#   make dist         build/dist/iksctl-$(VERSION)-<triple>.tar.gz for the
#                     three targets (binary, man page, bash completion,
#                     licences, SHA256SUMS), the Debian packages
#                     build/dist/iksctl_$(VERSION)_<arch>.deb (amd64, arm64,
#                     armhf: toolchains/dist/deb.sh) and build/dist/SHA256SUMS;
#                     reproducible (toolchains/dist.sh)
#   make dist-check   two clean builds of make dist in copies of the tree,
#                     compared byte for byte (slow; not part of make test)
.PHONY: dist dist-check docs
# docs: build/docs/iksctl.1 and iksctl.bash, made from the command table
# as the release makes them (toolchains/dist/docs.sh).
docs:
	@VERSION=$(VERSION) sh toolchains/dist/docs.sh -o build/docs
dist: cross
	@VERSION=$(VERSION) sh toolchains/dist.sh
dist-check:
	@VERSION=$(VERSION) sh toolchains/dist/check.sh
# ---- end of issue 9 block --------------------------------------------
