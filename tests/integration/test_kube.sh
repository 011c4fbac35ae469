#!/bin/sh
# test_kube.sh: kube-credential, kube and cluster config (issue 6)
# against the emulator: the ExecCredential, the kube id_token cache, the
# cluster cache (a second `kube CLUSTER /version` is exactly one HTTPS
# request, to the master), its refresh after a 401, a changed CA, a
# moved endpoint and a vanished cluster, --private, Kubernetes errors,
# an OpenShift and a VPC cluster, and the kubeconfig written.
. tests/integration/lib.sh
emu_start
ik() { "$IKSCTL" "$@"; }
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
CD=$IKSCTL_HOME/clusters

check "kube before login: exit 3" 3 ik kube "$EMU_CLUSTER" /version
check "kube-credential before login: exit 3" 3 ik kube-credential
check "login" 0 ik login --apikey "@$K" --region us-south

# --- kube-credential (F13, F14) ---
log_mark
check "kube-credential" 0 ik kube-credential --cluster "$EMU_CLUSTER_ID"
cp "$T_TMP/out" "$T_TMP/cred"
check "ExecCredential shape" 0 python3 -c "
import json, time, calendar
d = json.load(open('$T_TMP/cred'))
assert d['apiVersion'] == 'client.authentication.k8s.io/v1', d
assert d['kind'] == 'ExecCredential'
s = d['status']
assert s['token'].count('.') == 2
t = calendar.timegm(time.strptime(s['expirationTimestamp'], '%Y-%m-%dT%H:%M:%SZ'))
assert t > time.time() + 60, s['expirationTimestamp']
"
eq "F13: one delegated refresh token" \
	"$(emu_count_since request response_type=delegated_refresh_token)" 1
eq "F14: one id_token grant by kube" \
	"$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:delegated-refresh-token)" 1
log_mark
check "kube-credential again" 0 ik kube-credential
eq "id_token cached: no request" "$(emu_count_since request)" 0
eq "nothing on stderr" "$(wc -c < "$T_TMP/err")" 0

# --- kube (F15) and the cluster cache ---
log_mark
check "kube NAME /version" 0 ik kube "$EMU_CLUSTER" /version
contains "kube: the master's version" "$T_TMP/out" '"gitVersion":"v1.30.4+IKS"'
eq "first call: cluster and config read" "$(emu_count_since request service=cs)" 2
eq "first call: one master request" "$(emu_count_since request service=master)" 1
f=$CD/$EMU_CLUSTER_ID
eq "cache file mode 0600" "$(stat -c %a "$f")" 600
eq "cache dir mode 0700" "$(stat -c %a "$CD")" 700
contains "cache holds the CA" "$f" "BEGIN CERTIFICATE"
log_mark
check "kube NAME /version, cached" 0 ik kube "$EMU_CLUSTER" /version
eq "second call: exactly one HTTPS request" "$(emu_count_since request)" 1
eq "second call: to the master" "$(emu_count_since request service=master path=/version)" 1
eq "second call: one connection" "$(emu_count_since conn)" 1
log_mark
check "kube ID /version, cached" 0 ik kube "$EMU_CLUSTER_ID" /version -q .gitVersion
eq "kube -q" "$(cat "$T_TMP/out")" "v1.30.4+IKS"
eq "by id: one request" "$(emu_count_since request)" 1
check "kube /api/v1/namespaces" 0 ik kube "$EMU_CLUSTER" /api/v1/namespaces \
	-q '.items[].metadata.name'
contains "namespaces listed" "$T_TMP/out" "kube-system"
check "kube --private /healthz" 0 ik kube "$EMU_CLUSTER" --private /healthz
eq "private endpoint answers" "$(cat "$T_TMP/out")" "ok"

# --- Kubernetes errors: the Status message, exit 1 ---
check "kube 404: exit 1" 1 ik kube "$EMU_CLUSTER" /api/v1/namespaces/nope
contains "404: Status message" "$T_TMP/err" 'namespaces "nope" not found'
eq "404: one line" "$(wc -l < "$T_TMP/err")" 1
check "kube unknown cluster: exit 1" 1 ik kube no-such-cluster /version
contains "unknown cluster: G0004" "$T_TMP/err" "G0004"
check "kube without PATH: usage" 2 ik kube "$EMU_CLUSTER"

# --- OpenShift and VPC clusters ---
check "openshift kube /version" 0 ik kube "$EMU_OPENSHIFT_CLUSTER" /version -q .gitVersion
eq "openshift kube version" "$(cat "$T_TMP/out")" "v1.28.11+IKS"
check "VPC kube /version" 0 ik kube "$EMU_VPC_CLUSTER" /version -q .gitVersion
eq "VPC kube version" "$(cat "$T_TMP/out")" "v1.29.8+IKS"
check "VPC kube --private" 0 ik kube "$EMU_VPC_CLUSTER" --private /healthz

