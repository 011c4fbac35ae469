#!/bin/sh
# test_scratch.sh: iksctl runs from an empty root, as in a `FROM scratch`
# image (toolchains/dist/Dockerfile).
#
# The root gets only the static binary (/iksctl), the emulator's CA file
# where the Dockerfile puts a CA bundle (/etc/ssl/certs/ca-certificates.crt)
# and an API key file (/apikey): no libc, no /etc/resolv.conf, no
# /etc/passwd, no shell.  The emulator runs outside; the network namespace
# is shared, so https://127.0.0.1:<port> reaches it.  The environment is
# empty except HOME, IKSCTL_HOME and the emulator's endpoints.
#
# 1. As a container runtime runs a scratch image: each command runs with
#    chroot in a fresh mount and PID namespace that has what every
#    container gets from the kernel, its own /proc and /dev/random,
#    /dev/urandom (bind mounts that vanish with the namespace).  The whole
#    guide runs: login with the API key file, accounts, regions, clusters,
#    cluster get and workers, cluster config (the kubeconfig is written
#    inside the root), token, token --kube, kube-credential, kube CLUSTER
#    /version, api.
# 2. In the bare root (no /proc, no /dev at all, as a plain `chroot` into
#    the folder): login, a cluster call, cluster config, kube.  iksctl
#    must not need /dev/random (getrandom(2) exists for that) nor /proc.
#
# Needs root (chroot, unshare, mount).
. tests/integration/lib.sh

R=$T_TMP/root
CHROOT=$(command -v chroot || echo /usr/sbin/chroot)
if [ "$(id -u)" != 0 ] || [ ! -x "$CHROOT" ] || ! command -v unshare > /dev/null 2>&1; then
	echo "test_scratch.sh: needs root, chroot and unshare"
	fail "cannot chroot here (not root, or chroot/unshare missing)"
	finish
fi
# A checked build (ASan, or a valgrind wrapper) needs the host's libc and
# cannot run in an empty root: the static build is what this test is about.
if ! file -L -b "$IKSCTL" | grep -q 'statically linked'; then
	echo "test_scratch.sh: $IKSCTL is not the static build: nothing to check"
	ok "skipped for a checked (dynamic) build"
	finish
fi
ok "build/iksctl is statically linked"

emu_start
unset IKSCTL_HOME SSL_CERT_FILE

mkdir -p "$R/etc/ssl/certs"
cp "$IKSCTL" "$R/iksctl"
cp "$EMU_CA_FILE" "$R/etc/ssl/certs/ca-certificates.crt"
(umask 077 && printf '%s\n' "$EMU_APIKEY" > "$R/apikey")
chmod 0755 "$R" "$R/iksctl"

# in_root CMD...: run /iksctl CMD... inside the root, as a container
# runtime would (/proc, /dev/random and /dev/urandom in a private mount
# namespace; the mount points are made and removed each time).
in_root() {
	mkdir -p "$R/proc" "$R/dev"
	: > "$R/dev/random"
	: > "$R/dev/urandom"
	env -i HOME=/ IKSCTL_HOME=${IN_ROOT_HOME:-/data} \
		IBMCLOUD_IAM_API_ENDPOINT="$IBMCLOUD_IAM_API_ENDPOINT" \
		IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT="$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT" \
		IBMCLOUD_CS_API_ENDPOINT="$IBMCLOUD_CS_API_ENDPOINT" \
		${IN_ROOT_ENV:-} \
		unshare --mount --propagation private --pid --fork --mount-proc="$R/proc" \
		/bin/sh -c 'r=$0 c=$1 && shift &&
			mount --bind /dev/random "$r/dev/random" &&
			mount --bind /dev/urandom "$r/dev/urandom" &&
			exec "$c" "$r" /iksctl "$@"' "$R" "$CHROOT" "$@"
	_st=$?
	rm -rf "${R:?}/dev"
	rmdir "$R/proc"
	return $_st
}
# in_bare CMD...: /iksctl CMD... in the bare root, a plain chroot.
in_bare() {
	env -i HOME=/ IKSCTL_HOME=/bare \
		IBMCLOUD_IAM_API_ENDPOINT="$IBMCLOUD_IAM_API_ENDPOINT" \
		IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT="$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT" \
		IBMCLOUD_CS_API_ENDPOINT="$IBMCLOUD_CS_API_ENDPOINT" \
		"$CHROOT" "$R" /iksctl "$@"
}
# step NAME STATUS CMD...: check, inside the root.
step() {
	_n=$1 _s=$2
	shift 2
	check "$_n" "$_s" in_root "$@"
}

# What is in the root before the guide: three files, nothing else.
eq "the root holds only the binary, the CA and the key" \
	"$(cd "$R" && find . -mindepth 1 ! -type d | LC_ALL=C sort | tr '\n' ' ')" \
	"./apikey ./etc/ssl/certs/ca-certificates.crt ./iksctl "

step "version" 0 version
contains "version: the x86_64 static build" "$T_TMP/out" "x86_64-linux-musl"
step "F1 login --apikey @/apikey" 0 login --apikey @/apikey
contains "login: account" "$T_TMP/out" "$EMU_ACCOUNT"
[ -f "$R/data/store" ] && ok "the store is inside the root (/data/store)" ||
	fail "no /data/store inside the root"
