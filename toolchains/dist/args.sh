# args.sh: what dist.sh and deb.sh share, sourced by both with root (the
# source tree) and me (the script's name) set.  The command line,
# [-o OUTDIR] [-b BUILDDIR] [TRIPLE...]: out and bdir (absolute; defaults
# build/dist and build), triples (default: the three targets); then it
# changes to root and sets die, version (VERSION, else the Makefile's),
# SOURCE_DATE_EPOCH (else the last commit's time; exported) and date.
out=$root/build/dist
bdir=$root/build
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-b) bdir=$2; shift 2 ;;
	-*) echo "$me: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
case $out in /*) ;; *) out=$PWD/$out ;; esac
case $bdir in /*) ;; *) bdir=$PWD/$bdir ;; esac
cd "$root"
triples=${*:-x86_64-linux-musl aarch64-linux-musl armv7-linux-musleabihf}

die() { echo "$me: $*" >&2; exit 1; }

version=${VERSION:-$(sed -n 's/^VERSION := *//p' Makefile)}
[ -n "$version" ] || die "no VERSION (Makefile has no 'VERSION := ...')"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null) ||
		die "SOURCE_DATE_EPOCH is not set and git log failed (not a git checkout?)"
fi
case $SOURCE_DATE_EPOCH in
'' | *[!0-9]*) die "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH: not a number" ;;
esac
export SOURCE_DATE_EPOCH
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
