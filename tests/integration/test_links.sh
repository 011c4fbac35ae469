#!/bin/sh
# test_links.sh: no token leaves for another host (issue 12 item 3).
# A second emulator is a TLS listener the trust store trusts; `api` with
# a URL, "//host" or "host:port/x" as PATH is a usage error (exit 2) and
# an accounts next_url on another host is not followed (exit 1): the
# second emulator never sees a connection, let alone an Authorization.
. tests/integration/lib.sh
emu_start
E2=$T_TMP/emu2
sh tests/emulator/emu.sh start "$E2" > "$T_TMP/emu2.start" 2>&1 ||
	{ cat "$T_TMP/emu2.start"; fail "second emulator did not start"; finish; }
T_PIDS="$T_PIDS $(cat "$E2/pid")"
OTHER=$(sed -n 's/^IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT=//p' "$E2/env" | tr -d "'\"")
HP=${OTHER#https://}
cat "$EMU_CA_FILE" "$E2/ca.pem" > "$T_TMP/ca.pem"
export SSL_CERT_FILE=$T_TMP/ca.pem
ik() { "$IKSCTL" "$@"; }
seen() { python3 -c "
import json, sys
n = 0
for line in open('$E2/log.jsonl').readlines()[${BASE:-0}:]:
    e = json.loads(line)
    n += e.get('event') in ('conn', 'request')
print(n)"; }

# The trust store does trust the second emulator (the test can fail).
eq "the other host is trusted and answers" "$(curl -s --cacert "$T_TMP/ca.pem" \
	-o /dev/null -w '%{http_code}' "$OTHER/coe/v2/accounts" -H 'Authorization: Bearer x')" 401
[ "$(seen)" -gt 0 ] && ok "the listener logs connections" || fail "the listener logs nothing"
BASE=$(wc -l < "$E2/log.jsonl")

printf '%s\n' "$EMU_PASSWORD" > "$T_TMP/pw"
check "login (user in 3 accounts)" 0 ik login --username "$EMU_USER" \
	--password "@$T_TMP/pw" --account "$EMU_ACCOUNT"
check "accounts: two pages on the same host" 0 ik accounts
eq "accounts: all 3" "$(grep -c '^[0-9a-f]\{32\}' "$T_TMP/out")" 3

for p in "$OTHER/x" "//$HP/x" "$HP/x" "HTTPS://$HP/x" "/v1/x
Host: $HP" ; do
	check "api '$p': usage error" 2 ik api "$p"
	contains "api '$p': says why" "$T_TMP/err" "PATH must be a path on the service"
done
check "api --service accounts URL: usage error" 2 ik api --service accounts "$OTHER/coe/v2/accounts"
check "api --service iam //host: usage error" 2 ik api --service iam "//$HP/identity/token"
check "api with a plain path still works" 0 ik api /v1/clusters
log_mark
for p in "$OTHER/version" "//$HP/version" "$HP/version"; do
	check "kube '$p': usage error" 2 ik kube "$EMU_CLUSTER" "$p"
	contains "kube '$p': says why" "$T_TMP/err" "PATH must be a path on the service"
done
check "kube -X get: usage error" 2 ik kube "$EMU_CLUSTER" -X get /version
contains "kube -X get: says why" "$T_TMP/err" "upper-case token"
eq "kube: nothing sent for a bad PATH or method" "$(emu_count_since request)" 0
check "kube with a plain path still works" 0 ik kube "$EMU_CLUSTER" /version

emu_post /control/config "{\"next_url_base\":\"$OTHER\"}"
check "next_url on another host: exit 1" 1 ik accounts
contains "next_url: says so" "$T_TMP/err" "next_url points at another host ($HP)"
contains "next_url: not followed" "$T_TMP/err" "not followed"
emu_post /control/config "{\"next_url_base\":\"$(echo "$OTHER" | sed 's|^https:||')\"}"
check "next_url //host: exit 1" 1 ik accounts
contains "next_url //host: says so" "$T_TMP/err" "another host"
emu_post /control/config "{\"next_url_base\":\"$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT\"}"
check "next_url absolute on the same host: followed" 0 ik accounts
eq "same host: all 3" "$(grep -c '^[0-9a-f]\{32\}' "$T_TMP/out")" 3
emu_post /control/config '{"next_url_base":""}'

eq "the other host saw no connection" "$(seen)" 0
if tail -n +"$((BASE + 1))" "$E2/log.jsonl" | grep -qi authorization; then fail "the other host saw an Authorization header"
else ok "the other host saw no Authorization header"; fi
finish
