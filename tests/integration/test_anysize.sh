#!/bin/sh
# test_anysize.sh: tables and -q on answers of any size (issue 16, point
# 1) against the emulator: a list of over 4 000 clusters (the `big`
# fault, 15 MB) as a table and with -q, every row and name there, peak
# RSS (/usr/bin/time) under 2 MiB for the table and 1 MiB for -q; a
# 26 MB pod list (5 000 pods) on a master, every .items[].metadata.name;
# one element over LIM_JSON_TOKENS or LIM_HTTP_BODY_BYTES named by its
# place and the limit, with the elements before it printed, whole; a
# change (a POST) whose answer has one is made, not failed (exit 0).
. tests/integration/lib.sh
emu_start --pods 5000
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
chmod 600 "$K"
check "login" 0 ik login --apikey "@$K" --region us-south
C=$EMU_CLUSTER

# names FILE: the names of the cluster list (-o json) in FILE, one a line.
names() {
	python3 -c "import json, sys; [print(c['name']) for c in json.load(open(sys.argv[1]))]" "$1"
}
big() {
	fault '{"service":"cs","path":"/v1/clusters","kind":"big","bytes":15400000,"count":1}' > /dev/null
}

# --- 4 000 clusters: the body as it is, then the table and -q ---
big
check "clusters -o json (15 MB)" 0 ik clusters -o json
cp "$T_TMP/out" "$T_TMP/list.json"
names "$T_TMP/list.json" > "$T_TMP/names"
n=$(wc -l < "$T_TMP/names")
if [ "$n" -ge 4002 ]; then ok "the list has $n clusters"; else fail "only $n clusters"; fi
big
kb=$(rss "$T_TMP/table" "$IKSCTL" clusters)
eq "table: a header and every row" "$(wc -l < "$T_TMP/table")" $((n + 1))
eq "table: one header" "$(grep -c '^NAME ' "$T_TMP/table")" 1
awk 'NR > 1 { print $1 }' "$T_TMP/table" > "$T_TMP/table.names"
if cmp -s "$T_TMP/table.names" "$T_TMP/names"; then ok "table: every name, in order"
else fail "table names differ: $(diff "$T_TMP/table.names" "$T_TMP/names" | head -3)"; fi
# Aligned: the ID column starts at the same place on every line.
eq "table: aligned" "$(awk '{ print index($0, $2) }' "$T_TMP/table" | sort -u | wc -l)" 1
if [ "$kb" -gt 0 ] && [ "$kb" -lt 2048 ]; then ok "table peak RSS $kb KB < 2 MiB"
else fail "table peak RSS $kb KB"; fi
big
kb=$(rss "$T_TMP/q" "$IKSCTL" clusters -q '.[].name')
if cmp -s "$T_TMP/q" "$T_TMP/names"; then ok "-q .[].name: all $n names"
else fail "-q names differ: $(wc -l < "$T_TMP/q") lines; $(head -c 300 "$T_TMP/rss.err")"; fi
if [ "$kb" -gt 0 ] && [ "$kb" -lt 1024 ]; then ok "-q peak RSS $kb KB < 1 MiB"
else fail "-q peak RSS $kb KB"; fi
big
check "-q .[4001].id" 0 ik clusters -q '.[4001].id'
eq "-q .[4001].id is element 4001" "$(cat "$T_TMP/out")" \
	"$(python3 -c "import json; print(json.load(open('$T_TMP/list.json'))[4001]['id'])")"
big
check "-q . (the whole list, compact)" 0 ik clusters -q .
cp "$T_TMP/out" "$T_TMP/dot"
check "-q . is the same JSON, one line" 0 python3 -c "
import json, sys
a = json.load(open('$T_TMP/dot')); b = json.load(open('$T_TMP/list.json'))
sys.exit(a != b or len(open('$T_TMP/dot').read().splitlines()) != 1)"
big
check "api -q over the list" 0 ik api /v1/clusters -q '.[].id'
eq "api -q: every id" "$(wc -l < "$T_TMP/out")" "$n"

# --- the pod list: 26 MB, 5 000 pods ---
kb=$(rss "$T_TMP/pods" "$IKSCTL" kube "$C" /api/v1/pods -q '.items[].metadata.name')
eq "pods: 5000 names" "$(wc -l < "$T_TMP/pods")" 5000
eq "pods: all different" "$(sort -u "$T_TMP/pods" | wc -l)" 5000
if [ "$kb" -gt 0 ] && [ "$kb" -lt 1024 ]; then ok "pods -q peak RSS $kb KB < 1 MiB"
else fail "pods -q peak RSS $kb KB; $(head -c 300 "$T_TMP/rss.err")"; fi
check "pods -o json" 0 ik kube "$C" /api/v1/pods -o json
cp "$T_TMP/out" "$T_TMP/pods.json"
sz=$(wc -c < "$T_TMP/out")
if [ "$sz" -ge 20000000 ]; then ok "the pod list is $sz bytes"; else fail "pod list $sz bytes"; fi
check "pods: the names are the body's" 0 python3 -c "
import json, sys
d = json.load(open('$T_TMP/pods.json'))
sys.exit([i['metadata']['name'] for i in d['items']] != open('$T_TMP/pods').read().split())"
check "pods -q on a member after the list" 0 ik kube "$C" /api/v1/pods -q '.metadata.resourceVersion'
eq "pods: metadata.resourceVersion" "$(cat "$T_TMP/out")" \
	"$(python3 -c "import json; print(json.load(open('$T_TMP/pods.json'))['metadata']['resourceVersion'])")"

