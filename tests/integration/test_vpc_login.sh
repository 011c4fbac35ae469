#!/bin/sh
# test_vpc_login.sh: `login --vpc-instance` (F23, issue 18) against the
# emulator's VPC metadata service: by profile id and by CRN, over plain
# HTTP and over TLS; the store's source and no secret in it; renewal
# (expiry and a 401) by the two calls again; the fallbacks on a 404
# (iam_tokens, then iam_token, then the older /instance_identity/ API);
# the errors (service off: exit 4; no profile linked, other 4xx: exit 3);
# no proxy for the metadata service (a real tinyproxy and a refusing
# port); --account; the token agent; the kube id_token from the config
# zip (kube-credential, kube, token --kube), and -v without tokens.
. tests/integration/lib.sh
emu_start
S=$IKSCTL_HOME/store
ID=$EMU_VPC_PROFILE_ID
CRN=$EMU_VPC_PROFILE_CRN
export IKSCTL_METADATA_URL=$EMU_METADATA_URL
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY no_proxy
ik() { "$IKSCTL" "$@"; }
cfg() { emu_post /control/config "$1"; }

# md_log FIELD...: one line per metadata request since the mark, in the
# order they were sent (a plain connection carries one request, and the
# emulator logs a request once answered: by connection): the method, the
# path, the query, the status, then each FIELD's value.
md_log() {
	log_settle
	tail -n +"$((T_MARK + 1))" "$EMU_LOG" | python3 -c '
import json, sys
rows = []
for n, l in enumerate(sys.stdin):
    e = json.loads(l)
    if e.get("event") == "request" and e.get("service") == "metadata":
        f = [json.dumps(e.get(k), sort_keys=True) if not isinstance(e.get(k), str) else e[k]
             for k in sys.argv[1:]]
        rows.append(((e["conn"], n), " ".join(
            [e["method"], e["path"], e.get("query", ""), str(e["status"])] + f)))
for _, r in sorted(rows):
    print(r)
' "$@"
}
# claim TOKEN KEY: a claim of a JWT's payload.
claim() {
	python3 -c 'import base64, json, sys; p = sys.argv[1].split(".")[1]
print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))).get(sys.argv[2]))' "$1" "$2"
}

# --- by id, plain HTTP: the two calls, the store ---
log_mark
check "login --vpc-instance --profile-id (http)" 0 ik login --vpc-instance --profile-id "$ID"
contains "login shows the account" "$T_TMP/out" "$EMU_ACCOUNT"
contains "login shows the source" "$T_TMP/out" "vpc-instance:$ID"
md_log tls expires_in trusted_profile > "$T_TMP/md"
eq "two calls, newest API" "$(cut -d' ' -f1-4 "$T_TMP/md" | tr '\n' ';')" \
	"PUT /identity/v1/token version=2025-08-26 200;POST /identity/v1/iam_tokens version=2025-08-26 200;"
contains "identity token: over plain HTTP, 300 s" "$T_TMP/md" "PUT /identity/v1/token version=2025-08-26 200 false 300 null"
contains "IAM token: the profile by id" "$T_TMP/md" "{\"id\": \"$ID\"}"
log_settle
python3 - "$EMU_LOG" "$T_MARK" > "$T_TMP/hdr" <<'PY'
import json, sys
for l in list(open(sys.argv[1]))[int(sys.argv[2]):]:
    e = json.loads(l)
    if e.get("service") == "metadata" and e.get("event") == "request":
        print(e["path"], e["headers"].get("metadata-flavor"), e["headers"].get("authorization"))
PY
contains "Metadata-Flavor: ibm on the token call" "$T_TMP/hdr" "/identity/v1/token ibm None"
contains "the identity token as Bearer on the IAM call" "$T_TMP/hdr" "/identity/v1/iam_tokens ibm Bearer [masked]"
eq "nothing else was called" "$(emu_count_since request)" 2
contains "store: kind" "$S" "cred_kind vpc-instance"
contains "store: source" "$S" "cred_source vpc-instance:$ID"
if grep -q "^refresh_token" "$S"; then fail "a refresh token in the store"; else ok "no refresh token"; fi
# No secret: every JWT in the store is IAM's, none the instance's identity token.
bad=0
for t in $(grep -oE 'eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+' "$S"); do
	[ "$(claim "$t" iss)" = "VSI-CR_us-south" ] && bad=$((bad + 1))
