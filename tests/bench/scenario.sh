#!/bin/sh
# scenario.sh TOOL SCENARIO: one run of one benchmark scenario.
#
# TOOL: iksctl, or curl (IBM's "Setting up the API" guide done with curl
# and jq, written the way a careful script would: tokens saved to a file
# and reused while valid, the cluster CA kept from an earlier config zip).
# SCENARIO: login | clusters | cluster | guide (described in
# bench/README.md).
#
# Environment (set by bench.py): IKSCTL, W (the state folder: IKSCTL_HOME
# for iksctl, the saved files for curl), KEYFILE (the API key, no
# newline), CLUSTER, ACCOUNT, REGION, SSL_CERT_FILE (the trust store for
# both tools), the IBMCLOUD_*_API_ENDPOINT variables, and STEP: empty, or
# the per-process wrapper (tests/bench/step.sh) when a run is traced.
# Every process the scenario runs is started as `$S cmd ...`.
set -eu
tool=$1
scen=$2
S=${STEP:-}
IAM=$IBMCLOUD_IAM_API_ENDPOINT
ACC=$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT
CS=$IBMCLOUD_CS_API_ENDPOINT
CA=$SSL_CERT_FILE

# ---------------------------------------------------------------- iksctl
ik() { $S "$IKSCTL" "$@" > /dev/null; }

ik_login() { ik login --apikey "@$KEYFILE" --region "$REGION"; }

ik_run() {
	export IKSCTL_HOME="$W"
	case $scen in
	login) ik_login ;;
	clusters) ik clusters -o json ;;
	cluster)
		ik cluster get "$CLUSTER" -o json
		ik kube "$CLUSTER" /version
		;;
	guide)
		ik_login                                       # F1
		ik accounts -o json                            # F5
		ik target --account "$ACCOUNT"                 # F6
		ik regions -o json                             # F8
		ik clusters -o json                            # F9
		ik cluster get "$CLUSTER" -o json              # F10
		ik cluster config "$CLUSTER" --kubeconfig "$W/kubeconfig" 2> /dev/null  # F12
		ik kube-credential --cluster "$CLUSTER"        # F13, F14
		ik kube "$CLUSTER" /version                    # F15
		;;
	*) echo "scenario.sh: unknown scenario $scen" >&2; exit 2 ;;
	esac
}

# ------------------------------------------------------------------ curl
C() { $S curl -sS --fail-with-body --cacert "$CA" "$@"; }

# iam FILE ARGS...: POST to IAM's token endpoint, the response to FILE.
iam() {
	_f=$1
	shift
	C -X POST "$IAM/identity/token" -o "$_f" \
		-H "Content-Type: application/x-www-form-urlencoded" \
		-H "Accept: application/json" "$@"
}

# save_tokens: token.json -> token.env (access, refresh, expiration).
save_tokens() {
	$S jq -r '"ACCESS_TOKEN=\(.access_token)\nREFRESH_TOKEN=\(.refresh_token)\nEXPIRATION=\(.expiration)"' \
		"$W/token.json" > "$W/token.env"
}

curl_login() {                                            # F1
	iam "$W/token.json" -u bx:bx \
		--data "grant_type=urn:ibm:params:oauth:grant-type:apikey" \
		--data-urlencode "apikey@$KEYFILE"
	save_tokens
}

# token: load the saved token; refresh it (F7) when it is about to expire.
token() {
	. "$W/token.env"
	NOW=$($S date +%s)
	if [ "$NOW" -ge $((EXPIRATION - 60)) ]; then
		iam "$W/token.json" -u bx:bx --data grant_type=refresh_token \
			--data-urlencode "refresh_token=$REFRESH_TOKEN"
		save_tokens
		. "$W/token.env"
	fi
}

cs() {
	_p=$1
	shift
	C "$CS$_p" -H "Authorization: Bearer $ACCESS_TOKEN" \
		-H "X-Auth-Refresh-Token: $REFRESH_TOKEN" -H "X-Region: $REGION" "$@"
}

# kube_token: F13 (delegated refresh token) and F14 (the kube id_token),
# saved in kube.env with the id_token's exp (read from the JWT).
kube_token() {
	iam "$W/drt.json" -u bx:bx --data grant_type=refresh_token \
		--data-urlencode "refresh_token=$REFRESH_TOKEN" \
		--data "response_type=delegated_refresh_token&receiver_client_ids=kube&delegated_refresh_token_expiry=600"
	DRT=$($S jq -r .delegated_refresh_token "$W/drt.json")
	iam "$W/id.json" -u kube:kube \
		--data "grant_type=urn:ibm:params:oauth:grant-type:delegated-refresh-token" \
		--data-urlencode "refresh_token=$DRT"
	$S jq -r '"ID_TOKEN=\(.id_token)\nID_EXP=\(.id_token | split(".")[1] | gsub("-";"+") | gsub("_";"/") | @base64d | fromjson | .exp)"' \
		"$W/id.json" > "$W/kube.env"
}

curl_run() {
	mkdir -p "$W"
	case $scen in
	login) curl_login ;;
	clusters)
		token
		cs /v1/clusters > /dev/null
		;;
	cluster)
		token
		cs "/v1/clusters/$CLUSTER" -o "$W/cluster.json"
		URL=$($S jq -r .publicServiceEndpointURL "$W/cluster.json")
		. "$W/kube.env"
		if [ "$NOW" -ge $((ID_EXP - 60)) ]; then
			kube_token
			. "$W/kube.env"
		fi
		$S curl -sS --fail-with-body --cacert "$W/ca.pem" \
			-H "Authorization: Bearer $ID_TOKEN" "$URL/version" > /dev/null
		;;
	guide)
		curl_login                                                   # F1
		. "$W/token.env"
		C "$ACC/coe/v2/accounts" -H "Authorization: Bearer $ACCESS_TOKEN" \
			-o "$W/accounts.json"                                    # F5
		iam "$W/token.json" -u bx:bx --data grant_type=refresh_token \
			--data-urlencode "refresh_token=$REFRESH_TOKEN" \
			--data "bss_account=$ACCOUNT"                            # F6
		save_tokens
		. "$W/token.env"
		C "$CS/v1/regions" > /dev/null                               # F8
		cs /v1/clusters > /dev/null                                  # F9
		cs "/v1/clusters/$CLUSTER" -o "$W/cluster.json"              # F10
		URL=$($S jq -r .publicServiceEndpointURL "$W/cluster.json")
		cs "/v1/clusters/$CLUSTER/config" -o "$W/config.zip"         # F12
		$S unzip -p "$W/config.zip" '*/ca-*.pem' > "$W/ca.pem"
		kube_token                                                   # F13, F14
		. "$W/kube.env"
		$S curl -sS --fail-with-body --cacert "$W/ca.pem" \
			-H "Authorization: Bearer $ID_TOKEN" "$URL/version" > /dev/null  # F15
		;;
	*) echo "scenario.sh: unknown scenario $scen" >&2; exit 2 ;;
	esac
}

case $tool in
iksctl) ik_run ;;
curl) curl_run ;;
*) echo "usage: scenario.sh iksctl|curl login|clusters|cluster|guide" >&2; exit 2 ;;
esac
