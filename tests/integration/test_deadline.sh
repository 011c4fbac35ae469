#!/bin/sh
# test_deadline.sh: deadlines that hold (issue 15, DESIGN.md section 2,
# --timeout and --max-time).  After a login against the emulator, iksctl
# is pointed at real TLS servers (tls_server.py) that misbehave: one
# that drips its answer a byte a second is ended by --max-time (exit 4,
# the message names it), and completes with --max-time 0; one that says
# nothing is ended by --timeout; a server that never does the TLS
# handshake, and a proxy that never answers CONNECT, by --max-time.  A
# 503 with Retry-After: 30 under --max-time 3 comes back at once; a
# create cut by --max-time is still looked up by name.  What is no
# network work does not count: a wait whose polls are further apart
# than --max-time, the token agent's naps between renewals, the time a
# person takes to answer a question.  The store lock: a stopped process
# holding it makes another give up after --timeout, naming its pid.
. tests/integration/lib.sh
lifecycle_start
C=$T_TMP/certs
sh tests/integration/certs.sh "$C"
unset HTTPS_PROXY https_proxy NO_PROXY no_proxy
helper="python3 tests/integration/net_helper.py"

# Trust for both the emulator and the test servers.
cat "$EMU_CA_FILE" "$C/rsa-root.pem" > "$T_TMP/ca.pem"
export SSL_CERT_FILE=$T_TMP/ca.pem

serve() {
	bg python3 tests/integration/tls_server.py --cert "$C/rsa-chain.pem" \
		--key "$C/rsa-leaf.key" --port-file "$T_TMP/$1" --mode "$2" \
		${3:+--drip-delay "$3"}
}
serve drip drip 1
serve fastdrip drip 0.066
serve silent silent
bg $helper silent "$T_TMP/tcp-silent"
for s in drip fastdrip silent tcp-silent; do
	wait_file "$T_TMP/$s" || { fail "server $s did not start"; finish; }
done
port() { cat "$T_TMP/$1"; }

# at PORT ARGS...: iksctl ARGS with the containers API at https://127.0.0.1:PORT.
at() {
	_p=$1
	shift
	env IBMCLOUD_CS_API_ENDPOINT="https://127.0.0.1:$_p/global" "$IKSCTL" "$@"
}

check "login" 0 ik login --apikey "@$K" --region us-south
check "usage: --max-time x" 2 ik --max-time x clusters
contains "usage: --max-time said" "$T_TMP/err" "iksctl: usage: --max-time x: seconds from 0 to 86400"
check "usage: --max-time 86401" 2 ik --max-time=86401 clusters
check "usage: --timeout 0 still refused" 2 ik --timeout 0 clusters
contains "usage: --timeout said" "$T_TMP/err" "--timeout 0: seconds from 1 to 86400"

# ---- A drip: a byte a second, never 3 s of silence, never done.
P=$(port drip)
timed "drip, --timeout 3 --max-time 5: exit 4" 4 at "$P" --timeout 3 --max-time 5 clusters
within "drip: ended at --max-time, not by the drip" 4000 8000
eq "drip: one error line, naming --max-time" "$(cat "$T_TMP/err")" \
	"iksctl: clusters: 127.0.0.1:$P: gave up after --max-time 5 s"
grep -q "^get /global/v1/clusters" "$T_TMP/drip.log" && ok "drip: the request reached the server" ||
	fail "drip: the server saw no request: $(cat "$T_TMP/drip.log")"
timed "drip, -o json --max-time 2: exit 4" 4 at "$P" -o json --max-time 2 clusters
within "drip -o json: ended at --max-time 2" 1000 5000
contains "drip -o json: said" "$T_TMP/err" "gave up after --max-time 2 s"

# The same drip, 66 ms a byte (about 6 s in all), with no --max-time.
P=$(port fastdrip)
timed "slow but steady drip, --max-time 0: exit 0" 0 at "$P" --timeout 3 --max-time 0 -o json clusters
eq "slow drip: the whole body" "$(cat "$T_TMP/out")" "[]"
within "slow drip: it took the drip's time" 5000 20000
timed "slow drip, --max-time 3: exit 4" 4 at "$P" --timeout 3 --max-time 3 -o json clusters
within "slow drip --max-time 3: ended at it" 2000 6000

