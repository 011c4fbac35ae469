#!/bin/sh
# test_kubectl.sh: the real kubectl with the kubeconfig of `iksctl
# cluster config` (issue 6, point 7): `get --raw /version` and `get
# namespaces` against the emulator's master, for a Kubernetes and an
# OpenShift cluster, then again once the id_token has expired (the
# emulator issues 15 s id_tokens), so kubectl runs the plugin again and
# iksctl fetches a new token.  The plugin runs without IKSCTL_HOME in
# kubectl's environment: the kubeconfig's exec env carries it.
. tests/integration/lib.sh
need_kubectl
emu_start --id-token-ttl 15
ik() { "$IKSCTL" "$@"; }
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
# kc F ARGS...: kubectl on kubeconfig F, from another folder, without
# IKSCTL_HOME (the exec stanza must bring it).
kc() {
	_f=$1
	shift
	(cd / && env -u IKSCTL_HOME -u KUBECONFIG "$KUBECTL" --kubeconfig "$_f" "$@")
}
ID_GRANT=grant_type=urn:ibm:params:oauth:grant-type:delegated-refresh-token

check "login" 0 ik login --apikey "@$K" --region us-south
check "cluster config" 0 ik cluster config "$EMU_CLUSTER"
KC=$KUBECONFIG
check "cluster config openshift" 0 ik cluster config "$EMU_OPENSHIFT_CLUSTER" \
	--kubeconfig "$T_TMP/roks.yaml"

log_mark
check "kubectl get --raw /version" 0 kc "$KC" get --raw /version
contains "kubectl: the master's version" "$T_TMP/out" '"gitVersion":"v1.30.4+IKS"'
check "kubectl get namespaces" 0 kc "$KC" get namespaces
contains "kubectl: kube-system" "$T_TMP/out" "kube-system"
contains "kubectl: table header" "$T_TMP/out" "STATUS"
check "kubectl version (client and server)" 0 kc "$KC" version -o json
contains "kubectl: server version" "$T_TMP/out" "serverVersion"
check "kubectl on openshift" 0 kc "$T_TMP/roks.yaml" get --raw /version
contains "openshift version" "$T_TMP/out" "v1.28.11+IKS"
check "kubectl get namespaces, openshift" 0 kc "$T_TMP/roks.yaml" get namespaces
eq "one id_token for all of these" "$(emu_count_since request $ID_GRANT)" 1
eq "every master call authorized" "$(emu_count_since request service=master status=401)" 0

# The id_token lives 15 s; iksctl stops using it 10 s before, and tells
# kubectl it expires then.  Wait until it is past that point.
sleep 6
log_mark
check "after expiry: kubectl get namespaces" 0 kc "$KC" get namespaces
contains "after expiry: kube-system" "$T_TMP/out" "kube-system"
check "after expiry: kubectl get --raw /version" 0 kc "$KC" get --raw /version
eq "after expiry: a new id_token" "$(emu_count_since request $ID_GRANT)" 1
eq "after expiry: no 401 from the master" \
	"$(emu_count_since request service=master status=401)" 0

# A broken plugin path is a clear kubectl error, not a hang.
sed 's|command: ".*"|command: "/nonexistent/iksctl"|' "$KC" > "$T_TMP/bad.yaml"
check "missing plugin: kubectl fails" 1 kc "$T_TMP/bad.yaml" get --raw /version
# Issue 25, point 5: the master refuses the cached id_token (revoked
# on the emulator, unexpired for iksctl).  The kubectl run that meets the
# 401 runs the plugin again at once (client-go does, within one process,
# only then): that second call from the same kubectl process renews the
# token.  That run may still fail (client-go retries no request), the next
# one succeeds, and 20 runs after it make no IAM call: a new kubectl
# process gets the cached token.
emu_post /control/config '{"id_token_ttl":1200}'
check "a long-lived id_token" 0 kc "$KC" get --raw /version
emu_post /control/fault '{"kind":"expire_tokens"}'
log_mark
kc "$KC" get --raw /version > "$T_TMP/out" 2> "$T_TMP/err"
eq "revoked: the master refused it once" \
	"$(emu_count_since request service=master status=401)" 1
eq "revoked: that run's second plugin call renewed it" \
	"$(emu_count_since request $ID_GRANT)" 1
log_mark
check "revoked: the next kubectl run succeeds" 0 kc "$KC" get --raw /version
contains "revoked: the master answers" "$T_TMP/out" '"gitVersion"'
i=0 bad=0
while [ $i -lt 20 ]; do
	kc "$KC" get --raw /version > /dev/null 2>&1 || bad=$((bad + 1))
	i=$((i + 1))
done
eq "20 more kubectl runs succeed" "$bad" 0
eq "22 kubectl runs: no IAM call" "$(emu_count_since request service=iam)" 0
eq "22 kubectl runs: no 401" "$(emu_count_since request service=master status=401)" 0
check "the record of the asker is 0600" 0 sh -c \
	'[ "$(stat -c %a "$IKSCTL_HOME/kube/$EMU_CLUSTER_ID")" = 600 ]'
finish
