#!/bin/sh
# test_clusters.sh: regions, versions, clusters, cluster get|workers and
# api (issue 6) against the emulator: each output form (table, -o json
# byte for byte against curl, -q), the containers errors (G0004 exit 1,
# 401 exit 3, not logged in exit 3), an OpenShift and a VPC cluster, and
# a 5 MB api body streamed in constant memory (peak RSS measured).
. tests/integration/lib.sh
emu_start
ik() { "$IKSCTL" "$@"; }
# same NAME FILE: the last command's stdout is FILE byte for byte.
same() {
	if cmp -s "$T_TMP/out" "$2"; then ok "$1"; else fail "$1: $(cmp "$T_TMP/out" "$2" 2>&1)"; fi
}
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
CS=$IBMCLOUD_CS_API_ENDPOINT

# --- not logged in: exit 3 (versions needs no login) ---
check "clusters before login: exit 3" 3 ik clusters
check "versions without login" 0 ik versions
contains "versions table header" "$T_TMP/out" "KIND"
contains "versions lists openshift" "$T_TMP/out" "openshift    4.15.28"
check "versions -o json" 0 ik versions -o json
curl -s --cacert "$EMU_CA_FILE" "$CS/v1/versions" > "$T_TMP/curl"
same "versions json is curl's body" "$T_TMP/curl"

check "login" 0 ik login --apikey "@$K" --region us-south
TOK=$(ik token)
curl_cs() {
	curl -s --cacert "$EMU_CA_FILE" -H "Authorization: Bearer $TOK" "$@"
}

# --- regions (F8) ---
check "regions" 0 ik regions
eq "regions header" "$(head -1 "$T_TMP/out" | tr -s ' ')" "NAME ALIAS"
contains "regions: eu-central is eu-de" "$T_TMP/out" "eu-central   eu-de"
eq "regions: nothing else on stdout" "$(wc -l < "$T_TMP/out")" 7
check "regions -o json" 0 ik regions -o json
curl_cs "$CS/v1/regions" > "$T_TMP/curl"
same "regions json is curl's body" "$T_TMP/curl"
check "regions -q" 0 ik regions -q '.regions[].alias'
eq "regions -q lines" "$(tr '\n' ' ' < "$T_TMP/out")" "us-south us-east eu-de eu-gb jp-tok au-syd "

# --- clusters (F9), region from the target, the flag and the env ---
check "clusters" 0 ik clusters
eq "clusters header" "$(head -1 "$T_TMP/out" | tr -s ' ')" \
	"NAME ID STATE CREATED WORKERS LOCATION VERSION TYPE"
contains "clusters: the us-south cluster" "$T_TMP/out" "$EMU_CLUSTER_ID"
eq "clusters: one cluster in us-south" "$(wc -l < "$T_TMP/out")" 2
log_mark
check "clusters --region eu-de" 0 ik clusters --region eu-de
contains "clusters: the openshift cluster" "$T_TMP/out" "$EMU_OPENSHIFT_CLUSTER"
contains "clusters: type openshift" "$T_TMP/out" "openshift"
eq "X-Region sent" "$(emu_count_since request x-region=eu-de)" 1
check "clusters with IBMCLOUD_REGION" 0 env IBMCLOUD_REGION=us-east "$IKSCTL" clusters
contains "clusters: the VPC cluster" "$T_TMP/out" "$EMU_VPC_CLUSTER"
check "clusters -o json" 0 ik clusters -o json
curl_cs -H "X-Region: us-south" "$CS/v1/clusters" > "$T_TMP/curl"
same "clusters json is curl's body" "$T_TMP/curl"
check "clusters -q .[].name" 0 ik clusters -q '.[].name'
eq "clusters -q result" "$(cat "$T_TMP/out")" "$EMU_CLUSTER"
check "bad region: exit 1" 1 ik clusters --region mars-north
contains "bad region: the code" "$T_TMP/err" "G0007"

# --- cluster get (F10): by name and id ---
check "cluster get NAME" 0 ik cluster get "$EMU_CLUSTER"
eq "cluster get header" "$(head -1 "$T_TMP/out" | tr -s ' ')" "FIELD VALUE"
contains "cluster get: id" "$T_TMP/out" "$EMU_CLUSTER_ID"
contains "cluster get: public endpoint" "$T_TMP/out" "Public endpoint"
contains "cluster get: master URL" "$T_TMP/out" "Master URL"
check "cluster get ID" 0 ik cluster get "$EMU_CLUSTER_ID"
contains "cluster get by id: name" "$T_TMP/out" "$EMU_CLUSTER"
check "cluster get -o json" 0 ik cluster get "$EMU_CLUSTER" -o json
curl_cs "$CS/v1/clusters/$EMU_CLUSTER" > "$T_TMP/curl"
same "cluster json is curl's body" "$T_TMP/curl"
check "cluster get -q .publicServiceEndpointURL" 0 \
	ik cluster get "$EMU_CLUSTER" -q .publicServiceEndpointURL
pub=$(python3 -c "import json; print(json.load(open('$T_TMP/curl'))['publicServiceEndpointURL'])")
eq "-q endpoint" "$(cat "$T_TMP/out")" "$pub"
check "cluster get -q .workerZones[0]" 0 ik cluster get "$EMU_CLUSTER" -q '.workerZones[0]'
eq "-q zone" "$(cat "$T_TMP/out")" "dal10"
check "openshift cluster get" 0 ik cluster get "$EMU_OPENSHIFT_CLUSTER"
contains "openshift type" "$T_TMP/out" "openshift"
check "VPC cluster get" 0 ik cluster get "$EMU_VPC_CLUSTER"
contains "VPC provider" "$T_TMP/out" "vpc-gen2"
grep "^Server URL" "$T_TMP/out" > "$T_TMP/srv"
contains "VPC: empty serverURL shown as -" "$T_TMP/srv" " -"

