#!/bin/sh
# test_pools.sh: worker pools, zones and workers (issue 14) against the
# emulator: every changing command's request (--dry-run: the exact body,
# nothing sent), local checks, listings on classic and VPC clusters with
# the same columns, the confirmation rule, several workers each reported,
# never sent twice, and the waits (pool workers normal, removals, a
# replaced worker's successor, a reload).
. tests/integration/lib.sh
lifecycle_start
CS=$IBMCLOUD_CS_API_ENDPOINT
C=$EMU_CLUSTER_ID

check "login" 0 ik login --apikey "@$K" --region us-south
V=$EMU_VPC_CLUSTER
VID=$(ik cluster get "$V" -q .id)

# ---- --dry-run: each request, nothing sent.
log_mark
check "dry-run pool create classic" 0 ik worker-pool create classic "$C" --name p1 \
	--flavor b3c.4x16 --size-per-zone 2 --hardware dedicated --label a=b --label team=edge --dry-run
eq "pool create classic: the request line" "$(head -1 "$T_TMP/out")" "POST $CS/v1/clusters/$C/workerpools"
json_eq "pool create classic: the body" "$(dry_body)" \
	'{"name":"p1","machineType":"b3c.4x16","sizePerZone":2,"isolation":"private",
	  "labels":{"a":"b","team":"edge"},"diskEncryption":true}'
check "dry-run pool create classic --disable-disk-encrypt" 0 ik worker-pool create classic "$C" \
	--name p9 --flavor b3c.4x16 --size-per-zone 1 --disable-disk-encrypt --dry-run
json_eq "--disable-disk-encrypt: diskEncryption false" "$(dry_body)" \
	'{"name":"p9","machineType":"b3c.4x16","sizePerZone":1,"diskEncryption":false}'
check "dry-run zone add classic --private-only" 0 ik zone add classic "$C" p1 --zone dal13 \
	--private-vlan 11 --private-only --dry-run
json_eq "--private-only: no public VLAN" "$(dry_body)" '{"id":"dal13","privateVlan":"11"}'
check "zone add classic: --private-only with --public-vlan: exit 2" 2 ik zone add classic "$C" p1 \
	--zone dal13 --private-vlan 11 --public-vlan 22 --private-only --dry-run
check "dry-run pool create vpc" 0 ik worker-pool create vpc-gen2 -c "$V" --name p2 \
	--flavor bx2.4x16 --size-per-zone 3 --vpc-id r006-x --dry-run
eq "pool create vpc: the request line" "$(head -1 "$T_TMP/out")" "POST $CS/v2/vpc/createWorkerPool"
json_eq "pool create vpc: the body (the cluster's id, as sent; workerCount per zone)" "$(dry_body)" \
	'{"name":"p2","cluster":"'"$VID"'","flavor":"bx2.4x16","workerCount":3,"vpcID":"r006-x"}'
check "dry-run resize" 0 ik worker-pool resize "$C" p1 --size-per-zone 4 --dry-run
eq "resize: the v1 PATCH" "$(head -1 "$T_TMP/out")" "PATCH $CS/v1/clusters/$C/workerpools/p1"
json_eq "resize: the body" "$(dry_body)" '{"sizePerZone":4,"state":"resizing"}'
check "dry-run pool rm (no terminal, no -f)" 0 ik worker-pool rm -c "$C" -p p1 --dry-run
eq "pool rm: the v1 DELETE" "$(head -1 "$T_TMP/out")" "DELETE $CS/v1/clusters/$C/workerpools/p1"
check "dry-run zone add classic" 0 ik zone add classic "$C" p1 --zone dal12 --private-vlan 11 --public-vlan 22 --dry-run
eq "zone add classic: the POST" "$(head -1 "$T_TMP/out")" "POST $CS/v1/clusters/$C/workerpools/p1/zones"
json_eq "zone add classic: the body" "$(dry_body)" '{"id":"dal12","privateVlan":"11","publicVlan":"22"}'
check "dry-run zone add vpc" 0 ik zone add vpc-gen2 "$V" p1 --zone us-south-2 --subnet-id s-2 --dry-run
eq "zone add vpc: the POST" "$(head -1 "$T_TMP/out")" "POST $CS/v2/vpc/createWorkerPoolZone"
json_eq "zone add vpc: the pool under both keys clients send" "$(dry_body)" \
	'{"id":"us-south-2","cluster":"'"$VID"'","workerpool":"p1","workerPoolID":"p1","subnetID":"s-2"}'
