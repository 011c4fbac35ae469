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

# timed NAME STATUS CMD...: check, and set $ms to the wall time of CMD.
timed() {
	_n=$1 _w=$2
	shift 2
	_t0=$(date +%s%N)
	check "$_n" "$_w" "$@"
	ms=$((($(date +%s%N) - _t0) / 1000000))
}

# within NAME LO HI: $ms is in [LO, HI) milliseconds.
within() {
	if [ "$ms" -ge "$2" ] && [ "$ms" -lt "$3" ]; then ok "$1 ($ms ms)"; else
		fail "$1: took $ms ms, want $2 to $3"; fi
}

# need_kubectl: set KUBECTL (the environment's, else kubectl on PATH);
# without one the suite fails and ends here.
need_kubectl() {
	KUBECTL=${KUBECTL:-$(command -v kubectl)}
	if [ -z "$KUBECTL" ]; then
		echo "kubectl not found (toolchains/install-deps.sh installs it)"
		fail "no kubectl"
		finish
	fi
}

# dist_binaries: for test_dist.sh and test_deb.sh: set VERSION (the
# Makefile's), TRIPLES, SDE (SOURCE_DATE_EPOCH, exported: the last
# commit's time) and make sure build/<triple>/iksctl exists for each, one
# check each.  The two suites may run at once (run.sh --all): one links a
# missing binary while the other waits on build/.dist-link.lock, and
# neither looks at a binary being written.
dist_binaries() {
	VERSION=$(sed -n 's/^VERSION := *//p' Makefile)
	TRIPLES="x86_64-linux-musl aarch64-linux-musl armv7-linux-musleabihf"
	SDE=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null)}
	SDE=${SDE:-1700000000}
	export SOURCE_DATE_EPOCH=$SDE
	mkdir -p build
	for _t in $TRIPLES; do
		flock build/.dist-link.lock sh -c '
			[ -f "build/$1/iksctl" ] && exit 0
			echo "-- linking build/$1/iksctl"
			make --no-print-directory TARGET=$1 bin > "$2" 2>&1 || tail -n 20 "$2"
		' link "$_t" "$T_TMP/make.$_t"
		[ -f "build/$_t/iksctl" ] && ok "binary build/$_t/iksctl exists" ||
			fail "build/$_t/iksctl is missing and could not be built"
	done
}

# rss OUT CMD...: run CMD with stdout to OUT, print its peak RSS in KB
# (/usr/bin/time; 0 without it).
rss() {
	_o=$1
	shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$T_TMP/rss" "$@" > "$_o" 2> "$T_TMP/rss.err"
		tail -1 "$T_TMP/rss"
	else
		echo 0
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

# tinyproxy_start NAME PORT [LINE...]: a real tinyproxy on 127.0.0.1:PORT
# (config $T_TMP/NAME.conf with each LINE added, its log of connections
# in $T_TMP/NAME.log, emptied first), waited for until it accepts: 0, or
# 1 after a failure saying so.
tinyproxy_start() {
	_n=$1 _p=$2
	shift 2
	{
		printf 'Port %s\nListen 127.0.0.1\nTimeout 10\nMaxClients 20\n' "$_p"
		printf 'LogFile "%s"\nLogLevel Connect\nPidFile "%s"\n' \
			"$T_TMP/$_n.log" "$T_TMP/$_n.pid"
		for _l in "$@"; do printf '%s\n' "$_l"; done
	} > "$T_TMP/$_n.conf"
	: > "$T_TMP/$_n.log"
	bg tinyproxy -d -c "$T_TMP/$_n.conf"
	_i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $_p), 1)" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 50 ] && { fail "tinyproxy $_n on port $_p did not start"; return 1; }
		sleep 0.1
	done
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

# emu_start [FLAGS]: start the IBM Cloud emulator in $T_TMP/emu, export its
# settings (DIR/env) and stop it at exit.  IKSCTL_HOME is a fresh folder,
# and so KUBECONFIG (cluster config merges there, never in ~/.kube).
emu_start() {
	EMU_DIR=$T_TMP/emu
	sh tests/emulator/emu.sh start "$EMU_DIR" "$@" > "$T_TMP/emu.start" 2>&1 ||
		{ cat "$T_TMP/emu.start"; fail "emulator did not start"; finish; }
	set -a
	. "$EMU_DIR/env"
	set +a
	T_PIDS="$T_PIDS $EMU_PID"
	export IKSCTL_HOME=$T_TMP/home SSL_CERT_FILE=$EMU_CA_FILE
	export KUBECONFIG=$T_TMP/kubeconfig
}

# emu_post PATH JSON: POST to the emulator's control endpoint.
emu_post() {
	curl -sf -X POST "$EMU_CONTROL$1" -d "$2" > /dev/null ||
		fail "control call $1 $2 failed"
}

# emu_count EVENT KEY=VALUE...: count log lines of that event whose fields
# equal the values (e.g. emu_count request grant_type=refresh_token).
emu_count() {
	python3 - "$EMU_LOG" "$@" <<'PY'
import json, sys
log, event, conds = sys.argv[1], sys.argv[2], sys.argv[3:]
n = 0
for line in open(log):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") != event:
        continue
    ok = True
    for c in conds:
        k, v = c.split("=", 1)
        got = e.get(k, e.get("headers", {}).get(k))
        if str(got).lower() != v.lower():
            ok = False
    n += ok
print(n)
PY
}

# log_settle: wait (up to 2 s) until the log has not grown for 0.1 s: the
# emulator logs a request after its answer is out, so a client may exit
# before the line is written.
log_settle() {
	_ls=0 _lp=-1
	while [ $_ls -lt 40 ]; do
		_ln=$(wc -c < "$EMU_LOG")
		[ "$_ln" = "$_lp" ] && return 0
		_lp=$_ln _ls=$((_ls + 1))
		sleep 0.1
	done
}

# log_mark: remember the log's length; emu_count_since counts after it.
log_mark() { T_MARK=$(wc -l < "$EMU_LOG"); }
emu_count_since() {
	log_settle
	tail -n +"$((T_MARK + 1))" "$EMU_LOG" > "$T_TMP/log.part"
	EMU_LOG=$T_TMP/log.part emu_count "$@"
}

# eq NAME GOT WANT: GOT equals WANT.
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}

# json_eq NAME GOT WANT: GOT and WANT are the same JSON value.
json_eq() {
	if python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$2" "$3"
	then ok "$1"; else fail "$1: got $2, want $3"; fi
}

# dry_body: the JSON body of a --dry-run in $T_TMP/out (after the blank line).
dry_body() { sed -n '/^$/,$p' "$T_TMP/out" | sed 1d; }

# logged_body METHOD PATH: the body the emulator logged for the last
# request of that method to the containers path (PATH without /global).
logged_body() {
	log_settle
	python3 - "$EMU_LOG" "$1" "/global$2" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("method") == sys.argv[2] and e.get("path") == sys.argv[3]:
        last = e.get("body")
print(json.dumps(last, sort_keys=True))
PY
}

# lifecycle_start: the emulator with one lifecycle step a second, a poll
# a second, the API key in $K, and the helpers ik (iksctl), fault (a
# control fault) and PTY (run on a pseudo-terminal).
lifecycle_start() {
	emu_start
	emu_post /control/config '{"step_s":1}'
	export IKSCTL_WAIT_INTERVAL=1
	K=$T_TMP/apikey
	printf '%s\n' "$EMU_APIKEY" > "$K"
	PTY="python3 tests/integration/pty_run.py"
}
ik() { "$IKSCTL" "$@"; }
fault() { emu_post /control/fault "$1"; }
