#!/bin/sh
# test_fuzz_corpus.sh: build every libFuzzer harness (tests/fuzz/) and
# run each once over its corpus, seeds and regression inputs alike, with
# no fuzzing time: a parser that crashes, reads out of bounds or hits
# undefined behaviour on any saved input fails here.  One result per
# target.  Needs clang with libclang-rt (Debian: clang, libclang-rt-14-dev).
. tests/integration/lib.sh
if ! sh tests/fuzz/build.sh > "$T_TMP/build.log" 2>&1; then
	fail "build the harnesses: $(tail -5 "$T_TMP/build.log")"
	finish
fi
for src in tests/fuzz/fuzz_*.c; do
	n=$(basename "$src" .c | sed 's/^fuzz_//')
	dir=tests/fuzz/corpus/$n
	files=$(ls "$dir" 2> /dev/null | wc -l)
	if [ "$files" = 0 ]; then
		fail "$n: no corpus in $dir"
		continue
	fi
	# -runs=0: read and run the whole corpus, then stop.
	if build/fuzz/fuzz_$n -runs=0 -rss_limit_mb=2560 -timeout=30 \
	    "$dir" > "$T_TMP/$n.log" 2>&1 &&
	    grep -q "INITED\|Done 0 runs" "$T_TMP/$n.log"; then
		ok "$n: $files inputs"
	else
		fail "$n: $(grep -m3 -E 'ERROR|SUMMARY|invariant' "$T_TMP/$n.log")"
	fi
done
finish
