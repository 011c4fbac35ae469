#!/bin/sh
# deb.sh: the Debian packages of a release, from binaries already built.
# `make dist` runs it through toolchains/dist.sh, after the tarballs.
#
#   deb.sh [-o OUTDIR] [-b BUILDDIR] [TRIPLE...]
#
# For each TRIPLE (default: the three release targets) it packs
# BUILDDIR/TRIPLE/iksctl (default BUILDDIR: build) into
# OUTDIR/iksctl_VERSION_ARCH.deb (default OUTDIR: build/dist), ARCH the
# Debian name of the triple (x86_64-linux-musl amd64, aarch64-linux-musl
# arm64, armv7-linux-musleabihf armhf):
#
#   /usr/bin/iksctl                                the binary (0755)
#   /usr/share/man/man1/iksctl.1.gz                man page (gzip -9n)
#   /usr/share/bash-completion/completions/iksctl  bash completion
#   /usr/share/doc/iksctl/copyright                DEP-5: iksctl, Mbed TLS,
#                                                  jsmn, musl
#   /usr/share/doc/iksctl/changelog.gz             (a native package's)
#   /usr/share/lintian/overrides/iksctl            toolchains/dist/lintian-overrides
#
# No Depends: the binary is static.  Same inputs, same bytes: a fixed
# umask and modes, every file and folder at mtime SOURCE_DATE_EPOCH (which
# dpkg-deb also puts in the ar headers and clamps the tar entries to),
# owner root:root (--root-owner-group), dpkg-deb's sorted file list, xz on
# one thread.  Only files are written to OUTDIR (staging is a temporary
# folder inside it, removed at the end); OUTDIR/SHA256SUMS is dist.sh's.
#
# Environment: VERSION (default: the Makefile's), SOURCE_DATE_EPOCH
# (default: the time of the last git commit), DEB_MAINTAINER (default:
# "iksctl dev <dev@iksctl.invalid>", the address of the commits).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
me=deb.sh
. "$root/toolchains/dist/args.sh"   # -o OUTDIR, -b BUILDDIR, TRIPLE...
umask 022
export LC_ALL=C TZ=UTC

command -v dpkg-deb > /dev/null 2>&1 || die "dpkg-deb is missing (apt-get install dpkg)"

case $version in
[0-9]*) ;;
*) die "VERSION=$version: a Debian version starts with a digit" ;;
esac
rfc_date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
maint=${DEB_MAINTAINER:-iksctl dev <dev@iksctl.invalid>}

manifest() { awk -v n="$1" '$1 == n { print $2 }' third_party/MANIFEST; }
mbed_ver=$(manifest mbedtls)
jsmn_ver=$(manifest jsmn)
jsmn_lic=build/deps/jsmn-$jsmn_ver/LICENSE
[ -f "$jsmn_lic" ] || sh third_party/fetch.sh unpack jsmn build/deps > /dev/null
[ -f "$jsmn_lic" ] || die "licence file missing: $jsmn_lic"

# deb_arch TRIPLE: the Debian architecture of a target triple.
deb_arch() {
	case $1 in
	x86_64-linux-musl) echo amd64 ;;
	aarch64-linux-musl) echo arm64 ;;
	armv7-linux-musleabihf) echo armhf ;;
	*) die "$1: no Debian architecture known for this triple" ;;
	esac
}

