#!/bin/sh
# test_http_emu.sh: iksctl's HTTP client against the local IBM Cloud
# emulator and its faults: retries (429 with Retry-After, 503 three
# times, 501 never, a POST only when safe to repeat), resets, truncation,
# a delay past --timeout, Connection: close, chunked answers, a head over
# the limit, a reset on a reused connection (resent once), and TLS
# session resumption across processes.  Attempts are counted both by the
# client and in the emulator's log.
. tests/integration/lib.sh
get=$TOOLS/http_get
helper="python3 tests/integration/net_helper.py"
unset HTTPS_PROXY https_proxy
E=$T_TMP/emu
sh tests/emulator/emu.sh start "$E" > /dev/null || { fail "emulator did not start"; finish; }
T_PIDS="$T_PIDS $(cat "$E/pid")"
. "$E/env"
CS=$IBMCLOUD_CS_API_ENDPOINT
CA="--cacert $EMU_CA_FILE"

fault() { curl -s -X POST "$EMU_CONTROL/control/fault" -d "$1" > /dev/null; }
# requests PATH: requests to PATH in the emulator's log so far.
requests() { set -- $($helper emu-count "$EMU_LOG" "$1"); echo "$1"; }
V=/global/v1/versions

check "baseline GET" 0 $get $CA "$CS/v1/versions"
base=$(sed -n 's/^status=200 len=\([0-9]*\) sum=\([0-9a-f]*\).*/len=\1 sum=\2/p' "$T_TMP/out")
[ -n "$base" ] && ok "baseline: $base" || fail "baseline: $(cat "$T_TMP/out")"

# 429 with Retry-After: 1, then the answer.
n0=$(requests $V)
fault '{"service":"cs","path":"/v1/versions","kind":"status","status":429,"retry_after":"1","count":1}'
t0=$(date +%s%N)
check "429 then 200" 0 $get $CA "$CS/v1/versions"
ms=$((($(date +%s%N) - t0) / 1000000))
contains "429: two attempts" "$T_TMP/out" "status=200 $base attempts=2"
[ "$(requests $V)" = $((n0 + 2)) ] && ok "429: the emulator saw 2 requests" || fail "429: emulator saw $(( $(requests $V) - n0 ))"
[ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ] && ok "429: waited for Retry-After ($ms ms)" || fail "429: took $ms ms"

# 503 three times: three attempts, the 503 comes back (exit 0: an answer).
n0=$(requests $V)
fault '{"service":"cs","path":"/v1/versions","kind":"status","status":503,"count":3}'
check "503 x3" 0 $get $CA --retry-base-ms 50 "$CS/v1/versions"
contains "503 x3: three attempts, last answer" "$T_TMP/out" "status=503"
contains "503 x3: attempts=3" "$T_TMP/out" "attempts=3"
[ "$(requests $V)" = $((n0 + 3)) ] && ok "503 x3: the emulator saw exactly 3" || fail "503 x3: emulator saw $(( $(requests $V) - n0 ))"
curl -s -X POST "$EMU_CONTROL/control/reset" > /dev/null

# 501 is not retried.
n0=$(requests $V)
fault '{"service":"cs","path":"/v1/versions","kind":"status","status":501,"count":1}'
check "501" 0 $get $CA "$CS/v1/versions"
contains "501: one attempt" "$T_TMP/out" "status=501"
contains "501: attempts=1" "$T_TMP/out" "attempts=1"
[ "$(requests $V)" = $((n0 + 1)) ] && ok "501: the emulator saw 1" || fail "501: emulator saw $(( $(requests $V) - n0 ))"

# The IAM token POST is retried when marked safe, not otherwise.
form="grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=$EMU_APIKEY"
T=/identity/token
n0=$(requests $T)
fault '{"service":"iam","path":"/identity/token","kind":"status","status":503,"count":1}'
check "token POST, retry" 0 $get $CA --retry --retry-base-ms 50 -X POST \
	-H "Content-Type: application/x-www-form-urlencoded" -H "Accept: application/json" \
	-d "$form" "$IBMCLOUD_IAM_API_ENDPOINT/identity/token"
contains "token POST: 200 on the second attempt" "$T_TMP/out" "attempts=2"
grep -q "^status=200 " "$T_TMP/out" && ok "token POST: got a token" || fail "token POST: $(cat "$T_TMP/out")"
fault '{"service":"iam","path":"/identity/token","kind":"status","status":503,"count":1}'
check "POST not safe to repeat" 0 $get $CA --no-retry -X POST \
	-H "Content-Type: application/x-www-form-urlencoded" -d "$form" "$IBMCLOUD_IAM_API_ENDPOINT/identity/token"
