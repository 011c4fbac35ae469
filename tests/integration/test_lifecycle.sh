#!/bin/sh
# test_lifecycle.sh: cluster create classic|vpc-gen2, cluster rm and
# cluster master update against the emulator's lifecycle (issue 13):
# every flag reaching the real keys, local checks before anything is
# sent, --dry-run, the confirmation rule (on a real pty), output forms,
# the service's errors, the cache removed by rm, and changing calls
# never sent twice (a 500 or a timeout after the create, a 429, a reset).
# Waiting is test_wait.sh.
. tests/integration/lib.sh
lifecycle_start

# count METHOD PATH: requests of that method to the containers path.
count() { emu_count_since request service=cs method="$1" path="/global$2"; }




check "login" 0 ik login --apikey "@$K" --region us-south

# ---- Local checks: exit 2, nothing sent.
log_mark
check "create classic: no --name: exit 2" 2 ik cluster create classic --zone dal10 --flavor b3c.4x16
contains "no --name: says so" "$T_TMP/err" "iksctl: cluster create classic: --name is required"
check "create vpc: odd zone/subnet: exit 2" 2 ik cluster create vpc-gen2 --name e \
	--vpc-id v --flavor bx2.4x16 --zone us-south-1 --subnet-id s1 --zone us-south-2
contains "odd pairs: says so" "$T_TMP/err" "give each --zone its --subnet-id (2 and 1 given)"
check "create vpc: no zone: exit 2" 2 ik cluster create vpc-gen2 --name e --vpc-id v --flavor f
check "bad CIDR: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --pod-subnet 10.0.0/8
contains "bad CIDR: says so" "$T_TMP/err" "--pod-subnet 10.0.0/8: use a CIDR"
check "CIDR prefix over 32: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --service-subnet 10.0.0.0/33
check "CIDR octet over 255: exit 2" 2 ik cluster create vpc-gen2 --name e --vpc-id v --flavor f \
	--zone z --subnet-id s --pod-subnet 10.256.0.0/16
check "--workers 0: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --workers 0
check "--workers x: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --workers x
check "--hardware bad: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --hardware big
check "--public-vlan alone: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --public-vlan 1
contains "--public-vlan: needs --private-vlan" "$T_TMP/err" "--public-vlan needs --private-vlan"
check "--private-only with --public-vlan: exit 2" 2 ik cluster create classic --name e --zone dal10 \
	--flavor f --private-vlan 1 --public-vlan 2 --private-only
check "unknown flag: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --gateway
check "a name that is not UTF-8: exit 2" 2 ik cluster create classic --name "$(printf 'e\377')" --zone dal10 --flavor f
check "rm: no CLUSTER: exit 2" 2 ik cluster rm -f
check "master update: no CLUSTER: exit 2" 2 ik cluster master update -f
check "--wait-timeout bad: exit 2" 2 ik cluster create classic --name e --zone dal10 --flavor f --wait --wait-timeout soon
check "cluster create (no kind): exit 2" 2 ik cluster create --name e
eq "local checks: nothing sent" "$(emu_count_since request service=cs)" 0

# ---- The named target is the one changed (issue 25): a positional and
# its flag, or one flag twice, naming different things: exit 2, nothing
# sent; the same thing twice is fine; -c everywhere a CLUSTER is taken.
C1=$EMU_CLUSTER
log_mark
check "rm CLUSTER -c OTHER: exit 2" 2 ik cluster rm "$C1" -c "$EMU_VPC_CLUSTER" -f
contains "rm CLUSTER -c OTHER: says CLUSTER given twice" "$T_TMP/err" \
	"iksctl: cluster rm: CLUSTER given twice, as '$C1' and '$EMU_VPC_CLUSTER'"
check "rm -c OTHER CLUSTER: exit 2" 2 ik cluster rm -c "$EMU_VPC_CLUSTER" "$C1" -f
contains "rm -c OTHER CLUSTER: says so" "$T_TMP/err" "CLUSTER given twice"
check "rm -c A --cluster B: exit 2" 2 ik cluster rm -c "$C1" --cluster="$EMU_VPC_CLUSTER" -f
check "master update A -c B --dry-run: exit 2" 2 ik cluster master update "$C1" -c x --dry-run
check "create --name twice, different: exit 2" 2 ik cluster create classic --name a --name b \
	--zone dal10 --flavor f --dry-run
