#!/bin/sh
# test_headers.sh: what reaches a request line or a header (issue 12,
# items 4, 7 and 10) against the emulator.  A region, a method or a -H
# line with CR, LF or another control character, a method that is not
# an upper-case token, and the -H names iksctl owns are usage errors
# (exit 2) before anything is sent (the emulator logs no request); a -H
# header replaces the built-in one of its name; secret-looking -H values
# are redacted in -v traces; a reset of a GET before any answer is tried
# once more on a new connection, a POST never.
. tests/integration/lib.sh
emu_start
unset HTTPS_PROXY https_proxy IBMCLOUD_REGION IC_REGION
ik() { "$IKSCTL" "$@"; }
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
fault() { emu_post /control/fault "$1"; }
# sent NAME: no request and no connection reached the emulator since log_mark.
sent_none() {
	_n=$(emu_count_since request) _c=$(emu_count_since conn)
	[ "$_n" = 0 ] && [ "$_c" = 0 ] && ok "$1: nothing sent" ||
		fail "$1: the emulator saw $_n requests, $_c connections"
}
# refused NAME WHAT CMD...: exit 2, stderr names WHAT, nothing sent.
refused() {
	_rn=$1 _rw=$2
	shift 2
	log_mark
	check "$_rn: exit 2" 2 "$@"
	contains "$_rn: says what" "$T_TMP/err" "$_rw"
	[ "$(wc -l < "$T_TMP/err")" -le 1 ] && ok "$_rn: one line" ||
		fail "$_rn: $(cat "$T_TMP/err")"
	sent_none "$_rn"
}
# count_lines FILE REGEX: lines of FILE matching REGEX (case-insensitive).
count_lines() { grep -ciE -- "$2" "$1"; }

check "login" 0 ik login --apikey "@$K" --region us-south
check "warm up: clusters" 0 ik clusters

# --- Item 4: control characters, methods (exit 2, nothing sent) ---
CRLF_REGION=$(printf 'us-south\r\nX-Evil: 1')
refused "--region with CR LF" "X-Region" ik --region "$CRLF_REGION" clusters
contains "--region: names the byte" "$T_TMP/err" "(0x0d)"
refused "IBMCLOUD_REGION with LF" "X-Region" env IBMCLOUD_REGION="$(printf 'a\nb')" "$IKSCTL" clusters
contains "IBMCLOUD_REGION: names the byte" "$T_TMP/err" "(0x0a)"
refused "IC_REGION with ESC" "X-Region" env IC_REGION="$(printf 'us\033[2Jsouth')" "$IKSCTL" clusters
refused "-X 'GET /x'" "method" ik api -X 'GET /x' /v1/clusters
refused "-X with CR LF" "method" ik api -X "$(printf 'GET /x HTTP/1.1\r\nX: y\r\n')" /v1/clusters
refused "-X get" "upper-case" ik api -X get /v1/clusters
refused "-X empty" "method" ik api -X '' /v1/clusters
log_mark
check "kube -X get: exit 2" 2 ik kube "$EMU_CLUSTER" -X get /version
contains "kube -X get: says what" "$T_TMP/err" "upper-case"
eq "kube -X get: nothing sent to the master" "$(emu_count_since request service=master)" 0
refused "path with a space" "space" ik api '/v1/clusters?a=b c'

# --- Item 7: -H replaces, never duplicates; names iksctl owns ---
refused "-H 'Host: x'" "Host" ik api -H 'Host: x' /v1/clusters
refused "-H 'host: x' (any case)" "host" ik api -H 'host: x' /v1/clusters
refused "-H 'Content-Length: 1'" "Content-Length" ik api -H 'Content-Length: 1' /v1/clusters
refused "-H 'Transfer-Encoding: chunked'" "Transfer-Encoding" ik api -H 'Transfer-Encoding: chunked' /v1/clusters
refused "-H 'Connection: close'" "Connection" ik api -H 'Connection: close' /v1/clusters
refused "-H ': v'" "empty name" ik api -H ': v' /v1/clusters
refused "-H 'NoColon'" "no colon" ik api -H 'NoColon' /v1/clusters
refused "-H 'Bad Name: v'" "not a token" ik api -H 'Bad Name: v' /v1/clusters
refused "-H with CR LF in the value" "(0x0d)" ik api -H "$(printf 'X-A: 1\r\nX-Evil: 2')" /v1/clusters
check "-H with a tab in the value is sent" 0 ik api -H "$(printf 'X-A: a\tb')" /v1/clusters

check "-H 'Accept: text/plain'" 0 ik -v api -H 'Accept: text/plain' /v1/clusters
eq "-H Accept: one Accept line" "$(count_lines "$T_TMP/err" '^> accept:')" 1
contains "-H Accept: the user's value" "$T_TMP/err" "> Accept: text/plain"
check "-H 'accept: */*' (other case)" 0 ik -v api -H 'accept: */*' /v1/clusters
eq "-H accept: one Accept line" "$(count_lines "$T_TMP/err" '^> accept:')" 1
check "-H 'User-Agent: probe/1'" 0 ik -v api -H 'User-Agent: probe/1' /v1/clusters
eq "-H User-Agent: one User-Agent line" "$(count_lines "$T_TMP/err" '^> user-agent:')" 1
contains "-H User-Agent: the user's value" "$T_TMP/err" "> User-Agent: probe/1"

