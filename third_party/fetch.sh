#!/bin/sh
# fetch.sh: download and verify the pinned third-party sources listed in
# MANIFEST, then unpack them for the build.
#
#   fetch.sh fetch NAME   make CACHE/<file> exist with the pinned SHA-256
#   fetch.sh unpack NAME DEST   fetch, then unpack into DEST/<name>-<version>
#                         and apply NAME's patches (see MANIFEST)
#   fetch.sh verify NAME  check the cached file only (no network)
#
# Sources, in order: the upstream release URL, then Debian's source package
# (apt-get source --download-only) through a private sources list and state
# directory built from the Debian mirror this machine is configured with.
# A download goes to a .part file and is renamed only once its hash is
# right, so an interrupted download never looks like a good one.  The cache
# (third_party/cache, git-ignored) makes later builds offline.
#
# Patches (third_party/patches, in git) are checked against their SHA-256
# in MANIFEST on every unpack, before anything is changed, and applied
# after the tarball's check.  DEST/<name>-<version>/.unpacked lists the
# tarball's and the patches' hashes: a tree unpacked with other patches
# (or none, or by an older fetch.sh) is unpacked again.
#
# Environment: IKSCTL_CACHE (cache folder), IKSCTL_FETCH_OFFLINE=1 (never
# download), IKSCTL_UPSTREAM_URL / IKSCTL_DEBIAN_MIRROR (override a source,
# "none" to skip it; used by tests).
set -u

here=$(cd "$(dirname "$0")" && pwd)
manifest=$here/MANIFEST
patches=$here/patches
cache=${IKSCTL_CACHE:-$here/cache}

die() { echo "fetch: $*" >&2; exit 1; }