done
eq "no identity token in the store" "$bad" 0
eq "store keys: nothing secret" "$(cut -d' ' -f1 "$S" | grep -vxE 'iksctl-store|iam_url|accounts_url|cs_url|account|region|iam_id|login_id|user|access_token|access_iat|access_exp|cred_kind|cred_source|clock_offset|tls|end' | wc -l)" 0
check "token -o json" 0 ik token -o json
contains "token json: credential" "$T_TMP/out" '"credential":"vpc-instance"'
eq "the token is the profile's" "$(claim "$(ik token)" iam_id)" "iam-$ID"
check "clusters with it" 0 ik clusters
contains "clusters: account 1's" "$T_TMP/out" "$EMU_CLUSTER"

# --- by CRN, over TLS (secure access), with --cacert and SSL_CERT_FILE ---
log_mark
check "login --profile-crn over TLS (SSL_CERT_FILE)" 0 env IKSCTL_METADATA_URL="$EMU_METADATA_TLS_URL" \
	"$IKSCTL" login --vpc-instance --profile-crn "$CRN"
md_log tls trusted_profile > "$T_TMP/md"
contains "TLS listener used" "$T_TMP/md" "POST /identity/v1/iam_tokens version=2025-08-26 200 true"
contains "IAM token: the profile by crn" "$T_TMP/md" "{\"crn\": \"$CRN\"}"
contains "store: crn source" "$S" "cred_source vpc-instance:$CRN"
check "over TLS with --cacert" 0 env -u SSL_CERT_FILE IKSCTL_METADATA_URL="$EMU_METADATA_TLS_URL" \
	"$IKSCTL" --cacert "$EMU_CA_FILE" login --vpc-instance --profile-crn "$CRN"
mkdir -p "$T_TMP/other"
sh tests/integration/certs.sh "$T_TMP/other" > /dev/null 2>&1
check "TLS: an untrusted certificate: exit 4" 4 env SSL_CERT_FILE="$T_TMP/other/rsa-root.pem" \
	IKSCTL_METADATA_URL="$EMU_METADATA_TLS_URL" "$IKSCTL" login --vpc-instance --profile-id "$ID"
contains "TLS: verified like any host" "$T_TMP/err" "unknown CA"

# --- usage ---
check "--vpc-instance without a profile: exit 2" 2 ik login --vpc-instance
contains "usage says which flags" "$T_TMP/err" "--profile-id ID or --profile-crn CRN"
check "--profile-id and --profile-crn together: exit 2" 2 \
	ik login --vpc-instance --profile-id "$ID" --profile-crn "$CRN"
contains "both: says pass one" "$T_TMP/err" "--profile-id and --profile-crn: pass one"

# --- renewal: no refresh token, the two calls again ---
check "login for renewal" 0 ik login --vpc-instance --profile-id "$ID"
t1=$(ik token)
log_mark
emu_post /control/fault '{"kind":"expire_tokens"}'
check "401: renewed and retried" 0 ik clusters
eq "401: identity token again" "$(emu_count_since request service=metadata path=/identity/v1/token)" 1
eq "401: IAM token again" "$(emu_count_since request service=metadata path=/identity/v1/iam_tokens)" 1
eq "401: no IAM grant" "$(emu_count_since request service=iam)" 0
t2=$(ik token)
[ -n "$t2" ] && [ "$t1" != "$t2" ] && ok "401: a new token stored" || fail "401: the token did not change"
cfg '{"access_ttl":12}'
check "login, 12 s tokens" 0 ik login --vpc-instance --profile-id "$ID"
t1=$(ik token)
sleep 11
log_mark
check "expired: token renews" 0 ik token
[ "$(cat "$T_TMP/out")" != "$t1" ] && ok "expired: a new token" || fail "expired: the same token"
eq "expired: the two calls again" "$(md_log | cut -d' ' -f1,2,4 | tr '\n' ';')" \
	"PUT /identity/v1/token 200;POST /identity/v1/iam_tokens 200;"

# --- the token agent renews by the same two calls ---
F=$T_TMP/sink/token
mkdir -p "$T_TMP/sink"
log_mark
"$IKSCTL" token --watch --sink "$F" 2> "$T_TMP/agent.err" &
AGENT=$!
T_PIDS="$T_PIDS $AGENT"
wait_file "$F" || fail "agent wrote nothing"
a1=$(cat "$F")
sleep 14
a2=$(cat "$F")
kill "$AGENT"
wait "$AGENT" 2>/dev/null
eq "agent: the sink is the profile's token" "$(claim "$a1" iam_id)" "iam-$ID"
[ -n "$a2" ] && [ "$a1" != "$a2" ] && ok "agent: renewed within one lifetime" || fail "agent: no renewal: $(cat "$T_TMP/agent.err")"
n=$(emu_count_since request service=metadata path=/identity/v1/iam_tokens)
[ "$n" -ge 1 ] && ok "agent: renewed through the metadata service ($n)" || fail "agent: no metadata call"
eq "agent: no IAM grant" "$(emu_count_since request service=iam)" 0
cfg '{"access_ttl":3600}'

