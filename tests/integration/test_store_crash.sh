#!/bin/sh
# test_store_crash.sh: the store survives SIGKILL at any moment (issue 5,
# point 6).  Each round starts `store_torture save` (which saves one
# generation after another and prints each completed one), kills it with
# SIGKILL after 0 to 50 ms, then `store_torture check` must load the store
# and find exactly the last completed generation or the one in flight.
# A killed save may leave one temporary file; the next save removes it,
# so there is never more than one.
#
# Run from the repository root; IKSCTL_TOOLS names the tools directory.

tool=${IKSCTL_TOOLS:-build/host/tools}/store_torture
rounds=${ROUNDS:-200}
pass=0
fail=0

if [ ! -x "$tool" ]; then
	echo "FAIL: $tool not built"
	echo "0 passed, 1 failed"
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/store_crash.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
home=$work/home
out=$work/out

# A small LCG so the delays need no external command.
rnd=$(( $$ % 32768 ))
last=0   # generation the store holds after the previous round
i=1
while [ "$i" -le "$rounds" ]; do
	rnd=$(( (rnd * 1103515245 + 12345) % 2147483648 ))
	delay=$(( rnd / 65536 % 51 ))
	"$tool" save "$home" $((last + 1)) >"$out" 2>"$work/err" &
	pid=$!
	sleep "$(printf '0.%03d' "$delay")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	done_gen=$last
	while read -r g; do done_gen=$g; done <"$out"
	if ! found=$("$tool" check "$home" 2>"$work/check"); then
		echo "FAIL round $i (${delay} ms): $(cat "$work/check")"
		fail=$((fail + 1))
	elif [ "$found" != "$done_gen" ] &&
	    [ "$found" != $((done_gen + 1)) ]; then
		echo "FAIL round $i: store holds generation $found," \
		    "expected $done_gen or $((done_gen + 1))"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
		last=$found
	fi
	if [ -s "$work/err" ]; then
		echo "FAIL round $i: save said: $(cat "$work/err")"
		fail=$((fail + 1))
	fi
	set -- "$home"/.*.tmp-*
	[ -e "$1" ] || shift $#
	if [ $# -gt 1 ]; then
		temps=$#
		echo "FAIL round $i: $temps temporary files left in $home"
		fail=$((fail + 1))
	fi
	i=$((i + 1))
done

# Saves really happened, many of them.
if [ "$last" -lt $((rounds / 4)) ]; then
	echo "FAIL: only $last generations saved in $rounds rounds"
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
