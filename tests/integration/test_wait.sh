#!/bin/sh
# test_wait.sh: cluster wait and --wait (issue 13, DESIGN.md "Waiting")
# against the emulator's timed lifecycle (one step a second, a poll a
# second): each target, the final result alone on stdout, progress on
# stderr (timestamped lines; rewritten in place on a pty), failed states,
# timeouts (exit 5), 404 blips of a new cluster, 503s and resets survived,
# giving up after failures only, Retry-After, a token renewed mid-wait,
# Ctrl-C (exit 130, nothing locked).
. tests/integration/lib.sh
lifecycle_start
new() { ik cluster create classic --name "$1" --zone dal10 --flavor b3c.4x16 --workers 2 -q .id; }

check "login" 0 ik login --apikey "@$K" --region us-south

# ---- create --wait: normal, the one line on stdout, progress on stderr.
check "create --wait: exit 0" 0 ik cluster create classic --name w1 --zone dal10 --flavor b3c.4x16 --workers 2 --wait
eq "create --wait: only the result on stdout" "$(wc -l < "$T_TMP/out")" 1
contains "create --wait: the result" "$T_TMP/out" "cluster w1 created and normal: id "
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z w1: deploying, master Deploy in progress' "$T_TMP/err" &&
	ok "progress: a timestamped line per change" || fail "progress: $(cat "$T_TMP/err")"
contains "progress: workers ready/total" "$T_TMP/err" "workers 2/2"
eq "progress: one line per change, not per poll" "$(grep -c ': normal, master Ready, workers 2/2' "$T_TMP/err")" 1
ID=$(sed -n 's/.*id \([a-z0-9]*\)$/\1/p' "$T_TMP/out")
log_mark
check "cluster wait of a normal cluster: exit 0" 0 ik cluster wait "$ID"
eq "the target on two polls in a row" "$(emu_count_since request method=GET path=/global/v1/clusters/$ID)" 2
eq "cluster wait: the result" "$(cat "$T_TMP/out")" "cluster $ID is normal"
check "cluster wait --until master -o json: exit 0" 0 ik -o json cluster wait w1 --until master
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["masterStatus"] != "Ready" or d["name"] != "w1")' "$T_TMP/out" &&
	ok "-o json after a wait: the cluster as last read" || fail "-o json: $(head -c 300 "$T_TMP/out")"
check "cluster wait -q .state: exit 0" 0 ik cluster wait -c w1 -q .state
eq "-q after a wait" "$(cat "$T_TMP/out")" "normal"

# ---- master update --wait: the version target.
check "master update --wait: exit 0" 0 ik cluster master update w1 --version 1.29 -f --wait
contains "update --wait: pending seen" "$T_TMP/err" "(pending)"
contains "update --wait: the result" "$T_TMP/out" "cluster w1 master updated"
check "cluster get: the new version" 0 ik cluster get w1 -q .masterKubeVersion
contains "the version is 1.29" "$T_TMP/out" "1.29.8"
fault '{"kind":"update_failed"}'
check "an update that fails: exit 1" 1 ik cluster master update w1 --version 1.30 -f --wait
contains "update_failed: says so" "$T_TMP/err" "update_failed"

# ---- Failed states, timeouts.
fault '{"kind":"deploy_failed"}'
check "deploy_failed: exit 1" 1 ik cluster create classic --name w2 --zone dal10 --flavor b3c.4x16 --wait
contains "deploy_failed: the state and text" "$T_TMP/err" 'w2 is deploy_failed: "'
fault '{"kind":"stuck"}'
check "stuck: exit 5" 5 ik cluster create classic --name w3 --zone dal10 --flavor b3c.4x16 --wait --wait-timeout 4s
contains "timeout: the message" "$T_TMP/err" "iksctl: cluster create classic: timed out after 4s waiting for w3 to be normal (last: deploying, \""
eq "timeout: one error line" "$(grep -c '^iksctl:' "$T_TMP/err")" 1
check "cluster wait of the stuck one: exit 5" 5 ik cluster wait w3 --wait-timeout 2s
contains "wait timeout: cluster wait named" "$T_TMP/err" "iksctl: cluster wait: timed out after 2s"

# ---- 404 of a new cluster passes; 404 of another is an error.
fault '{"kind":"blip_404","count":3}'
check "404 blips while it deploys: exit 0" 0 ik cluster create classic --name w4 --zone dal10 --flavor b3c.4x16 --wait
contains "404 blips: progress said not found" "$T_TMP/err" "w4: not found"
check "cluster wait of no such cluster: exit 1" 1 ik cluster wait nosuch
contains "no such cluster: the service's code" "$T_TMP/err" "G0004"

# ---- A create whose cluster is removed while it waits ends at once.
"$IKSCTL" cluster create classic --name w8 --zone dal10 --flavor b3c.4x16 --wait --wait-timeout 40s \
	> "$T_TMP/w8.out" 2> "$T_TMP/w8.err" &
W=$!
sleep 2
ik cluster rm w8 -f > /dev/null 2>&1
_t0=$(date +%s)
wait $W
eq "removed while a create waits: exit 1" $? 1
[ $(($(date +%s) - _t0)) -lt 20 ] && ok "removed while waiting: ends at once" ||
	fail "removed while waiting: took $(($(date +%s) - _t0)) s"
contains "removed while waiting: says so" "$T_TMP/w8.err" "iksctl: cluster create classic: w8 was removed while waiting"

# ---- Ctrl-C in a create's wait: the id and the line that resumes it.
fault '{"kind":"stuck"}'
"$IKSCTL" cluster create classic --name w9 --zone dal10 --flavor b3c.4x16 --wait \
	> "$T_TMP/w9.out" 2> "$T_TMP/w9.err" &
