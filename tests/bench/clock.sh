#!/bin/sh
# clock.sh IKSCTL OUT: IAM calls per 100 warm commands when the
# service's clock is 2 h ahead of this machine's, agrees with it, or is
# 2 h behind (the emulator's --clock-offset stands in for a device whose
# clock is off).  Tokens are timed by the service's clock, so the target
# is 0 each way.  Prints a Markdown section and appends it to OUT.
# Part of `make bench` (tests/bench/run.sh), not of `make test`.
set -u
IK=$1
OUT=$2
N=${BENCH_CLOCK_RUNS:-100}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/iksctl-bench-clock.XXXXXX")
trap 'sh tests/emulator/emu.sh stop "$TMP/emu" > /dev/null 2>&1; rm -rf "$TMP"' EXIT

# iam_calls: the IAM token calls in the emulator's log.
iam_calls() {
	grep '"event": *"request"' "$TMP/emu/log.jsonl" |
		grep -c '"path": *"/identity/token"' || true
}

{
	echo
	echo "## Wrong clocks: IAM calls per $N warm commands"
	echo
	echo "The emulator's clock set off from this machine's; one login, then"
	echo "$N \`iksctl clusters\` in a row (1 h tokens).  Target: 0 each way."
	echo
	echo "| service's clock | IAM calls at login | IAM calls in $N commands | failed commands |"
	echo "|---|---|---|---|"
} > "$TMP/section.md"
for off in 7200 0 -7200; do
	sh tests/emulator/emu.sh start "$TMP/emu" --clock-offset "$off" > "$TMP/emu.start" 2>&1 || {
		cat "$TMP/emu.start" >&2
		exit 1
	}
	(
		set -a
		. "$TMP/emu/env"
		set +a
		export IKSCTL_HOME=$TMP/home.$off SSL_CERT_FILE=$EMU_CA_FILE
		printf '%s\n' "$EMU_APIKEY" > "$TMP/key"
		"$IK" login --apikey "@$TMP/key" > /dev/null 2>&1 || exit 1
		at_login=$(iam_calls)
		bad=0 i=0
		while [ $i -lt "$N" ]; do
			"$IK" clusters > /dev/null 2>&1 || bad=$((bad + 1))
			i=$((i + 1))
		done
		sleep 0.3   # the emulator logs a request after its answer
		warm=$(($(iam_calls) - at_login))
		case $off in 7200) what="2 h ahead" ;; 0) what="agrees" ;; *) what="2 h behind" ;; esac
		echo "| $what | $at_login | $warm | $bad |" >> "$TMP/section.md"
	) || echo "| offset $off | login failed | - | - |" >> "$TMP/section.md"
	sh tests/emulator/emu.sh stop "$TMP/emu" > /dev/null 2>&1
done
cat "$TMP/section.md"
cat "$TMP/section.md" >> "$OUT"
