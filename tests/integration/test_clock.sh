#!/bin/sh
# test_clock.sh: time on devices with wrong clocks (DESIGN.md 4, "Time").
# The emulator's clock stands in for a device clock that is off: 2 h
# ahead, 2 h behind, and stepped by a year while the token agent runs.
# Tokens are timed by the service's clock: no 401, no needless IAM call,
# an agent that neither sleeps through a renewal nor calls IAM in a loop.
# Certificates refused for their dates say the dates, and say to set the
# clock when this machine's clock is the likely cause.
. tests/integration/lib.sh
C=$T_TMP/certs
sh tests/integration/certs.sh "$C"
YEAR=31536000

# ---- certificates out of date: the dates, and the clock when to blame
for s in future expired; do
	bg python3 tests/integration/tls_server.py --cert "$C/$s.pem" --key "$C/$s.key" \
		--port-file "$T_TMP/$s"
done
for s in future expired; do wait_file "$T_TMP/$s" || { fail "server $s"; finish; }; done
FP=$(cat "$T_TMP/future") XP=$(cat "$T_TMP/expired")
probe() { "$TOOLS/$1" 127.0.0.1 "$2" / --cacert "$C/rsa-root.pem" $3; }
lacks() { if grep -qF -- "$3" "$2"; then fail "$1: '$3' in $(head -c 300 "$2")"; else ok "$1"; fi; }

check "not yet valid: exit 4" 4 probe tls_probe "$FP"
contains "not yet valid: its date" "$T_TMP/err" "127.0.0.1: certificate not valid before 2030-01-01"
lacks "a right clock is not blamed" "$T_TMP/err" "set the clock"
check "expired: exit 4" 4 probe tls_probe "$XP"
contains "expired: its date" "$T_TMP/err" "certificate expired, not valid after 2020-02-01"
lacks "expired: a right clock is not blamed" "$T_TMP/err" "set the clock"
today=$(date -u +%Y-%m-%d)
# Built "in 2100": this machine's clock reads earlier than the build.
check "clock before the build: exit 4" 4 probe tls_probe_2100 "$FP"
contains "clock before the build: the date" "$T_TMP/err" "not valid before 2030-01-01; this machine's clock reads ${today}T"
contains "clock before the build: set it" "$T_TMP/err" ": set the clock (NTP)"
check "clock before the build, expired" 4 probe tls_probe_2100 "$XP"
contains "expired, clock before the build: set it" "$T_TMP/err" "not valid after 2020-02-01; this machine's clock reads"
# The last known offset: over a day either way blames the clock.
for o in 90000 -90000; do
	check "offset $o: exit 4" 4 probe tls_probe "$FP" "--offset $o"
	contains "offset $o: set the clock" "$T_TMP/err" "set the clock (NTP)"
done
check "offset of an hour: exit 4" 4 probe tls_probe "$FP" "--offset 3600"
lacks "an hour is not blamed" "$T_TMP/err" "set the clock"

# ---- 2 h ahead: 20 s tokens, judged by the service's clock
emu_start --access-ttl 20 --clock-offset 7200
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
chmod 600 "$K"
export IBMCLOUD_API_KEY=$EMU_APIKEY
emu_clock() { curl -sf "$EMU_CONTROL/control/clock"; }
emu_now() { emu_clock | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["now"]))'; }
# jwt_field TOKEN FIELD: a claim of a JWT.
jwt_field() {
	python3 -c 'import base64,json,sys; p=sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))[sys.argv[2]])' "$1" "$2"
}
# near NAME GOT WANT SLACK: |GOT - WANT| <= SLACK.
near() {
	if [ "$2" -ge $(($3 - $4)) ] 2>/dev/null && [ "$2" -le $(($3 + $4)) ]; then ok "$1"
	else fail "$1: got '$2', want $3 +- $4"; fi
}
# accepted NAME TOKEN: the containers service takes TOKEN (HTTP 200).
accepted() {
	_c=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$EMU_CA_FILE" \
		-H "Authorization: Bearer $2" -H "X-Region: us-south" \
		"$IBMCLOUD_CS_API_ENDPOINT/v1/clusters")
	eq "$1" "$_c" 200
}