# --- fallbacks on a 404 ---
cfg '{"metadata_new_paths":false}'
log_mark
check "older service: login" 0 ik login --vpc-instance --profile-id "$ID"
eq "older service: the /instance_identity/ API" "$(md_log | cut -d' ' -f1-4 | tr '\n' ';')" \
	"PUT /identity/v1/token version=2025-08-26 404;PUT /instance_identity/v1/token version=2022-03-01 200;POST /instance_identity/v1/iam_token version=2022-03-01 200;"
cfg '{"metadata_new_paths":true}'
emu_post /control/fault '{"service":"metadata","path":"/identity/v1/iam_tokens","kind":"status","status":404}'
log_mark
check "iam_tokens 404: login" 0 ik login --vpc-instance --profile-id "$ID"
eq "iam_tokens 404: iam_token, then the older API" "$(md_log | cut -d' ' -f1,2,4 | tr '\n' ';')" \
	"PUT /identity/v1/token 200;POST /identity/v1/iam_tokens 404;POST /identity/v1/iam_token 404;PUT /instance_identity/v1/token 200;POST /instance_identity/v1/iam_token 200;"

# --- errors: one line, with what to do ---
cfg '{"metadata":false}'
check "service off: exit 4" 4 ik login --vpc-instance --profile-id "$ID"
contains "service off: says to enable it" "$T_TMP/err" "enable the instance's metadata service"
eq "service off: one line" "$(wc -l < "$T_TMP/err")" 1
# A service that accepts and never answers (a silent port): the same advice.
bg python3 tests/integration/net_helper.py silent "$T_TMP/silent"
if wait_file "$T_TMP/silent"; then
	check "service silent: exit 4" 4 env IKSCTL_METADATA_URL="http://127.0.0.1:$(cat "$T_TMP/silent")" \
		"$IKSCTL" --timeout 1 login --vpc-instance --profile-id "$ID"
	contains "service silent: says to enable it" "$T_TMP/err" "enable the instance's metadata service"
else
	fail "net_helper silent did not start"
fi
cfg '{"metadata":true}'
cfg '{"metadata_profile_linked":false}'
check "no profile linked: exit 3" 3 ik login --vpc-instance --profile-id "$ID"
contains "no profile linked: the code" "$T_TMP/err" "profile_not_linked"
contains "no profile linked: says to link it" "$T_TMP/err" "link the profile to this instance"
eq "no profile linked: one line" "$(wc -l < "$T_TMP/err")" 1
cfg '{"metadata_profile_linked":true}'
check "another profile: exit 3" 3 ik login --vpc-instance --profile-crn "crn:v1:bluemix:public:iam-identity::a/$EMU_ACCOUNT::profile:Profile-fake"
contains "another profile: VPC message" "$T_TMP/err" "not linked to the specified trusted profile"
emu_post /control/fault '{"service":"metadata","path":"/identity/v1/token","kind":"status","status":403}'
check "other 4xx: exit 3" 3 ik login --vpc-instance --profile-id "$ID"
contains "other 4xx: code and message" "$T_TMP/err" "service_error: An internal error occurred."
contains "other 4xx: trace" "$T_TMP/err" "trace "
eq "other 4xx: one line" "$(wc -l < "$T_TMP/err")" 1
check "login before the service goes off" 0 ik login --vpc-instance --profile-id "$ID"
cfg '{"metadata":false}'
emu_post /control/fault '{"kind":"expire_tokens"}'
check "renewal, service off: exit 4" 4 ik clusters
contains "renewal, service off: says so" "$T_TMP/err" "metadata service"
cfg '{"metadata":true}'

# --- no proxy for the metadata service ---
set -- $(python3 tests/integration/net_helper.py ports 2)
PX=$1 DOWN=$2
tinyproxy_start px "$PX"
PXU=http://127.0.0.1:$PX
sleep 0.2
seen=$(grep -ciE 'CONNECT|GET|PUT|POST' "$T_TMP/px.log")   # the probe's
check "proxy set: login over http" 0 env HTTPS_PROXY="$PXU" HTTP_PROXY="$PXU" https_proxy="$PXU" http_proxy="$PXU" \
	"$IKSCTL" login --vpc-instance --profile-id "$ID"
check "proxy set: login over TLS" 0 env HTTPS_PROXY="$PXU" HTTP_PROXY="$PXU" IKSCTL_METADATA_URL="$EMU_METADATA_TLS_URL" \
	"$IKSCTL" login --vpc-instance --profile-id "$ID"