step "F1 the access token" 0 token
grep -q '^eyJ' "$T_TMP/out" && ok "token: a JWT" || fail "token: $(head -c 80 "$T_TMP/out")"
step "F1 token -o json: the credential source" 0 token -o json -q .credential_source
eq "the source is the file inside the root" "$(cat "$T_TMP/out")" "file:/apikey"
step "F5 accounts" 0 accounts
contains "accounts: account 1" "$T_TMP/out" "$EMU_ACCOUNT"
step "F8 regions" 0 regions
contains "regions: us-south" "$T_TMP/out" "us-south"
step "F8 versions" 0 versions
step "F9 clusters" 0 clusters
contains "clusters: $EMU_CLUSTER" "$T_TMP/out" "$EMU_CLUSTER"
step "F9 clusters --region eu-de -q" 0 clusters --region eu-de -q '.[].name'
contains "clusters in eu-de: $EMU_OPENSHIFT_CLUSTER" "$T_TMP/out" "$EMU_OPENSHIFT_CLUSTER"
step "F10 cluster get" 0 cluster get "$EMU_CLUSTER"
contains "cluster get: its id" "$T_TMP/out" "$EMU_CLUSTER_ID"
step "F11 cluster workers" 0 cluster workers "$EMU_CLUSTER"
step "F12 cluster config (default place)" 0 cluster config "$EMU_CLUSTER"
contains "cluster config: export KUBECONFIG inside the root" "$T_TMP/out" \
	"export KUBECONFIG=/.kube/config"
K=$R/.kube/config
[ -f "$K" ] && ok "the kubeconfig is inside the root" || fail "no $K"
step "F12 cluster config --kubeconfig /kubeconfig.yaml" 0 \
	cluster config "$EMU_CLUSTER" --kubeconfig /kubeconfig.yaml
contains "kubeconfig: the exec command is /iksctl" "$R/kubeconfig.yaml" 'command: "/iksctl"'
contains "kubeconfig: IKSCTL_HOME is /data" "$R/kubeconfig.yaml" 'value: "/data"'
contains "kubeconfig: the cluster's CA inline" "$R/kubeconfig.yaml" "certificate-authority-data: "
step "F13/F14 token --kube" 0 token --kube
grep -q '^eyJ' "$T_TMP/out" && ok "token --kube: a JWT" || fail "token --kube: $(head -c 80 "$T_TMP/out")"
step "F13/F14 kube-credential" 0 kube-credential --cluster "$EMU_CLUSTER_ID"
contains "kube-credential: an ExecCredential" "$T_TMP/out" '"kind":"ExecCredential"'
step "F15 kube CLUSTER /version" 0 kube "$EMU_CLUSTER" /version
contains "kube /version: gitVersion" "$T_TMP/out" '"gitVersion"'
step "F15 kube CLUSTER /api/v1/namespaces -q" 0 \
	kube "$EMU_CLUSTER" /api/v1/namespaces -q '.items[].metadata.name'
contains "namespaces: default" "$T_TMP/out" "default"
step "api /v1/clusters -q" 0 api /v1/clusters -q '.[].name'
contains "api: $EMU_CLUSTER" "$T_TMP/out" "$EMU_CLUSTER"

# --- 2. the bare root: no /proc, no /dev ---------------------------------
[ ! -e "$R/dev" ] && [ ! -e "$R/proc" ] && ok "bare root: no /dev, no /proc" ||
	fail "bare root: /dev or /proc left over"
check "bare root: version" 0 in_bare version
check "bare root: login --apikey @/apikey (entropy without /dev/random)" 0 \
	in_bare login --apikey @/apikey
check "bare root: clusters" 0 in_bare clusters
check "bare root: cluster config (its own path without /proc)" 0 \
	in_bare cluster config "$EMU_CLUSTER" --kubeconfig /bare.yaml
check "bare root: kube CLUSTER /version" 0 in_bare kube "$EMU_CLUSTER" /version

# The CA in the root is what makes TLS work: without it, exit 4 (TLS) and
# no fallback to anything of the host's.
mv "$R/etc/ssl/certs/ca-certificates.crt" "$R/ca.pem"
step "without a CA bundle in the root: exit 4" 4 regions --timeout 5
IN_ROOT_ENV="SSL_CERT_FILE=/ca.pem"
step "SSL_CERT_FILE=/ca.pem inside the root" 0 regions
IN_ROOT_ENV=""
step "--cacert /ca.pem" 0 --cacert /ca.pem clusters

# Nothing of the host's came in: only what the commands wrote.
find "$R" -mindepth 1 \( -type l -o -type b -o -type c -o -type p -o -type s \) > "$T_TMP/odd"
[ -s "$T_TMP/odd" ] && fail "unexpected files in the root: $(cat "$T_TMP/odd")" ||
	ok "the root holds plain files and folders only"
grep -q " $R/" /proc/mounts && fail "something in $R is still mounted" ||
	ok "nothing mounted on the host"
echo "-- the root after the guide:"
(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | sed 's/^/   /')

finish