check "dry-run worker replace on a VPC cluster" 0 ik worker replace "$V" w1 --dry-run
eq "dry-run replace vpc: the path that is sent" "$(head -1 "$T_TMP/out")" "POST $CS/v2/vpc/replaceWorker"
json_eq "dry-run replace vpc: the cluster's id" "$(dry_body)" \
	'{"cluster":"'"$VID"'","workerID":"w1","update":false}'
check "dry-run: a --label key twice: exit 2" 2 ik worker-pool create classic "$C" --name p1 \
	--flavor f --size-per-zone 1 --label a=b --label a=c --dry-run
contains "label twice: says so" "$T_TMP/err" "--label a given twice"
check "dry-run worker reboot of one worker named twice" 0 ik worker reboot "$C" w1 -w w1 w1 --dry-run
eq "the same worker twice: one request" "$(grep -c '^PUT ' "$T_TMP/out")" 1
check "dry-run zone rm" 0 ik zone rm "$C" p1 --zone dal12 --dry-run
eq "zone rm: the v1 DELETE" "$(head -1 "$T_TMP/out")" "DELETE $CS/v1/clusters/$C/workerpools/p1/zones/dal12"
check "dry-run worker reboot of two" 0 ik worker reboot "$C" w1 -w w2 --dry-run
eq "reboot: one request each" "$(grep -c '^PUT ' "$T_TMP/out")" 2
contains "reboot: the second worker" "$T_TMP/out" "PUT $CS/v1/clusters/$C/workers/w2"
eq "reboot: os_reboot" "$(grep -c '{"action":"os_reboot"}' "$T_TMP/out")" 2
check "dry-run worker reboot --hard" 0 ik worker reboot "$C" w1 --hard --dry-run
json_eq "reboot --hard: reboot" "$(dry_body)" '{"action":"reboot"}'
check "dry-run worker reload" 0 ik worker reload "$C" w1 --dry-run
json_eq "reload: the v1 action" "$(dry_body)" '{"action":"reload"}'
check "dry-run worker update" 0 ik worker update "$C" w1 --dry-run
json_eq "update: the v1 action" "$(dry_body)" '{"action":"update"}'
check "dry-run worker replace --update" 0 ik worker replace "$C" w1 --update --dry-run
eq "replace: the v2 POST" "$(head -1 "$T_TMP/out")" "POST $CS/v2/replaceWorker"
json_eq "replace: the body" "$(dry_body)" '{"cluster":"'"$C"'","workerID":"w1","update":true}'
check "dry-run worker rm" 0 ik worker rm "$C" w1 --dry-run
eq "worker rm: the v1 DELETE" "$(head -1 "$T_TMP/out")" "DELETE $CS/v1/clusters/$C/workers/w1"
eq "dry-run: only reads sent" "$(emu_count_since request service=cs)" "$(emu_count_since request service=cs method=GET)"