# ---- Silence: --timeout ends it, and says so (not --max-time).
P=$(port silent)
timed "silent after the handshake, --timeout 2: exit 4" 4 at "$P" --timeout 2 --max-time 20 clusters
within "silent: ended after --timeout" 1500 5000
contains "silent: the per-read detail" "$T_TMP/err" "no answer within 2000 ms"
grep -q -- "--max-time" "$T_TMP/err" && fail "silent: blamed --max-time: $(cat "$T_TMP/err")" ||
	ok "silent: --max-time not blamed"
timed "silent, --timeout 10 --max-time 2: exit 4" 4 at "$P" --timeout 10 --max-time 2 clusters
within "silent: ended at --max-time" 1500 5000
contains "silent: --max-time named" "$T_TMP/err" "127.0.0.1:$P: gave up after --max-time 2 s"

# A TCP server that never starts TLS: the handshake's wait.
P=$(port tcp-silent)
timed "no TLS handshake, --timeout 10 --max-time 2: exit 4" 4 at "$P" --timeout 10 --max-time 2 clusters
within "no handshake: ended at --max-time" 1500 5000
contains "no handshake: --max-time named" "$T_TMP/err" "127.0.0.1:$P: gave up after --max-time 2 s"

# A proxy that never answers CONNECT.
timed "mute proxy, --timeout 10 --max-time 2: exit 4" 4 env HTTPS_PROXY="http://127.0.0.1:$P" \
	"$IKSCTL" --timeout 10 --max-time 2 clusters
within "mute proxy: ended at --max-time" 1500 5000
contains "mute proxy: --max-time named" "$T_TMP/err" "gave up after --max-time 2 s"

# ---- A backoff that would pass --max-time is not waited for.
emu_post /control/reset '{}'
log_mark
fault '{"service":"cs","path":"/v1/clusters","kind":"status","status":503,"retry_after":"30","count":3}'
timed "503 Retry-After: 30 under --max-time 3: the service's error" 1 ik --max-time 3 clusters
within "503: back at once" 0 2500
contains "503: said" "$T_TMP/err" "503"
eq "503: sent once, not retried" "$(emu_count_since request method=GET path=/global/v1/clusters)" 1
emu_post /control/reset '{}'

# ---- Waits: each poll has its own --max-time; the sleeps are not network work.
timed "cluster wait, polls 3 s apart, --max-time 2: exit 0" 0 env IKSCTL_WAIT_INTERVAL=3 \
	"$IKSCTL" --max-time 2 cluster wait "$EMU_CLUSTER" --wait-timeout 30s
within "cluster wait: two polls, one sleep" 2500 12000
contains "cluster wait: the result" "$T_TMP/out" "is normal"
timed "create --wait, polls 3 s apart, --max-time 2: exit 0" 0 env IKSCTL_WAIT_INTERVAL=3 \
	"$IKSCTL" --max-time 2 cluster create classic --name dl1 --zone dal10 --flavor b3c.4x16 --wait --wait-timeout 2m
contains "create --wait: created and normal" "$T_TMP/out" "cluster dl1 created and normal"
[ "$ms" -gt 4000 ] && ok "create --wait: outlived --max-time ($ms ms)" ||
	fail "create --wait: over in $ms ms, not a test of --max-time"

# A create cut by --max-time is looked up by name, under a bound of its
# own: the service made it (the 500 comes 4 s later), so it is not sent again.
fault '{"service":"cs","kind":"create_500","delay_ms":4000}'
timed "create cut by --max-time 2, then found: exit 0" 0 "$IKSCTL" --max-time 2 \
	cluster create classic --name dl2 --zone dal10 --flavor b3c.4x16 -q .id
within "create cut: at --max-time, then the lookup" 1500 5000
contains "create cut: said why" "$T_TMP/err" "gave up after --max-time 2 s; but cluster "
contains "create cut: not sent again" "$T_TMP/err" "was created after the request, so it is not sent again"
[ -n "$(cat "$T_TMP/out")" ] && ok "create cut: the id on stdout" || fail "create cut: no id"

