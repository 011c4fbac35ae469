#!/bin/sh
# run.sh: run test binaries and scripts, read each one's closing
# "N passed, N failed" line, and print the sum as the last line.
#
#   run.sh [--runner CMD] PROGRAM...   run these (CMD: e.g. qemu-arm-static)
#   run.sh --all                       everything make test runs
#
# A suite fails if it exits non-zero, prints no closing line, or counts a
# failure.  Output of each suite goes to build/test-logs/<name>.log and
# is shown in full when the suite fails.
set -u
cd "$(dirname "$0")/.."

logs=build/test-logs
mkdir -p "$logs"
total_pass=0
total_fail=0
suites_bad=0

# run_one LABEL CMD...: run one suite and add up its counts.
run_one() {
	label=$1
	shift
	log=$logs/$(echo "$label" | tr '/ ' '__').log
	start=$(date +%s)
	"$@" > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -z "$line" ]; then
		p=0 f=1
		echo "FAIL $label: no 'N passed, N failed' line (exit $rc)"
	else
		p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
		suites_bad=$((suites_bad + 1))
		echo "---- $label (exit $rc) ----"
		tail -n 60 "$log"
		echo "----"
		printf '%-50s %s passed, %s failed  (%ss)  FAILED\n' "$label" "$p" "$f" "$secs"
	else
		printf '%-50s %s passed, %s failed  (%ss)\n' "$label" "$p" "$f" "$secs"
	fi
}

run_programs() {
	runner=$1
	shift
	for prog in "$@"; do
		if [ -n "$runner" ]; then
			run_one "$prog" $runner "$prog"
		else
			run_one "$prog" "$prog"
		fi
	done
}

if [ "${1:-}" = --runner ]; then
	runner=$2
	shift 2
	run_programs "$runner" "$@"
elif [ "${1:-}" = --all ]; then
	run_programs "" build/host/test/test_*
	run_programs qemu-aarch64-static build/aarch64-linux-musl/test/test_*
	run_programs qemu-arm-static build/armv7-linux-musleabihf/test/test_*
	export IKSCTL=$PWD/build/iksctl IKSCTL_TOOLS=$PWD/build/host/tools
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] && run_one "$t" sh "$t"
	done
	for t in tests/*/test_*.py; do
		[ -f "$t" ] && run_one "$t" python3 "$t"
	done
else
	run_programs "" "$@"
fi

echo "suites failed: $suites_bad"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$suites_bad" = 0 ]
