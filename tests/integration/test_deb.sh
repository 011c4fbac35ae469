#!/bin/sh
# test_deb.sh: the Debian packages of `make dist` (toolchains/dist/deb.sh).
#
# Packs the three targets' binaries twice (different umask, different
# output folder, a second apart: the same bytes; another
# SOURCE_DATE_EPOCH: other bytes), then for each package: its control
# fields, that it has no maintainer scripts, its file list with modes,
# owner and time, the ar members and their time, lintian (no error and no
# warning; the one override used), an install with dpkg into a temporary
# root (dpkg --verify, iksctl version there, natively or under qemu, a
# removal that leaves nothing), the man page (gzip -9n, the filled-in
# page of the tarballs, man -l renders it), the completion, the DEP-5
# copyright and the changelog.  Only the packaging step runs: binaries
# missing from build/<triple>/ are linked first (make TARGET=<triple>
# bin), as test_dist.sh does; clean full rebuilds are `make dist-check`.
#
# Needs: dpkg, lintian, man-db and groff-base, bash, qemu-user-static,
# flock (util-linux).
. tests/integration/lib.sh

dist_binaries   # VERSION, TRIPLES, SDE; build/<triple>/iksctl (lib.sh)
for c in dpkg dpkg-deb lintian; do
	command -v $c > /dev/null 2>&1 || fail "$c is missing (toolchains/install-deps.sh test)"
done
[ "$T_FAIL" = 0 ] || finish

# --- two packings of the same binaries, and one of another time -----------
D1=$T_TMP/deb1
D2=$T_TMP/second/deb-two
D3=$T_TMP/deb3
check "deb.sh packs the three targets" 0 sh -c "umask 022 && sh toolchains/dist/deb.sh -o '$D1'"
sleep 1
check "deb.sh again (umask 077, another folder, a second later)" 0 \
	sh -c "umask 077 && sh toolchains/dist/deb.sh -o '$D2'"
eq "file list" "$(cd "$D1" && ls -A | tr '\n' ' ')" \
	"iksctl_${VERSION}_amd64.deb iksctl_${VERSION}_arm64.deb iksctl_${VERSION}_armhf.deb "
for f in $(cd "$D1" && ls); do
	if cmp -s "$D1/$f" "$D2/$f"; then ok "same bytes twice: $f"; else
		fail "$f differs between two packings of the same binaries"; fi
done
check "deb.sh with SOURCE_DATE_EPOCH one day later" 0 \
	env SOURCE_DATE_EPOCH=$((SDE + 86400)) sh toolchains/dist/deb.sh -o "$D3" x86_64-linux-musl
cmp -s "$D1/iksctl_${VERSION}_amd64.deb" "$D3/iksctl_${VERSION}_amd64.deb" &&
	fail "SOURCE_DATE_EPOCH does not reach the package" ||
	ok "another SOURCE_DATE_EPOCH, other bytes (the comparison can fail)"
check "deb.sh refuses a triple without a Debian architecture" 1 \
	sh toolchains/dist/deb.sh -o "$D3" riscv64-linux-musl
contains "deb.sh names the triple" "$T_TMP/err" "riscv64-linux-musl"

# --- each package ---------------------------------------------------------
want_date=$(TZ=UTC date -u -d "@$SDE" '+%Y-%m-%d %H:%M')
date=$(date -u -d "@$SDE" +%Y-%m-%d)
SOURCE_DATE_EPOCH=$SDE VERSION=$VERSION sh toolchains/dist/docs.sh -o "$T_TMP/docs" ||
	fail "toolchains/dist/docs.sh failed"
