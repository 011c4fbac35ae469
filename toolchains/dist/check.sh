#!/bin/sh
# check.sh: is `make dist` reproducible?  `make dist-check` runs it.
#
# It copies the source tree (Makefile, src/, third_party/ with its cache,
# toolchains/) twice, at one instant, into two folders of different names
# and depths under build/dist-check/, runs a clean `make dist` in each
# (nothing built is copied: objects, libraries and the unpacked
# dependencies are made afresh) and compares every file of the two dist
# folders (tarballs, .deb packages, SHA256SUMS) byte for byte.  Both
# builds get the same SOURCE_DATE_EPOCH (the last commit's time); the
# folders differ so that a build path leaking into a binary shows up.  It takes two full builds of three targets (several
# minutes); it is not part of make test.  The copies are removed at the
# end; the two dist folders are kept in build/dist-check/{a,b}.
#
# Exit status 0 if the bytes are equal.  Environment: JOBS (make -j,
# default: the number of CPUs).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
W=$root/build/dist-check
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
fi
export SOURCE_DATE_EPOCH

rm -rf "$W"
A=$W/tree-a
B=$W/second/tree-number-b
mkdir -p "$A" "$(dirname "$B")"
tar -cf - Makefile src third_party toolchains | tar -xf - -C "$A"
cp -a "$A" "$B"

build() {
	echo "dist-check: clean make dist in $1"
	start=$(date +%s)
	# Only what the user set is passed on; MAKEFLAGS of this make is not.
	# `make fetch` first: it unpacks the pinned sources (from the copied
	# cache) before the make that lists them starts.
	{ env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$1" \
		--no-print-directory fetch &&
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$1" -j"$jobs" \
		--no-print-directory dist; } > "$1.log" 2>&1 ||
		{ tail -n 40 "$1.log"; echo "dist-check: make dist failed in $1"; exit 1; }
	echo "dist-check: built in $(( $(date +%s) - start )) s"
}
build "$A"
build "$B"
mkdir -p "$W/a" "$W/b"
cp "$A"/build/dist/* "$W/a/"
cp "$B"/build/dist/* "$W/b/"
rm -rf "$A" "$A.log" "$W/second"

status=0
for f in $(cd "$W/a" && ls); do
	if cmp -s "$W/a/$f" "$W/b/$f"; then
		echo "same      $f  $(sha256sum < "$W/a/$f" | cut -c1-16)"
	else
		echo "DIFFERENT $f"
		status=1
	fi
done
[ "$(cd "$W/a" && ls)" = "$(cd "$W/b" && ls)" ] || { echo "DIFFERENT file lists"; status=1; }
if [ -f build/dist/SHA256SUMS ]; then
	if cmp -s build/dist/SHA256SUMS "$W/a/SHA256SUMS"; then
		echo "build/dist/SHA256SUMS: the same as the clean builds'"
	else
		echo "build/dist/SHA256SUMS: differs from the clean builds' (built from another state of the tree)"
	fi
fi
if [ $status = 0 ]; then
	echo "dist-check: reproducible, two clean builds gave the same bytes (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
else
	echo "dist-check: NOT reproducible (compare build/dist-check/a and b, e.g. with diffoscope)"
fi
exit $status
