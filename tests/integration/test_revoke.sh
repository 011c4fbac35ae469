#!/bin/sh
# test_revoke.sh: after a 401, a token another process stored meanwhile
# is used instead of refreshing again (issue 12 item 9).  The service
# revokes every token (the emulator's expire_tokens fault: the local
# clock still thinks them valid); 20 processes started together all
# succeed with exactly one refresh in all, and, when the refresh tokens
# are revoked too, exactly one re-login from the recorded API key.
. tests/integration/lib.sh
emu_start
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
ik() { "$IKSCTL" "$@"; }

# par20 TAG CMD...: run CMD 20 times at once; sets $bad to the failures.
par20() {
	_t=$1
	shift
	i=0
	pids=""
	while [ $i -lt 20 ]; do
		"$@" > "$T_TMP/$_t.out.$i" 2> "$T_TMP/$_t.err.$i" &
		pids="$pids $!"
		i=$((i + 1))
	done
	bad=0
	for p in $pids; do wait "$p" || bad=$((bad + 1)); done
	[ "$bad" = 0 ] || head -c 300 "$T_TMP/$_t".err.* | head -20
}

check "login" 0 ik login --apikey "@$K"
check "clusters works" 0 ik clusters
emu_post /control/fault '{"kind":"expire_tokens"}'
# The refresh answers 3 s late, so that the others meet their 401 while it
# is under way even on a slow machine (a checked build, valgrind).
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"delay","seconds":3,"count":1}'
log_mark
par20 acc ik clusters
eq "revoked access token: 20 processes all succeed" "$bad" 0
eq "revoked access token: exactly 1 refresh" \
	"$(emu_count_since request grant_type=refresh_token)" 1
eq "revoked access token: no re-login" \
	"$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:apikey)" 0
# Every process that started before the new token was stored met a 401;
# one that started later used the new token at once.  The race must have
# happened (more than one 401) for the single refresh to mean anything.
n401=$(emu_count_since request path=/global/v1/clusters status=401)
[ "$n401" -ge 2 ] && ok "revoked access token: $n401 of 20 calls met a 401" ||
	fail "revoked access token: only $n401 calls met a 401 (no race)"

check "login again" 0 ik login --apikey "@$K"
emu_post /control/fault '{"kind":"expire_tokens","refresh":true}'
log_mark
par20 ref ik clusters
eq "revoked refresh token: 20 processes all succeed" "$bad" 0
eq "revoked refresh token: exactly 1 re-login" \
	"$(emu_count_since request grant_type=urn:ibm:params:oauth:grant-type:apikey)" 1
eq "revoked refresh token: 1 refresh tried (refused)" \
	"$(emu_count_since request grant_type=refresh_token)" 1

# The retry still refreshes when nobody else did (one process).
emu_post /control/fault '{"kind":"expire_tokens"}'
log_mark
check "one process after a 401" 0 ik clusters
eq "one process: 1 refresh" "$(emu_count_since request grant_type=refresh_token)" 1
finish
