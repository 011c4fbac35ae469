#!/bin/sh
# test_errbody.sh: error answers shown in the one-line error (issue 12
# item 10): Account Management's errors[] body, IAM's errorCode/
# errorMessage with its requestId called a request id (containers keep
# their incidentID), and a 429 that says how many tries were made and
# how long the service asked to wait (the emulator's status fault on
# each service).
. tests/integration/lib.sh
emu_start
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
ik() { "$IKSCTL" "$@"; }
fault() { emu_post /control/fault "$1"; }

check "login" 0 ik login --apikey "@$K"

# Account Management: errors[].code and .message, its trace.
fault '{"service":"accounts","kind":"status","status":503,"count":3}'
check "accounts 503: exit 1" 1 ik accounts
contains "accounts 503: the service's code" "$T_TMP/err" "service_unavailable"
contains "accounts 503: the service's message" "$T_TMP/err" "Service temporarily unavailable"
contains "accounts 503: the trace" "$T_TMP/err" "trace "
contains "accounts 503: 3 tries" "$T_TMP/err" "after 3 tries"
eq "accounts 503: one line" "$(wc -l < "$T_TMP/err")" 1

# 429 with Retry-After: retried (a 429 up to 8 tries), then how long it
# asked and the tries.
fault '{"service":"accounts","kind":"status","status":429,"retry_after":"1","count":8}'
check "accounts 429: exit 1" 1 ik accounts
contains "accounts 429: says 429 Too Many Requests and the tries" "$T_TMP/err" \
	"429 Too Many Requests after 8 tries"
contains "accounts 429: the asked wait" "$T_TMP/err" "the service asked to wait 1 s"
contains "accounts 429: the message" "$T_TMP/err" "Too many requests"

# A wait over the retry budget: one try, and the wait said.
fault '{"service":"cs","kind":"status","status":429,"retry_after":"120","count":1}'
check "clusters 429 (120 s): exit 1" 1 ik clusters
contains "clusters 429: one try" "$T_TMP/err" "429 Too Many Requests after 1 try"
contains "clusters 429: asked 120 s" "$T_TMP/err" "the service asked to wait 120 s"
contains "clusters 429: containers code" "$T_TMP/err" "A0429"
contains "clusters 429: incidentID kept" "$T_TMP/err" "incidentID "
emu_post /control/reset '{}'

# IAM: errorCode, errorMessage, context.requestId as a request id.
fault '{"service":"iam","kind":"status","status":429,"retry_after":"0","count":8}'
check "token --refresh 429: exit 1" 1 ik token --refresh
contains "iam 429: IAM's code" "$T_TMP/err" "BXNIM0429E"
contains "iam 429: IAM's message" "$T_TMP/err" "Too many requests. Try again later."
contains "iam 429: a request id" "$T_TMP/err" "request id "
if grep -q "incident" "$T_TMP/err"; then fail "iam 429: called an incident id"
else ok "iam 429: not called an incident id"; fi
contains "iam 429: the tries" "$T_TMP/err" "429 Too Many Requests after 8 tries"
contains "iam 429: the wait" "$T_TMP/err" "the service asked to wait 0 s"

printf 'nosuchkey\n' > "$T_TMP/bad"
check "bad API key: exit 3" 3 ik login --apikey "@$T_TMP/bad"
contains "bad API key: IAM's code" "$T_TMP/err" "BXNIM0415E"
contains "bad API key: request id" "$T_TMP/err" "request id "
if grep -q "incident\|transaction-id" "$T_TMP/err"; then fail "bad API key: not a request id"
else ok "bad API key: a request id, nothing else"; fi
check "api --service iam: exit 1" 1 ik api --service iam -X POST /identity/token
contains "api iam: a request id" "$T_TMP/err" "request id "
if grep -q "incident" "$T_TMP/err"; then fail "api iam: called an incident id"
else ok "api iam: not called an incident id"; fi

# Containers keep code, description and incidentID.
check "cluster get nosuch: exit 1" 1 ik cluster get nosuch
contains "cs 404: G0004" "$T_TMP/err" "G0004"
contains "cs 404: incidentID" "$T_TMP/err" "incidentID "
finish
