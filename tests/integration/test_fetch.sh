#!/bin/sh
# test_fetch.sh: the pinned-dependency check of third_party/fetch.sh.
# A good file is accepted; a tampered, truncated or missing one, and an
# unreachable or wrong source, each stop with a message naming the file
# and what to do.  A local HTTP server stands in for the upstream host.
# Our patches over a release: checked by their SHA-256 in MANIFEST (a
# missing or edited one stops the unpack), applied after the tarball's
# check, skipped for another version, and a tree unpacked with other
# patches (or by the fetch.sh of before patches) is unpacked again.
. tests/integration/lib.sh
real=third_party/cache/jsmn-1.1.0.tar.gz
[ -f "$real" ] || sh third_party/fetch.sh fetch jsmn
cache=$T_TMP/cache
mkdir -p "$cache"
fetch() { env IKSCTL_CACHE="$cache" IKSCTL_DEBIAN_MIRROR=none "$@" sh third_party/fetch.sh fetch jsmn; }

cp "$real" "$cache/"
check "good cached file accepted" 0 fetch env
check "verify good file" 0 env IKSCTL_CACHE="$cache" sh third_party/fetch.sh verify jsmn

printf 'X' | dd of="$cache/jsmn-1.1.0.tar.gz" bs=1 seek=100 conv=notrunc 2>/dev/null
check "tampered file refused" 1 fetch env
contains "tampered: names the file" "$T_TMP/err" "jsmn-1.1.0.tar.gz has SHA-256"
contains "tampered: says what to do" "$T_TMP/err" "delete it and run make again"

head -c 5000 "$real" > "$cache/jsmn-1.1.0.tar.gz"
check "truncated file refused" 1 fetch env
contains "truncated: says what to do" "$T_TMP/err" "delete it and run make again"

rm -f "$cache/jsmn-1.1.0.tar.gz"
check "offline and missing" 1 fetch env IKSCTL_FETCH_OFFLINE=1
contains "offline: names the file" "$T_TMP/err" "jsmn-1.1.0.tar.gz is missing"

# No network: nothing listens on the upstream port.
check "no network" 1 fetch env IKSCTL_UPSTREAM_URL=http://127.0.0.1:9/jsmn.tar.gz
contains "no network: names the file" "$T_TMP/err" "could not get jsmn-1.1.0.tar.gz"
contains "no network: says what to do" "$T_TMP/err" "by hand"
[ ! -e "$cache/jsmn-1.1.0.tar.gz" ] && [ ! -e "$cache/jsmn-1.1.0.tar.gz.part" ] &&
	ok "no network: nothing half-written left" || fail "no network: a partial file was left"

# A local upstream: first serving a wrong file, then a half file, then the right one.
srv=$T_TMP/srv
mkdir -p "$srv"
head -c 3000 "$real" > "$srv/half.tar.gz"
printf 'not a tarball\n' > "$srv/wrong.tar.gz"
cp "$real" "$srv/good.tar.gz"
bg python3 -c '
import http.server, socketserver, sys, os
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = socketserver.TCPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()' "$srv" "$T_TMP/port"
wait_file "$T_TMP/port" || { fail "http server did not start"; finish; }
u=http://127.0.0.1:$(cat "$T_TMP/port")
check "wrong upstream file refused" 1 fetch env IKSCTL_UPSTREAM_URL=$u/wrong.tar.gz
contains "wrong file: hash named" "$T_TMP/err" "expected 5f0913a1"
check "half download refused" 1 fetch env IKSCTL_UPSTREAM_URL=$u/half.tar.gz
[ ! -e "$cache/jsmn-1.1.0.tar.gz" ] && ok "half download not cached" || fail "half download cached"
check "good upstream accepted" 0 fetch env IKSCTL_UPSTREAM_URL=$u/good.tar.gz
cmp -s "$real" "$cache/jsmn-1.1.0.tar.gz" && ok "good file cached" || fail "cached file differs"
check "later runs are offline" 0 fetch env IKSCTL_FETCH_OFFLINE=1
# Patches, with a copy of third_party (fetch.sh finds MANIFEST and
# patches/ beside itself) and the real cached tarballs, offline.
tp=$T_TMP/tp
deps=$T_TMP/deps
mkdir -p "$tp"
cp -R third_party/fetch.sh third_party/MANIFEST third_party/patches "$tp/"
pf=mbedtls-3.6.7-tls12-version-confusion.patch
psha=$(awk -v f="$pf" '$1 == "patch" && $5 == f { print $4 }' "$tp/MANIFEST")
[ -n "$psha" ] && ok "MANIFEST pins $pf" || fail "no patch line for $pf in MANIFEST"
unpack() { env IKSCTL_CACHE="$PWD/third_party/cache" IKSCTL_FETCH_OFFLINE=1 sh "$tp/fetch.sh" unpack "$1" "$deps"; }
src=$deps/mbedtls-3.6.7/library/ssl_tls12_client.c
fixed='ssl->tls_version != MBEDTLS_SSL_VERSION_TLS1_2 ||'
cp "$tp/MANIFEST" "$T_TMP/MANIFEST.good"