# ---- The time a person takes to answer a question is no network work.
timed "master update answered after 3 s, --max-time 2: exit 0" 0 env PTY_ANSWER_DELAY=3 \
	$PTY "$T_TMP/pty" y "$IKSCTL" --max-time 2 cluster master update dl1 --version 1.29
within "master update: the answer took its time" 3000 10000
contains "master update: done" "$T_TMP/pty" "cluster dl1 master update"

# ---- The token agent: each renewal has its own --max-time.
emu_post /control/config '{"access_ttl":4}'
check "login (4 s tokens)" 0 ik login --apikey "@$K" --region us-south
"$IKSCTL" -v --max-time 2 token --watch --sink "$T_TMP/sink" > /dev/null 2> "$T_TMP/agent.err" &
AGENT=$!
T_PIDS="$T_PIDS $AGENT"
sleep 8
kill -TERM "$AGENT"
wait "$AGENT"
eq "agent: stopped cleanly" "$?" 0
n=$(grep -c "holds a token until" "$T_TMP/agent.err")
[ "$n" -ge 3 ] && ok "agent: $n renewals in 8 s under --max-time 2" ||
	fail "agent: $n renewals: $(head -c 600 "$T_TMP/agent.err")"
grep -q "renewal failed" "$T_TMP/agent.err" && fail "agent: a renewal failed: $(grep "renewal failed" "$T_TMP/agent.err" | head -2)" ||
	ok "agent: no renewal failed"
emu_post /control/config '{"access_ttl":3600}'
check "login (1 h tokens)" 0 ik login --apikey "@$K" --region us-south

# ---- The store lock: a stopped holder, a waiter bounded by --timeout.
fault '{"service":"iam","path":"/identity/token","kind":"delay","seconds":8}'
"$IKSCTL" token --refresh > "$T_TMP/first.out" 2> "$T_TMP/first.err" &
FIRST=$!
T_PIDS="$T_PIDS $FIRST"
i=0
while [ "$(cat "$IKSCTL_HOME/lock" 2>/dev/null)" != "$FIRST" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.05
done
eq "the lock file holds the holder's pid" "$(cat "$IKSCTL_HOME/lock" 2>/dev/null)" "$FIRST"
kill -STOP "$FIRST"
timed "a second refresh, --timeout 2: exit 1 (the lock)" 1 ik --timeout 2 token --refresh
within "the second gave up after --timeout" 1900 4500
eq "the second names the holder" "$(cat "$T_TMP/err")" \
	"iksctl: token: the store is locked by pid $FIRST: gave up after 2 s"
# A token still fresh needs no lock: at once.
timed "a fresh token meanwhile: no wait" 0 ik --timeout 2 token
within "the fresh token came at once" 0 1500
# A token due for refresh but valid still serves after --timeout: the
# store's clock offset is moved 50 min on (the service's clock as a later
# IAM answer would show it): past 80 % of the hour, before its end.
python3 - "$IKSCTL_HOME/store" <<'PY'
import sys, zlib
path = sys.argv[1]
lines = open(path).read().split("\n")[:-1]
body = [l for l in lines[:-1] if not l.startswith("clock_offset ")]
off = sum(int(l.split()[1]) for l in lines if l.startswith("clock_offset "))
text = "\n".join(body + ["clock_offset %d" % (off + 3000)]) + "\n"
open(path, "w").write(text + "end %08x\n" % zlib.crc32(text.encode()))
PY
timed "a due token while the lock is held: exit 0" 0 ik --timeout 2 -o json clusters
within "it waited out --timeout first" 1900 4500
contains "the service took the current token" "$T_TMP/out" "$EMU_CLUSTER"
kill -CONT "$FIRST"
wait "$FIRST"
eq "the first refresh then finishes" "$?" 0
[ -s "$T_TMP/first.out" ] && ok "the first printed its token" || fail "the first printed nothing: $(cat "$T_TMP/first.err")"
eq "the lock file is empty again" "$(cat "$IKSCTL_HOME/lock")" ""
check "and the store works" 0 ik token --refresh

finish
