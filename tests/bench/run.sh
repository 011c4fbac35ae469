#!/bin/sh
# run.sh: `make bench` (issue 7).  iksctl against the curl commands of
# IBM's "Setting up the API" guide, on the local emulator; writes
# bench/RESULTS.md.  Not part of `make test`.  About 3 to 6 minutes.
#
# Needs (Debian packages): curl jq valgrind strace time unzip binutils
# python3 openssl musl-tools util-linux (unshare, as root, for the
# fleet); plus what `make cross` needs (it is run
# here so that the sizes of the three targets are current).
# BENCH_RUNS (default 15) sets the number of timed runs per tool and
# scenario, BENCH_TRACED (3) the number of traced runs, BENCH_BULK_RUNS
# (7) those of the 6 MB cluster and 20 MB pod lists (tests/bench/bulk.sh); qemu-user-static
# runs the ARM builds there.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUT=$ROOT/bench/RESULTS.md

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# --- what we need -------------------------------------------------------
missing=""
need() { command -v "$1" > /dev/null 2>&1 || missing="$missing $2"; }
need curl curl
need jq jq
need valgrind valgrind
need callgrind_annotate valgrind
need strace strace
need unzip unzip
need addr2line binutils
need python3 python3
need openssl openssl
need musl-gcc musl-tools
need qemu-aarch64-static qemu-user-static
need qemu-x86_64-static qemu-user-static
[ -x /usr/bin/time ] || missing="$missing time"
[ -r /etc/ssl/certs/ca-certificates.crt ] || missing="$missing ca-certificates"
if [ -n "$missing" ]; then
	pk=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
	die "missing tools; install them with: apt-get install $pk"
fi

# --- binaries -----------------------------------------------------------
[ -x build/iksctl ] || die "build/iksctl is missing (run make)"
if [ -n "${BENCH_NO_CROSS:-}" ]; then
	say "BENCH_NO_CROSS set: sizes are those of the binaries present"
else
	say "make cross (sizes of the three targets)"
fi
if [ -z "${BENCH_NO_CROSS:-}" ] && ! make --no-print-directory cross > "${TMPDIR:-/tmp}/iksctl-bench-cross.log" 2>&1; then
	say "make cross failed (see ${TMPDIR:-/tmp}/iksctl-bench-cross.log); sizes are those of the binaries present"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/iksctl-bench.XXXXXX")
EMU=$TMP/emu
cleanup() {
	[ -f "$EMU/pid" ] && sh tests/emulator/emu.sh stop "$EMU" > /dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

O=build/x86_64-linux-musl
# Copies: the bench measures one binary even if build/ changes meanwhile.
cp build/iksctl "$TMP/iksctl" || die "cannot copy build/iksctl"
cp $O/iksctl.unstripped "$TMP/iksctl.unstripped" 2> /dev/null ||
	cp build/iksctl "$TMP/iksctl.unstripped"
for f in $O/obj/src/cli/main.o $O/obj/src/base/alloc.o $O/libiksctl.a \
    $O/libmbedtls.a; do
	[ -f "$f" ] || die "$f is missing (run make)"
done
# The objects as the Makefile links them (its bin rule's flags), but with
# -fno-lto: the objects are fat LTO objects, so this links their ordinary
# code; --wrap and a per-object link map need that (same source, same
# calls; only the LTO inlining differs).
LDF="-fno-lto -static -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,noseparate-code -Wl,-z,norelro"
OBJS="$O/obj/src/cli/main.o $O/obj/src/base/alloc.o $O/libiksctl.a $O/libmbedtls.a"

say "heap-counting build (--wrap=malloc,calloc,realloc,free)"
musl-gcc -std=c11 -Os -Wall -Wextra -Werror -c -o "$TMP/mallocwrap.o" tests/bench/mallocwrap.c ||
	die "mallocwrap.c does not compile"
# shellcheck disable=SC2086
musl-gcc -Os -o "$TMP/iksctl-mallocwrap" $OBJS "$TMP/mallocwrap.o" $LDF \
	-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free ||
	die "the heap-counting build failed"

say "size breakdown (link map of the x86_64 binary)"
# shellcheck disable=SC2086
musl-gcc -Os -o "$TMP/iksctl-map" $OBJS $LDF -Wl,-Map="$TMP/iksctl.map" &&
	strip -s -R .comment -R .note -o "$TMP/iksctl-map.stripped" "$TMP/iksctl-map" &&
	python3 tests/bench/sizemap.py "$TMP/iksctl.map" "$TMP/iksctl-map.stripped" $O/iksctl \
		> "$TMP/sizemap.md" || say "size breakdown failed (continuing)"

# --- the emulator -------------------------------------------------------
say "starting the emulator"
sh tests/emulator/emu.sh start "$EMU" > "$TMP/emu.start" 2>&1 || {
	cat "$TMP/emu.start" >&2
	die "the emulator did not start"
}
set -a
. "$EMU/env"
set +a
unset IKSCTL_HOME HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy CURL_CA_BUNDLE SSL_CERT_DIR
export NO_PROXY=127.0.0.1

mkdir -p bench
python3 tests/bench/bench.py --out "$OUT" --tmp "$TMP" --mw "$TMP/iksctl-mallocwrap" \
	--iksctl "$TMP/iksctl" --iksctl-unstripped "$TMP/iksctl.unstripped" \
	--runs "${BENCH_RUNS:-15}" --traced "${BENCH_TRACED:-3}" --sizemap "$TMP/sizemap.md" \
	${BENCH_JSON:+--json "$BENCH_JSON"} || die "bench.py failed"
say "wrong clocks: IAM calls per 100 warm commands, the service's clock 2 h off"
sh tests/bench/clock.sh "$TMP/iksctl" "$OUT" || die "clock.sh failed"
say "a fleet against a rate limit: 60 devices in their own pid namespaces, released at once"
sh tests/bench/fleet.sh "$TMP/iksctl" "$OUT" || die "fleet.sh failed"
say "bulk TLS: the 6 MB cluster and 20 MB pod lists, iksctl against curl, answers of any size; the ciphersuite per target under qemu"
for t in x86_64-linux-musl aarch64-linux-musl armv7-linux-musleabihf; do
	make --no-print-directory TARGET=$t tools > "$TMP/tools-$t.log" 2>&1 ||
		die "make TARGET=$t tools failed (see $TMP/tools-$t.log)"
done
sh tests/bench/bulk.sh "$TMP/iksctl" "$OUT" || die "bulk.sh failed"
say "wrote bench/RESULTS.md"