contains "POST: the 503 comes back at once" "$T_TMP/out" "status=503"
contains "POST: one attempt" "$T_TMP/out" "attempts=1"
[ "$(requests $T)" = $((n0 + 3)) ] && ok "token POSTs: the emulator saw 3" || fail "token POSTs: emulator saw $(( $(requests $T) - n0 ))"

# Resets and truncation on a fresh connection: errors, exit 4, not resent.
n0=$(requests $V)
fault '{"service":"cs","path":"/v1/versions","kind":"reset_before_body"}'
check "reset before the body: exit 4" 4 $get $CA "$CS/v1/versions"
contains "reset said" "$T_TMP/err" "iksctl: connection reset"
fault '{"service":"cs","path":"/v1/versions","kind":"reset_mid_body"}'
check "reset in the body: exit 4" 4 $get $CA "$CS/v1/versions"
fault '{"service":"cs","path":"/v1/versions","kind":"truncate"}'
check "truncated: exit 4" 4 $get $CA "$CS/v1/versions"
contains "truncated said" "$T_TMP/err" "iksctl: response truncated: the connection closed after"
[ "$(requests $V)" = $((n0 + 3)) ] && ok "resets: nothing resent" || fail "resets: emulator saw $(( $(requests $V) - n0 ))"

# A reset on a reused connection before any answer: resent once.
fault '{"service":"cs","path":"/v1/regions","kind":"reset"}'
check "reset on a reused connection" 0 $get $CA "$CS/v1/versions" "$CS/v1/regions"
[ "$(grep -c '^status=200' "$T_TMP/out")" = 2 ] && ok "reused reset: both answered" || fail "reused reset: $(cat "$T_TMP/out")"
contains "reused reset: resent once on a new connection" "$T_TMP/out" "connects=2 "
contains "reused reset: counted" "$T_TMP/out" "resent=1"

# A delay past --timeout.
fault '{"service":"cs","path":"/v1/versions","kind":"delay","seconds":3}'
t0=$(date +%s%N)
check "delay past --timeout: exit 4" 4 $get $CA --timeout 1 --no-retry "$CS/v1/versions"
ms=$((($(date +%s%N) - t0) / 1000000))
contains "delay: timed out" "$T_TMP/err" "iksctl: timed out: waiting for the answer: no answer within 1000 ms"
[ "$ms" -lt 2500 ] && ok "delay: gave up after $ms ms" || fail "delay: took $ms ms"

# Connection: close, then a new connection; chunked equals the plain body.
fault '{"service":"cs","path":"/v1/versions","kind":"close"}'
check "Connection: close" 0 $get $CA "$CS/v1/versions" "$CS/v1/versions"
contains "close: a second connection" "$T_TMP/out" "connects=2 "
fault '{"service":"cs","path":"/v1/versions","kind":"chunked","chunk_size":7}'
check "chunked with extensions and a trailer" 0 $get $CA -v "$CS/v1/versions" "$CS/v1/versions"
contains "chunked: the emulator sent chunks" "$T_TMP/err" "< Transfer-Encoding: chunked"
[ "$(grep -c "status=200 $base" "$T_TMP/out")" = 2 ] && ok "chunked: same body, connection kept" ||
	fail "chunked: $(cat "$T_TMP/out")"
contains "chunked: one connection" "$T_TMP/out" "connects=1 "

# A head over LIM_HTTP_HEAD_BYTES.
fault '{"service":"cs","path":"/v1/versions","kind":"big_header","size":17000}'
check "big header: exit 1" 1 $get $CA "$CS/v1/versions"
contains "big header names the limit" "$T_TMP/err" "LIM_HTTP_HEAD_BYTES"

# TLS sessions across processes: the second resumes (client and emulator).
rm -f "$T_TMP/sess"
check "first process saves its session" 0 $get $CA --sess "$T_TMP/sess" "$IBMCLOUD_IAM_API_ENDPOINT/identity/keys"
[ -s "$T_TMP/sess" ] && ok "session file written" || fail "no session saved"
set -- $($helper emu-count "$EMU_LOG" x)
full0=$2 res0=$3
check "second process" 0 $get $CA --sess "$T_TMP/sess" -v "$IBMCLOUD_IAM_API_ENDPOINT/identity/keys"
contains "second process resumed" "$T_TMP/out" "connects=1 handshakes=0 resumed=1"
contains "trace says resumed" "$T_TMP/err" "session resumed"
set -- $($helper emu-count "$EMU_LOG" x)
[ "$3" = $((res0 + 1)) ] && [ "$2" = "$full0" ] && ok "emulator logged resumed:true" ||
	fail "emulator: full $full0->$2, resumed $res0->$3"
check "a foreign session file is ignored" 0 $get $CA --sess "$T_TMP/sess" "$CS/v1/versions"
contains "foreign session: full handshake" "$T_TMP/out" "handshakes=1 resumed=0"
sh tests/emulator/emu.sh stop "$E"
finish