for t in $TRIPLES; do
	case $t in
	x86_64*) arch=amd64 run="" ;;
	aarch64*) arch=arm64 run=qemu-aarch64-static ;;
	armv7*) arch=armhf run=qemu-arm-static ;;
	esac
	deb=$D1/iksctl_${VERSION}_$arch.deb
	# Control fields.
	f() { dpkg-deb -f "$deb" "$1"; }
	eq "$arch: Package" "$(f Package)" iksctl
	eq "$arch: Version" "$(f Version)" "$VERSION"
	eq "$arch: Architecture" "$(f Architecture)" "$arch"
	eq "$arch: no Depends, Pre-Depends or Recommends (static)" \
		"$(f Depends)$(f Pre-Depends)$(f Recommends)" ""
	f Maintainer > "$T_TMP/m"
	grep -q '^[^<]* <[^@>]*@[^>]*>$' "$T_TMP/m" && ok "$arch: Maintainer is 'Name <address>'" ||
		fail "$arch: Maintainer: $(cat "$T_TMP/m")"
	isz=$(f Installed-Size)
	bsz=$(wc -c < "build/$t/iksctl")
	[ -n "$isz" ] && [ "$isz" -ge $((bsz / 1024)) ] && [ "$isz" -le $((bsz / 1024 + 100)) ] &&
		ok "$arch: Installed-Size $isz KiB (binary $bsz bytes)" ||
		fail "$arch: Installed-Size '$isz' for a binary of $bsz bytes"
	f Description > "$T_TMP/desc"
	[ "$(wc -l < "$T_TMP/desc")" -ge 5 ] && head -n 1 "$T_TMP/desc" | grep -q '^small static client' &&
		ok "$arch: Description has a synopsis and a long text" ||
		fail "$arch: Description: $(head -c 300 "$T_TMP/desc")"
	eq "$arch: control members: control and md5sums only, no scripts" \
		"$(dpkg-deb --ctrl-tarfile "$deb" | tar -tf - | LC_ALL=C sort | tr '\n' ' ')" \
		"./ ./control ./md5sums "
	# The ar container: its three members in order, each dated SOURCE_DATE_EPOCH.
	eq "$arch: ar members" "$(ar t "$deb" | tr '\n' ' ')" "debian-binary control.tar.xz data.tar.xz "
	eq "$arch: ar header time is SOURCE_DATE_EPOCH" \
		"$(dd if="$deb" bs=1 skip=24 count=12 2>/dev/null | tr -d ' ')" "$SDE"
	# Files, modes, owner, time.
	TZ=UTC dpkg-deb -c "$deb" | awk '{ print $1, $2, $4" "$5, $6 }' > "$T_TMP/got"
	{
		for d in ./ ./usr/ ./usr/bin/; do echo "drwxr-xr-x root/root $want_date $d"; done
		echo "-rwxr-xr-x root/root $want_date ./usr/bin/iksctl"
		for d in ./usr/share/ ./usr/share/bash-completion/ ./usr/share/bash-completion/completions/; do
			echo "drwxr-xr-x root/root $want_date $d"; done
		echo "-rw-r--r-- root/root $want_date ./usr/share/bash-completion/completions/iksctl"
		for d in ./usr/share/doc/ ./usr/share/doc/iksctl/; do echo "drwxr-xr-x root/root $want_date $d"; done
		echo "-rw-r--r-- root/root $want_date ./usr/share/doc/iksctl/changelog.gz"
		echo "-rw-r--r-- root/root $want_date ./usr/share/doc/iksctl/copyright"
		for d in ./usr/share/lintian/ ./usr/share/lintian/overrides/; do echo "drwxr-xr-x root/root $want_date $d"; done
		echo "-rw-r--r-- root/root $want_date ./usr/share/lintian/overrides/iksctl"
		for d in ./usr/share/man/ ./usr/share/man/man1/; do echo "drwxr-xr-x root/root $want_date $d"; done
		echo "-rw-r--r-- root/root $want_date ./usr/share/man/man1/iksctl.1.gz"
	} > "$T_TMP/want"
	if cmp -s "$T_TMP/got" "$T_TMP/want"; then
		ok "$arch: files, sorted, modes 0755/0644, root/root, mtime = SOURCE_DATE_EPOCH"
	else
		fail "$arch: dpkg-deb -c: $(diff "$T_TMP/want" "$T_TMP/got" | head -c 800)"
	fi
	# lintian: no error, no warning; the statically-linked-binary override used.
	lintian -EIL +pedantic --show-overrides "$deb" > "$T_TMP/lintian" 2> "$T_TMP/lintian.err"
	grep '^[EW]: ' "$T_TMP/lintian" > "$T_TMP/lint.ew"
	if [ -s "$T_TMP/lint.ew" ]; then
		fail "$arch: lintian: $(head -c 800 "$T_TMP/lint.ew")"
	else
		ok "$arch: lintian: no E: and no W: line ($(grep -c '^[IPX]: ' "$T_TMP/lintian") I:/P:/X:)"
	fi
	eq "$arch: lintian: the override in use" "$(grep '^O: ' "$T_TMP/lintian")" \
		"O: iksctl: statically-linked-binary [usr/bin/iksctl]"
	# Install into a temporary root with dpkg, run it, remove it.
	R=$T_TMP/root-$arch
	mkdir -p "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/info"
	: > "$R/var/lib/dpkg/status"
	[ $arch = amd64 ] || dpkg --root="$R" --add-architecture $arch
	check "$arch: dpkg --root -i installs it" 0 \
		dpkg --root="$R" --force-not-root --force-script-chrootless -i "$deb"
	eq "$arch: dpkg status" "$(dpkg-query --root="$R" -W -f='${db:Status-Abbrev}${Package}:${Architecture} ${Version}' iksctl)" \
		"ii iksctl:$arch $VERSION"
	check "$arch: dpkg --verify: every file as packed" 0 dpkg --root="$R" -V iksctl
	eq "$arch: dpkg --verify says nothing" "$(cat "$T_TMP/out" "$T_TMP/err")" ""
	cmp -s "$R/usr/bin/iksctl" "build/$t/iksctl" && ok "$arch: /usr/bin/iksctl is build/$t/iksctl" ||
		fail "$arch: /usr/bin/iksctl differs from build/$t/iksctl"
	if [ -z "$run" ] || command -v "$run" > /dev/null 2>&1; then
		$run "$R/usr/bin/iksctl" version > "$T_TMP/ver" 2>&1
		contains "$arch: installed iksctl version${run:+ (under $run)} names $t" \
			"$T_TMP/ver" "iksctl $VERSION ($t)"
	else
		fail "$arch: $run is missing (toolchains/install-deps.sh cross)"
	fi
	# The man page: gzip -9n of the tarballs' page.
	man=$R/usr/share/man/man1/iksctl.1.gz
	eq "$arch: man page gzip header without name and time" \
		"$(od -An -tx1 -j3 -N5 "$man" | tr -d ' \n')" "0000000000"
	eq "$arch: man page gzip at -9 (XFL 2)" "$(od -An -tx1 -j8 -N1 "$man" | tr -d ' \n')" "02"
	gzip -dc "$man" > "$T_TMP/man.1"
	cmp -s "$T_TMP/man.1" "$T_TMP/docs/iksctl.1" && ok "$arch: man page is docs.sh's iksctl.1" ||
		fail "$arch: the packed man page differs from docs.sh's"
	cmp -s "$R/usr/share/bash-completion/completions/iksctl" "$T_TMP/docs/iksctl.bash" &&
		ok "$arch: completion is docs.sh's iksctl.bash" ||
		fail "$arch: the packed completion differs from docs.sh's"
	cmp -s "$R/usr/share/lintian/overrides/iksctl" toolchains/dist/lintian-overrides &&
		ok "$arch: lintian overrides are toolchains/dist/lintian-overrides" ||
		fail "$arch: the packed overrides differ"
	check "$arch: dpkg --root -r removes it" 0 \
		dpkg --root="$R" --force-not-root --force-script-chrootless -P iksctl
	left=$(find "$R/usr" -type f 2> /dev/null | head -n 3)
	eq "$arch: nothing left in /usr after the purge" "$left" ""
	[ $arch = amd64 ] && { dpkg-deb -x "$deb" "$T_TMP/x"; A=$T_TMP/x; }
