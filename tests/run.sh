#!/bin/sh
# run.sh: run test binaries and scripts, read each one's closing
# "N passed, N failed" line, and print the sum as the last line.
#
#   run.sh [--runner CMD] PROGRAM...   run these (CMD: e.g. qemu-arm-static)
#   run.sh --all                       everything make test runs
#
# --all runs IKSCTL_TEST_JOBS suites at a time (default: the number of
# CPUs, at most 4); each suite has its own directories and ports, and the
# timing checks in them leave room for a loaded machine.
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

# run_one LABEL CMD...: run one suite; print its line (and the end of
# its log if it failed) in one piece, and write "PASSED FAILED BAD" to
# $logs/LABEL.res for the totals.
run_one() {
	label=$1
	shift
	name=$(echo "$label" | tr '/ ' '__')
	log=$logs/$name.log
	start=$(date +%s)
	"$@" > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	{
		if [ -z "$line" ]; then
			p=0 f=1
			echo "FAIL $label: no 'N passed, N failed' line (exit $rc)"
		else
			p=$(echo "$line" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/')
			f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
			[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
		fi
		bad=0
		if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
			bad=1
			echo "---- $label (exit $rc) ----"
			tail -n 60 "$log"
			echo "----"
			printf '%-50s %s passed, %s failed  (%ss)  FAILED\n' "$label" "$p" "$f" "$secs"
		else
			printf '%-50s %s passed, %s failed  (%ss)\n' "$label" "$p" "$f" "$secs"
		fi
		echo "$p $f $bad" > "$logs/$name.res"
	} > "$logs/$name.report"
	cat "$logs/$name.report"
}

# run_all RUNNER|"" CMD...: each CMD a suite (RUNNER before it if set),
# $jobs at a time: a pipe holds one token per free slot.
run_all() {
	runner=$1
	shift
	fifo=$logs/.slots.$$
	rm -f "$fifo"
	mkfifo "$fifo"
	exec 3<> "$fifo"
	rm -f "$fifo"
	i=0
	while [ "$i" -lt "$jobs" ]; do
		echo >&3
		i=$((i + 1))
	done
	for prog in "$@"; do
		read -r _ <&3
		(
			set -- $runner $prog
			run_one "${prog##* }" "$@"
			echo >&3
		) &
	done
	wait
	exec 3>&-
	for prog in "$@"; do
		name=$(echo "${prog##* }" | tr '/ ' '__')
		read -r p f bad < "$logs/$name.res" || { p=0 f=1 bad=1; }
		total_pass=$((total_pass + p))
		total_fail=$((total_fail + f))
		suites_bad=$((suites_bad + bad))
	done
}

ncpu=$(getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)
[ "$ncpu" -gt 4 ] && ncpu=4
jobs=${IKSCTL_TEST_JOBS:-$ncpu}
rm -f "$logs"/*.res

if [ "${1:-}" = --runner ]; then
	runner=$2
	shift 2
	run_all "$runner" "$@"
elif [ "${1:-}" = --all ]; then
	run_all "" build/host/test/test_*
	run_all qemu-aarch64-static build/aarch64-linux-musl/test/test_*
	run_all qemu-arm-static build/armv7-linux-musleabihf/test/test_*
	export IKSCTL=$PWD/build/iksctl IKSCTL_TOOLS=$PWD/build/host/tools
	set --
	for t in tests/integration/test_*.sh; do
		[ -f "$t" ] && set -- "$@" "sh $t"
	done
	for t in tests/*/test_*.py; do
		[ -f "$t" ] && set -- "$@" "python3 $t"
	done
	run_all "" "$@"
else
	run_all "" "$@"
fi

echo "suites failed: $suites_bad"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$suites_bad" = 0 ]
