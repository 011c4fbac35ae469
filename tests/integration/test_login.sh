#!/bin/sh
# test_login.sh: IAM flows, the store and the session (issue 5) against
# the emulator: every login kind, accounts, target, token, logout, the
# store's modes, IAM errors, and the session's refresh and re-login with
# short token lifetimes so that expiry really happens.
. tests/integration/lib.sh
emu_start
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
S=$IKSCTL_HOME/store
ik() { "$IKSCTL" "$@"; }

# --- F1: API key, every way to give it ---
check "login --apikey @FILE" 0 ik login --apikey "@$K"
contains "login shows the account" "$T_TMP/out" "$EMU_ACCOUNT"
contains "login table has a header" "$T_TMP/out" "ACCOUNT"
contains "source recorded as a file" "$S" "cred_source file:$K"
if grep -qF "$EMU_APIKEY" "$S"; then fail "API key in the store"; else ok "API key not in the store"; fi
mode=$(stat -c %a "$S")
eq "store mode 0600" "$mode" 600
eq "home mode 0700" "$(stat -c %a "$IKSCTL_HOME")" 700
check "login --apikey - (stdin)" 0 sh -c "printf '%s' '$EMU_APIKEY' | $IKSCTL login --apikey -"
if grep -q "^cred_source" "$S"; then fail "stdin login recorded a source"; else ok "stdin login records no source"; fi
check "login from IBMCLOUD_API_KEY" 0 env IBMCLOUD_API_KEY="$EMU_APIKEY" "$IKSCTL" login
contains "env source recorded" "$S" "cred_source env:IBMCLOUD_API_KEY"
check "login from IC_API_KEY" 0 env IC_API_KEY="$EMU_APIKEY" "$IKSCTL" login
contains "IC_API_KEY source recorded" "$S" "cred_source env:IC_API_KEY"
check "plain --apikey works" 0 ik login --apikey "$EMU_APIKEY"
contains "plain secret warns" "$T_TMP/err" "warning: a secret on the command line"
contains "plain --apikey: the warning names IBMCLOUD_API_KEY" "$T_TMP/err" "IBMCLOUD_API_KEY"
check "plain --password works" 0 ik login --username "$EMU_USER" --password "$EMU_PASSWORD" --account "$EMU_ACCOUNT"
grep -q "warning: a secret on the command line can be read by other users; use --password @FILE or --password -$" \
	"$T_TMP/err" && ok "plain --password: no environment variable that does not exist" ||
	fail "plain --password: $(cat "$T_TMP/err")"
check "--cr-token TOKEN (no @): exit 2" 2 ik login --cr-token not-a-file --profile-id "$EMU_PROFILE_ID"
contains "--cr-token without @: says why" "$T_TMP/err" "--cr-token takes @FILE"
check "login -o json" 0 ik login --apikey "@$K" -o json
cp "$T_TMP/out" "$T_TMP/login.json"
check "login json parses" 0 python3 -c "import json,sys; d=json.load(open('$T_TMP/login.json')); assert d['account']=='$EMU_ACCOUNT' and d['credential_source'].startswith('file:') and 'access_token' not in d"

# --- IAM refusals carry IAM's code; exit 3 ---
printf 'FAKE-NOT-A-KEY\n' > "$T_TMP/badkey"
chmod 600 "$T_TMP/badkey"  # a loose credential file warns (issue 12): one line is the error
check "bad API key: exit 3" 3 ik login --apikey "@$T_TMP/badkey"
contains "bad API key: BXNIM0415E" "$T_TMP/err" "BXNIM0415E"
contains "bad API key: IAM's message" "$T_TMP/err" "Provided API key could not be found"
eq "bad API key: one line" "$(wc -l < "$T_TMP/err")" 1
check "no credential: usage" 2 env -u IBMCLOUD_API_KEY -u IC_API_KEY "$IKSCTL" login
check "wrong password: exit 3" 3 ik login --username "$EMU_USER1" --password "@$K"
contains "wrong password: BXNIM0602E" "$T_TMP/err" "BXNIM0602E"