W=$!
sleep 2
ID9=$(ik cluster get w9 -q .id)
kill -INT $W
wait $W
eq "Ctrl-C in a create's wait: exit 130" $? 130
contains "Ctrl-C in a create's wait: the id and the resuming command" "$T_TMP/w9.err" \
	"iksctl: cluster create classic: interrupted; cluster $ID9 was created: resume the wait with 'iksctl cluster wait $ID9'"

# ---- Failures survived, then given up.
ID5=$(new w5)
fault '{"service":"cs","kind":"status","status":503,"method":"GET","path":"/global/v1/clusters/'"$ID5"'","count":6}'
fault '{"service":"cs","kind":"reset","method":"GET","path":"/global/v1/clusters/'"$ID5"'","count":2}'
check "503s and resets during a wait: exit 0" 0 ik cluster wait "$ID5"
contains "failed polls shown" "$T_TMP/err" "failed poll"
fault '{"service":"cs","kind":"status","status":503,"method":"GET","path":"/global/v1/clusters/'"$ID5"'","count":1000}'
check "nothing but 503s: exit 4" 4 env IKSCTL_WAIT_GIVE_UP=3 "$IKSCTL" cluster wait "$ID5"
contains "given up: says how long" "$T_TMP/err" "every poll failed for 3s"
contains "given up: the last error" "$T_TMP/err" "HTTP 503"
emu_post /control/reset '{}'

# ---- Retry-After is honoured between polls.
ID6=$(new w6)
fault '{"service":"cs","kind":"status","status":503,"retry_after":"3","method":"GET","path":"/global/v1/clusters/'"$ID6"'","count":3}'
log_mark
check "503 with Retry-After 3: exit 0" 0 ik cluster wait "$ID6"
python3 - "$EMU_LOG" "$T_MARK" "/global/v1/clusters/$ID6" <<'PY' && ok "Retry-After: no poll sooner than 3 s after a 503" || fail "Retry-After not honoured"
import datetime, json, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
ev = [json.loads(l) for l in lines]
ev = [e for e in ev if e.get("path") == sys.argv[3] and e.get("method") == "GET"]
ts = lambda e: datetime.datetime.fromisoformat(e["ts"].replace("Z", "+00:00")).timestamp()
bad = [1 for a, b in zip(ev, ev[1:]) if a["status"] == 503 and ts(b) - ts(a) < 2.9]
sys.exit(1 if bad or not any(e["status"] == 503 for e in ev) else 0)
PY

# ---- A token that expires during the wait is renewed.
fault '{"kind":"stuck"}'
ID7=$(new w7)
log_mark
"$IKSCTL" cluster wait "$ID7" --wait-timeout 6s > "$T_TMP/w7.out" 2> "$T_TMP/w7.err" &
W=$!
sleep 2
fault '{"kind":"expire_tokens"}'
wait $W
eq "token expired mid-wait: still waiting until the timeout (exit 5)" $? 5
[ "$(emu_count_since request service=iam)" -ge 1 ] && ok "token renewed during the wait" ||
	fail "no IAM call during the wait"
eq "no poll left unauthorised" "$(grep -c 'A0003' "$T_TMP/w7.err")" 0

# ---- Ctrl-C: exit 130, nothing locked, the same wait runs again.
"$IKSCTL" cluster wait "$ID7" > "$T_TMP/c.out" 2> "$T_TMP/c.err" &
W=$!
sleep 2
kill -INT $W
wait $W
eq "Ctrl-C: exit 130" $? 130
contains "Ctrl-C: one line" "$T_TMP/c.err" "iksctl: cluster wait: interrupted"
flock -n "$IKSCTL_HOME/lock" true && ok "Ctrl-C: the store is not locked" || fail "the store stays locked"
check "the same wait again: runs (exit 5 at its timeout)" 5 ik cluster wait "$ID7" --wait-timeout 2s

# ---- On a terminal: one line rewritten in place.
check "on a pty: exit 5" 5 python3 tests/integration/pty_run.py "$T_TMP/pty" - "$IKSCTL" cluster wait "$ID7" --wait-timeout 3s
grep -q "$(printf '\r')$ID7: " "$T_TMP/pty" && grep -q "$(printf '\033')\[K" "$T_TMP/pty" &&
	ok "pty: the status line is rewritten in place" || fail "pty: $(od -c "$T_TMP/pty" | head -5)"
contains "pty: elapsed time shown" "$T_TMP/pty" "0m0"

# ---- rm --wait: deleted is the 404.
check "rm -f --wait: exit 0" 0 ik cluster rm w1 -f --wait
eq "rm --wait: the result" "$(cat "$T_TMP/out")" "cluster w1 removed"
contains "rm --wait: deleting seen" "$T_TMP/err" "deleting"
check "cluster wait --until deleted of one this wait never saw: exit 1" 1 ik cluster wait "$ID" --until deleted
contains "--until deleted, never seen: the service's not-found" "$T_TMP/err" "(HTTP 404"
check "cluster wait typo --until deleted: exit 1" 1 ik cluster wait typo --until deleted
contains "typo --until deleted: G0004, not removed" "$T_TMP/err" "G0004"
check "rm -o json --wait: nothing on stdout" 0 ik -o json cluster rm w4 -f --wait
eq "rm -o json --wait: empty stdout" "$(wc -c < "$T_TMP/out")" 0

# ---- Settings.
check "IKSCTL_WAIT_INTERVAL=abc: exit 2" 2 env IKSCTL_WAIT_INTERVAL=abc "$IKSCTL" cluster wait w5
check "--until bad: exit 2" 2 ik cluster wait w5 --until ready
check "IKSCTL_WAIT_INTERVAL=0 counts as 1: exit 0" 0 env IKSCTL_WAIT_INTERVAL=0 "$IKSCTL" cluster wait w5

finish