# ---- Local checks: exit 2, nothing sent.
log_mark
check "pool create: a label without =: exit 2" 2 ik worker-pool create classic "$C" --name p --flavor f --size-per-zone 1 --label team
contains "label: says KEY=VALUE" "$T_TMP/err" "--label team: use KEY=VALUE"
check "pool create: a label =v: exit 2" 2 ik worker-pool create classic "$C" --name p --flavor f --size-per-zone 1 --label =v
check "pool create: no --size-per-zone: exit 2" 2 ik worker-pool create classic "$C" --name p --flavor f
check "pool create: --size-per-zone 0: exit 2" 2 ik worker-pool create vpc-gen2 "$C" --name p --flavor f --size-per-zone 0
check "resize: no POOL: exit 2" 2 ik worker-pool resize "$C" --size-per-zone 2
contains "resize: which POOL" "$T_TMP/err" "which POOL"
check "zone add vpc: no --subnet-id: exit 2" 2 ik zone add vpc-gen2 "$C" p1 --zone z
check "zone add classic: --public-vlan alone: exit 2" 2 ik zone add classic "$C" p1 --zone z --public-vlan 2
check "worker reboot: no WORKER: exit 2" 2 ik worker reboot "$C"
check "worker get: no WORKER: exit 2" 2 ik worker get "$C"
check "worker-pool get: no POOL: exit 2" 2 ik worker-pool get "$C"
check "an unknown subcommand: exit 2" 2 ik worker-pool grow "$C" p1
eq "local checks: nothing sent" "$(emu_count_since request service=cs)" 0

# ---- Confirmation: nothing sent without a terminal and -f.
log_mark
check "pool rm, no terminal: exit 2" 2 ik worker-pool rm "$C" default < /dev/null
check "zone rm, no terminal: exit 2" 2 ik zone rm "$C" default --zone dal10 < /dev/null
check "worker reboot, no terminal: exit 2" 2 ik worker reboot "$C" w1 < /dev/null
eq "refused: nothing sent" "$(emu_count_since request service=cs)" 0

# ---- Listings: the same columns on classic and VPC.
HDR_P="NAME ID FLAVOR SIZE PER ZONE ZONES STATE"
HDR_W="ID STATE STATUS ZONE FLAVOR VERSION PRIVATE IP POOL"
for c in "$EMU_CLUSTER" "$EMU_VPC_CLUSTER"; do
	check "worker-pool ls $c" 0 ik worker-pool ls "$c"
	eq "worker-pool ls $c: the header" "$(head -1 "$T_TMP/out" | tr -s ' ')" "$HDR_P"
	contains "worker-pool ls $c: the default pool" "$T_TMP/out" "default"
	check "worker ls $c" 0 ik worker ls "$c"
	eq "worker ls $c: the header" "$(head -1 "$T_TMP/out" | tr -s ' ')" "$HDR_W"
	awk 'NR > 1 && $2 == "normal" && $3 == "Ready"' "$T_TMP/out" > "$T_TMP/rows"
	[ -s "$T_TMP/rows" ] && ok "worker ls $c: normal, Ready rows" || fail "worker ls $c: $(cat "$T_TMP/out")"
	W=$(sed -n '2s/ .*//p' "$T_TMP/out")
	check "worker get $c" 0 ik worker get "$c" "$W"
	contains "worker get $c: the worker" "$T_TMP/out" "$W"
	check "worker ls $c -o json" 0 ik -o json worker ls "$c"
	python3 -c 'import json,sys; sys.exit(not isinstance(json.load(open(sys.argv[1])), list))' "$T_TMP/out" &&
		ok "worker ls $c -o json: the service's list" || fail "worker ls -o json: $(head -c 200 "$T_TMP/out")"
done
check "worker-pool get" 0 ik worker-pool get "$EMU_CLUSTER" default
eq "worker-pool get: one row" "$(wc -l < "$T_TMP/out")" 2
check "cluster workers is worker ls" 0 ik cluster workers "$EMU_CLUSTER"
eq "cluster workers: the same header" "$(head -1 "$T_TMP/out" | tr -s ' ')" "$HDR_W"
check "cluster workers --worker-pool default" 0 ik cluster workers "$EMU_CLUSTER" --worker-pool default
eq "cluster workers --worker-pool: its three workers" "$(wc -l < "$T_TMP/out")" 4
check "worker ls --worker-pool nosuch: no rows" 0 ik worker ls "$EMU_CLUSTER" --worker-pool nosuch
eq "worker ls of no pool: the header only" "$(wc -l < "$T_TMP/out")" 1

