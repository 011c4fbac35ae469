#!/bin/sh
# test_fleet.sh: a fleet does not move in step (issue 25 point 9).  60
# devices, each pid 1 of its own pid namespace (as identical containers
# started by one orchestrator), run `token --refresh` at the same
# instant against IAM letting through 10 token calls a second and
# answering the rest 429 with Retry-After: 2; then 60 token agents whose
# tokens have expired do the same.  Every device ends with a valid token
# within 15 s, with at most 3.5 IAM calls per device on average; no retry
# comes sooner than Retry-After (the emulator's log); the waits after a
# 429 are spread (no 100 ms window holds half of them); an agent asks at
# once, and the agents' renewal points are spread.  A simulation of a
# conforming fleet gives the reference: 11 to 14 s, 3.0 to 3.4 calls.
# FLEET_OUT=FILE appends the two summary lines there (make bench).
. tests/integration/lib.sh
N=${FLEET_N:-60}
if ! unshare -p -f --kill-child --mount-proc true 2> /dev/null; then
	fail "unshare -p -f --mount-proc does not work here (needs root)"
	finish
fi
emu_start --access-ttl 5
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"

check "simulation: 11-14 s, 3.0-3.4 calls per device" 0 python3 tests/integration/fleet.py sim
cat "$T_TMP/out"

# N devices logged in, their tokens already expired (5 s tokens count as
# expired 10 s early); the agents get copies of the same logins.
i=0
while [ $i -lt "$N" ]; do echo $i; i=$((i + 1)); done |
	xargs -P 4 -I{} env IKSCTL_HOME="$T_TMP/refresh/d{}" "$IKSCTL" login --apikey "@$K" \
		> /dev/null 2> "$T_TMP/logins.err"
eq "$N logins" "$(ls "$T_TMP"/refresh/d*/store | wc -l)" "$N"
mkdir -p "$T_TMP/agent"
cp -a "$T_TMP"/refresh/d* "$T_TMP/agent/"
emu_post /control/config '{"access_ttl":3600,"iam_rate_limit":10,"iam_retry_after":2}'

# fleet MODE: one run; its figures in $T_TMP/MODE.json.
fleet() {
	log_mark
	python3 tests/integration/fleet.py run "$1" "$IKSCTL" "$T_TMP/$1" "$N" "$EMU_LOG" \
		"$T_MARK" "$T_TMP/$1.json" > "$T_TMP/$1.line"
	cat "$T_TMP/$1.line"
	[ -n "${FLEET_OUT:-}" ] && cat "$T_TMP/$1.line" >> "$FLEET_OUT"
}
# get MODE KEY: one figure of that run.
get() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T_TMP/$1.json" "$2"; }
# judge MODE: the checks every run must pass.
judge() {
	eq "$1: every device has a valid token" "$(get "$1" tokens)" "$N"
	python3 -c 'import sys; t = sys.argv[1]; sys.exit(not (t != "None" and float(t) <= 15))' \
		"$(get "$1" last_token_s)" && ok "$1: the last token within 15 s ($(get "$1" last_token_s) s)" ||
		fail "$1: the last token at $(get "$1" last_token_s) s"
	python3 -c 'import sys; sys.exit(not float(sys.argv[1]) <= 3.5)' "$(get "$1" calls_per_device)" &&
		ok "$1: at most 3.5 IAM calls per device ($(get "$1" calls_per_device))" ||
		fail "$1: $(get "$1" calls_per_device) IAM calls per device"
	eq "$1: no retry sooner than Retry-After" "$(get "$1" early_retries)" 0
	python3 - "$T_TMP/$1.json" <<'PY' && ok "$1: the waits after a 429 are spread" || fail "$1: the waits after a 429 bunch"
import json, sys
r = json.load(open(sys.argv[1]))
n, most = len(r["waits"]), r["waits_max_in_100ms"]
print("  %d waits, at most %d in one 100 ms window" % (n, most))
sys.exit(not (n >= 10 and most * 2 < n))
PY
}

fleet refresh
judge refresh
eq "refresh: every command exit 0" "$(get refresh statuses)" "['0']"

sleep 2    # the limiter's window empties
fleet agent
judge agent
python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < 2)' "$(get agent first_call_latest_s)" &&
	ok "agent: each asks at once ($(get agent first_call_latest_s) s)" ||
	fail "agent: the last first call at $(get agent first_call_latest_s) s"
python3 - "$T_TMP/agent.json" <<'PY' && ok "agent: renewal points spread" || fail "agent: renewal points in step"
import json, sys
r = json.load(open(sys.argv[1]))
print("  %d renewal points over %s s, at most %d in 10 s" % (r["renewals"], r["renewal_jitter_span_s"],
                                                         r["renewal_max_in_10s"]))
sys.exit(not (r["renewals"] >= 50 and r["renewal_jitter_span_s"] >= 100 and
              r["renewal_max_in_10s"] * 2 < r["renewals"]))
PY
finish