# --- F2: password, one account chosen, several listed ---
printf '%s\n' "$EMU_PASSWORD1" > "$T_TMP/pw1"
printf '%s\n' "$EMU_PASSWORD" > "$T_TMP/pw"
log_mark
check "password login, one account" 0 ik login --username "$EMU_USER1" --password "@$T_TMP/pw1"
contains "one account chosen" "$T_TMP/out" "$EMU_ACCOUNT"
eq "password grant sent with Basic" "$(emu_count_since request grant_type=password client_id=bx)" 1
check "password login, three accounts" 3 ik login --username "$EMU_USER" --password "@$T_TMP/pw"
contains "several accounts: says --account" "$T_TMP/err" "--account"
contains "several accounts listed" "$T_TMP/err" "$EMU_ACCOUNT3"
check "password login with --account" 0 ik login --username "$EMU_USER" --password "@$T_TMP/pw" --account "$EMU_ACCOUNT2"
contains "scoped to account 2" "$T_TMP/out" "$EMU_ACCOUNT2"
check "token -o json: account" 0 ik token -o json -q .account
eq "token's account is account 2" "$(cat "$T_TMP/out")" "$EMU_ACCOUNT2"

# --- F5: accounts, two pages ---
log_mark
check "accounts (table)" 0 ik accounts
eq "accounts: header + 3 rows" "$(wc -l < "$T_TMP/out")" 4
eq "accounts: two pages fetched" "$(emu_count_since request path=/coe/v2/accounts)" 2
check "accounts -q" 0 ik accounts -q '.resources[].metadata.guid'
eq "accounts -q: three ids" "$(wc -l < "$T_TMP/out")" 3
contains "accounts -q: account 3" "$T_TMP/out" "$EMU_ACCOUNT3"
check "accounts -o json parses" 0 sh -c "$IKSCTL accounts -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"total_results\"]==3 and len(d[\"resources\"])==3'"

# One page: -o json is the service's body byte for byte.
check "login, one account" 0 ik login --username "$EMU_USER1" --password "@$T_TMP/pw1"
check "accounts -o json (one page)" 0 ik accounts -o json
cp "$T_TMP/out" "$T_TMP/acc.iksctl"
curl -sf --cacert "$EMU_CA_FILE" -H "Authorization: Bearer $("$IKSCTL" token)" \
	"$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT/coe/v2/accounts" > "$T_TMP/acc.curl"
cmp -s "$T_TMP/acc.iksctl" "$T_TMP/acc.curl" && ok "one page: byte for byte" ||
	fail "one page: differs from the service's body"
check "back to the 3-account user" 0 ik login --username "$EMU_USER" --password "@$T_TMP/pw" --account "$EMU_ACCOUNT2"

# --- F6: target --account re-scopes through the refresh grant ---
log_mark
check "target --account" 0 ik target --account "$EMU_ACCOUNT3"
eq "target used bss_account" "$(emu_count_since request grant_type=refresh_token bss_account=$EMU_ACCOUNT3)" 1
eq "token now for account 3" "$("$IKSCTL" token -o json -q .account)" "$EMU_ACCOUNT3"
check "target --region" 0 ik target --region eu-de
contains "region saved" "$S" "region eu-de"
log_mark
check "target --region not listed by the service: exit 2" 2 ik target --region mars-1
contains "unknown region: the valid ones listed" "$T_TMP/err" \
	"--region mars-1: not a region of the service; use one of us-south, us-east, eu-central"
if grep -q "region mars-1" "$S"; then fail "unknown region saved"; else ok "unknown region not saved"; fi
eq "unknown region: the service's list read" "$(emu_count_since request method=GET path=/global/v1/regions)" 1
check "login --region not listed: exit 2" 2 ik login --apikey "@$K" --region us-soutth
contains "login: unknown region named" "$T_TMP/err" "--region us-soutth: not a region"
eq "login, unknown region: no IAM call" "$(emu_count_since request service=iam)" 0
check "target (show)" 0 ik target
contains "target shows region" "$T_TMP/out" "eu-de"
check "target --account not a member: exit 3" 3 ik target --account 0123456789abcdef0123456789abcdef
contains "not a member: BXNIM0141E" "$T_TMP/err" "BXNIM0141E"

# --- F3: passcode ---
pc=$(curl -sf -X POST "$EMU_CONTROL/control/passcode")
check "passcode login" 0 ik login --passcode "$pc" --account "$EMU_ACCOUNT"
contains "passcode: scoped" "$T_TMP/out" "$EMU_ACCOUNT"
check "passcode used twice: exit 3" 3 ik login --passcode "$pc" --account "$EMU_ACCOUNT"