# ---- Pools on a classic cluster: create, duplicate, resize, zones, rm.
log_mark
check "pool create classic --wait: exit 0" 0 ik worker-pool create classic "$C" --name p1 \
	--flavor b3c.4x16 --size-per-zone 1 --label team=edge --wait
contains "pool create: the line with the id" "$T_TMP/out" "worker-pool p1 created and its workers normal: id "
json_eq "pool create: the body the service got" "$(logged_body POST "/v1/clusters/$C/workerpools")" \
	'{"name":"p1","machineType":"b3c.4x16","sizePerZone":1,"labels":{"team":"edge"},"diskEncryption":true}'
check "pool create, the name taken: exit 1" 1 ik worker-pool create classic "$C" --name p1 --flavor b3c.4x16 --size-per-zone 1
contains "duplicate pool: E0d39" "$T_TMP/err" "E0d39"
check "zone add classic --wait: exit 0" 0 ik zone add classic "$C" p1 --zone dal12 --wait
contains "zone add: the line" "$T_TMP/out" "zone dal12 added, its workers normal"
contains "zone add: progress in workers" "$T_TMP/err" "workers 1/1 ready"
check "resize --wait: exit 0" 0 ik worker-pool resize "$C" p1 --size-per-zone 2 --wait
contains "resize: the line" "$T_TMP/out" "worker-pool p1 resized, its workers normal"
check "resize -o json --wait: exit 0" 0 ik -o json worker-pool resize "$C" p1 --size-per-zone 2 --wait
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d.get("name") != "p1" or d.get("sizePerZone") != 2)' "$T_TMP/out" &&
	ok "-o json after a pool wait: the pool as read" || fail "pool -o json: $(head -c 300 "$T_TMP/out")"
check "worker ls --worker-pool p1" 0 ik worker ls "$C" --worker-pool p1
eq "resize: two workers in dal12" "$(awk '$4 == "dal12"' "$T_TMP/out" | wc -l)" 2
fault '{"kind":"resize_stuck"}'
check "a resize that never ends: exit 5" 5 ik worker-pool resize "$C" p1 --size-per-zone 3 --wait --wait-timeout 3s
contains "stuck resize: the timeout names the workers" "$T_TMP/err" "timed out after 3s waiting for p1 to be normal (last: workers "
check "zone rm -f --wait: exit 0" 0 ik zone rm "$C" p1 --zone dal12 -f --wait
contains "zone rm: the line" "$T_TMP/out" "zone dal12 removed"
log_mark
fault '{"kind":"pool_create_500"}'
check "pool create answered 500 but made: exit 0" 0 ik worker-pool create classic "$C" --name p3 --flavor b3c.4x16 --size-per-zone 1 -q .id
eq "pool 500: one POST" "$(emu_count_since request method=POST path=/global/v1/clusters/$C/workerpools)" 1
[ -n "$(cat "$T_TMP/out")" ] && ok "pool 500: the id from the lookup" || fail "pool 500: no id"
check "pool rm -f --wait: exit 0" 0 ik worker-pool rm "$C" p3 -f --wait
contains "pool rm: the line" "$T_TMP/out" "worker-pool p3 removed"
check "worker ls -p p3 after its rm" 0 ik worker ls "$C" -p p3
eq "pool rm --wait: no worker of p3 left" "$(wc -l < "$T_TMP/out")" 1

