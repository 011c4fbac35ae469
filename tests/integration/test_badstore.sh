#!/bin/sh
# test_badstore.sh: a way out of every bad state (issue 12 item 6, the
# session's part).  With a corrupt, future-version or truncated store:
# calls without a token still work, `logout` removes it (exit 0),
# `login` replaces it after one warning line, and every command that
# needs the store fails with the load error and an advice that is true.
# A store that is a FIFO does not hang.  With HOME unset (and no
# IKSCTL_HOME) `versions` works and `clusters` says HOME is not set.
. tests/integration/lib.sh
emu_start
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
ik() { "$IKSCTL" "$@"; }
S=$IKSCTL_HOME/store

check "login" 0 ik login --apikey "@$K"
cp "$S" "$T_TMP/good"
n=$(wc -c < "$S")

# bad KIND: write a bad store of that kind.
bad() {
	case $1 in
	corrupt) printf 'iksctl-store 1\n\001\002garbage\377\nend 00000000\n' > "$S" ;;
	future) printf 'iksctl-store 9\nsome future field\nend 12345678\n' > "$S" ;;
	truncated) head -c $((n / 2)) "$T_TMP/good" > "$S" ;;
	esac
	chmod 600 "$S"
}

for kind in corrupt future truncated; do
	bad $kind
	check "$kind: versions still works" 0 ik versions
	check "$kind: clusters fails" 1 ik clusters
	contains "$kind: clusters names the store" "$T_TMP/err" "$S"
	contains "$kind: clusters says how to start over" "$T_TMP/err" "iksctl logout"
	eq "$kind: clusters: one line" "$(wc -l < "$T_TMP/err")" 1
	check "$kind: token fails" 1 ik token
	check "$kind: logout" 0 ik logout
	[ -e "$S" ] && fail "$kind: logout left the store" || ok "$kind: logout removed the store"
	eq "$kind: the directory is emptied" "$(ls "$IKSCTL_HOME" | grep -v '^lock$' | wc -l)" 0
	check "$kind: after logout: not logged in (exit 3)" 3 ik clusters
	bad $kind
	check "$kind: login replaces it" 0 ik login --apikey "@$K"
	contains "$kind: login warns" "$T_TMP/err" "iksctl: login: replacing the unreadable store $S: "
	eq "$kind: login warns in one line" "$(grep -c 'replacing the unreadable store' "$T_TMP/err")" 1
	check "$kind: clusters works again" 0 ik clusters
done

# A FIFO as the store: an error at once, never a hang (store.c refuses it).
rm -f "$S"
mkfifo "$S"
timeout 10 "$IKSCTL" clusters > "$T_TMP/out" 2> "$T_TMP/err"
st=$?
if true; then
	eq "fifo store: clusters exit 1 at once (124: it hung)" "$st" 1
	contains "fifo store: names the store" "$T_TMP/err" "$S"
	check "fifo store: logout" 0 timeout 10 "$IKSCTL" logout
	[ -e "$S" ] && fail "fifo store: logout left it" || ok "fifo store: logout removed it"
	check "fifo store: login after" 0 timeout 10 "$IKSCTL" login --apikey "@$K"
fi
rm -f "$S"

# No HOME and no IKSCTL_HOME.
check "no HOME: versions works" 0 env -u HOME -u IKSCTL_HOME "$IKSCTL" versions
check "no HOME: clusters fails" 1 env -u HOME -u IKSCTL_HOME "$IKSCTL" clusters
contains "no HOME: says HOME is not set" "$T_TMP/err" "HOME is"
if grep -q "no session in ;" "$T_TMP/err"; then fail "no HOME: 'no session in ;'"
else ok "no HOME: no empty path in the message"; fi
check "no HOME: login fails" 1 env -u HOME -u IKSCTL_HOME "$IKSCTL" login --apikey "@$K"
contains "no HOME: login says HOME is not set" "$T_TMP/err" "HOME is"
finish
