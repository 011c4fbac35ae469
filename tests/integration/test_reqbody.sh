#!/bin/sh
# test_reqbody.sh: request bodies and headers of kube and api (issue 16,
# point 3) against the emulator.  A body from a file (-d @FILE, or -d @-
# with a file as standard input) is streamed with its Content-Length,
# whatever its size (20+ MB, in under 2 MiB of RSS), and sent again
# whole after a 401 or a 429; a file that shrinks while it is sent cuts
# the request short (exit 1), never a body short of its Content-Length;
# -d @- from a pipe is buffered up to LIM_REQ_BODY_BYTES, and so are a
# FIFO and a device (/dev/null), as curl reads them; a directory is
# refused; kube -X PATCH --patch-type sets the content type (the master
# answers 415 to any other), -H replaces it, and kube's -H
# takes the same rules as api's.  The masters record what arrived in
# the annotations of the ConfigMap written (tests/emulator/kube_write.py);
# the containers API in its request log.
. tests/integration/lib.sh
emu_start
unset HTTPS_PROXY https_proxy
ik() { "$IKSCTL" "$@"; }
fault() { emu_post /control/fault "$1"; }
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
chmod 600 "$K"
C=$EMU_CLUSTER
CM=/api/v1/namespaces/default/configmaps
D=$T_TMP/data
mkdir "$D"