# ---- Workers: several in one command, reload, replace, rm.
W1=$(ik worker ls "$C" -q '.[0].id')
W2=$(ik worker ls "$C" -q '.[1].id')
log_mark
check "reboot of a worker and a missing one: exit 1" 1 ik worker reboot "$C" "$W1" nosuch -f
contains "reboot: the good one reported" "$T_TMP/out" "worker $W1 is rebooting"
contains "reboot: the missing one's error" "$T_TMP/err" "iksctl: worker reboot: nosuch: "
contains "reboot: the count" "$T_TMP/err" "1 of 2 workers failed"
eq "reboot: two PUTs" "$(emu_count_since request method=PUT)" 2
check "reload --wait: exit 0" 0 ik worker reload "$C" "$W1" -f --wait
contains "reload: the line" "$T_TMP/out" "worker $W1 reloaded"
check "reboot -o json --wait: exit 0" 0 ik -o json worker reboot "$C" "$W1" -f --wait
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d.get("id") != sys.argv[2])' "$T_TMP/out" "$W1" &&
	ok "-o json after a worker wait: the worker" || fail "worker -o json: $(head -c 300 "$T_TMP/out")"
check "two workers on a terminal, no: exit 2" 2 $PTY "$T_TMP/pty" n "$IKSCTL" worker reboot "$C" "$W1" "$W2"
contains "the question names both workers" "$T_TMP/pty" "$W1, $W2? [y/N]"
check "a single missing worker: its own error, exit 1" 1 ik worker reboot "$C" nosuch -f
eq "a single worker: one error line" "$(wc -l < "$T_TMP/err")" 1
fault '{"kind":"reload_failed"}'
check "a reload that fails: exit 1" 1 ik worker reload "$C" "$W2" -f --wait
contains "reload failed: the state" "$T_TMP/err" "fail"
contains "reload failed: the worker's status text" "$T_TMP/err" \
	"worker $W2 is reloading_failed: \"Reload failed. Reload the worker node again or replace it.\""
W3=$(ik worker ls "$C" -q '.[2].id')
log_mark
check "reboot of two workers --wait: exit 0" 0 ik worker reboot "$C" "$W1" "$W3" -f --wait
eq "reboot --wait of two: a line each" "$(grep -c ' rebooted$' "$T_TMP/out")" 2
python3 - "$EMU_LOG" "$T_MARK" <<'PY' && ok "several workers: both acted on before the wait's first poll" ||
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]]
ev = [e.get("method") for e in ev if e.get("service") == "cs" and "/workers" in e.get("path", "")]
puts = [i for i, m in enumerate(ev) if m == "PUT"]
gets = [i for i, m in enumerate(ev) if m == "GET" and i > puts[0]] if puts else []
sys.exit(not (len(puts) == 2 and gets and max(puts) < min(gets)))
PY
	fail "several workers: a wait between the actions"
check "replace --wait: exit 0" 0 ik worker replace "$C" "$W1" -f --wait
contains "replace: the line" "$T_TMP/out" "worker $W1 replaced"
check "worker ls after the replace" 0 ik worker ls "$C"
if grep -q "^$W1 " "$T_TMP/out"; then fail "the replaced worker is still listed"; else ok "the replaced worker is gone"; fi
W4=$(ik worker ls "$C" -q '.[2].id')
check "worker update --wait: exit 0" 0 ik worker update -c "$C" -w "$W4" -f --wait
contains "update: the line" "$T_TMP/out" "worker $W4 updated"
json_eq "update: the v1 action sent" "$(logged_body PUT "/v1/clusters/$C/workers/$W4")" '{"action":"update"}'
check "worker rm -f --wait: exit 0" 0 ik worker rm "$C" "$W2" -f --wait
contains "worker rm: the line" "$T_TMP/out" "worker $W2 removed"
check "worker ls: the removed one is not listed" 0 ik worker ls "$C"
if grep -q "^$W2 " "$T_TMP/out"; then fail "removed worker listed"; else ok "removed worker not listed"; fi
check "worker ls --show-deleted" 0 ik worker ls "$C" --show-deleted
contains "--show-deleted: the removed one, deleted" "$T_TMP/out" "$W2"