done

# --- the contents, once (the same in every package) -------------------------
man=$A/usr/share/man/man1/iksctl.1.gz
if command -v man > /dev/null 2>&1 && command -v groff > /dev/null 2>&1; then
	MANWIDTH=80 man -l --warnings "$man" > "$T_TMP/man" 2> "$T_TMP/man.err" < /dev/null
	eq "man -l renders the packed iksctl.1.gz (exit status)" "$?" 0
	[ -s "$T_TMP/man.err" ] && fail "man -l --warnings: $(head -c 600 "$T_TMP/man.err")" ||
		ok "man -l --warnings: no warning"
	contains "man: footer has the version" "$T_TMP/man" "iksctl $VERSION"
else
	fail "man or groff is missing (apt-get install man-db groff-base)"
fi
if command -v bash > /dev/null 2>&1; then
	eq "completion from /usr/share/bash-completion completes" "$(bash --norc --noprofile -c '
		. "$1" || exit 1
		COMP_WORDS=(iksctl clu); COMP_CWORD=1; COMP_LINE="iksctl clu"; COMP_POINT=10
		_iksctl; printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' comp "$A/usr/share/bash-completion/completions/iksctl")" \
		"cluster clusters "
else
	fail "bash is not installed"
fi
# copyright: DEP-5, its Files paragraphs' licences each with a standalone
# License paragraph, Mbed TLS's dual licence as its LICENSE says.
cr=$A/usr/share/doc/iksctl/copyright
eq "copyright: DEP-5 Format line" "$(head -n 1 "$cr")" \
	"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