# cm NAME BYTES FILE: a ConfigMap NAME whose data holds about BYTES bytes.
cm() {
	python3 - "$1" "$2" > "$3" <<'PY'
import base64, json, os, sys
blob = base64.b64encode(os.urandom(int(sys.argv[2]) * 3 // 4)).decode()
print(json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": sys.argv[1]},
                  "data": {"blob": blob}}))
PY
}
# ann KEY: annotation KEY of the object in $T_TMP/out.
ann() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["annotations"][sys.argv[2]])' \
		"$T_TMP/out" "$1" 2>/dev/null
}
# arrived NAME FILE [CTYPE]: the object in $T_TMP/out says FILE's bytes
# arrived whole, with its length as Content-Length (and content type CTYPE).
arrived() {
	eq "$1: Content-Length" "$(ann emulator/content-length)" "$(wc -c < "$2")"
	eq "$1: bytes read" "$(ann emulator/body-bytes)" "$(wc -c < "$2")"
	eq "$1: sha256" "$(ann emulator/sha256)" "$(sha256sum < "$2" | cut -d' ' -f1)"
	[ -z "${3:-}" ] || eq "$1: Content-Type" "$(ann emulator/content-type)" "$3"
}
# logged [N]: for the requests to /v1/clusters/nope since log_mark, one
# line each: "status content-length sha256-of-body"; waits (up to 10 s)
# for N of them (1), since the log line of a big body takes a while.
logged() {
	_i=0
	while [ "$(logged_now | wc -l)" -lt "${1:-1}" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	logged_now
}
logged_now() {
	log_settle
	tail -n +"$((T_MARK + 1))" "$EMU_LOG" | python3 -c '
import hashlib, json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e.get("event") == "request" and e.get("service") == "cs" and e.get("path") == "/global/v1/clusters/nope":
        b = e.get("body") or ""
        b = b if isinstance(b, str) else json.dumps(b)
        print(e["status"], e["headers"].get("content-length"), hashlib.sha256(b.encode()).hexdigest())'
}
sha() { sha256sum < "$1" | cut -d' ' -f1; }
# rss NAME: the peak RSS in $T_TMP/rss is under 2 MiB.
rss() {
	_kb=$(tail -1 "$T_TMP/rss")
	[ "$_kb" -lt 2048 ] && ok "$1: peak RSS $_kb KiB" || fail "$1: peak RSS $_kb KiB, want < 2048"
}
sent_none() {
	_n=$(emu_count_since request) _c=$(emu_count_since conn)
	[ "$_n" = 0 ] && [ "$_c" = 0 ] && ok "$1: nothing sent" ||
		fail "$1: the emulator saw $_n requests, $_c connections"
}
# refused NAME STATUS WHAT CMD...: exit STATUS, one line naming WHAT, nothing sent.
refused() {
	_rn=$1 _rs=$2 _rw=$3
	shift 3
	log_mark
	check "$_rn: exit $_rs" "$_rs" "$@"
	contains "$_rn: says what" "$T_TMP/err" "$_rw"
	eq "$_rn: one line" "$(wc -l < "$T_TMP/err")" 1
	sent_none "$_rn"
}

check "login" 0 ik login --apikey "@$K" --region us-south
check "warm up: the cluster cached" 0 ik kube "$C" /version

# --- a 20+ MB body from a file, streamed in constant memory ---
cm big 22000000 "$D/big.json"
big=$(wc -c < "$D/big.json")
[ "$big" -gt 20971520 ] && ok "big body: $big bytes" || fail "big body only $big bytes"
log_mark
check "kube POST -d @FILE (20+ MB)" 0 /usr/bin/time -f %M -o "$T_TMP/rss" \
	"$IKSCTL" kube "$C" -d "@$D/big.json" "$CM"
rss "kube 20+ MB"
arrived "kube 20+ MB" "$D/big.json" application/json
eq "kube 20+ MB: one request" "$(emu_count_since request service=master)" 1
head -c 16000000 /dev/urandom | base64 -w0 > "$D/big.txt"
log_mark
check "api PUT -d @FILE (20+ MB): the service's 404" 1 /usr/bin/time -f %M \
	-o "$T_TMP/rss" "$IKSCTL" api -X PUT -d "@$D/big.txt" /v1/clusters/nope
rss "api 20+ MB"
eq "api 20+ MB: arrived whole" "$(logged)" "404 $(wc -c < "$D/big.txt") $(sha "$D/big.txt")"

# -v: the body by its size and its file, never dumped.
cm mid 300000 "$D/mid.json"
check "-v kube -d @FILE" 0 ik -v kube "$C" -d "@$D/mid.json" "$CM"
contains "-v: the body's size and file" "$T_TMP/err" "> [$(wc -c < "$D/mid.json") bytes from $D/mid.json]"
[ "$(wc -c < "$T_TMP/err")" -lt 20000 ] && ok "-v: the body is not dumped" ||
	fail "-v trace of $(wc -c < "$T_TMP/err") bytes"
arrived "-v kube -d @FILE" "$D/mid.json"

# --- sent again whole: after a 401 (new token) and after a 429 ---
cm r401 300000 "$D/r401.json"
fault '{"kind":"expire_tokens"}'
log_mark
check "kube after 401: 201" 0 ik kube "$C" -d "@$D/r401.json" "$CM"
arrived "kube after 401" "$D/r401.json"
eq "kube after 401: the 401, then the 201" \
	"$(emu_count_since request service=master status=401) $(emu_count_since request service=master status=201)" "1 1"
cm r429 300000 "$D/r429.json"
fault '{"service":"master","path":"'"$CM"'","kind":"status","status":429,"retry_after":"1"}'
log_mark
check "kube after 429: 201" 0 ik kube "$C" -d "@$D/r429.json" "$CM"
arrived "kube after 429" "$D/r429.json"
eq "kube after 429: the 429, then the 201" \
	"$(emu_count_since request service=master status=429) $(emu_count_since request service=master status=201)" "1 1"
head -c 300000 /dev/urandom | base64 -w0 > "$D/mid.txt"
want="$(wc -c < "$D/mid.txt") $(sha "$D/mid.txt")"
fault '{"kind":"expire_tokens"}'
log_mark
check "api after 401" 1 ik api -X PUT -d "@$D/mid.txt" /v1/clusters/nope
eq "api after 401: both whole" "$(logged 2 | tr '\n' ' ')" "401 $want 404 $want "
fault '{"service":"cs","path":"/v1/clusters/nope","kind":"status","status":429,"retry_after":"1"}'
log_mark
check "api after 429" 1 ik api -X PUT -d "@$D/mid.txt" /v1/clusters/nope
eq "api after 429: both whole" "$(logged 2 | tr '\n' ' ')" "429 $want 404 $want "

# --- a file that shrinks between two tries: cut short, never a short body ---
cm shrink 3000000 "$D/shrink.json"
half=$(($(wc -c < "$D/shrink.json") / 2))
fault '{"service":"master","path":"'"$CM"'","kind":"status","status":429,"retry_after":"2"}'
log_mark
(   # once the 429 is out, during iksctl's wait: the file loses half its bytes
	i=0
	while [ "$(emu_count_since request service=master status=429)" = 0 ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	truncate -s "$half" "$D/shrink.json"
) &
check "shrinking file: exit 1" 1 ik kube "$C" -d "@$D/shrink.json" "$CM"
wait
contains "shrinking file: says so" "$T_TMP/err" "$D/shrink.json: it got shorter after $half of its $((half * 2))"
eq "shrinking file: one line" "$(wc -l < "$T_TMP/err")" 1
eq "shrinking file: nothing accepted" "$(emu_count_since request service=master status=201)" 0

# --- -d @-: a file as standard input is streamed; a pipe is buffered ---
cm stdin 2500000 "$D/stdin.json"
check "kube -d @- < FILE (2.5 MB, over the pipe limit)" 0 /usr/bin/time -f %M -o "$T_TMP/rss" \
	"$IKSCTL" -v kube "$C" -d @- "$CM" < "$D/stdin.json"
arrived "kube -d @- < FILE" "$D/stdin.json"
contains "-d @- < FILE: streamed" "$T_TMP/err" "> [$(wc -c < "$D/stdin.json") bytes from standard input]"
rss "kube -d @- < FILE"
# From where standard input stands, as curl reads it.
{ printf 'SKIPPED!!!'; cat "$D/mid.json"; } > "$D/skip.json"
check "kube -d @- < FILE, 10 bytes read before" 0 \
	sh -c 'dd bs=10 count=1 of=/dev/null 2>/dev/null; exec "$0" kube "$1" -X PUT -d @- "$2"' \
	"$IKSCTL" "$C" "$CM/mid" < "$D/skip.json"
arrived "-d @- from its offset" "$D/mid.json"
cm pipe 500000 "$D/pipe.json"
check "kube -d @- from a pipe" 0 sh -c 'cat "$0" | exec "$1" -v kube "$2" -d @- "$3"' \
	"$D/pipe.json" "$IKSCTL" "$C" "$CM"
arrived "kube -d @- from a pipe" "$D/pipe.json"
contains "-d @- from a pipe: buffered" "$T_TMP/err" "> [$(wc -c < "$D/pipe.json") bytes of body]"
printf '{"x":1}' > "$D/small.json"
log_mark
check "api -d @- from a pipe" 1 sh -c 'cat "$0" | exec "$1" api -X PUT -d @- /v1/clusters/nope' \
	"$D/small.json" "$IKSCTL"
eq "api -d @- from a pipe: arrived" "$(logged)" "404 7 $(printf '{"x": 1}' | sha256sum | cut -d' ' -f1)"
log_mark
check "api -d @- < FILE" 1 ik api -X PUT -d @- /v1/clusters/nope < "$D/mid.txt"
eq "api -d @- < FILE: arrived whole" "$(logged)" "404 $want"
refused "a pipe over LIM_REQ_BODY_BYTES" 1 "over LIM_REQ_BODY_BYTES = 1048575 bytes from a pipe; give the body as -d @FILE" \
	sh -c 'cat "$0" | exec "$1" kube "$2" -d @- "$3"' "$D/stdin.json" "$IKSCTL" "$C" "$CM"
refused "api: a pipe over the limit" 1 "LIM_REQ_BODY_BYTES" \
	sh -c 'cat "$0" | exec "$1" api -X PUT -d @- /v1/clusters/nope' "$D/stdin.json" "$IKSCTL"

# --- what is not a regular file: a directory is refused; a FIFO and a
# device are read whole, as curl and cat read them ---
refused "-d @DIR" 1 "-d @$D: a directory, not a file" ik kube "$C" -d "@$D" "$CM"
mkfifo "$D/fifo"
log_mark
( sleep 1; printf '{"x": 1}' > "$D/fifo" ) &
check "-d @FIFO: waits for its writer" 1 timeout 10 "$IKSCTL" api -X PUT -d "@$D/fifo" /v1/clusters/nope
eq "-d @FIFO: what it wrote arrived" "$(logged)" "404 8 $(printf '{"x": 1}' | sha256sum | cut -d' ' -f1)"
log_mark
check "-d @/dev/null: an empty body" 1 ik api -X PUT -d @/dev/null /v1/clusters/nope
eq "-d @/dev/null: 0 bytes arrived" "$(logged)" "404 0 $(printf '' | sha256sum | cut -d' ' -f1)"
refused "-d @MISSING" 2 "-d @$D/nope: no such file" ik kube "$C" -d "@$D/nope" "$CM"
check "-d DATA unchanged" 0 ik kube "$C" -d '{"metadata":{"name":"inline"}}' "$CM"
eq "-d DATA: arrived" "$(ann emulator/sha256)" "$(printf '{"metadata":{"name":"inline"}}' | sha256sum | cut -d' ' -f1)"

# --- kube -X PATCH --patch-type ---
P=$CM/inline
check "PATCH, no --patch-type: merge" 0 ik kube "$C" -X PATCH -d '{"data":{"a":"1"}}' "$P"
eq "default: merge-patch+json" "$(ann emulator/content-type)" application/merge-patch+json
check "--patch-type merge" 0 ik kube "$C" -X PATCH --patch-type merge -d '{"data":{"b":"2"}}' "$P"
eq "merge: merge-patch+json" "$(ann emulator/content-type)" application/merge-patch+json
check "--patch-type strategic" 0 ik kube "$C" -X PATCH --patch-type=strategic -d '{"data":{"c":"3"}}' "$P"
eq "strategic: strategic-merge-patch+json" "$(ann emulator/content-type)" application/strategic-merge-patch+json
printf '[{"op":"add","path":"/data/d","value":"4"},{"op":"remove","path":"/data/a"}]' > "$D/jp.json"
check "--patch-type json -d @FILE" 0 ik kube "$C" -X PATCH --patch-type json -d "@$D/jp.json" "$P"
arrived "json" "$D/jp.json" application/json-patch+json
check "--patch-type apply" 0 ik kube "$C" -X PATCH --patch-type apply \
	-d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inline"},"data":{"e":"5"}}' "$P?fieldManager=iksctl"
eq "apply: apply-patch+yaml" "$(ann emulator/content-type)" application/apply-patch+yaml
eq "the patches applied" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(sorted(d.items()))' "$T_TMP/out")" \
	"[('b', '2'), ('c', '3'), ('d', '4'), ('e', '5')]"
check "-H Content-Type replaces the patch type: 415" 1 ik kube "$C" -X PATCH --patch-type json \
	-H 'Content-Type: text/plain' -d '{}' "$P"
contains "415: the Status message" "$T_TMP/err" "the body of the request was in an unknown format"
contains "415: the status" "$T_TMP/err" "415"
eq "415: one line" "$(wc -l < "$T_TMP/err")" 1
log_mark
check "-H Content-Type replaces the built-in" 0 ik kube "$C" -X PUT -H 'content-type: application/json; charset=utf-8' \
	-d '{"metadata":{"name":"inline"}}' "$P"
eq "-H Content-Type: the one sent" "$(ann emulator/content-type)" "application/json; charset=utf-8"
refused "--patch-type unknown" 2 "--patch-type xml: use merge, json, strategic or apply" \
	ik kube "$C" -X PATCH --patch-type xml -d '{}' "$P"
refused "--patch-type with POST" 2 "--patch-type: only with -X PATCH" \
	ik kube "$C" -X POST --patch-type merge -d '{}' "$CM"
refused "--patch-type without -X" 2 "--patch-type: only with -X PATCH" \
	ik kube "$C" --patch-type merge -d '{}' "$P"
refused "--patch-type without a value" 2 "--patch-type needs a value" ik kube "$C" "$P" --patch-type
refused "api takes no --patch-type" 2 "--patch-type" ik api -X PATCH --patch-type merge -d '{}' /v1/clusters/nope

# --- kube -H: repeatable, replacing, the same refusals as api ---
log_mark
check "kube -H twice" 0 ik kube "$C" -H 'X-Request-Id: rq-16' -H 'X-Correlation-Id: co-16' /version
eq "kube -H: both sent" "$(emu_count_since request service=master x-request-id=rq-16 x-correlation-id=co-16)" 1
log_mark
check "kube -H replaces Accept" 0 ik kube "$C" -H 'Accept: application/yaml' /version
eq "kube -H Accept: the one sent" "$(emu_count_since request service=master accept=application/yaml)" 1
for h in 'Host: x' 'Content-Length: 5' 'transfer-encoding: chunked' 'Connection: close'; do
	refused "kube -H '$h'" 2 "iksctl sets it; it cannot be given with -H" ik kube "$C" -H "$h" -d '{}' "$CM"
done
refused "kube -H ': v' (empty name)" 2 "a header has an empty name" ik kube "$C" -H ': v' /version
refused "kube -H without a colon" 2 "no colon" ik kube "$C" -H 'X-A' /version
finish
