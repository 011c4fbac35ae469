#!/bin/sh
# docs.sh: the man page and the bash completion, made from their
# templates and iksctl's command table, as `iksctl help` is.
#
#   docs.sh [-o OUTDIR]
#
# writes OUTDIR/iksctl.1 (default OUTDIR: build/dist): toolchains/dist/
# iksctl.1 with the COMMAND SUMMARY of src/cli/commands.txt in place of
# its "@COMMAND-SUMMARY@" line, @VERSION@ and @DATE@ filled in; and
# OUTDIR/iksctl.bash: toolchains/dist/iksctl.bash with the completion's
# tables in place of its "# @TABLE@" line (src/cli/commands.awk makes
# both parts).  dist.sh and deb.sh pack these two files.
# Environment: VERSION, SOURCE_DATE_EPOCH (as dist.sh).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
me=docs.sh
. "$root/toolchains/dist/args.sh"

# fill MARK MODE TEMPLATE: TEMPLATE with the line MARK replaced by what
# commands.awk makes in MODE.
fill() {
	awk -v mode="$2" -f src/cli/commands.awk src/cli/commands.txt > "$out/.gen.$$" ||
		die "src/cli/commands.txt: the table does not read (see above)"
	# (the mark through the environment: -v would read its backslash)
	MARK=$1 awk 'FNR == NR { t = t $0 "\n"; next }
	    $0 == ENVIRON["MARK"] { printf "%s", t; n++; next } { print }
	    END { if (n != 1) exit 1 }' "$out/.gen.$$" "$3" ||
		die "$3: no line '$1'"
	rm -f "$out/.gen.$$"
}
trap 'rm -f "$out/.gen.$$" "$out/iksctl.1.tmp" "$out/iksctl.bash.tmp"' EXIT

mkdir -p "$out"
fill '.\" @COMMAND-SUMMARY@' man toolchains/dist/iksctl.1 > "$out/iksctl.1.tmp"
sed -i -e "s/@VERSION@/$version/g" -e "s/@DATE@/$date/g" "$out/iksctl.1.tmp"
fill '# @TABLE@' bash toolchains/dist/iksctl.bash > "$out/iksctl.bash.tmp"
mv "$out/iksctl.1.tmp" "$out/iksctl.1"
mv "$out/iksctl.bash.tmp" "$out/iksctl.bash"
