#!/bin/sh
# test_watch.sh: Kubernetes watches (issue 16, point 2) on the
# emulator's masters, which send one event per chunk, seconds apart:
# each event reaches a pipe as it is sent (arrival times measured), -q
# runs on each event, a quiet gap longer than --timeout and a
# --max-time do not end it, the server's end is exit 0, a broken stream
# exit 4 with nothing of the broken event, Ctrl-C exit 130 (killed by
# SIGINT) with nothing left locked.
. tests/integration/lib.sh
emu_start
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
chmod 600 "$K"
check "login" 0 ik login --apikey "@$K" --region us-south
C=$EMU_CLUSTER
conf() { emu_post /control/config "$1" > /dev/null; }

# lines.py [--int-after N] CMD...: run CMD with stdout on a pipe; print
# "SECONDS LINE" for each line as it arrives (seconds since the start),
# then "exit RC"; with --int-after N, send SIGINT after N lines.
cat > "$T_TMP/lines.py" << 'EOF'
import signal, subprocess, sys, time
args, stop = sys.argv[1:], None
if args[0] == "--int-after":
    stop, args = int(args[1]), args[2:]
t0 = time.time()
# Ctrl-C as a terminal sends it: SIGINT at its default in the child
# (a shell's background job, as make test runs the suites, ignores it).
p = subprocess.Popen(args, stdout=subprocess.PIPE,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
n = 0
for line in p.stdout:
    n += 1
    print("%.2f %s" % (time.time() - t0, line.decode().rstrip("\n")[:80]), flush=True)
    if stop is not None and n == stop:
        p.send_signal(signal.SIGINT)
print("exit %d" % p.wait())
EOF
lines() { python3 "$T_TMP/lines.py" "$@" > "$T_TMP/lines" 2> "$T_TMP/err"; }
# at K: the arrival time of line K (1-based) in ms.
at() { awk -v k="$1" 'NR == k { printf "%d", $1 * 1000 }' "$T_TMP/lines"; }
# gap NAME K LO HI: line K came LO..HI ms after line K-1.
gap() {
	ms=$(($(at "$2") - $(at $(($2 - 1)))))
	within "$1" "$3" "$4"
}

# --- events as they come, into a pipe ---
conf '{"watch_events":3,"watch_gap_s":1.0}'
log_mark
lines "$IKSCTL" kube "$C" '/api/v1/namespaces/default/pods?watch=true'
eq "raw: three events and the end" "$(wc -l < "$T_TMP/lines")" 4
eq "raw: exit 0 at the server's end" "$(tail -1 "$T_TMP/lines")" "exit 0"
contains "raw: the first event is ADDED" "$T_TMP/lines" '{"type":"ADDED","object":{"kind":"Pod"'
ms=$(at 1)
within "raw: the first event at once" 0 900
gap "raw: the second a second later" 2 700 1800
gap "raw: the third a second later" 3 700 1800
eq "one watch request" "$(emu_count_since request path=/api/v1/namespaces/default/pods)" 1

lines "$IKSCTL" kube "$C" /api/v1/pods --watch -q .type
eq "-q per event" "$(awk 'NR <= 3 { print $2 }' "$T_TMP/lines" | tr '\n' ' ')" "ADDED MODIFIED DELETED "
gap "-q: each result as its event comes" 2 700 1800
eq "-q: exit 0" "$(tail -1 "$T_TMP/lines")" "exit 0"
log_mark
check "--watch adds watch=true" 0 ik kube "$C" '/api/v1/pods?limit=5' --watch -q .object.metadata.name
eq "--watch: the request was a watch" "$(emu_count_since request watch=end)" 1
eq "--watch: three names" "$(wc -l < "$T_TMP/out")" 3
check "watch=1 is a watch too" 0 ik kube "$C" '/api/v1/namespaces?watch=1' -q .type
eq "watch=1: three events" "$(wc -l < "$T_TMP/out")" 3
check "-o json: the events as sent" 0 ik kube "$C" '/api/v1/nodes?watch=true' -o json
eq "-o json: three lines" "$(wc -l < "$T_TMP/out")" 3
cp "$T_TMP/out" "$T_TMP/ev"
check "each line is one event" 0 python3 -c "
import json, sys
sys.exit(not all(json.loads(l)['type'] in ('ADDED', 'MODIFIED', 'DELETED') for l in open('$T_TMP/ev')))"

# --- no idle timeout: a quiet gap longer than --timeout, --max-time ---
conf '{"watch_events":2,"watch_gap_s":4}'
timed "a 4 s gap with --timeout 2 --max-time 1" 0 ik --timeout 2 --max-time 1 kube "$C" /api/v1/pods --watch -q .type
eq "both events" "$(tr '\n' ' ' < "$T_TMP/out")" "ADDED MODIFIED "
within "it waited for the second" 3900 9000
conf '{"watch_events":3,"watch_gap_s":30}'
timed "timeoutSeconds=2 ends it: exit 0" 0 ik kube "$C" '/api/v1/pods?watch=true&timeoutSeconds=2' -q .type
eq "one event before the server's timeout" "$(cat "$T_TMP/out")" "ADDED"
within "after 2 s" 1900 6000

# --- a broken stream: exit 4, nothing of the broken event ---
conf '{"watch_events":3,"watch_gap_s":0.2,"watch_break":true}'
check "a broken watch: exit 4" 4 ik kube "$C" /api/v1/pods --watch -q .type
eq "the whole events are out" "$(tr '\n' ' ' < "$T_TMP/out")" "ADDED MODIFIED "
contains "the error says the stream broke" "$T_TMP/err" "closed"
check "raw, broken: exit 4" 4 ik kube "$C" /api/v1/pods --watch
cp "$T_TMP/out" "$T_TMP/ev"
eq "raw: the bytes as they came, two whole events" "$(python3 -c "
import json
n = 0
for l in open('$T_TMP/ev'):
    try:
        json.loads(l); n += 1
    except ValueError:
        pass
print(n)")" 2
conf '{"watch_break":false}'

# --- Ctrl-C: killed by SIGINT (the shell's 130), nothing locked ---
conf '{"watch_events":3,"watch_gap_s":30}'
lines --int-after 1 "$IKSCTL" kube "$C" /api/v1/pods --watch -q .type
eq "Ctrl-C after the first event" "$(awk 'NR == 1 { print $2 }' "$T_TMP/lines")" "ADDED"
eq "Ctrl-C: killed by SIGINT" "$(tail -1 "$T_TMP/lines")" "exit -2"
ms=$(at 1)
within "Ctrl-C: the first event came at once" 0 900
conf '{"watch_events":3,"watch_gap_s":1.0}'
timed "then the next command runs at once" 0 ik kube "$C" /version
within "nothing left locked" 0 5000
finish
