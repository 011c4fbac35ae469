#!/bin/sh
# demo.sh: IBM's "Setting up the API" guide, step by step, with iksctl
# against the local IBM Cloud emulator (tests/emulator).  `make demo` runs it.
# After the guide's flows (F1 to F15), a cluster's life: create a VPC
# cluster and wait for it, use it with kubectl, remove it and wait until it
# is gone (F16, F19, F20, F22, F17; the emulator runs one lifecycle step a
# second).
#
#   sh tests/demo.sh
#
# Each step prints a header (flow number from DESIGN.md, what it does), the
# exact command, then its output.  A step that fails is reported and the
# demo goes on; the exit status is 1 if any step failed.  The last line is
# "N passed, N failed".  The emulator is stopped at the end, whatever
# happens.  Secrets never appear: they go to iksctl as @FILE, and tokens are
# shown as a 20-character prefix.
#
# Environment: IKSCTL (default build/iksctl), KUBECTL (default: kubectl on
# PATH), IKSCTL_DEMO_DIR (work folder, kept afterwards; default: a temporary
# folder, removed afterwards).
set -u
umask 077

IKSCTL=${IKSCTL:-build/iksctl}
case $IKSCTL in /*) ;; *) IKSCTL=$PWD/$IKSCTL ;; esac
cd "$(dirname "$0")/.." || exit 1
KUBECTL=${KUBECTL:-$(command -v kubectl || true)}

START=$(date +%s)
N_PASS=0
N_FAIL=0
N_SKIP=0
FAILED=""
EMU_STARTED=""

if [ -n "${IKSCTL_DEMO_DIR:-}" ]; then
	W=$IKSCTL_DEMO_DIR
	KEEP=1
	mkdir -p "$W" || exit 1
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/iksctl-demo.XXXXXX") || exit 1
	KEEP=""
fi
W=$(cd "$W" && pwd)

# stop_emulator: stop it (SIGTERM, then SIGKILL if it hangs); idempotent.
stop_emulator() {
	[ -n "$EMU_STARTED" ] || return 0
	echo
	echo "-- stopping the emulator (pid $EMU_STARTED)"
	if ! sh tests/emulator/emu.sh stop "$W/emu"; then
		kill -KILL "$EMU_STARTED" 2>/dev/null
	fi
	EMU_STARTED=""
}
cleanup() {
	trap - EXIT INT TERM
	stop_emulator
	[ -z "$KEEP" ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'echo; echo "demo.sh: interrupted"; exit 130' INT
trap 'echo; echo "demo.sh: terminated"; exit 143' TERM

# The commands below read as the user would type them.
iksctl() { "$IKSCTL" "$@"; }
kubectl() { "$KUBECTL" "$@"; }

# hide_tokens: a last guard on everything shown; a JWT longer than a prefix
# never reaches the screen (the commands already cut tokens themselves).
hide_tokens() {
	sed -E 's/(eyJ[A-Za-z0-9_-]{17})[A-Za-z0-9_.-]{20,}/\1...[rest hidden by demo.sh]/g'
}

# show FILE: print FILE (tokens hidden), ending with a newline.
show() {
	[ -s "$1" ] || return 0
	hide_tokens < "$1"
	[ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || echo
}

# step FLOWS WHAT WANT CMD [FILTER]: run CMD (exit status WANT expected),
# show its output through FILTER (e.g. `cut -c1-20`), then its stderr.
step() {
	_flows=$1 _what=$2 _want=$3 _cmd=$4 _filter=${5:-}
	echo
	printf '== %s: %s\n' "$_flows" "$_what"
	if [ -n "$_filter" ]; then
		printf '$ %s | %s\n' "$_cmd" "$_filter"
	else
		printf '$ %s\n' "$_cmd"
	fi
	set -f
	set -- $_cmd
	set +f
	_prog=$1
	[ "$_prog" = kubectl ] && _prog=$KUBECTL
	[ "$_prog" = iksctl ] && _prog=$IKSCTL
	if [ -z "$_prog" ] || ! command -v "$_prog" > /dev/null 2>&1; then
		echo "-- skipped: $1 is not installed"
		N_SKIP=$((N_SKIP + 1))
		return
	fi
	_t0=$(date +%s)
	eval "$_cmd" > "$W/out" 2> "$W/err" < /dev/null
	_rc=$?
	if [ -n "$_filter" ]; then
		eval "$_filter" < "$W/out" > "$W/shown"
	else
		cp "$W/out" "$W/shown"
	fi
	show "$W/shown"
	show "$W/err"
	if [ "$_rc" = "$_want" ]; then
		N_PASS=$((N_PASS + 1))
		[ "$_want" != 0 ] && echo "-- exit $_rc, as expected"
	else
		N_FAIL=$((N_FAIL + 1))
		FAILED="$FAILED ${_flows%%:*}"
		echo "!! FAILED: exit $_rc, expected $_want ($(( $(date +%s) - _t0 )) s)"
	fi
}

echo "iksctl demo: IBM Cloud's \"Setting up the API\" guide, against a local emulator"
echo

# --- what the demo needs ---
missing=""
[ -x "$IKSCTL" ] || missing="$missing $IKSCTL (run make)"
command -v python3 > /dev/null 2>&1 || missing="$missing python3 (the emulator)"
command -v openssl > /dev/null 2>&1 || missing="$missing openssl (the emulator's certificates)"
if [ -n "$missing" ]; then
	echo "demo.sh: cannot run, missing:$missing"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "-- iksctl: $IKSCTL ($("$IKSCTL" version 2>&1 | head -n 1))"
if [ -n "$KUBECTL" ]; then
	echo "-- kubectl: $KUBECTL"
else
	echo "-- kubectl: not installed (its step is skipped)"
fi

# --- the emulator ---
echo "-- starting the emulator: sh tests/emulator/emu.sh start $W/emu"
if ! sh tests/emulator/emu.sh start "$W/emu" > "$W/emu.start" 2>&1; then
	cat "$W/emu.start"
	echo "demo.sh: the emulator did not start"
	echo "0 passed, 1 failed"
	exit 1
fi
EMU_STARTED=$(cat "$W/emu/pid")
. "$W/emu/env"
EMU_STARTED=${EMU_PID:-$EMU_STARTED}

# iksctl reads its endpoints and trust anchors from the environment; the
# user's own IBM Cloud settings and proxies are not the emulator's.
unset IBMCLOUD_API_KEY IC_API_KEY IBMCLOUD_REGION IC_REGION KUBECONFIG \
	IBMCLOUD_CR_TOKEN_FILE IBMCLOUD_CR_PROFILE IBMCLOUD_RESOURCE_GROUP \
	IC_RESOURCE_GROUP IKSCTL_WAIT_INTERVAL \
	HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy
export IBMCLOUD_IAM_API_ENDPOINT IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT \
	IBMCLOUD_CS_API_ENDPOINT
export IKSCTL_HOME=$W/home SSL_CERT_FILE=$EMU_CA_FILE
echo "   export IBMCLOUD_IAM_API_ENDPOINT=$IBMCLOUD_IAM_API_ENDPOINT"
echo "   export IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT=$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT"
echo "   export IBMCLOUD_CS_API_ENDPOINT=$IBMCLOUD_CS_API_ENDPOINT"
echo "   export SSL_CERT_FILE=$SSL_CERT_FILE    # the emulator's CA"
echo "   export IKSCTL_HOME=$IKSCTL_HOME        # a fresh token store"

# Secrets live in files (mode 0600); only their paths are on command lines.
K=$W/apikey
PW=$W/password
PW1=$W/password1
PC=$W/passcode
KC=$W/kubeconfig.yaml
KC1=$W/edge1.yaml
printf '%s\n' "$EMU_APIKEY" > "$K"
printf '%s\n' "$EMU_PASSWORD" > "$PW"
printf '%s\n' "$EMU_PASSWORD1" > "$PW1"
echo "-- secrets written to files, never shown: $K, $PW, $PW1"

# --- the guide ---
step F1 "IAM token from an API key (POST /identity/token, grant_type=apikey)" 0 \
	"iksctl login --apikey @$K"
step F1 "the access token (a JWT; only its first 20 characters shown)" 0 \
	"iksctl token" "cut -c1-20"
step F1 "the token's details, one field (-o json -q)" 0 \
	"iksctl token -o json -q .expires_at"

step F2 "IAM token from a username and password (grant_type=password, Basic bx:bx); this user has one account" 0 \
	"iksctl login --username $EMU_USER1 --password @$PW1"

if command -v curl > /dev/null 2>&1; then
	step F3 "get a one-time passcode (IBM: open {iam}/identity/passcode in a browser; here the emulator's control endpoint)" 0 \
		"curl -sf -X POST -o $PC $EMU_CONTROL/control/passcode"
else
	step F3 "get a one-time passcode (IBM: open {iam}/identity/passcode in a browser; here the emulator's control endpoint)" 0 \
		"python3 -c 'import sys,urllib.request as u; open(sys.argv[2],\"wb\").write(u.urlopen(u.Request(sys.argv[1],b\"\")).read())' $EMU_CONTROL/control/passcode $PC"
fi
step F3 "IAM token from the passcode (grant_type=passcode), scoped to an account" 0 \
	"iksctl login --passcode @$PC --account $EMU_ACCOUNT3"

step F4 "IAM token from a trusted profile's compute-resource token (grant_type=cr-token; no refresh token comes back)" 0 \
	"iksctl login --cr-token @$EMU_CR_TOKEN_FILE --profile-name $EMU_PROFILE_NAME"
step F4 "how this login was made" 0 \
	"iksctl token -o json -q .credential"

step F5 "a user in three accounts: login lists them (GET /coe/v2/accounts, two pages) and asks for one" 3 \
	"iksctl login --username $EMU_USER --password @$PW"
step F5 "the same login, choosing an account" 0 \
	"iksctl login --username $EMU_USER --password @$PW --account $EMU_ACCOUNT2"
step F5 "list the accounts" 0 \
	"iksctl accounts"
step F5 "their names, from the service's JSON (-q)" 0 \
	"iksctl accounts -q '.resources[].entity.name'"

step F6 "re-scope the token to another account (refresh_token grant with bss_account)" 0 \
	"iksctl target --account $EMU_ACCOUNT"
step F6 "the account the token is for now" 0 \
	"iksctl token -o json -q .account"

step F7 "refresh the access token (grant_type=refresh_token); -v traces the calls, secrets redacted" 0 \
	"iksctl -v token --refresh" "cut -c1-20"
step F7 "the new token's expiry" 0 \
	"iksctl token -o json -q .expires_at"

step F8 "list the regions (GET /v1/regions)" 0 \
	"iksctl regions"
step F8 "list the Kubernetes and OpenShift versions (GET /v1/versions, no auth needed)" 0 \
	"iksctl versions"

step F9 "list the clusters of the account, all regions (GET /v1/clusters, no X-Region)" 0 \
	"iksctl clusters"
step F9 "list the clusters in one region (X-Region: eu-de)" 0 \
	"iksctl clusters --region eu-de"

step F10 "read a Kubernetes cluster (GET /v1/clusters/{idOrName})" 0 \
	"iksctl cluster get $EMU_CLUSTER"
step F10 "read an OpenShift cluster" 0 \
	"iksctl cluster get $EMU_OPENSHIFT_CLUSTER"
step F10 "its public service endpoint, from the JSON (-q)" 0 \
	"iksctl cluster get $EMU_OPENSHIFT_CLUSTER -q .publicServiceEndpointURL"

step F11 "list the cluster's workers (GET /v1/clusters/{idOrName}/workers)" 0 \
	"iksctl cluster workers $EMU_CLUSTER"
step F11 "the same, as the service's JSON, first worker's state (-o json -q)" 0 \
	"iksctl cluster workers $EMU_CLUSTER -o json -q '.[0].state'"

step F12 "a kubeconfig that already holds another cluster's context, as kubectl writes it" 0 \
	"kubectl --kubeconfig $KC config set-context other --cluster=other --user=other"
step F12 "get the cluster's config zip, extract its CA, merge the cluster into that kubeconfig (GET /v1/clusters/{idOrName}/config)" 0 \
	"iksctl cluster config $EMU_CLUSTER --kubeconfig $KC"
step F12 "both contexts are there; the current one is the cluster's" 0 \
	"kubectl --kubeconfig $KC config get-contexts"
step F12 "the kubeconfig: the cluster's CA inline, the user runs iksctl kube-credential (no token in it)" 0 \
	"cat $KC" "sed -E 's/(certificate-authority-data: .{40}).*/\1.../'"