check "cluster get A -c B: exit 2" 2 ik cluster get "$C1" -c "$EMU_VPC_CLUSTER"
check "cluster config A --cluster B: exit 2" 2 ik cluster config "$C1" --cluster "$EMU_VPC_CLUSTER" --kubeconfig -
check "kube A -c B PATH: exit 2" 2 ik kube "$C1" -c "$EMU_VPC_CLUSTER" /version
check "kube -c A B PATH: exit 2" 2 ik kube -c "$C1" "$EMU_VPC_CLUSTER" /version
check "wait A -c B: exit 2" 2 ik cluster wait "$C1" --cluster "$EMU_VPC_CLUSTER"
eq "named twice: nothing sent" "$(emu_count_since request service=cs)" 0
check "cluster get -c CLUSTER: exit 0" 0 ik cluster get -c "$C1"
contains "cluster get -c: the cluster" "$T_TMP/out" "$EMU_CLUSTER_ID"
check "cluster get A -c A (the same twice): exit 0" 0 ik cluster get "$C1" --cluster="$C1"
check "cluster config -c CLUSTER: exit 0" 0 ik cluster config -c "$C1" --kubeconfig -
contains "cluster config -c: the YAML" "$T_TMP/out" "kube-credential"
check "cluster config --visibility private --endpoint public: exit 2" 2 ik --visibility private \
	cluster config "$C1" --endpoint public --kubeconfig -
contains "visibility and endpoint: says so" "$T_TMP/err" "--endpoint public and --visibility private"
check "kube -c CLUSTER PATH: exit 0" 0 ik kube -c "$C1" /version
contains "kube -c: the answer" "$T_TMP/out" "gitVersion"
check "help cluster: -c for get and config too" 0 ik help cluster
contains "help cluster: the -c heading" "$T_TMP/out" "get, workers, config, rm, master update, wait:"
check "help kube: -c" 0 ik help kube
contains "help kube: -c, --cluster" "$T_TMP/out" "-c, --cluster CLUSTER"

# ---- --dry-run: the request on stdout, nothing sent, secrets redacted.
TOKEN=$(ik token)
log_mark
check "dry-run classic: exit 0" 0 ik cluster create classic --name edge1 --zone dal10 \
	--flavor b3c.4x16 --workers 2 --version 1.30 --hardware dedicated --private-vlan 111 \
	--public-vlan 222 --private-service-endpoint --public-service-endpoint \
	--pod-subnet 172.30.0.0/16 --service-subnet 172.21.0.0/16 --disable-disk-encrypt --dry-run
eq "dry-run classic: the request line" "$(head -1 "$T_TMP/out")" "POST ${IBMCLOUD_CS_API_ENDPOINT}/v1/clusters"
contains "dry-run: Authorization redacted" "$T_TMP/out" "Authorization: Bearer [redacted]"
contains "dry-run: refresh token redacted" "$T_TMP/out" "X-Auth-Refresh-Token: [redacted]"
contains "dry-run: X-Region" "$T_TMP/out" "X-Region: us-south"
contains "dry-run: Content-Type" "$T_TMP/out" "Content-Type: application/json"
if grep -qF "$TOKEN" "$T_TMP/out" "$T_TMP/err"; then fail "dry-run: the token printed"
else ok "dry-run: no token printed"; fi
json_eq "dry-run classic: the exact body, misspelt key and all" "$(dry_body)" \
	'{"name":"edge1","dataCenter":"dal10","machineType":"b3c.4x16","workerNum":2,
	  "masterVersion":"1.30","isolation":"private","privateVlan":"111","publicVlan":"222",
	  "privateSeviceEndpoint":true,"publicServiceEndpoint":true,"podSubnet":"172.30.0.0/16",
	  "serviceSubnet":"172.21.0.0/16","diskEncryption":false}'
check "dry-run vpc: exit 0" 0 ik cluster create vpc-gen2 --name edge2 --vpc-id r006-abc \
	--flavor bx2.4x16 --zone us-south-1 --subnet-id 0717-a --zone us-south-2 --subnet-id 0717-b \
	--workers 3 --version 1.30 --cos-instance crn:v1:cos --disable-public-service-endpoint --dry-run
eq "dry-run vpc: the request line" "$(head -1 "$T_TMP/out")" "POST ${IBMCLOUD_CS_API_ENDPOINT}/v2/vpc/createCluster"
json_eq "dry-run vpc: workerPool an object, workerCount per zone, a zone per pair" "$(dry_body)" \
	'{"name":"edge2","provider":"vpc-gen2","kubeVersion":"1.30","cosInstanceCRN":"crn:v1:cos",
	  "disablePublicServiceEndpoint":true,"workerPool":{"name":"default","flavor":"bx2.4x16",
	  "vpcID":"r006-abc","workerCount":3,"zones":[{"id":"us-south-1","subnetID":"0717-a"},
	  {"id":"us-south-2","subnetID":"0717-b"}]}}'
