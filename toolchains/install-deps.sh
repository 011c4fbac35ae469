#!/bin/sh
# install-deps.sh: install the Debian packages that iksctl's build and
# tests need.  Usage: install-deps.sh GROUP...  with GROUP one of
#   build  the x86_64 static build (make)
#   cross  the aarch64 and armv7 builds and qemu (make cross)
#   test   everything make test and make bench run (real servers, proxy,
#          kubectl, valgrind, libFuzzer's runtime, man for the dist test,
#          lintian for the .deb packages of make dist)
# It does nothing when every package is installed.  As root it installs
# the missing ones with apt-get; otherwise it lists them and exits 1.
# One flaky package index must not fail the build: apt-get update is
# retried, and success is judged by the installed packages.
set -u

pkgs_build="make gcc libc6-dev musl-tools musl-dev bzip2 tar xz-utils patch curl ca-certificates file binutils apt dpkg-dev"
pkgs_cross="gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf musl-dev:arm64 musl-dev:armhf qemu-user-static"
pkgs_test="python3 openssl curl jq zip unzip nginx tinyproxy valgrind clang libclang-rt-14-dev procps iproute2 util-linux time strace man-db groff-base gdb lintian"

want=""
foreign=""
for g in "$@"; do
	case "$g" in
	build) want="$want $pkgs_build" ;;
	cross) want="$want $pkgs_cross"; foreign="arm64 armhf" ;;
	test) want="$want $pkgs_test" ;;
	*) echo "install-deps.sh: unknown group '$g' (build, cross, test)" >&2; exit 2 ;;
	esac
done

# installed PKG[:ARCH]: true if dpkg says the package is installed.
installed() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
}

missing=""
for p in $want; do
	installed "$p" || missing="$missing $p"
done
# kubectl: the one already on the machine, else Debian's kubernetes-client.
case " $* " in
*" test "*) command -v kubectl >/dev/null 2>&1 || installed kubernetes-client ||
	missing="$missing kubernetes-client" ;;
esac
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "iksctl needs these Debian packages:$missing" >&2
	echo "install them as root: apt-get install$missing" >&2
	echo "(or run 'make' as root, which installs them)" >&2
	exit 1
fi

for a in $foreign; do
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt-get (a parallel make's other install-deps, an unattended
# upgrade) may hold dpkg's lock: wait for it rather than fail.
lock="-o DPkg::Lock::Timeout=600"
try=1
while :; do
	# A failing index (mirror sync: "File has unexpected size") is not
	# fatal by itself; the install below is the judge.
	apt-get $lock update -q >/dev/null 2>&1 || echo "install-deps: apt-get update reported errors (try $try)" >&2
	apt-get $lock install -y -q --no-install-recommends $missing >/dev/null 2>&1
	still=""
	for p in $missing; do installed "$p" || still="$still $p"; done
	case " $missing " in
	*" kubernetes-client "*) command -v kubectl >/dev/null 2>&1 || still="$still kubernetes-client" ;;
	esac
	[ -z "$still" ] && exit 0
	if [ $try -ge 3 ]; then
		echo "install-deps: could not install:$still" >&2
		echo "install-deps: run 'apt-get update && apt-get install$still' and read apt's error" >&2
		exit 1
	fi
	try=$((try + 1))
	sleep 5
done