step "F13/F14" "Kubernetes id_token: delegated refresh token (receiver kube), then the id_token (Basic kube:kube)" 0 \
	"iksctl token --kube" "cut -c1-20"
step "F13/F14" "the ExecCredential kubectl gets from the kubeconfig's exec plugin (token cut to 20 characters)" 0 \
	"iksctl kube-credential --cluster $EMU_CLUSTER_ID" \
	"sed -E 's/(\"token\":\"[^\"]{20})[^\"]*/\1.../'"

step F15 "call the cluster's Kubernetes API with the id_token, TLS verified with the cluster's CA" 0 \
	"iksctl kube $EMU_CLUSTER /version"
step F15 "list the namespaces (-q)" 0 \
	"iksctl kube $EMU_CLUSTER /api/v1/namespaces -q '.items[].metadata.name'"
step F15 "the OpenShift cluster's API version" 0 \
	"iksctl kube $EMU_OPENSHIFT_CLUSTER /version -q .gitVersion"
step F15 "the real kubectl with the kubeconfig from F12" 0 \
	"kubectl --kubeconfig $KC get namespaces"
step F15 "any IBM endpoint, authenticated: the containers API's cluster list (-q)" 0 \
	"iksctl api /v1/clusters -q '.[].name'"

# --- a cluster's life ---
# The emulator runs a lifecycle step (requested, deploying, pending, normal;
# deleting, deleted, gone) every second instead of every few minutes, and
# iksctl polls once a second instead of every 10 s.
echo
echo "-- a cluster's life: the emulator takes a step a second, iksctl polls every second"
echo "   POST $EMU_CONTROL/control/config {\"step_s\":1}"
if ! python3 -c 'import sys,urllib.request as u; u.urlopen(u.Request(sys.argv[1]+"/control/config",b"{\"step_s\":1}"))' "$EMU_CONTROL"; then
	echo "!! FAILED: the emulator's control endpoint"
	N_FAIL=$((N_FAIL + 1))
	FAILED="$FAILED setup"