# read_manifest NAME: set the fields of NAME's line.
read_manifest() {
	line=$(grep -v '^#' "$manifest" | awk -v n="$1" '$1 == n { print; exit }')
	[ -n "$line" ] || die "no dependency '$1' in $manifest"
	set -- $line
	m_name=$1 m_version=$2 m_sha=$3 m_file=$4 m_url=$5
	m_deb_src=$6 m_deb_version=$7 m_deb_file=$8
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# verify_cached: 0 if the cached file exists and is good, 1 if absent;
# stops the build if it exists with a wrong hash.
verify_cached() {
	f=$cache/$m_file
	[ -f "$f" ] || return 1
	got=$(sha_of "$f")
	[ "$got" = "$m_sha" ] && return 0
	die "$f has SHA-256 $got, expected $m_sha (a truncated or tampered download).
fetch: delete it and run make again, or put the right file there by hand."
}

# try_upstream PART: download the upstream release to PART.
try_upstream() {
	url=${IKSCTL_UPSTREAM_URL:-$m_url}
	[ "$url" = none ] && { why_up="skipped"; return 1; }
	if command -v curl >/dev/null 2>&1; then
		why_up=$(curl -fsSL --connect-timeout 10 --max-time 300 -o "$1" "$url" 2>&1) && return 0
	elif command -v wget >/dev/null 2>&1; then
		why_up=$(wget -q -T 30 -O "$1" "$url" 2>&1) && return 0
	else
		why_up="neither curl nor wget is installed"
	fi
	why_up="$url: $(echo "$why_up" | tail -1)"
	return 1
}

# debian_mirror: the Debian archive URL this machine's apt uses.
debian_mirror() {
	if [ -n "${IKSCTL_DEBIAN_MIRROR:-}" ]; then
		echo "$IKSCTL_DEBIAN_MIRROR"
		return
	fi
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f"
	done | grep -v -e security -e '^$' | grep '/debian/*$' | head -1 && return
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' |
	    grep -v security | grep '/debian/*$' | head -1
}

# try_debian PART: fetch Debian's .orig tarball to PART with apt-get source,
# with a private sources list, lists and cache (nothing of the machine's
# apt configuration is changed).
try_debian() {
	mirror=$(debian_mirror)
	[ "$mirror" = none ] && { why_deb="skipped"; return 1; }
	[ -n "$mirror" ] || { why_deb="no Debian mirror configured in /etc/apt"; return 1; }
	command -v apt-get >/dev/null 2>&1 || { why_deb="apt-get not found"; return 1; }
	apt_dir=$cache/apt
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/src"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	echo "deb-src [signed-by=$keyring] $mirror unstable main" > "$apt_dir/sources.list"
	opts="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null
	    -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir
	    -o Dir::Cache::Archives=$apt_dir/archives -o Dir::State::Status=/var/lib/dpkg/status
	    -o APT::Sandbox::User=$(id -un) -o Debug::NoLocking=1"
	if ! out=$(apt-get $opts -q update 2>&1); then
		why_deb="apt-get update ($mirror unstable): $(echo "$out" | grep -E '^(E|W):' | head -1)"
		return 1
	fi
	rm -f "$apt_dir/src/$m_deb_file"
	# apt-get source exits non-zero when any file of the source package is
	# missing (jsmn's .debian.tar.xz is): judge by the .orig file itself.
	out=$(cd "$apt_dir/src" && apt-get $opts -q source --download-only \
	    "$m_deb_src=$m_deb_version" 2>&1)
	if [ ! -s "$apt_dir/src/$m_deb_file" ]; then
		why_deb="apt-get source $m_deb_src=$m_deb_version: $(echo "$out" | grep -E '^(E|W):' | head -1)"
		return 1
	fi
	mv "$apt_dir/src/$m_deb_file" "$1"
}

# accept PART SOURCE: move PART into the cache if its hash is right.
accept() {
	got=$(sha_of "$1")
	if [ "$got" != "$m_sha" ]; then
		echo "fetch: $m_file from $2 has SHA-256 $got, expected $m_sha; not used" >&2
		rm -f "$1"
		return 1
	fi
	mv "$1" "$cache/$m_file"
}

do_fetch() {
	read_manifest "$1"
	verify_cached && return 0
	[ "${IKSCTL_FETCH_OFFLINE:-0}" = 1 ] &&
	    die "$cache/$m_file is missing and IKSCTL_FETCH_OFFLINE=1"
	mkdir -p "$cache"
	part=$cache/$m_file.part
	rm -f "$part"
	echo "fetch: $m_name $m_version" >&2
	if try_upstream "$part" && accept "$part" upstream; then
		return 0
	fi
	rm -f "$part"
	if try_debian "$part" && accept "$part" "Debian's $m_deb_src $m_deb_version"; then
		return 0
	fi
	rm -f "$part"
	die "could not get $m_file ($m_name $m_version).
fetch:   upstream: ${why_up:-hash mismatch}
fetch:   Debian source package $m_deb_src $m_deb_version: ${why_deb:-hash mismatch}
fetch: check the network, or copy $m_file (SHA-256 $m_sha) into $cache/ by hand and run make again."
}

# patch_lines: "sha file" of each patch of this dependency and version, in
# MANIFEST order; a patch line for another version is skipped and said.
patch_lines() {
	grep -v '^#' "$manifest" | awk -v n="$m_name" -v v="$m_version" '
	    $1 == "patch" && $2 == n && $3 == v { print $4, $5 }
	    $1 == "patch" && $2 == n && $3 != v { print "fetch: note: " $5 " is for " n " " $3 ", not " v "; not applied" > "/dev/stderr" }'
}

# verify_patches LINES: stop the build if a patch is missing or edited.
verify_patches() {
	echo "$1" | while read -r p_sha p_file; do
		[ -n "$p_file" ] || continue
		f=$patches/$p_file
		[ -f "$f" ] || die "$f (a patch named in MANIFEST) is missing"
		got=$(sha_of "$f")
		[ "$got" = "$p_sha" ] || die "$f has SHA-256 $got, expected $p_sha (edited or corrupted).
fetch: restore it (git checkout), or if the change is meant, put its SHA-256 in $manifest."
	done || exit 1
}

do_unpack() {
	do_fetch "$1"
	dest=$2/$m_name-$m_version
	plist=$(patch_lines)
	verify_patches "$plist"
	stamp=$(printf '%s\n%s' "$m_sha" "$plist")
	[ -f "$dest/.unpacked" ] && [ "$(cat "$dest/.unpacked")" = "$stamp" ] && return 0
	if [ -n "$plist" ]; then
		command -v patch >/dev/null 2>&1 ||
		    die "'patch' is not installed (apt-get install patch); $m_name needs it"
	fi
	rm -rf "$dest" "$dest.tmp"
	mkdir -p "$dest.tmp"
	# -m: every file is new, so objects of an earlier tree are rebuilt.
	case "$m_file" in
	*.tar.bz2) tar -C "$dest.tmp" --strip-components=1 -mxjf "$cache/$m_file" ;;
	*.tar.gz) tar -C "$dest.tmp" --strip-components=1 -mxzf "$cache/$m_file" ;;
	*) die "unknown archive type: $m_file" ;;
	esac || die "could not unpack $cache/$m_file"
	echo "$plist" | while read -r p_sha p_file; do
		[ -n "$p_file" ] || continue
		echo "fetch: $m_name $m_version: applying $p_file" >&2
		patch -d "$dest.tmp" -p1 -s -N -F0 --no-backup-if-mismatch \
		    -i "$patches/$p_file" >&2 || { rm -rf "$dest.tmp"
			die "$patches/$p_file does not apply to $m_name $m_version"; }
	done || exit 1
	echo "$stamp" > "$dest.tmp/.unpacked"
	mv "$dest.tmp" "$dest"
}

case "${1:-}" in
fetch) [ $# -eq 2 ] || die "usage: fetch.sh fetch NAME"; do_fetch "$2" ;;
unpack) [ $# -eq 3 ] || die "usage: fetch.sh unpack NAME DEST"; do_unpack "$2" "$3" ;;
verify)
	[ $# -eq 2 ] || die "usage: fetch.sh verify NAME"
	read_manifest "$2"
	verify_cached || die "$cache/$m_file is missing" ;;
*) die "usage: fetch.sh fetch|unpack|verify NAME [DEST]" ;;
esac