# --- one element over a limit: named, the ones before it printed ---
emu_post /control/config '{"pods":20,"huge_item_at":3}' > /dev/null
check "a pod over LIM_HTTP_BODY_BYTES: exit 1" 1 ik kube "$C" /api/v1/pods -q '.items[].metadata.name'
# Results come as the body does: pod 3's name is before its annotations.
eq "the names before the big annotation are out" "$(wc -l < "$T_TMP/out")" 4
contains "the error names the element" "$T_TMP/err" ".items[3].metadata.annotations"
contains "the error names the limit" "$T_TMP/err" "LIM_HTTP_BODY_BYTES"
check "-q .items[]: exit 1" 1 ik kube "$C" /api/v1/pods -q '.items[]'
eq "... the 3 pods before it, whole, one a line" "$(python3 -c "
import json, sys
print(sum(1 for l in open(sys.argv[1]).read().split(chr(10)) if l and json.loads(l)))" "$T_TMP/out")" 3
check "-q .items (the list): exit 1" 1 ik kube "$C" /api/v1/pods -q '.items'
cp "$T_TMP/out" "$T_TMP/items"
check "... a whole JSON list of the 3 pods before it (closed, no cut JSON)" 0 python3 -c "
import json, sys
sys.exit(len(json.loads(open(sys.argv[1]).read())) != 3)" "$T_TMP/items"
emu_post /control/config '{"huge_item_at":null}' > /dev/null
check "then the list is fine again" 0 ik kube "$C" /api/v1/pods -q '.items[].metadata.name'
eq "20 names" "$(wc -l < "$T_TMP/out")" 20
emu_post /control/config '{"big_item_at":2}' > /dev/null
big
check "a cluster over LIM_JSON_TOKENS in a table: exit 1" 1 ik clusters
contains "the error names the element and the limit" "$T_TMP/err" ".[2]: the answer is over a limit"
contains "... LIM_JSON_TOKENS" "$T_TMP/err" "LIM_JSON_TOKENS"
eq "no partial table on stdout" "$(wc -c < "$T_TMP/out")" 0
big
check "the same list with -q walks inside it: exit 0" 0 ik clusters -q '.[].name'
eq "-q: every name" "$(wc -l < "$T_TMP/out")" "$n"
emu_post /control/config '{"big_item_at":null}' > /dev/null

# --- a change whose answer has an element over a limit: made, not failed ---
CM=/api/v1/namespaces/default/configmaps
python3 -c "
import json
print(json.dumps({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'big-labels',
    'labels': {'k%d' % i: 'v' for i in range(140000)}}}))" > "$T_TMP/cm.json"
check "POST, -q .metadata: its labels over LIM_JSON_TOKENS: exit 0" 0 \
	ik kube "$C" -X POST -d "@$T_TMP/cm.json" "$CM" -q .metadata
eq "stdout: the whole members before the labels, closed" "$(cat "$T_TMP/out")" '{"name":"big-labels"}'
contains "stderr: the element and the limit" "$T_TMP/err" \
	"$CM: .metadata.labels: the answer is over a limit: JSON tokens over LIM_JSON_TOKENS"
contains "stderr: the change was made" "$T_TMP/err" "; not printed, but the change was made"
eq "stderr: one line" "$(wc -l < "$T_TMP/err")" 1
check "the ConfigMap is there: the same POST is refused" 1 \
	ik kube "$C" -X POST -d "@$T_TMP/cm.json" "$CM" -q .metadata.name
contains "... 409 AlreadyExists" "$T_TMP/err" 'configmaps "big-labels" already exists'
sed 's/big-labels/big-labels-2/' "$T_TMP/cm.json" > "$T_TMP/cm2.json"
check "-q .metadata.name walks past the labels: exit 0" 0 \
	ik kube "$C" -X POST -d "@$T_TMP/cm2.json" "$CM" -q .metadata.name
eq "... the name" "$(cat "$T_TMP/out")" big-labels-2

# --- -q: jq syntax that is not ours is refused; a NUL prints as the byte ---
check "-q '.a,.b': a usage error (exit 2)" 2 ik clusters -q '.a,.b'
contains "... naming the comma" "$T_TMP/err" "unexpected ',' at offset 2"
check "a ConfigMap with \\u0000 in a value" 0 ik kube "$C" -X POST \
	-d '{"metadata":{"name":"nul"},"data":{"k":"a\u0000b"}}' "$CM" -q .data.k
eq "-q prints its NUL byte, as jq -r does" "$(od -An -c "$T_TMP/out" | tr -s ' ')" " a \0 b \n"
finish