check "dry-run: a quote in a name is escaped" 0 ik cluster create classic --name 'a"b\c' --zone dal10 --flavor f --dry-run
json_eq "dry-run: RFC 8259 escaping" "$(dry_body)" \
	'{"name":"a\"b\\c","dataCenter":"dal10","machineType":"f","workerNum":1,"diskEncryption":true}'
check "dry-run rm: exit 0 (no -f needed, no terminal)" 0 ik cluster rm "$EMU_CLUSTER" --dry-run < /dev/null
eq "dry-run rm: DELETE of the id (what is sent), deleteResources=false" "$(head -1 "$T_TMP/out")" \
	"DELETE ${IBMCLOUD_CS_API_ENDPOINT}/v1/clusters/$EMU_CLUSTER_ID?deleteResources=false"
check "dry-run rm --delete-storage: exit 0" 0 ik cluster rm -c "$EMU_CLUSTER" --delete-storage --dry-run
eq "dry-run rm --delete-storage: deleteResources=true" "$(head -1 "$T_TMP/out")" \
	"DELETE ${IBMCLOUD_CS_API_ENDPOINT}/v1/clusters/$EMU_CLUSTER_ID?deleteResources=true"
if grep -q "Content-Type" "$T_TMP/out"; then fail "dry-run rm: a Content-Type without a body"
else ok "dry-run rm: no body, no Content-Type"; fi
check "dry-run master update: exit 0" 0 ik cluster master update --cluster="$EMU_CLUSTER" --version 1.30 --dry-run
eq "dry-run master update: PUT to the id" "$(head -1 "$T_TMP/out")" "PUT ${IBMCLOUD_CS_API_ENDPOINT}/v1/clusters/$EMU_CLUSTER_ID"
json_eq "dry-run master update: the body" "$(dry_body)" '{"action":"update","version":"1.30","force":false}'
check "dry-run master update --force-update" 0 ik cluster master update "$EMU_CLUSTER" --force-update --dry-run
json_eq "dry-run master update: force true, no version" "$(dry_body)" '{"action":"update","force":true}'
check "dry-run with --resource-group" 0 ik --resource-group rg-123 cluster create classic --name e --zone dal10 --flavor f --dry-run
contains "dry-run: X-Auth-Resource-Group" "$T_TMP/out" "X-Auth-Resource-Group: rg-123"
eq "dry-run: only reads sent" "$(emu_count_since request service=cs)" "$(emu_count_since request service=cs method=GET)"

# ---- create: one line, -o json verbatim, -q, the body that was sent.
log_mark
check "create classic: exit 0" 0 ik --resource-group rg-42 cluster create classic --name edge1 \
	--zone dal10 --flavor b3c.4x16 --workers 2 --private-service-endpoint --hardware shared
ID1=$(sed -n 's/^cluster edge1 created: id \([a-z0-9]*\)$/\1/p' "$T_TMP/out")
eq "create classic: one line with the id" "$(wc -l < "$T_TMP/out"):$(test -n "$ID1" && echo id)" "1:id"
json_eq "create classic: the body the service got" "$(logged_body POST /v1/clusters)" \
	'{"name":"edge1","dataCenter":"dal10","machineType":"b3c.4x16","workerNum":2,
	  "isolation":"public","privateSeviceEndpoint":true,"diskEncryption":true}'
eq "create classic: X-Auth-Resource-Group sent" \
	"$(emu_count_since request method=POST x-auth-resource-group=rg-42)" 1
check "get the created cluster" 0 ik cluster get "$ID1"
contains "get: its name" "$T_TMP/out" "edge1"
check "create -o json: exit 0" 0 ik -o json cluster create classic --name edge3 --zone dal10 --flavor b3c.4x16
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not d.get("id"))' "$T_TMP/out" &&
	ok "create -o json: the service's body" || fail "create -o json: $(cat "$T_TMP/out")"
check "create vpc -q .clusterID: exit 0" 0 ik cluster create vpc-gen2 --name edge2 --vpc-id r006-abc \
	--flavor bx2.4x16 --zone us-south-1 --subnet-id 0717-a -q .clusterID