# ---- Named twice (issue 25): exit 2, nothing changing sent.
log_mark
check "pool rm C P -p OTHER: exit 2" 2 ik worker-pool rm "$C" p1 -p p2 -f
contains "pool rm: POOL given twice" "$T_TMP/err" "POOL given twice, as 'p1' and 'p2'"
check "resize -c C -c OTHER: exit 2" 2 ik worker-pool resize -c "$C" -c "$V" p1 --size-per-zone 2
check "worker reboot C W -c OTHER: exit 2" 2 ik worker reboot "$C" w1 -c "$V" -f
contains "worker reboot: CLUSTER given twice" "$T_TMP/err" "CLUSTER given twice"
check "worker ls C -p A -p B: exit 2" 2 ik worker ls "$C" -p a --worker-pool b
check "worker-pool get C P -p OTHER: exit 2" 2 ik worker-pool get "$C" p1 -p p2
check "worker get C W -w OTHER: exit 2" 2 ik worker get "$C" w1 -w w2
check "zone rm -p A C B: exit 2" 2 ik zone rm -p p1 "$C" p2 --zone dal10 -f
check "worker-pool get C P -p P (the same): exit 0" 0 ik worker-pool get "$C" default -p default

# ---- A provider's own commands on the other's cluster: exit 2 naming
# the right one, nothing changing sent.
check "worker update on a VPC cluster: exit 2" 2 ik worker update "$V" w1 -f
contains "worker update on VPC: names replace --update" "$T_TMP/err" "use 'worker replace --update'"
check "worker reload on a VPC cluster: exit 2" 2 ik worker reload "$V" w1 -f
contains "worker reload on VPC: names replace" "$T_TMP/err" "use 'worker replace'"
check "pool create classic on a VPC cluster: exit 2" 2 ik worker-pool create classic "$V" --name x \
	--flavor f --size-per-zone 1
contains "pool create classic on VPC: names vpc-gen2" "$T_TMP/err" "use 'worker-pool create vpc-gen2'"
check "pool create vpc-gen2 on a classic cluster: exit 2" 2 ik worker-pool create vpc-gen2 "$C" --name x \
	--flavor f --size-per-zone 1
contains "pool create vpc on classic: names classic" "$T_TMP/err" "use 'worker-pool create classic'"
check "zone add vpc-gen2 on a classic cluster: exit 2" 2 ik zone add vpc-gen2 "$C" default --zone z --subnet-id s
contains "zone add vpc on classic: names classic" "$T_TMP/err" "use 'zone add classic'"
check "zone add classic on a VPC cluster: exit 2" 2 ik zone add classic "$V" default --zone z
contains "zone add classic on VPC: names vpc-gen2" "$T_TMP/err" "use 'zone add vpc-gen2'"
eq "named twice, wrong provider: nothing changing sent" \
	"$(emu_count_since request service=cs)" "$(emu_count_since request service=cs method=GET)"

# ---- A VPC cluster: a pool, a zone, the v2 calls.
log_mark
check "pool create vpc --wait (no zone yet: no workers): exit 0" 0 ik worker-pool create vpc-gen2 "$V" \
	--name vp1 --flavor bx2.4x16 --size-per-zone 1 --wait
contains "vpc pool: the line" "$T_TMP/out" "worker-pool vp1 created and its workers normal: id "
check "zone add vpc --wait: exit 0" 0 ik zone add vpc-gen2 "$V" vp1 --zone us-east-2 --subnet-id 0757-x --wait
contains "vpc zone: the line" "$T_TMP/out" "zone us-east-2 added"
check "worker ls vpc --worker-pool vp1" 0 ik worker ls "$V" -p vp1
eq "vpc zone: one worker in us-east-2" "$(awk '$4 == "us-east-2"' "$T_TMP/out" | wc -l)" 1
VW=$(sed -n '2s/ .*//p' "$T_TMP/out")
check "vpc replace --wait: exit 0" 0 ik worker replace "$V" "$VW" -f --wait
eq "vpc replace: the v2 vpc path" "$(emu_count_since request method=POST path=/global/v2/vpc/replaceWorker)" 1

finish