check "good patch: unpacked" 0 unpack mbedtls
contains "good patch: applied" "$src" "$fixed"
contains "good patch: said" "$T_TMP/err" "applying $pf"
contains "good patch: in the stamp" "$deps/mbedtls-3.6.7/.unpacked" "$psha $pf"
touch "$deps/mbedtls-3.6.7/keep"
check "same patches: nothing to do" 0 unpack mbedtls
[ -e "$deps/mbedtls-3.6.7/keep" ] && ok "same patches: tree kept" || fail "same patches: unpacked again"

printf '\n' >> "$tp/patches/$pf"
check "edited patch refused" 1 unpack mbedtls
contains "edited patch: names the file" "$T_TMP/err" "patches/$pf has SHA-256"
contains "edited patch: the pinned hash" "$T_TMP/err" "expected $psha"
[ -e "$deps/mbedtls-3.6.7/keep" ] && ok "edited patch: tree untouched" || fail "edited patch: tree changed"
rm "$tp/patches/$pf"
check "missing patch refused" 1 unpack mbedtls
contains "missing patch: said" "$T_TMP/err" "$pf (a patch named in MANIFEST) is missing"
cp "third_party/patches/$pf" "$tp/patches/"

# Before patches (or after the bump that drops one): the tree is unpacked again.
grep -v '^patch ' "$T_TMP/MANIFEST.good" > "$tp/MANIFEST"
check "no patch line: unpacked again" 0 unpack mbedtls
[ ! -e "$deps/mbedtls-3.6.7/keep" ] && ok "no patch line: a fresh tree" || fail "no patch line: old tree kept"
grep -qF "$fixed" "$src" && fail "no patch line: still patched" || ok "no patch line: release source"
mv "$deps/mbedtls-3.6.7/.unpacked" "$deps/mbedtls-3.6.7/.unpacked-$(awk '$1 == "mbedtls" { print $3 }' "$tp/MANIFEST")"
cp "$T_TMP/MANIFEST.good" "$tp/MANIFEST"
check "tree of the old fetch.sh: unpacked again" 0 unpack mbedtls
contains "tree of the old fetch.sh: now patched" "$src" "$fixed"

# A patch line for another release is skipped, said, and not applied.
sed 's/^patch mbedtls 3\.6\.7 /patch mbedtls 3.6.6 /' "$T_TMP/MANIFEST.good" > "$tp/MANIFEST"
check "patch for another version: unpacked" 0 unpack mbedtls
contains "patch for another version: said" "$T_TMP/err" "$pf is for mbedtls 3.6.6, not 3.6.7; not applied"
grep -qF "$fixed" "$src" && fail "patch for another version: applied" || ok "patch for another version: not applied"

# A patch with the right hash that does not fit the release stops the unpack.
printf -- '--- a/jsmn.h\n+++ b/jsmn.h\n@@ -1,1 +1,1 @@\n-no such line\n+x\n' > "$tp/patches/bad.patch"
{ cat "$T_TMP/MANIFEST.good"; echo "patch jsmn 1.1.0 $(sha256sum "$tp/patches/bad.patch" | cut -d' ' -f1) bad.patch"; } > "$tp/MANIFEST"
check "patch that does not apply refused" 1 unpack jsmn
contains "patch that does not apply: said" "$T_TMP/err" "bad.patch does not apply to jsmn 1.1.0"
[ ! -e "$deps/jsmn-1.1.0" ] && [ ! -e "$deps/jsmn-1.1.0.tmp" ] && ok "patch that does not apply: no tree left" || fail "patch that does not apply: a tree was left"
finish