# copyright: /usr/share/doc/iksctl/copyright, in the machine-readable
# format.  The Files paragraphs name the sources the binary is built
# from: ours, and the pinned releases fetch.sh unpacks into build/deps/.
# Apache-2.0 and GPL-2 are in /usr/share/common-licenses on every Debian
# system (lintian asks for a reference, not the text); MIT is quoted.
copyright() {
	cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: iksctl
Comment: iksctl is a statically linked program: the binary in this
 package contains, besides iksctl's own code, Mbed TLS $mbed_ver and jsmn
 $jsmn_ver (the releases pinned by SHA-256 in third_party/MANIFEST,
 unpacked by the build into build/deps/, with iksctl's patches of
 third_party/patches/ applied to Mbed TLS) and the musl C library;
 musl/ below stands for the static C library of Debian's musl-dev
 packages (/usr/lib/<triple>/libc.a), not a folder of iksctl's source.

Files: *
Copyright: the iksctl authors
License: Apache-2.0

Files: build/deps/mbedtls-$mbed_ver/*
Copyright: The Mbed TLS Contributors
License: Apache-2.0 or GPL-2.0+
Comment: Mbed TLS files are provided under a dual Apache-2.0 OR
 GPL-2.0-or-later license (its LICENSE file); iksctl uses them under
 Apache-2.0.

Files: build/deps/jsmn-$jsmn_ver/*
Copyright: 2010 Serge A. Zaitsev
License: MIT

Files: musl/*
Copyright: 2005-2020 Rich Felker <dalias@aerifal.cx>
           2005-2020 Many other contributors
License: MIT
Comment: The musl C library, linked statically from Debian's musl-dev
 packages; their copyright file lists the files of musl under other
 permissive terms (public-domain headers and start files, BSD-2-clause,
 BSD-3-clause and ISC parts).

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License");
 you may not use this software except in compliance with the License.
 You may obtain a copy of the License at
 .
     http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS,
 WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 See the License for the specific language governing permissions and
 limitations under the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0
 can be found in "/usr/share/common-licenses/Apache-2.0".

License: GPL-2.0+
 This program is free software; you can redistribute it and/or modify
 it under the terms of the GNU General Public License as published by
 the Free Software Foundation; either version 2 of the License, or
 (at your option) any later version.
 .
 This program is distributed in the hope that it will be useful,
 but WITHOUT ANY WARRANTY; without even the implied warranty of
 MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 GNU General Public License for more details.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in "/usr/share/common-licenses/GPL-2".

License: MIT
EOF
	# jsmn's text (musl's is the same MIT text with its own names).
	# (after its Copyright line; a blank line is " .", trailing ones dropped)
	awk 'NR > 1 && !body && /^$/ { body = 1; next }
	    body && /^$/ { blank++; next }
	    body { while (blank) { print " ."; blank-- } print " " $0 }' "$jsmn_lic"
}

# changelog: a native package's changelog.gz, one entry for this version.
changelog() {
	cat <<EOF
iksctl ($version) unstable; urgency=medium

  * iksctl $version, packaged by make dist (toolchains/dist/deb.sh).

 -- $maint  $rfc_date
EOF
}

# control ARCH SIZE: the package's control file.
control() {
	cat <<EOF
Package: iksctl
Version: $version
Architecture: $1
Maintainer: $maint
Installed-Size: $2
Section: net
Priority: optional
Description: small static client for IBM Cloud IAM and Kubernetes Service
 iksctl talks to IBM Cloud the way IBM's "Setting up the API" guide does
 with curl: IAM tokens (API key, password, one-time passcode, trusted
 profile), accounts, regions, clusters and their workers, a kubeconfig,
 the Kubernetes id_token and calls to the cluster's Kubernetes API; it
 also creates, updates and removes clusters and waits for them.
 .
 It is one statically linked binary with Mbed TLS and jsmn built in,
 meant for edge devices and appliances. A token agent (iksctl token
 --watch) keeps a fresh access token in a file for other programs.
EOF
}

mkdir -p "$out"
stage=$(mktemp -d "$out/.debstage.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
sh toolchains/dist/docs.sh -o "$stage/docs"
for t in $triples; do
	bin=$bdir/$t/iksctl
	[ -f "$bin" ] || die "$bin is missing (make cross builds it)"
	arch=$(deb_arch "$t")
	r=$stage/$arch
	doc=$r/usr/share/doc/iksctl
	mkdir -p "$r/DEBIAN" "$r/usr/bin" "$r/usr/share/man/man1" \
		"$r/usr/share/bash-completion/completions" "$doc" \
		"$r/usr/share/lintian/overrides"
	cp "$bin" "$r/usr/bin/iksctl"
	gzip -9n < "$stage/docs/iksctl.1" > "$r/usr/share/man/man1/iksctl.1.gz"
	cp "$stage/docs/iksctl.bash" "$r/usr/share/bash-completion/completions/iksctl"
	copyright > "$doc/copyright"
	changelog | gzip -9n > "$doc/changelog.gz"
	cp toolchains/dist/lintian-overrides "$r/usr/share/lintian/overrides/iksctl"
	(cd "$r" && find usr -type f | sort | xargs md5sum) > "$r/DEBIAN/md5sums"
	# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded
	# up, and one per folder.
	size=$(cd "$r" && find usr -type f -printf '%s\n' |
		awk '{ k += int(($1 + 1023) / 1024) } END { print k }')
	size=$((size + $(cd "$r" && find usr -type d | wc -l)))
	control "$arch" "$size" > "$r/DEBIAN/control"
	find "$r" -type d -exec chmod 0755 {} +
	find "$r" -type f -exec chmod 0644 {} +
	chmod 0755 "$r/usr/bin/iksctl"
	find "$r" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	deb=iksctl_${version}_$arch.deb
	dpkg-deb --root-owner-group -Zxz -z9 --threads-max=1 --build "$r" \
		"$out/$deb.tmp" > /dev/null
	mv "$out/$deb.tmp" "$out/$deb"
	echo "  DEB  $out/$deb ($(wc -c < "$out/$deb") bytes)"
done
