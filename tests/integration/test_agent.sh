#!/bin/sh
# test_agent.sh: the token agent, `token --watch --sink FILE [--kube]`,
# across three token lifetimes (24 s tokens), with IAM failing for a
# while in the middle; a reader checks FILE every 50 ms: it is never
# empty, torn or expired; it is replaced atomically with mode 0600; the
# agent stops cleanly on SIGTERM.
. tests/integration/lib.sh
emu_start --access-ttl 24 --id-token-ttl 24
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
F=$T_TMP/sink/token
mkdir -p "$T_TMP/sink"
check "login" 0 "$IKSCTL" login --apikey "@$K"
check "--watch needs --sink" 2 "$IKSCTL" token --watch

# reader: checks FILE until told to stop; prints a summary line.
cat > "$T_TMP/reader.py" <<'PY'
import base64, json, os, sys, time
path, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
seen, bad, reads = set(), [], 0
while not os.path.exists(stop):
    try:
        data = open(path).read()
    except FileNotFoundError:
        if seen:
            bad.append("file vanished")
        time.sleep(0.05)
        continue
    reads += 1
    tok = data.strip()
    parts = tok.split(".")
    if not data.endswith("\n") or len(parts) != 3:
        bad.append("torn or empty: %r" % data[:40])
    else:
        p = parts[1] + "=" * (-len(parts[1]) % 4)
        exp = json.loads(base64.urlsafe_b64decode(p))["exp"]
        if exp <= time.time():
            bad.append("expired by %.1f s" % (time.time() - exp))
        seen.add(tok)
    time.sleep(0.05)
open(out, "w").write("reads=%d tokens=%d bad=%d %s\n" % (reads, len(seen), len(bad), "; ".join(bad[:3])))
PY
log_mark
"$IKSCTL" token --watch --sink "$F" 2> "$T_TMP/agent.err" &
AGENT=$!
T_PIDS="$T_PIDS $AGENT"
wait_file "$F" || fail "agent wrote nothing"
python3 "$T_TMP/reader.py" "$F" "$T_TMP/stop" "$T_TMP/reader.out" &
READER=$!
eq "sink mode 0600" "$(stat -c %a "$F")" 600
# IAM fails for a while in the middle of the second lifetime.
sleep 26
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"status","status":503,"count":3}'
sleep 48
touch "$T_TMP/stop"
wait "$READER"
summary=$(cat "$T_TMP/reader.out")
echo "reader: $summary"
case "$summary" in *" bad=0 "*) ok "never empty, torn or expired" ;; *) fail "reader: $summary" ;; esac
n=$(echo "$summary" | sed -E 's/.*tokens=([0-9]+).*/\1/')
[ "$n" -ge 3 ] && ok "renewed across three lifetimes ($n tokens)" || fail "only $n tokens"
[ "$(emu_count_since request path=/identity/token status=503)" -ge 1 ] && ok "IAM failed meanwhile" ||
	fail "the IAM fault never fired"
contains "failures reported with backoff" "$T_TMP/agent.err" "next try in"
kill -TERM "$AGENT"
wait "$AGENT"
eq "SIGTERM: exit 0" "$?" 0
[ -s "$F" ] && ok "token kept after stop" || fail "sink empty after stop"

# --kube: the kube id_token.
"$IKSCTL" token --watch --sink "$T_TMP/sink/kube" --kube 2> "$T_TMP/agentk.err" &
AGENTK=$!
T_PIDS="$T_PIDS $AGENTK"
wait_file "$T_TMP/sink/kube" || fail "kube agent wrote nothing"
check "kube token works on the master" 0 sh -c "curl -s -o /dev/null -w '%{http_code}' --insecure -H \"Authorization: Bearer \$(cat $T_TMP/sink/kube)\" \$($IKSCTL cluster get $EMU_CLUSTER -q .publicServiceEndpointURL)/version | grep -qx 200"
kill -INT "$AGENTK"
wait "$AGENTK"
eq "SIGINT: exit 0" "$?" 0
finish
