# args.sh: the command line dist.sh and deb.sh share, sourced by both
# with root (the source tree) and me (the script's name) set: [-o OUTDIR]
# [-b BUILDDIR] [TRIPLE...].  Sets out and bdir (absolute; defaults
# build/dist and build) and triples (default: the three targets), and
# changes to root.
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