awk '
	/^$/ { p++; next }
	/^Files: / { files[p] = 1 }
	/^License: / { l = substr($0, 10); if (p in files) used[l] = 1; else have[l] = 1 }
	END {
		for (l in used) { n = split(l, a, / or /); for (i = 1; i <= n; i++) print "uses " a[i] }
		for (l in have) print "has " l
	}' "$cr" | LC_ALL=C sort > "$T_TMP/lic"
eq "copyright: licences used" "$(grep '^uses' "$T_TMP/lic" | sort -u | tr '\n' ' ')" \
	"uses Apache-2.0 uses GPL-2.0+ uses MIT "
eq "copyright: standalone License paragraphs" "$(grep '^has' "$T_TMP/lic" | tr '\n' ' ')" \
	"has Apache-2.0 has GPL-2.0+ has MIT "
mbed_lic=build/deps/mbedtls-$(awk '$1 == "mbedtls" { print $2 }' third_party/MANIFEST)/LICENSE
head -n 3 "$mbed_lic" | tr '\n' ' ' | grep -q 'Apache-2.0.*OR \[GPL-2.0-or-later' &&
	ok "Mbed TLS's LICENSE says Apache-2.0 OR GPL-2.0-or-later" ||
	fail "Mbed TLS's LICENSE ($mbed_lic) no longer says Apache-2.0 OR GPL-2.0-or-later: update deb.sh"
grep -A2 '^Files: build/deps/mbedtls-' "$cr" | grep -qx 'License: Apache-2.0 or GPL-2.0+' &&
	ok "copyright: Mbed TLS under Apache-2.0 or GPL-2.0+" || fail "copyright: Mbed TLS's licence"
grep -A2 '^Files: build/deps/jsmn-' "$cr" | grep -qx 'License: MIT' &&
	ok "copyright: jsmn under MIT" || fail "copyright: jsmn's licence"
contains "copyright: the MIT text" "$cr" " Permission is hereby granted, free of charge"
contains "copyright: Apache-2.0 by reference to common-licenses" "$cr" "/usr/share/common-licenses/Apache-2.0"
grep -n '^[^ A-Z]' "$cr" > "$T_TMP/bad" && fail "copyright: lines that are neither fields nor continuations: $(head -c 300 "$T_TMP/bad")" ||
	ok "copyright: every line a field or a continuation"
gzip -dc "$A/usr/share/doc/iksctl/changelog.gz" > "$T_TMP/cl"
eq "changelog: the first entry is this version" "$(head -n 1 "$T_TMP/cl")" \
	"iksctl ($VERSION) unstable; urgency=medium"
contains "changelog: dated SOURCE_DATE_EPOCH" "$T_TMP/cl" "  $(date -u -R -d "@$SDE")"

# The README's "On a device" starts with the package, named as deb.sh names it.
awk '/^## On a device/ { p = 1; next } p && /^## / { exit } p' README.md > "$T_TMP/device"
eq "README: On a device opens with apt install of a real package name" \
	"$(awk NF "$T_TMP/device" | head -n 3 | tr '\n' '|')" \
	"\`\`\`sh|sha256sum -c --ignore-missing SHA256SUMS|apt install ./iksctl_${VERSION}_arm64.deb|"
[ -f "$D1/iksctl_${VERSION}_arm64.deb" ] && ok "README's package name is one deb.sh makes" ||
	fail "no $D1/iksctl_${VERSION}_arm64.deb"

# --- lintian sees what is wrong (the check above can fail) ------------------
B=$T_TMP/broken
dpkg-deb -R "$D1/iksctl_${VERSION}_amd64.deb" "$B"
rm "$B/usr/share/doc/iksctl/changelog.gz" "$B/usr/share/lintian/overrides/iksctl"
dpkg-deb --root-owner-group -b "$B" "$T_TMP/broken.deb" > /dev/null
lintian "$T_TMP/broken.deb" > "$T_TMP/lintian" 2> /dev/null
contains "lintian: a package without changelog: E: no-changelog" "$T_TMP/lintian" "E: iksctl: no-changelog"
contains "lintian: a package without the override: E: statically-linked-binary" "$T_TMP/lintian" \
	"E: iksctl: statically-linked-binary"

finish