# --- a cached entry that fails is read again once ---
# 1. 401 from the master (tokens revoked): new id_token and cluster.
emu_post /control/fault '{"kind":"expire_tokens"}'
log_mark
check "after 401: refreshed, succeeds" 0 ik kube "$EMU_CLUSTER" /version
eq "after 401: two master requests" "$(emu_count_since request service=master)" 2
eq "after 401: a new id_token" \
	"$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:delegated-refresh-token)" 1
eq "after 401: cluster read again" "$(emu_count_since request service=cs status=200)" 2
# 2. A changed CA: another cluster's CA in the cache file (and the host
#    as "localhost", so that no saved TLS session skips the check).
o=$CD/$(ls "$CD" | grep -v "$EMU_CLUSTER_ID" | head -1)
python3 - "$f" "$o" <<'PY'
import sys
f, o = sys.argv[1], sys.argv[2]
head = open(f).read().split("\nca\n")[0]
ca = open(o).read().split("\nca\n")[1]
head = head.replace("public https://127.0.0.1:", "public https://localhost:")
open(f, "w").write(head + "\nca\n" + ca)
PY
log_mark
check "changed CA: refreshed, succeeds" 0 ik kube "$EMU_CLUSTER" /version
eq "changed CA: cluster read again" "$(emu_count_since request service=cs)" 2
eq "changed CA: a refused handshake, then a good one" "$(emu_count_since conn service=master)" 2
log_mark
check "cache repaired" 0 ik kube "$EMU_CLUSTER" /version
eq "cache repaired: one request" "$(emu_count_since request)" 1
# 3. A moved endpoint: a closed port in the cache file.
sed -i 's|^public https://127.0.0.1:[0-9]*|public https://127.0.0.1:9|' "$f"
check "moved endpoint: refreshed, succeeds" 0 ik kube "$EMU_CLUSTER" /version
# 4. A cluster that is gone: its entry is dropped, G0004.
sed "s/$EMU_CLUSTER_ID/cghostghostghostghost/; s/^name .*/name ghost/; s|^public https://127.0.0.1:[0-9]*|public https://127.0.0.1:9|" \
	"$f" > "$CD/cghostghostghostghost"
check "vanished cluster: exit 1" 1 ik kube ghost /version
contains "vanished cluster: G0004" "$T_TMP/err" "G0004"
if [ -e "$CD/cghostghostghostghost" ]; then fail "stale entry kept"; else ok "stale entry removed"; fi

# --- cluster config: the kubeconfig ---
check "cluster config" 0 ik cluster config "$EMU_CLUSTER"
KC=$KUBECONFIG
eq "stdout: how to use it" "$(cat "$T_TMP/out")" "export KUBECONFIG=$KC"
eq "kubeconfig mode 0600" "$(stat -c %a "$KC")" 600
contains "exec apiVersion" "$KC" "apiVersion: client.authentication.k8s.io/v1"
contains "exec interactiveMode" "$KC" "interactiveMode: Never"
contains "exec args" "$KC" "- kube-credential"
contains "exec cluster id" "$KC" "- \"$EMU_CLUSTER_ID\""
contains "exec command is absolute" "$KC" "command: \"/"
contains "exec env IKSCTL_HOME" "$KC" "\"IKSCTL_HOME\""
check "kubeconfig: server and CA" 0 python3 - "$KC" "$CD/$EMU_CLUSTER_ID" <<'PY'
import base64, re, sys
kc, cache = open(sys.argv[1]).read(), open(sys.argv[2]).read()
ca = base64.b64decode(re.search(r"certificate-authority-data: (\S+)", kc).group(1)).decode()
assert ca == cache.split("\nca\n")[1], "CA differs"
pub = re.search(r"^public (\S+)", cache, re.M).group(1)
assert 'server: "%s"' % pub in kc, "server"
PY
if grep -q "eyJ" "$KC"; then fail "a token in the kubeconfig"; else ok "no token in the kubeconfig"; fi
check "cluster config --kubeconfig F --private" 0 ik cluster config "$EMU_CLUSTER_ID" \
	--kubeconfig "$T_TMP/p.yaml" --private
eq "--kubeconfig path printed" "$(cat "$T_TMP/out")" "export KUBECONFIG=$T_TMP/p.yaml"
priv=$(grep "^private " "$CD/$EMU_CLUSTER_ID" | cut -d' ' -f2)
contains "--private server" "$T_TMP/p.yaml" "server: \"$priv\""
check "cluster config VPC" 0 ik cluster config "$EMU_VPC_CLUSTER" -o json
contains "-o json names the file" "$T_TMP/out" "\"kubeconfig\":\"$KUBECONFIG\""
check "cluster config unknown: exit 1" 1 ik cluster config nope
contains "config unknown: G0004" "$T_TMP/err" "G0004"

# --- logout removes the cluster files ---
check "logout" 0 ik logout
if [ -e "$CD/$EMU_CLUSTER_ID" ]; then fail "cluster files left"; else ok "cluster files removed"; fi
if [ -s "$KC" ]; then ok "the kubeconfig is the user's: kept"; else fail "logout removed the kubeconfig"; fi
check "kube after logout: exit 3" 3 ik kube "$EMU_CLUSTER" /version
finish
