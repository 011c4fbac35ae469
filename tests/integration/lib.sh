# lib.sh: helpers for iksctl's shell integration tests (sourced).
# Each test calls ok/fail via check, and ends with `finish`, which prints
# "N passed, N failed" and sets the exit status.  Servers started with
# bg are stopped at exit.

T_PASS=0
T_FAIL=0
T_PIDS=""
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/iksctl-test.XXXXXX")
TOOLS=${IKSCTL_TOOLS:-$PWD/build/host/tools}
IKSCTL=${IKSCTL:-$PWD/build/iksctl}

cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap cleanup EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok   $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $*"; }

# check NAME EXPECTED_STATUS CMD...: run CMD, compare its exit status;
# its stdout and stderr are left in $T_TMP/out and $T_TMP/err.
check() {
	_cn=$1 _cw=$2
	shift 2
	"$@" > "$T_TMP/out" 2> "$T_TMP/err"
	_cg=$?
	if [ "$_cg" = "$_cw" ]; then
		ok "$_cn"
	else
		fail "$_cn: exit $_cg, want $_cw; stderr: $(head -c 400 "$T_TMP/err")"
	fi
}

# contains NAME FILE TEXT: FILE holds TEXT.
contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		fail "$1: '$3' not in $(basename "$2"): $(head -c 400 "$2")"; fi
}

# bg CMD...: start a server in the background.
bg() {
	"$@" &
	T_PIDS="$T_PIDS $!"
}

# wait_file F: wait up to 10 s for F to exist.
wait_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		sleep 0.05
	done
}

finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ] && [ "$T_PASS" -gt 0 ]
	exit $?
}