log_mark
check "login, 2 h ahead" 0 "$IKSCTL" login --apikey "@$K"
contains "login reports the offset" "$T_TMP/err" "this machine's clock is 72"
contains "login: behind IAM's" "$T_TMP/err" "s behind IAM's"
check "token -o json" 0 "$IKSCTL" token -o json
off=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clock_offset_s"])' "$T_TMP/out")
near "clock_offset_s is 7200" "$off" 7200 2
check "-v reports the offset" 0 "$IKSCTL" -v clusters
contains "-v: the offset" "$T_TMP/err" "* clock: this machine's clock is 72"
eq "-v: reported once in a run" "$(grep -c "machine's clock" "$T_TMP/err")" 1
# kubectl judges ExecCredential's expiry with this machine's clock.
check "kube-credential" 0 "$IKSCTL" kube-credential
exp_local=$(python3 -c 'import json,sys,datetime; s=json.load(open(sys.argv[1]))["status"]["expirationTimestamp"]; print(int(datetime.datetime.strptime(s,"%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()))' "$T_TMP/out")
near "ExecCredential expiry on this machine's clock" "$exp_local" $(( $(date +%s) + 1200 - 10 )) 15
sleep 25
check "token after 25 s" 0 "$IKSCTL" token
tok=$(cat "$T_TMP/out")
accepted "the token after 25 s is accepted" "$tok"
near "it was issued by the service's clock now" "$(jwt_field "$tok" iat)" "$(emu_now)" 5
check "a call after 25 s" 0 "$IKSCTL" clusters
eq "no service call met a 401" "$(emu_count_since request status=401)" 0

# ---- iksctl itself, after IAM showed a clock two days off
emu_post /control/clock '{"offset_s":172800}'
check "login, two days ahead" 0 "$IKSCTL" login --apikey "@$K"
check "a not yet valid service: exit 4" 4 env IBMCLOUD_CS_API_ENDPOINT="https://127.0.0.1:$FP/global" \
	SSL_CERT_FILE="$C/rsa-root.pem" "$IKSCTL" clusters
contains "it says the date and to set the clock" "$T_TMP/err" \
	"iksctl: clusters: 127.0.0.1: certificate not valid before 2030-01-01; this machine's clock reads ${today}T"
contains "and to set it" "$T_TMP/err" ": set the clock (NTP)"

# ---- 2 h behind: warm commands make no IAM call
emu_post /control/clock '{"offset_s":-7200}'
check "login, 2 h behind" 0 "$IKSCTL" --timeout 5 login --apikey "@$K"
contains "login: ahead of IAM's" "$T_TMP/err" "s ahead of IAM's"
check "token -o json, behind" 0 "$IKSCTL" token -o json
off=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["clock_offset_s"])' "$T_TMP/out")
near "clock_offset_s is -7200" "$off" -7200 2
log_mark
i=0 bad=0
while [ $i -lt 10 ]; do
	"$IKSCTL" clusters > /dev/null 2>&1 || bad=$((bad + 1))
	i=$((i + 1))
done
eq "10 warm commands, 2 h behind: all work" "$bad" 0
eq "10 warm commands, 2 h behind: no IAM call" "$(emu_count_since request path=/identity/token)" 0

# ---- the agent across clock steps of a year, 20 s tokens
emu_post /control/clock '{"offset_s":0}'
check "login, clocks agree" 0 "$IKSCTL" login --apikey "@$K"
lacks "agreeing clocks are not reported" "$T_TMP/err" "machine's clock"
F=$T_TMP/sink/token
mkdir -p "$T_TMP/sink"
# reader: samples FILE and the service's clock; a token is bad if the
# service would refuse it as expired, except in the GRACE seconds after
# a forward step (no client can know of it before IAM next answers).
cat > "$T_TMP/reader.py" <<'PY'
import base64, json, os, sys, time, urllib.request
path, stop, out, control = sys.argv[1:5]
grace_until = 0.0
seen, bad, reads, last_off = set(), [], 0, None
while not os.path.exists(stop):
    clk = json.load(urllib.request.urlopen(control + "/control/clock"))
    if last_off is not None and clk["offset_s"] > last_off:
        grace_until = time.monotonic() + 20
    last_off = clk["offset_s"]
    try:
        tok = open(path).read().strip()
    except FileNotFoundError:
        tok = ""
    reads += 1
    parts = tok.split(".")
    if len(parts) == 3:
        p = parts[1] + "=" * (-len(parts[1]) % 4)
        exp = json.loads(base64.urlsafe_b64decode(p))["exp"]
        seen.add(tok)
        if exp <= clk["now"] and time.monotonic() > grace_until:
            bad.append("expired by %.0f s" % (clk["now"] - exp))
    elif time.monotonic() > grace_until:
        bad.append("no token")
    time.sleep(0.2)