ik -v api -H 'authorization: Bearer x' /v1/clusters > "$T_TMP/out" 2> "$T_TMP/err"
st=$?
[ "$st" != 0 ] && ok "-H authorization: the service refuses the user's token (exit $st)" ||
	fail "-H authorization: exit 0"
eq "-H authorization: one Authorization line per request" \
	"$(count_lines "$T_TMP/err" '^> authorization:')" "$(count_lines "$T_TMP/err" '^> [A-Z]+ /')"

check "-v -H 'X-Api-Key: secret123'" 0 ik -v api -H 'X-Api-Key: secret123' \
	-H 'X-My-Token: tok456' -H 'Cookie: c=cookie789' -H 'X-Plain: shown1' /v1/clusters
contains "-H X-Api-Key: redacted" "$T_TMP/err" "> X-Api-Key: [redacted]"
contains "-H X-My-Token: redacted" "$T_TMP/err" "> X-My-Token: [redacted]"
contains "-H Cookie: redacted" "$T_TMP/err" "> Cookie: [redacted]"
contains "-H X-Plain: shown" "$T_TMP/err" "> X-Plain: shown1"
if grep -qE 'secret123|tok456|cookie789' "$T_TMP/err" "$T_TMP/out"; then
	fail "-v printed a secret -H value"; else ok "-v never prints a secret -H value"; fi

# --- Item 10: a reset of a GET is tried once more; a POST never ---
CL='"service":"cs","path":"/v1/clusters","method":"GET"'
emu_post /control/reset '{}'
log_mark
fault "{$CL,\"kind\":\"reset\",\"count\":1}"
check "one reset: clusters succeeds" 0 ik clusters
eq "one reset: two requests" "$(emu_count_since request method=GET)" 2
log_mark
fault "{$CL,\"kind\":\"reset\",\"count\":2}"
check "two resets: exit 4" 4 ik clusters
contains "two resets: connection reset" "$T_TMP/err" "connection reset"
eq "two resets: two requests" "$(emu_count_since request method=GET)" 2
emu_post /control/reset '{}'
log_mark
fault '{"service":"cs","path":"/v1/nosuch","method":"POST","kind":"reset","count":1}'
check "POST reset: exit 4" 4 ik api -X POST -d '{}' /v1/nosuch
eq "POST reset: not resent" "$(emu_count_since request method=POST)" 1
emu_post /control/reset '{}'

# --resource-group / IBMCLOUD_RESOURCE_GROUP: X-Auth-Resource-Group on
# containers calls (DESIGN.md section 1), checked like every header value.
log_mark
check "--resource-group rg-flag" 0 ik --resource-group rg-flag clusters
eq "the flag's group is sent" "$(emu_count_since request path=/global/v1/clusters x-auth-resource-group=rg-flag)" 1
check "IBMCLOUD_RESOURCE_GROUP" 0 env IBMCLOUD_RESOURCE_GROUP=rg-env "$IKSCTL" clusters
eq "the environment's group is sent" "$(emu_count_since request path=/global/v1/clusters x-auth-resource-group=rg-env)" 1
check "the flag wins over the environment" 0 env IBMCLOUD_RESOURCE_GROUP=rg-env "$IKSCTL" --resource-group rg-flag clusters
eq "flag over environment" "$(emu_count_since request path=/global/v1/clusters x-auth-resource-group=rg-flag)" 2
check "no group: none sent" 0 ik clusters
eq "no group: the header is absent" "$(emu_count_since request path=/global/v1/clusters x-auth-resource-group=None)" 1
log_mark
check "a CRLF in IBMCLOUD_RESOURCE_GROUP: exit 2" 2 env IBMCLOUD_RESOURCE_GROUP="$(printf 'rg\r\nX-Evil: 1')" "$IKSCTL" clusters
contains "names the header" "$T_TMP/err" "X-Auth-Resource-Group"
check "a LF in --resource-group: exit 2" 2 ik --resource-group "$(printf 'a\nb')" clusters
eq "nothing sent" "$(emu_count_since request)" 0

# kube takes -H too (DESIGN.md): it replaces the built-in header; -d @-.
log_mark
check "kube -H 'Accept: application/yaml'" 0 ik -v kube "$EMU_CLUSTER" -H 'Accept: application/yaml' /version
eq "kube -H Accept: the master got the user's Accept" "$(emu_count_since request service=master accept=application/yaml)" 1
eq "kube -H Accept: and not the built-in one" "$(emu_count_since request service=master accept=application/json)" 0
contains "kube -H Accept: traced once, the user's value" "$T_TMP/err" "> Accept: application/yaml"
check "kube -H 'Host: x': exit 2" 2 ik kube "$EMU_CLUSTER" -H 'Host: x' /version
check "kube -v -H 'X-Api-Key: secret123'" 0 ik -v kube "$EMU_CLUSTER" -H 'X-Api-Key: secret123' /version
if grep -q secret123 "$T_TMP/err"; then fail "kube -v printed the key"; else ok "kube -v: key redacted"; fi
printf '{"kind":"ConfigMap"}' > "$T_TMP/body"
log_mark
check "api -d @- reads the body from stdin" 0 sh -c "'$IKSCTL' -v api -X POST -d @- /v1/clusters/nosuch-body < '$T_TMP/body' || [ \$? = 1 ]"
contains "api -d @-: its length" "$T_TMP/err" "> Content-Length: 20"
finish