sleep 0.2
eq "the proxy saw nothing" "$(grep -ciE 'CONNECT|GET|PUT|POST' "$T_TMP/px.log")" "$seen"
check "proxy that refuses: login still works" 0 env HTTPS_PROXY="http://127.0.0.1:$DOWN" HTTP_PROXY="http://127.0.0.1:$DOWN" \
	"$IKSCTL" login --vpc-instance --profile-id "$ID"
check "...while IBM's hosts do use it: exit 4" 4 env HTTPS_PROXY="http://127.0.0.1:$DOWN" "$IKSCTL" accounts
check "through the real proxy: clusters" 0 env HTTPS_PROXY="$PXU" "$IKSCTL" clusters
[ "$(grep -c CONNECT "$T_TMP/px.log")" -ge 1 ] && ok "the proxy carried the containers call" || fail "the proxy saw no CONNECT"

# --- --account ---
check "--account (the profile's)" 0 ik login --vpc-instance --profile-id "$ID" --account "$EMU_ACCOUNT"
contains "--account: scoped" "$T_TMP/out" "$EMU_ACCOUNT"
check "--account of another account: exit 3" 3 ik login --vpc-instance --profile-id "$ID" --account "$EMU_ACCOUNT2"
contains "--account: says why" "$T_TMP/err" "belongs to the profile's account $EMU_ACCOUNT, not $EMU_ACCOUNT2"
check "target --account of the profile's own account: exit 0" 0 ik target --account "$EMU_ACCOUNT"
check "target --account of another account: exit 3" 3 ik target --account "$EMU_ACCOUNT2"
contains "target --account: says why" "$T_TMP/err" "use a profile of that account"

# --- the kube id_token: from the config zip ---
check "login for kube" 0 ik login --vpc-instance --profile-id "$ID"
check "token --kube without a cluster: exit 3" 3 ik token --kube
contains "token --kube: says what to use" "$T_TMP/err" "kube-credential --cluster"
log_mark
check "kube-credential --cluster" 0 ik kube-credential --cluster "$EMU_CLUSTER"
kt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"]["token"])' "$T_TMP/out")
eq "kube token: for kube" "$(claim "$kt" aud)" "kube"
eq "kube token: the profile's" "$(claim "$kt" iam_id)" "iam-$ID"
eq "kube token: from the config zip" "$(emu_count_since request service=cs path=/global/v1/clusters/$EMU_CLUSTER/config)" 1
eq "kube token: no F13" "$(emu_count_since request service=iam)" 0
check "token --kube: the cached one" 0 ik token --kube
eq "token --kube: same token" "$(cat "$T_TMP/out")" "$kt"
check "kube CLUSTER /version" 0 ik kube "$EMU_CLUSTER" /version
contains "kube: the master answered" "$T_TMP/out" "gitVersion"
check "cluster config" 0 ik cluster config "$EMU_CLUSTER" --kubeconfig "$T_TMP/kc"
contains "kubeconfig passes IKSCTL_METADATA_URL" "$T_TMP/kc" "IKSCTL_METADATA_URL"
# A cr-token login has no refresh token either: the same route.
check "cr-token login" 0 ik login --cr-token "@$EMU_CR_TOKEN_FILE" --profile-id "$EMU_PROFILE_ID"
check "cr-token: kube-credential --cluster" 0 ik kube-credential --cluster "$EMU_CLUSTER"
contains "cr-token: an ExecCredential" "$T_TMP/out" '"kind":"ExecCredential"'
# A config zip whose kubeconfig quotes the id-token (YAML allows it).
cfg '{"kubeconfig_quoted":true}' > /dev/null
check "login (another profile: no kube token kept)" 0 ik login --vpc-instance --profile-id "$ID"
check "quoted id-token: kube-credential --cluster" 0 ik kube-credential --cluster "$EMU_CLUSTER"
kt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"]["token"])' "$T_TMP/out")
eq "quoted id-token: the JWT without its quotes" "$(claim "$kt" aud)" "kube"
cfg '{"kubeconfig_quoted":false}' > /dev/null

# --- -v: no token in the trace ---
check "-v login" 0 ik -v login --vpc-instance --profile-id "$ID"
contains "-v: the Bearer redacted" "$T_TMP/err" "Authorization: [redacted]"
contains "-v: plain HTTP said" "$T_TMP/err" "plain HTTP"
if grep -q "eyJ" "$T_TMP/err"; then fail "-v: a token in the trace"; else ok "-v: no token in the trace"; fi
finish