ID2=$(cat "$T_TMP/out")
eq "create vpc -q: only the id" "$(wc -l < "$T_TMP/out"):$(printf %s "$ID2" | tr -d 'a-z0-9' | wc -c)" "1:0"
json_eq "create vpc: the body the service got" "$(logged_body POST /v2/vpc/createCluster)" \
	'{"name":"edge2","provider":"vpc-gen2","workerPool":{"name":"default","flavor":"bx2.4x16",
	  "vpcID":"r006-abc","workerCount":1,"zones":[{"id":"us-south-1","subnetID":"0717-a"}]}}'

# ---- The service's errors: one line, exit 1.
check "duplicate name: exit 1" 1 ik cluster create classic --name edge1 --zone dal10 --flavor b3c.4x16
contains "duplicate: E0007" "$T_TMP/err" "E0007"
eq "duplicate: one line" "$(wc -l < "$T_TMP/err")" 1
check "an old patch: exit 1" 1 ik cluster create classic --name e9 --zone dal10 --flavor b3c.4x16 --version 1.29.7
contains "old patch: E0156" "$T_TMP/err" "E0156"
check "a flavor not in the zone: exit 1" 1 ik cluster create classic --name e9 --zone dal10 --flavor zz9.1x1
contains "flavor: E4e5b" "$T_TMP/err" "E4e5b"

# ---- Confirmation.
log_mark
check "rm, no terminal, no -f: exit 2" 2 ik cluster rm edge1 < /dev/null
contains "rm: refused, says -f" "$T_TMP/err" "nothing was sent (use -f)"
check "master update, no terminal: exit 2" 2 ik cluster master update edge1 < /dev/null
eq "refused: nothing sent at all" "$(emu_count_since request service=cs)" 0
check "rm on a terminal, a wrong name typed: exit 2" 2 $PTY "$T_TMP/pty" "edge" "$IKSCTL" cluster rm "$ID1"
contains "rm on a terminal: asks for the name" "$T_TMP/pty" "Type the cluster's name"
contains "rm on a terminal: names the cluster" "$T_TMP/pty" "edge1"
check "rm on a terminal, ^D: exit 2" 2 $PTY "$T_TMP/pty" - "$IKSCTL" cluster rm "$ID1"
check "master update on a terminal, no: exit 2" 2 $PTY "$T_TMP/pty" "n" "$IKSCTL" cluster master update edge1
eq "not confirmed: no change sent" "$(emu_count_since request service=cs method=DELETE):$(emu_count_since request service=cs method=PUT)" "0:0"
check "edge1 gets to normal first" 0 ik cluster wait edge1
check "master update on a terminal, yes: exit 0" 0 $PTY "$T_TMP/pty" "y" "$IKSCTL" cluster master update edge1 --version 1.29
contains "master update: says so" "$T_TMP/pty" "cluster edge1 master update started"
json_eq "master update: the body" "$(logged_body PUT "/v1/clusters/$ID1")" '{"action":"update","version":"1.29","force":false}'
check "master update to the version it runs: exit 1" 1 ik cluster master update "$EMU_CLUSTER" --version 1.30.4 -f
contains "same version: E0120" "$T_TMP/err" "E0120"

# rm by name on a terminal; the DELETE goes to the id; the cache goes.
check "cluster config edge2 (a cache to remove)" 0 ik cluster config "$ID2"
[ -f "$IKSCTL_HOME/clusters/$ID2" ] &&
	ok "cache files are there" || fail "cache files missing: $(ls -R "$IKSCTL_HOME")"
log_mark
check "rm on a terminal, the name typed: exit 0" 0 $PTY "$T_TMP/pty" "edge2" "$IKSCTL" cluster rm edge2 --delete-storage
contains "rm: says so" "$T_TMP/pty" "cluster edge2 is being removed"
eq "rm: one DELETE, to the id" "$(count DELETE "/v1/clusters/$ID2")" 1
eq "rm: deleteResources=true" "$(emu_count_since request method=DELETE query=deleteResources=true)" 1
[ ! -e "$IKSCTL_HOME/clusters/$ID2" ] &&
	ok "rm: the cluster's files under IKSCTL_HOME are gone" || fail "rm: left $(ls -R "$IKSCTL_HOME")"
check "rm -f of a cluster that is not there: exit 1" 1 ik cluster rm no-such-cluster -f
eq "rm of a missing cluster: no DELETE" "$(emu_count_since request method=DELETE path=/global/v1/clusters/no-such-cluster)" 0

