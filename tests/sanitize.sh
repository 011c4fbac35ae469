#!/bin/sh
# sanitize.sh: the whole integration suite against a checked build of
# iksctl (issue 8, point 2).  Not part of `make test` (time).
#
#   tests/sanitize.sh asan       build/host/iksctl: ASan + UBSan
#   tests/sanitize.sh valgrind   build/host-plain/iksctl under
#                                valgrind --error-exitcode=97
#
# Every tests/integration/test_*.sh runs with IKSCTL pointing at the
# checked binary (for valgrind, at a wrapper that execs valgrind).
# Sanitizer and valgrind reports go to build/sanitize/<kind>/ as files,
# so a report is caught even where a test expects iksctl to fail; the
# run fails if any test fails or any report file is not empty.  The
# last line is "N passed, N failed" (the suites' sum, plus one failure
# per process that reported).  The binaries are built apart, in
# build/sanitize/bin-<kind>/, with SANITIZE_CFLAGS added (e.g.
# SANITIZE_CFLAGS=-DMBEDTLS_MEMORY_ALIGN_MULTIPLE=8 to try a fix).
set -u
cd "$(dirname "$0")/.."
kind=${1:-}
shift || true
out=$PWD/build/sanitize/$kind
rm -rf "$out"
mkdir -p "$out"

# mk TARGET: build that target's iksctl into build/sanitize/bin-$kind.
bin=build/sanitize/bin-$kind
mk() {
	make --no-print-directory TARGET=$1 OUT=$bin OBJ=$bin/obj \
	    CFLAGS="${SANITIZE_CFLAGS:-}" bin $2 || exit 1
}
case $kind in
asan)
	mk host tools
	export IKSCTL_TOOLS=$PWD/$bin/tools
	export IKSCTL=$PWD/$bin/iksctl.unstripped
	export ASAN_OPTIONS="log_path=$out/asan:exitcode=97:detect_leaks=0:abort_on_error=0"
	export UBSAN_OPTIONS="log_path=$out/ubsan:exitcode=97:print_stacktrace=1:halt_on_error=1"
	;;
valgrind)
	command -v valgrind > /dev/null || {
		echo "valgrind not installed (apt-get install valgrind)"; exit 1; }
	mk host-plain tools
	export IKSCTL_TOOLS=$PWD/$bin/tools
	w=$out/iksctl-valgrind
	cat > "$w" <<W
#!/bin/sh
exec valgrind -q --error-exitcode=97 --leak-check=no \\
	--log-file=$out/vg.%p $PWD/$bin/iksctl.unstripped "\$@"
W
	chmod +x "$w"
	export IKSCTL=$w
	;;
*)
	echo "usage: tests/sanitize.sh asan|valgrind [TEST.sh...]" >&2
	exit 2
	;;
esac
[ $# -eq 0 ] && set -- tests/integration/test_*.sh
start=$(date +%s)
sh tests/run.sh --runner sh "$@" | tee "$out/run.log"
took=$(( $(date +%s) - start ))
reports=0
for f in "$out"/asan* "$out"/ubsan* "$out"/vg.*; do
	[ -s "$f" ] || continue
	reports=$((reports + 1))
	echo "---- report $f ----"
	head -n 40 "$f"
done
p=$(tail -1 "$out/run.log" | sed -E 's/^([0-9]+) passed.*/\1/')
f=$(tail -1 "$out/run.log" | sed -E 's/.* ([0-9]+) failed.*/\1/')
echo "$kind: $((took / 60)) min $((took % 60)) s, $reports report(s)"
echo "$p passed, $((f + reports)) failed"
[ "$f" = 0 ] && [ "$reports" = 0 ]