fi
export IKSCTL_WAIT_INTERVAL=1
echo "   export IKSCTL_WAIT_INTERVAL=1"

step F16 "the request a VPC cluster's create sends (--dry-run: nothing is sent, tokens redacted)" 0 \
	"iksctl cluster create vpc-gen2 --name edge1 --vpc-id r006-demo-vpc --flavor bx2.4x16 --zone us-south-1 --subnet-id 0717-demo-subnet --workers 2 --dry-run"
step "F16/F19" "create it (POST /v2/vpc/createCluster) and wait until it and its workers are normal (progress on stderr)" 0 \
	"iksctl cluster create vpc-gen2 --name edge1 --vpc-id r006-demo-vpc --flavor bx2.4x16 --zone us-south-1 --subnet-id 0717-demo-subnet --workers 2 --wait"
step F12 "the new cluster's kubeconfig" 0 \
	"iksctl cluster config edge1 --kubeconfig $KC1"
step F15 "its nodes, with the real kubectl through that kubeconfig" 0 \
	"kubectl --kubeconfig $KC1 get nodes"
step "F20/F19" "resize its default pool to 3 workers a zone (PATCH /v1/clusters/{id}/workerpools/default) and wait until they are normal" 0 \
	"iksctl worker-pool resize edge1 default --size-per-zone 3 --wait"
step F22 "its workers now (VPC: GET /v2/vpc/getWorkers, the same columns as classic)" 0 \
	"iksctl worker ls edge1"
step "F17/F19" "remove it (DELETE /v1/clusters/{id}; -f: no question) and wait until it is gone" 0 \
	"iksctl cluster rm edge1 -f --wait"
step F19 "it is gone: a new wait for deleted never sees it, so it is the service's not-found (exit 1)" 1 \
	"iksctl cluster wait edge1 --until deleted"

# --- summary ---
stop_emulator
echo
echo "== done in $(( $(date +%s) - START )) s"
[ "$N_FAIL" != 0 ] && echo "failed steps in:$FAILED"
[ "$N_SKIP" != 0 ] && echo "$N_SKIP step(s) skipped: a command is not installed"
echo "$N_PASS passed, $N_FAIL failed"
[ "$N_FAIL" = 0 ]
