#!/bin/sh
# test_session.sh: the session layer with tokens that really expire
# (issue 5 points 3 and 5): refresh at 80 % of the life, refresh after
# expiry, a 401 that triggers one refresh and one retry, an expired
# refresh token replaced by a silent login from the recorded source (and
# a clear exit 3 without one), a cr-token login that re-reads its file,
# and 16 processes with an expired token making exactly one refresh.
. tests/integration/lib.sh
emu_start --access-ttl 20
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
ik() { "$IKSCTL" "$@"; }
refreshes() { emu_count_since request grant_type=refresh_token; }

check "login (20 s tokens)" 0 ik login --apikey "@$K"
log_mark
check "fresh token: no refresh" 0 ik accounts
eq "fresh token: no refresh" "$(refreshes)" 0

# 80 % of 20 s is 16 s (with up to 10 % jitter earlier): at 17 s the token
# is still valid but due.
sleep 17
log_mark
check "token past 80 %" 0 ik accounts
eq "refreshed once at 80 %" "$(refreshes)" 1
log_mark
check "right after: no refresh" 0 ik accounts
eq "new token reused" "$(refreshes)" 0

# A token the service rejects (401) is refreshed once and the call retried.
emu_post /control/fault '{"kind":"expire_tokens"}'
log_mark
check "401 from accounts: refresh and retry" 0 ik accounts
eq "401: one refresh" "$(refreshes)" 1
eq "401: the call was made twice" "$(emu_count_since request path=/coe/v2/accounts status=401)" 1

# 16 processes with an expired token: one refresh in all.
emu_post /control/config '{"access_ttl":2}'
check "login (2 s tokens)" 0 ik login --apikey "@$K"
emu_post /control/config '{"access_ttl":60}'
sleep 3
log_mark
i=0
pids=""
while [ $i -lt 16 ]; do
	"$IKSCTL" token > "$T_TMP/par.$i" 2> "$T_TMP/parerr.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
eq "16 processes all succeed" "$bad" 0
eq "16 processes: exactly one refresh" "$(refreshes)" 1
eq "16 processes: one token" "$(cat "$T_TMP"/par.* | sort -u | wc -l)" 1

# Expired refresh token (BXNIM0408E): silent login from env:IBMCLOUD_API_KEY.
emu_post /control/config '{"access_ttl":2,"refresh_ttl":3}'
check "login from the environment" 0 env IBMCLOUD_API_KEY="$EMU_APIKEY" "$IKSCTL" login
sleep 4
log_mark
check "expired refresh token: silent re-login" 0 env IBMCLOUD_API_KEY="$EMU_APIKEY" "$IKSCTL" accounts
eq "re-login used the API key grant" "$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:apikey)" 1
eq "refresh was refused first" "$(emu_count_since request grant_type=refresh_token status=400)" 1
sleep 4
check "source gone: exit 3" 3 env -u IBMCLOUD_API_KEY "$IKSCTL" token --refresh
contains "source gone: says so" "$T_TMP/err" "IBMCLOUD_API_KEY"

# From a file source, after the refresh token expired.
check "login from a file" 0 ik login --apikey "@$K"
sleep 4
check "file source: silent re-login" 0 ik token

# Without any source (stdin): exit 3 and one line saying to log in.
check "login from stdin" 0 sh -c "printf '%s' '$EMU_APIKEY' | $IKSCTL login --apikey -"
sleep 4
check "no source: exit 3" 3 ik accounts
contains "no source: run iksctl login" "$T_TMP/err" "iksctl login"
eq "no source: one line" "$(wc -l < "$T_TMP/err")" 1

# A cr-token login has no refresh token: it re-reads its token file.
check "cr-token login" 0 ik login --cr-token "@$EMU_CR_TOKEN_FILE" --profile-id "$EMU_PROFILE_ID"
sleep 3
log_mark
check "cr-token: renewed from the file" 0 ik token
eq "cr-token: grant again" "$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:cr-token)" 1
finish