# ---- Never sent twice.
log_mark
fault '{"kind":"create_500"}'
check "create answered 500 but made: exit 0" 0 ik cluster create classic --name edge5 --zone dal10 --flavor b3c.4x16 -q .id
eq "500 after the create: exactly one POST" "$(count POST /v1/clusters)" 1
ID5=$(cat "$T_TMP/out")
eq "500 after the create: the id from the lookup" "$(printf %s "$ID5" | wc -c)" 20
contains "500 after the create: said on stderr" "$T_TMP/err" "was created after the request, so it is not sent again"
# A create accepted (201) whose answer is over a limit, or broken: made,
# not failed; the id comes from a lookup.
log_mark
fault '{"service":"cs","kind":"many_tokens","tokens":300000,"method":"POST","path":"/global/v1/clusters","count":1}'
check "create answered 201 over LIM_JSON_TOKENS: exit 0" 0 ik cluster create classic --name edge5b --zone dal10 --flavor b3c.4x16 -q .id
eq "201 over a limit: exactly one POST" "$(count POST /v1/clusters)" 1
eq "201 over a limit: the id from the lookup" "$(printf %s "$(cat "$T_TMP/out")" | wc -c)" 20
contains "201 over a limit: the limit said" "$T_TMP/err" "LIM_JSON_TOKENS"
contains "201 over a limit: made, said" "$T_TMP/err" "was created; its id is from a lookup"
log_mark
fault '{"service":"cs","kind":"many_tokens","tokens":4500000,"method":"POST","path":"/global/v1/clusters","count":1}'
check "create answered 201 over LIM_HTTP_BODY_BYTES: exit 0" 0 ik cluster create classic --name edge5d --zone dal10 --flavor b3c.4x16 -q .id
eq "201 over the body limit: exactly one POST" "$(count POST /v1/clusters)" 1
eq "201 over the body limit: the id from the lookup" "$(printf %s "$(cat "$T_TMP/out")" | wc -c)" 20
contains "201 over the body limit: the limit said" "$T_TMP/err" "LIM_HTTP_BODY_BYTES"
log_mark
fault '{"service":"cs","kind":"bad_json","method":"POST","path":"/global/v2/vpc/createCluster","count":1}'
check "create answered 201 broken: exit 0" 0 ik cluster create vpc-gen2 --name edge5c \
	--vpc-id r006-abc --flavor bx2.4x16 --zone us-south-1 --subnet-id 0717-a -q .clusterID
eq "201 broken: exactly one POST" "$(count POST /v2/vpc/createCluster)" 1
eq "201 broken: the id from the lookup" "$(printf %s "$(cat "$T_TMP/out")" | wc -c)" 20
log_mark
fault '{"service":"cs","kind":"status","status":500,"method":"POST","path":"/global/v1/clusters","count":1}'
check "500 and not made: exit 1" 1 ik cluster create classic --name edge6 --zone dal10 --flavor b3c.4x16
eq "500 and not made: one POST" "$(count POST /v1/clusters)" 1
contains "500 and not made: the service's error" "$T_TMP/err" "HTTP 500"
log_mark
fault '{"kind":"create_500","delay_ms":3000}'
check "create timed out but made: exit 0" 0 ik --timeout 1 cluster create vpc-gen2 --name edge7 \
	--vpc-id r006-abc --flavor bx2.4x16 --zone us-south-1 --subnet-id 0717-a
sleep 2.5   # the emulator logs the POST when its delayed answer is out
eq "timeout: exactly one POST" "$(count POST /v2/vpc/createCluster)" 1
contains "timeout: created" "$T_TMP/out" "cluster edge7 created: id "
log_mark
fault '{"service":"cs","kind":"status","status":429,"retry_after":"1","method":"POST","count":1}'
check "create answered 429: retried, exit 0" 0 ik cluster create classic --name edge8 --zone dal10 --flavor b3c.4x16
eq "429: two POSTs (the first did nothing)" "$(count POST /v1/clusters)" 2
log_mark
fault '{"service":"cs","kind":"reset","method":"POST","count":1}'
check "create reset after it was written: exit 4" 4 ik cluster create classic --name edge9 --zone dal10 --flavor b3c.4x16
eq "reset: not resent" "$(count POST /v1/clusters)" 1
log_mark
fault '{"service":"cs","kind":"status","status":503,"method":"DELETE","count":1}'
check "rm answered 503: exit 1" 1 ik cluster rm edge1 -f
eq "rm 503: one DELETE" "$(emu_count_since request service=cs method=DELETE)" 1
log_mark
fault '{"service":"cs","kind":"status","status":502,"method":"PUT","count":1}'
check "master update answered 502: exit 1" 1 ik cluster master update edge1 -f
eq "update 502: one PUT" "$(emu_count_since request service=cs method=PUT)" 1

finish
