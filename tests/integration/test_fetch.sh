#!/bin/sh
# test_fetch.sh: the pinned-dependency check of third_party/fetch.sh.
# A good file is accepted; a tampered, truncated or missing one, and an
# unreachable or wrong source, each stop with a message naming the file
# and what to do.  A local HTTP server stands in for the upstream host.
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
finish