# --- containers errors: one line with code, description, incidentID ---
check "unknown cluster: exit 1" 1 ik cluster get no-such-cluster
contains "G0004 code" "$T_TMP/err" "G0004"
contains "G0004 description" "$T_TMP/err" "could not be found"
contains "G0004 incidentID" "$T_TMP/err" "incidentID"
eq "error is one line" "$(wc -l < "$T_TMP/err")" 1
eq "nothing on stdout" "$(wc -c < "$T_TMP/out")" 0
check "other account's cluster: exit 1" 1 ik cluster get "$EMU_OTHER_ACCOUNT_CLUSTER"
check "cluster without a subcommand: usage" 2 ik cluster
check "cluster get without CLUSTER: usage" 2 ik cluster get

# --- cluster workers (F11): the same as worker ls (DESIGN.md, issue 14) ---
check "cluster workers" 0 ik cluster workers "$EMU_CLUSTER"
eq "workers header" "$(head -1 "$T_TMP/out" | tr -s ' ')" \
	"ID STATE STATUS ZONE FLAVOR VERSION PRIVATE IP POOL"
eq "three workers" "$(wc -l < "$T_TMP/out")" 4
contains "worker flavor" "$T_TMP/out" "b3c.4x16.encrypted"
check "workers -o json" 0 ik cluster workers "$EMU_CLUSTER_ID" -o json
curl_cs "$CS/v1/clusters/$EMU_CLUSTER_ID/workers" > "$T_TMP/curl"
same "workers json is curl's body" "$T_TMP/curl"
check "workers -q" 0 ik cluster workers "$EMU_CLUSTER" -q '.[0].privateIP'
eq "workers -q result" "$(cat "$T_TMP/out")" "10.240.0.4"
check "openshift workers" 0 ik cluster workers "$EMU_OPENSHIFT_CLUSTER"
check "VPC workers" 0 ik cluster workers "$EMU_VPC_CLUSTER"
contains "VPC worker flavor" "$T_TMP/out" "bx2.4x16"
check "workers of an unknown cluster: exit 1" 1 ik cluster workers nope
contains "workers: G0004" "$T_TMP/err" "G0004"

# --- api: any service, -X, -d, -H; error bodies printed too ---
curl_cs "$CS/v1/clusters/$EMU_CLUSTER" > "$T_TMP/curl.c"
check "api GET" 0 ik api /v1/clusters/"$EMU_CLUSTER"
same "api body is curl's" "$T_TMP/curl.c"
check "api 404: exit 1" 1 ik api /v1/clusters/nope
contains "api 404: body on stdout" "$T_TMP/out" '"code":"G0004"'
contains "api 404: error line" "$T_TMP/err" "G0004"
check "api --service accounts -q" 0 ik api --service accounts /coe/v2/accounts \
	-q '.resources[0].metadata.guid'
eq "api accounts" "$(cat "$T_TMP/out")" "$EMU_ACCOUNT"
check "api --service iam -X POST -d -H: exit 1" 1 ik api --service iam -X POST \
	-H 'Content-Type: application/x-www-form-urlencoded' -d grant_type=nope \
	/identity/token
contains "api iam: IAM's code" "$T_TMP/err" "BXNIM0106E"
log_mark
printf '{"x":1}' > "$T_TMP/body"
check "api -d @FILE" 1 ik api -X PUT -d "@$T_TMP/body" /v1/clusters/nope
eq "api -d: PUT with a body" \
	"$(emu_count_since request method=PUT content-length=7 content-type=application/json)" 1
check "api bad --service: usage" 2 ik api --service nope /x
check "api bad -H: usage" 2 ik api -H nocolon /x

# --- api: a 5 MB body streams in constant memory ---
small=$(rss "$T_TMP/small" "$IKSCTL" api /v1/regions)
emu_post /control/fault '{"service":"cs","path":"/v1/clusters","kind":"big"}'
big=$(rss "$T_TMP/big" "$IKSCTL" api /v1/clusters)
size=$(wc -c < "$T_TMP/big")
echo "# api peak RSS: small body ${small} KB, $size-byte body ${big} KB"
if [ "$size" -ge 5000000 ]; then ok "5 MB body on stdout"; else fail "body $size bytes"; fi
check "big body is JSON" 0 python3 -c "import json; json.load(open('$T_TMP/big'))"
if [ "$small" -gt 0 ] && [ $((big - small)) -lt 1024 ]; then
	ok "streamed: RSS grew $((big - small)) KB for 5 MB"
else
	fail "RSS small $small KB, big $big KB"
fi
# Only the static build's RSS means anything (ASan and valgrind inflate it).
if file -L "$IKSCTL" | grep -q "statically linked"; then
	if [ "$big" -gt 0 ] && [ "$big" -lt 2048 ]; then ok "peak RSS under 2 MiB"
	else fail "peak RSS $big KB"; fi
else
	ok "RSS limit not checked for a checked (sanitizer or valgrind) build"
fi

# --- an expired session that nothing can renew: exit 3 ---
printf '%s' "$EMU_APIKEY" | "$IKSCTL" login --apikey - > /dev/null 2>&1
emu_post /control/fault '{"kind":"expire_tokens","refresh":true}'
check "401 and no way to renew: exit 3" 3 ik clusters
check "api 401: exit 3" 3 ik api /v1/clusters
finish