open(out, "w").write("reads=%d tokens=%d bad=%d %s\n" % (reads, len(seen), len(bad), "; ".join(bad[:3])))
PY
"$IKSCTL" token --watch --sink "$F" 2> "$T_TMP/agent.err" &
AGENT=$!
T_PIDS="$T_PIDS $AGENT"
wait_file "$F" || fail "agent wrote nothing"
python3 "$T_TMP/reader.py" "$F" "$T_TMP/stop" "$T_TMP/reader.out" "$EMU_CONTROL" &
READER=$!
sleep 3
log_mark
emu_post /control/clock "{\"step_s\":$YEAR}"
sleep 20
tok=$(cat "$F")
accepted "a year later: the sink's token is accepted" "$tok"
near "a year later: issued after the step" "$(jwt_field "$tok" iat)" "$(emu_now)" 20
n=$(emu_count_since request path=/identity/token)
[ "$n" -ge 1 ] && [ "$n" -le 4 ] && ok "a year later: renewed ($n IAM calls in 20 s)" ||
	fail "a year later: $n IAM calls in 20 s"
log_mark
sleep 36
n=$(emu_count_since request path=/identity/token status=200)
[ "$n" -ge 2 ] && [ "$n" -le 4 ] && ok "then renewed every ~16 s ($n in 36 s), not a year later" ||
	fail "after the step: $n renewals in 36 s"
log_mark
emu_post /control/clock "{\"step_s\":-$((2 * YEAR))}"
sleep 36
n=$(emu_count_since request path=/identity/token status=200)
[ "$n" -ge 2 ] && [ "$n" -le 4 ] && ok "a year back: renewed every ~16 s ($n in 36 s), no loop" ||
	fail "a year back: $n renewals in 36 s"
touch "$T_TMP/stop"
wait "$READER"
summary=$(cat "$T_TMP/reader.out")
echo "reader: $summary"
case "$summary" in *" bad=0 "*) ok "the sink never held an expired token" ;; *) fail "reader: $summary" ;; esac
n=$(grep -c "machine's clock is" "$T_TMP/agent.err")
eq "the agent reported each offset once (a year ahead, a year behind)" "$n" 2
contains "agent: a year" "$T_TMP/agent.err" "iksctl: token: this machine's clock is 315"
kill -TERM "$AGENT"
wait "$AGENT"
eq "agent: SIGTERM, exit 0" "$?" 0

# ---- IAM down past the token's life: the expired token leaves the sink
emu_post /control/clock '{"offset_s":0}'
check "login again" 0 "$IKSCTL" login --apikey "@$K"
F2=$T_TMP/sink/token2
"$IKSCTL" token --watch --sink "$F2" 2> "$T_TMP/agent2.err" &
AGENT=$!
T_PIDS="$T_PIDS $AGENT"
wait_file "$F2" || fail "agent 2 wrote nothing"
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"status","status":503,"count":1000}'
sleep 30
[ -e "$F2" ] && fail "the expired token is still in the sink" || ok "the expired token was removed"
contains "removal said" "$T_TMP/agent2.err" "removed until a renewal succeeds"
# The man page: 1, 2, 4 ... 32 s, then every 60 s, each less a random
# part of up to half, never past half of what the token has left; once
# it has expired, the jittered backoff itself.
check "backoff as the man page says" 0 python3 - "$T_TMP/agent2.err" <<'PY'
import re, sys
steps, waits, gone = [1, 2, 4, 8, 16, 32] + [60] * 20, [], None
for line in open(sys.argv[1]):
    if "removed until" in line:
        gone = len(waits)
    m = re.search(r"next try in (\d+) s", line)
    if m:
        waits.append(int(m.group(1)))
print(waits, gone)
assert len(waits) >= 3 and gone is not None, (waits, gone)
assert all(1 <= w <= steps[k] for k, w in enumerate(waits)), waits
assert all(steps[k] - steps[k] // 2 <= w for k, w in enumerate(waits) if k >= gone), waits
PY
emu_post /control/reset '{}'
i=0
while [ ! -s "$F2" ] && [ $i -lt 200 ]; do sleep 0.2; i=$((i + 1)); done
[ -s "$F2" ] && ok "a token is back once IAM answers" || fail "no token after IAM came back"
[ -s "$F2" ] && accepted "the new token is accepted" "$(cat "$F2")"
kill -TERM "$AGENT"
wait "$AGENT"
finish
