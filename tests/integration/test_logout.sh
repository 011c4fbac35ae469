#!/bin/sh
# test_logout.sh: logout is final (issue 25 points 3 and 10).  A token
# agent running when the user logs out removes its sink and exits 3, and
# the store stays gone; a refresh in flight does not write the store
# back (logout waits for its lock; one that gives up on the lock leaves
# the refresh to throw its result away, even when a new login follows);
# an agent whose login was replaced by another (a new login_id) exits
# without touching the new one; a store that turns corrupt under an
# agent ends it.  A logout with nothing to remove says so; a folder at
# the store's path goes whole (a link in it is not followed).
. tests/integration/lib.sh
emu_start --access-ttl 5
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
ik() { "$IKSCTL" "$@"; }
S=$IKSCTL_HOME/store
F=$T_TMP/sink/token
mkdir -p "$T_TMP/sink"

# agent_start NAME: a token agent (5 s tokens: it renews every 3 to 4 s)
# whose exit status lands in $T_TMP/NAME.st.
agent_start() {
	rm -f "$T_TMP/$1.st" "$T_TMP/$1.pid" "$F"
	("$IKSCTL" token --watch --sink "$F" 2> "$T_TMP/$1.err" &
	 echo $! > "$T_TMP/$1.pid"; wait $!; echo $? > "$T_TMP/$1.st") &
	wait_file "$F" || fail "$1: the agent wrote nothing"
	T_PIDS="$T_PIDS $(cat "$T_TMP/$1.pid")"   # stopped at exit, if still there
}

# agent_status NAME SECONDS: the agent's exit status, or "running".
agent_status() {
	_i=0
	while [ ! -s "$T_TMP/$1.st" ] && [ $_i -lt $(($2 * 10)) ]; do
		_i=$((_i + 1))
		sleep 0.1
	done
	cat "$T_TMP/$1.st" 2>/dev/null || echo running
}

login_id() { sed -n 's/^login_id //p' "$S" 2>/dev/null; }

# ---- a running agent, then logout
check "login" 0 ik login --apikey "@$K"
[ -n "$(login_id)" ] && ok "the store has a login_id" || fail "no login_id in the store"
agent_start a1
check "logout with an agent running" 0 ik logout
eq "the agent exits 3" "$(agent_status a1 8)" 3
[ -e "$F" ] && fail "the agent left its sink" || ok "the agent removed its sink"
sleep 1
[ -e "$S" ] && fail "the store came back" || ok "the store stays gone"
check "token afterwards: not logged in" 3 ik token
contains "token afterwards: says to log in" "$T_TMP/err" "iksctl login"

# ---- a refresh in flight (IAM holds its answer 3 s), then logout
check "login again" 0 ik login --apikey "@$K"
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"delay","seconds":3}'
ik token --refresh > "$T_TMP/r1.out" 2> "$T_TMP/r1.err" &
R1=$!
sleep 1
timed "logout while a refresh is in flight" 0 ik logout
within "logout waited for the refresh's lock" 1000 10000
wait "$R1"
eq "the refresh itself ended well" "$?" 0
[ -e "$S" ] && fail "the refresh wrote the store back" || ok "store not resurrected by the refresh"
check "token afterwards: not logged in (2)" 3 ik token

# ---- a refresh in flight; a logout that gives up on the lock, then a login
check "login (3)" 0 ik login --apikey "@$K"
old=$(login_id)
emu_post /control/fault '{"service":"iam","path":"/identity/token","kind":"delay","seconds":4}'
ik token --refresh > "$T_TMP/r2.out" 2> "$T_TMP/r2.err" &
R2=$!
sleep 0.5
check "logout --timeout 1 during a refresh: removes anyway" 0 ik --timeout 1 logout
[ -e "$S" ] && fail "logout --timeout 1 left the store" || ok "logout --timeout 1 removed the store"
check "a new login, waiting for the refresh's lock" 0 ik login --apikey "@$K"
wait "$R2"
eq "the old refresh throws its result away (exit 3)" "$?" 3
contains "the old refresh says why" "$T_TMP/r2.err" "logged out meanwhile"
[ -s "$T_TMP/r2.out" ] && fail "the old refresh printed a token" || ok "the old refresh printed no token"
new=$(login_id)
[ -n "$new" ] && [ "$new" != "$old" ] && ok "the store holds the new login" ||
	fail "login_id: old $old, now $new"
check "the new login works" 0 ik token

# ---- an agent whose login is replaced (logout + login while it sleeps)
agent_start a2
ik logout 2> /dev/null
check "login while the agent sleeps" 0 ik login --apikey "@$K"
sum=$(sha256sum < "$S")
eq "the replaced agent exits 3" "$(agent_status a2 8)" 3
contains "the replaced agent says why" "$T_TMP/a2.err" "another login meanwhile"
[ -e "$F" ] && fail "the replaced agent left its sink" || ok "the replaced agent removed its sink"
eq "the new login's store untouched" "$(sha256sum < "$S")" "$sum"

# ---- a store that turns corrupt under the agent
agent_start a3
printf 'iksctl-store 3\n\001garbage\nend 00000000\n' > "$S"
st=$(agent_status a3 8)
[ "$st" != running ] && [ "$st" != 0 ] && ok "corrupt store: the agent exits ($st)" ||
	fail "corrupt store: the agent is $st"
contains "corrupt store: the agent says so" "$T_TMP/a3.err" "iksctl logout"
eq "corrupt store: one line, no loop" "$(grep -c 'renewal failed' "$T_TMP/a3.err")" 0
[ -e "$F" ] && fail "corrupt store: the sink stays" || ok "corrupt store: the sink is removed"

# ---- point 10: a logout that removes nothing says so; a folder at the
# store's path goes whole
check "logout of the corrupt store" 0 ik logout
check "logout with nothing there" 0 ik logout
contains "nothing there: says so" "$T_TMP/err" "not logged in: nothing to remove"
H2=$T_TMP/never
check "logout of a home that never was" 0 env IKSCTL_HOME="$H2" "$IKSCTL" logout
contains "never: says so" "$T_TMP/err" "not logged in"
[ -e "$H2" ] && fail "logout created the home" || ok "logout created no home"
mkdir -p "$S/sub/deeper" "$T_TMP/target"
echo keep > "$T_TMP/target/f"
echo x > "$S/sub/deeper/f"
ln -s "$T_TMP/target" "$S/link"
mkfifo "$S/fifo"
check "logout with a folder at the store's path" 0 ik logout
contains "folder: logged out" "$T_TMP/err" "logged out"
[ -e "$S" ] && fail "the folder at the store's path stays" || ok "the folder at the store's path is removed"
eq "a link in it was not followed" "$(cat "$T_TMP/target/f")" keep
finish
