#!/bin/sh
# dist.sh: the release tarballs, from binaries that are already built.
# `make dist` builds the three targets (make cross), then runs this.
#
#   dist.sh [-o OUTDIR] [-b BUILDDIR] [TRIPLE...]
#
# For each TRIPLE (default: the three release targets) it packs
# BUILDDIR/TRIPLE/iksctl (default BUILDDIR: build) into
# OUTDIR/iksctl-VERSION-TRIPLE.tar.gz (default OUTDIR: build/dist):
#
#   iksctl-VERSION-TRIPLE/
#     iksctl            the binary (0755)
#     iksctl.1          man page (toolchains/dist/docs.sh: the template
#                       toolchains/dist/iksctl.1 and the command table)
#     iksctl.bash       bash completion (docs.sh, from toolchains/dist/iksctl.bash)
#     LICENSE           iksctl's notice and the Apache-2.0 text
#     LICENSE.mbedtls   build/deps/mbedtls-VERSION/LICENSE
#     LICENSE.jsmn      build/deps/jsmn-VERSION/LICENSE
#     LICENSE.musl      /usr/share/doc/musl/copyright (the static C library's)
#     SHA256SUMS        of the files above (sha256sum -c SHA256SUMS)
#
# then the Debian packages OUTDIR/iksctl_VERSION_ARCH.deb of the same
# binaries (toolchains/dist/deb.sh; ARCH amd64, arm64 or armhf), and
# OUTDIR/SHA256SUMS of the tarballs and the packages.  Same inputs, same
# bytes: files get fixed modes, owner 0:0, mtime SOURCE_DATE_EPOCH,
# sorted names (tar --sort=name, ustar), and gzip -n leaves out name and
# time (deb.sh says how the packages do the same).
#
# Environment: VERSION (default: the Makefile's), SOURCE_DATE_EPOCH
# (default: the time of the last git commit).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
me=dist.sh
. "$root/toolchains/dist/args.sh"   # -o OUTDIR, -b BUILDDIR, TRIPLE...


manifest() { awk -v n="$1" '$1 == n { print $2 }' third_party/MANIFEST; }
mbed_lic=build/deps/mbedtls-$(manifest mbedtls)/LICENSE
jsmn_lic=build/deps/jsmn-$(manifest jsmn)/LICENSE
[ -f "$mbed_lic" ] || sh third_party/fetch.sh unpack mbedtls build/deps > /dev/null
[ -f "$jsmn_lic" ] || sh third_party/fetch.sh unpack jsmn build/deps > /dev/null
# The binary links Debian's musl statically: its copyright notice ships too.
musl_lic=/usr/share/doc/musl/copyright
[ -f "$mbed_lic" ] && [ -f "$jsmn_lic" ] && [ -f "$musl_lic" ] ||
	die "licence files missing: $mbed_lic $jsmn_lic $musl_lic"

# apache_text: the Apache-2.0 text; Debian's copy, else the identical one
# inside Mbed TLS's LICENSE (same bytes either way).
apache_text() {
	if [ -f /usr/share/common-licenses/Apache-2.0 ]; then
		cat /usr/share/common-licenses/Apache-2.0
	else
		echo
		awk '/^ *Apache License$/ { p = 1 } p { print }
		    p && /limitations under the License\./ { exit }' "$mbed_lic"
	fi
}

mkdir -p "$out"
stage=$out/.stage
rm -rf "$stage"
sh toolchains/dist/docs.sh -o "$stage/docs"
tarballs=""
for t in $triples; do
	bin=$bdir/$t/iksctl
	[ -f "$bin" ] || die "$bin is missing (make cross builds it)"
	name=iksctl-$version-$t
	d=$stage/$name
	mkdir -p "$d"
	cp "$bin" "$d/iksctl"
	cp "$stage/docs/iksctl.1" "$stage/docs/iksctl.bash" "$d/"
	{ cat toolchains/dist/LICENSE.head; apache_text; } > "$d/LICENSE"
	cp "$mbed_lic" "$d/LICENSE.mbedtls"
	cp "$jsmn_lic" "$d/LICENSE.jsmn"
	cp "$musl_lic" "$d/LICENSE.musl"
	chmod 0755 "$d" "$d/iksctl"
	chmod 0644 "$d/iksctl.1" "$d/iksctl.bash" "$d/LICENSE" \
		"$d/LICENSE.mbedtls" "$d/LICENSE.jsmn" "$d/LICENSE.musl"
	(cd "$d" && LC_ALL=C ls | grep -vx SHA256SUMS | xargs sha256sum > SHA256SUMS)
	chmod 0644 "$d/SHA256SUMS"
	(cd "$stage" && LC_ALL=C tar --sort=name --format=ustar \
		--owner=0 --group=0 --numeric-owner \
		--mode='u+rwX,go+rX,go-w' --mtime="@$SOURCE_DATE_EPOCH" \
		-cf - "$name") | gzip -9n > "$out/$name.tar.gz.tmp"
	mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
	tarballs="$tarballs $name.tar.gz"
	echo "  DIST $out/$name.tar.gz ($(wc -c < "$out/$name.tar.gz") bytes)"
done
rm -rf "$stage"
# The packages' names (deb.sh refuses a triple without an architecture).
debs=""
for t in $triples; do
	case $t in
	x86_64-linux-musl) debs="$debs iksctl_${version}_amd64.deb" ;;
	aarch64-linux-musl) debs="$debs iksctl_${version}_arm64.deb" ;;
	armv7-linux-musleabihf) debs="$debs iksctl_${version}_armhf.deb" ;;
	esac
done
VERSION=$version sh toolchains/dist/deb.sh -o "$out" -b "$bdir" $triples
(cd "$out" && sha256sum $tarballs $debs > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
echo "  DIST $out/SHA256SUMS"
