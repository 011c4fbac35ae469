#!/bin/sh
# run.sh: fuzz every harness for a while and record what happened.
#
#   tests/fuzz/run.sh [-j JOBS] SECONDS [NAME...]   default: all, 2 jobs
#
# Each target runs SECONDS seconds (libFuzzer -max_total_time) on its
# seed corpus tests/fuzz/corpus/<name>/ plus a work corpus
# build/fuzz/work/<name>/ that collects the new inputs (the committed
# corpus is not touched: it holds seeds and regression inputs only, so
# make test stays fast; thousands of work inputs are not worth it).
# Crashes land in build/fuzz/artifacts/<name>/.  Executions, seconds
# and findings are added to tests/fuzz/stats.tsv and the table in
# tests/fuzz/README.md is rewritten from it.  Exits 1 if any target
# found something.
set -u
cd "$(dirname "$0")/../.."

jobs=2
if [ "${1:-}" = -j ]; then jobs=$2; shift 2; fi
secs=${1:-60}
[ $# -gt 0 ] && shift
sh tests/fuzz/build.sh "$@" || exit 1
if [ $# -eq 0 ]; then
	set -- $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi

# max_len: a little over the limit each parser enforces, so the fuzzer
# reaches the "over the limit" paths without wasting time on huge inputs.
max_len() {
	case $1 in
	http) echo 20000 ;; connect) echo 17000 ;; url) echo 6000 ;;
	json|query|query_stream) echo 16384 ;; jwt) echo 12000 ;; retry_after) echo 256 ;;
	zip|inflate) echo 65536 ;; store) echo 24000 ;; *) echo 4096 ;;
	esac
}

# A results folder per run, so that two runs at once do not mix counts.
res=build/fuzz/results/run-$$
mkdir -p "$res"
# one NAME: fuzz one target; writes $res/NAME (execs seconds findings)
# and the fuzzer's output to $res/NAME.log.
one() {
	n=$1
	work=build/fuzz/work/$n
	art=build/fuzz/artifacts/$n
	mkdir -p "$work" "$art"
	start=$(date +%s)
	build/fuzz/fuzz_$n "$work" "tests/fuzz/corpus/$n" \
	    -max_total_time="$secs" -max_len="$(max_len "$n")" -timeout=10 \
	    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$art/" \
	    -close_fd_mask=3 > "$res/$n.log" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$res/$n.log" | tail -1)
	finds=0
	[ "$rc" != 0 ] && finds=1
	echo "${execs:-0} $took $finds" > "$res/$n"
	printf '%-12s %12s execs %6ss  %s\n' "$n" "${execs:-0}" "$took" \
	    "$( [ "$finds" = 0 ] && echo ok || echo "FINDING (see $res/$n.log, $art)")"
}

pids=""
running=0
for n in "$@"; do
	rm -f "$res/$n"
	one "$n" &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

bad=0
for n in "$@"; do
	[ -f "$res/$n" ] || continue
	read -r e t f < "$res/$n"
	[ "$f" != 0 ] && bad=1
	python3 tests/fuzz/table.py add "$n" "$e" "$t" "$f"
done
python3 tests/fuzz/table.py write
exit $bad
