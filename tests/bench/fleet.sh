#!/bin/sh
# fleet.sh IKSCTL OUT: a fleet that does not move in step.  Runs
# tests/integration/test_fleet.sh with IKSCTL (60 `token --refresh`,
# then 60 token agents, each pid 1 of its own pid namespace, at the same
# instant, against IAM letting 10 token calls a second through and
# answering the rest 429 with Retry-After: 2) and reports IAM calls per
# device, the spread of the waits after a 429 and the time to the last
# token, beside a simulated conforming fleet.  Prints a Markdown section
# and appends it to OUT.  Part of `make bench`, not of `make test`.
set -u
IK=$1
OUT=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/iksctl-bench-fleet.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

IKSCTL=$IK FLEET_OUT=$TMP/lines sh tests/integration/test_fleet.sh > "$TMP/log" 2>&1
st=$?
{
	echo
	echo "## A fleet against a rate limit"
	echo
	echo "60 devices, each pid 1 of its own pid namespace, released at the same"
	echo "instant against IAM limited to 10 token calls a second (429, Retry-After: 2)."
	echo "Targets: every token within 15 s, at most 3.5 IAM calls per device, no retry"
	echo "sooner than Retry-After, no 100 ms window holding half of the waits."
	echo
	echo '```'
	grep '^simulated' "$TMP/log"
	cat "$TMP/lines" 2> /dev/null
	tail -n 1 "$TMP/log"
	echo '```'
} > "$TMP/section.md"
cat "$TMP/section.md"
cat "$TMP/section.md" >> "$OUT"
[ "$st" = 0 ] || { grep '^FAIL' "$TMP/log" >&2; exit 1; }