# --- F4: trusted profile ---
log_mark
check "cr-token with --profile-id" 0 ik login --cr-token "@$EMU_CR_TOKEN_FILE" --profile-id "$EMU_PROFILE_ID"
contains "cr-token: account" "$T_TMP/out" "$EMU_ACCOUNT"
if grep -q "^refresh_token" "$S"; then fail "cr-token login kept a refresh token"; else ok "cr-token: no refresh token"; fi
check "cr-token with --profile-name" 0 ik login --cr-token "@$EMU_CR_TOKEN_FILE" --profile-name "$EMU_PROFILE_NAME"
check "cr-token from IBMCLOUD_CR_TOKEN_FILE + IBMCLOUD_CR_PROFILE" 0 env IBMCLOUD_CR_TOKEN_FILE="$EMU_CR_TOKEN_FILE" IBMCLOUD_CR_PROFILE="$EMU_PROFILE_NAME" "$IKSCTL" login
eq "cr-token grants" "$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:cr-token)" 3
check "cr-token, unknown profile: exit 3" 3 ik login --cr-token "@$EMU_CR_TOKEN_FILE" --profile-name no-such-profile

# --- token, logout ---
check "login for token tests" 0 ik login --apikey "@$K"
check "token prints a token" 0 ik token
tok=$(cat "$T_TMP/out")
check "token works with curl" 0 curl -sf --cacert "$EMU_CA_FILE" -H "Authorization: Bearer $tok" "$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT/coe/v2/accounts"
log_mark
check "token --refresh" 0 ik token --refresh
eq "token --refresh refreshed once" "$(emu_count_since request grant_type=refresh_token)" 1
[ "$(cat "$T_TMP/out")" != "$tok" ] && ok "token --refresh gives a new token" || fail "same token after --refresh"
check "token -o json" 0 ik token -o json
cp "$T_TMP/out" "$T_TMP/token.json"
check "token json fields" 0 python3 -c "import json; d=json.load(open('$T_TMP/token.json')); assert d['expires_at'].endswith('Z') and d['iam_id'] and d['credential_source'] and d['access_token']"
check "logout" 0 ik logout
[ ! -e "$S" ] && ok "logout removed the store" || fail "store still there"
check "not logged in: exit 3" 3 ik token
contains "not logged in: says login" "$T_TMP/err" "iksctl login"

# --- the store: corrupt, future, loose modes ---
check "login again" 0 ik login --apikey "@$K"
cp "$S" "$T_TMP/store.good"
sed 's/^account .*/account 00000000000000000000000000000000/' "$T_TMP/store.good" > "$S"
cp "$S" "$T_TMP/store.bad"
check "corrupt store: exit 1" 1 ik token
contains "corrupt store: says the fix" "$T_TMP/err" "iksctl logout"
cmp -s "$S" "$T_TMP/store.bad" && ok "corrupt store left untouched" || fail "corrupt store changed"
sed '1s/.*/iksctl-store 9/' "$T_TMP/store.good" > "$S"
check "future store: exit 1" 1 ik token
contains "future store: newer iksctl" "$T_TMP/err" "newer iksctl"
cp "$T_TMP/store.good" "$S"
head -c 300 "$T_TMP/store.good" > "$S"
check "truncated store: exit 1" 1 ik token
cp "$T_TMP/store.good" "$S"
chmod 644 "$S"
check "loose store still works" 0 ik token
contains "loose store warns" "$T_TMP/err" "warning"
chmod 600 "$S"

# --- IAM 429 and 5xx are retried ---
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"status","status":429,"retry_after":"1","count":1}'
log_mark
check "login through a 429" 0 ik login --apikey "@$K"
eq "429 then success: two token calls" "$(emu_count_since request path=/identity/token)" 2
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"status","status":503,"count":3}'
check "503 three times: exit 1" 1 ik login --apikey "@$K"
contains "503: says so" "$T_TMP/err" "503"
emu_post /control/reset '{}'

# --- -v redacts secrets ---
check "login -v" 0 ik -v login --apikey "@$K"
contains "-v: request line" "$T_TMP/err" "> POST /identity/token HTTP/1.1"
contains "-v: apikey redacted" "$T_TMP/err" "apikey=[redacted]"
contains "-v: Basic redacted" "$T_TMP/err" "Authorization: [redacted]"
if grep -qF "$EMU_APIKEY" "$T_TMP/err"; then fail "-v shows the API key"; else ok "-v hides the API key"; fi
finish
