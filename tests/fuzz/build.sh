#!/bin/sh
# build.sh: build the libFuzzer harnesses tests/fuzz/fuzz_*.c into
# build/fuzz/fuzz_<name>, with clang -fsanitize=fuzzer,address,undefined.
#
#   tests/fuzz/build.sh [NAME...]     default: every harness
#
# The parsers are compiled straight from src/ (only the files they
# need, no mbedTLS), with the Makefile's defines and include paths;
# build/deps must exist (run `make` once).  Objects are rebuilt when
# their source or any header is newer.
set -eu
cd "$(dirname "$0")/../.."

CLANG=${FUZZ_CC:-clang}
OUT=build/fuzz
MBED=$(ls -d build/deps/mbedtls-* 2>/dev/null | head -1)
JSMN=$(ls -d build/deps/jsmn-* 2>/dev/null | head -1)
if [ -z "$MBED" ] || [ -z "$JSMN" ]; then
	echo "fuzz: build/deps is missing: run 'make' first" >&2
	exit 1
fi
command -v "$CLANG" > /dev/null || {
	echo "fuzz: $CLANG not found (Debian: apt-get install clang)" >&2
	exit 1
}

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-std=c11 -g -O1 -fno-omit-frame-pointer $SAN \
	-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DMBEDTLS_CONFIG_FILE=<mbedtls_config.h> \
	-DIKSCTL_VERSION=\"fuzz\" -DIKSCTL_TARGET=\"fuzz\" \
	-DIKSCTL_JSMN_VERSION=\"fuzz\" \
	-Isrc -Ithird_party -isystem $MBED/include -isystem $JSMN \
	-Wall -Wextra -Werror -Wno-unused-function"
LIB_SRC="src/base/errors.c src/base/str.c src/base/file.c
	src/proto/http_parse.c src/proto/http_date.c src/proto/http_check.c src/proto/json.c
	src/proto/jwt.c src/proto/base64.c src/proto/zip.c src/proto/inflate.c
	src/proto/kubeconfig.c
	src/net/url.c src/cli/query.c src/cli/query_stream.c
	src/proto/json_scan.c src/cloud/api.c src/cloud/store.c
	src/net/dns_msg.c src/net/dns_text.c"
LIB_SRC="$LIB_SRC src/base/term.c src/base/fmt.c"
HDRS=$(ls src/*/*.h tests/fuzz/fuzz.h)

mkdir -p "$OUT/obj"
# newer F DEPS...: true if F is missing or older than any of DEPS.
newer() {
	f=$1
	shift
	[ -e "$f" ] || return 0
	for d in "$@"; do [ "$d" -nt "$f" ] && return 0; done
	return 1
}

objs=""
for s in $LIB_SRC; do
	o=$OUT/obj/$(basename "$s" .c).o
	if newer "$o" "$s" $HDRS; then
		echo "  CC $s"
		$CLANG $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" "$s"
	fi
	objs="$objs $o"
done

# An archive: each harness takes only the objects it uses (api.o, for
# one, wants http.c's functions, which fuzz_query_stream stubs).
lib=$OUT/obj/libfuzz.a
if newer "$lib" $objs; then
	rm -f "$lib"
	ar rcs "$lib" $objs
fi

if [ $# -eq 0 ]; then
	set -- $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi
for n in "$@"; do
	src=tests/fuzz/fuzz_$n.c
	bin=$OUT/fuzz_$n
	if newer "$bin" "$src" "$lib" $HDRS; then
		echo "  LD $bin"
		$CLANG $CFLAGS -fsanitize=fuzzer -o "$bin" "$src" "$lib"
	fi
done
