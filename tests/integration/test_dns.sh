#!/bin/sh
# test_dns.sh: iksctl's own resolver (src/net/dns.c) against a real DNS
# server, dns_server.py on 127.0.0.77 port 53 (UDP and TCP).  Each client
# runs in its own mount namespace (unshare -m) where a resolv.conf and a
# hosts file of the test are bind-mounted over /etc/resolv.conf and
# /etc/hosts: iksctl reads the real paths, no test-only knob.  Needs root
# (port 53, mounts), as CI and the build machine have.
#
# Covered: a name resolved and connected to (the emulator on 127.0.0.1),
# with build/iksctl and the http_get tool; NXDOMAIN (exit 4, one line); a
# server that never answers (exit 4 within the timeout); a truncated UDP
# answer asked again over TCP; search domains and ndots; /etc/hosts
# winning; a CNAME chain; an answer from the wrong source ignored;
# SERVFAIL; no nameserver line (127.0.0.1 is asked).
. tests/integration/lib.sh
get=$TOOLS/http_get
NS=127.0.0.77
unset HTTPS_PROXY https_proxy

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	echo "test_dns: needs root and unshare -m; skipped"
	ok "skipped (not root or no unshare)"
	finish
fi

bg python3 tests/integration/dns_server.py $NS "$T_TMP/dns.log" "$T_TMP/dns.ready"
wait_file "$T_TMP/dns.ready" || { fail "dns_server.py did not start"; finish; }
emu_start
port=$(echo "$IBMCLOUD_IAM_API_ENDPOINT" | sed -E 's|^https://[^:/]+:([0-9]+).*|\1|')

printf 'nameserver %s\nsearch corp.test\noptions ndots:1 timeout:2 attempts:2\n' $NS \
	> "$T_TMP/resolv.conf"
printf '127.0.0.1 localhost\n# 127.0.0.1 api.test\n127.0.0.1 Hosts.Test other # hosts wins\n' \
	> "$T_TMP/hosts"
RC=$T_TMP/resolv.conf

# ns CMD...: run CMD with $RC and $T_TMP/hosts as /etc/resolv.conf and
# /etc/hosts, in a mount namespace of its own.
ns() {
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf &&
		mount --bind "$2" /etc/hosts && shift 2 && exec "$@"' \
		sh "$RC" "$T_TMP/hosts" "$@"
}

# queried NAME: how many queries for NAME the server logged.
queried() { grep -c "^$1 " "$T_TMP/dns.log"; }

# get_ok NAME HOST: http_get reaches the emulator through HOST.
get_ok() {
	check "$1: resolved and connected" 0 ns $get --insecure --timeout 5 \
		"https://$2:$port/"
	contains "$1: one connection" "$T_TMP/out" "connects=1"
}

get_ok "A record" api.test
get_ok "CNAME chain" alias.test
contains "CNAME chain: one A question" "$T_TMP/dns.log" "alias.test 1 udp"
eq "CNAME chain: targets not asked" "$(queried c1.test)" 0

check "iksctl login through a name" 0 ns env \
	IBMCLOUD_IAM_API_ENDPOINT="https://api.test:$port" \
	IBMCLOUD_API_KEY="$EMU_APIKEY" "$IKSCTL" --insecure login
contains "iksctl login: logged in" "$T_TMP/out" "env:IBMCLOUD_API_KEY"

: > "$T_TMP/dns.log"
get_ok "search domain" short
eq "search domain: short.corp.test asked first" \
	"$(sed -n 1p "$T_TMP/dns.log" | cut -d' ' -f1)" short.corp.test
eq "search domain: found there, bare name never asked" "$(queried short)" 0
: > "$T_TMP/dns.log"
check "name with ndots dots: no search" 4 ns $get --timeout 5 "https://short.x/"
eq "ndots: short.x.corp.test not asked" "$(queried short.x.corp.test)" 0
eq "ndots: short.x asked (A)" "$(queried "short.x 1")" 1
: > "$T_TMP/dns.log"
check "absolute name: no search" 4 ns $get --timeout 5 "https://short./"
eq "absolute name: short.corp.test not asked" "$(queried short.corp.test)" 0

: > "$T_TMP/dns.log"
get_ok "hosts file wins" hosts.test
eq "hosts file: no query" "$(queried hosts.test)" 0
get_ok "hosts file alias" OTHER
get_ok "localhost" localhost
get_ok "*.localhost (RFC 6761)" app.localhost
eq "localhost: no query" "$(grep -c localhost "$T_TMP/dns.log")" 0

: > "$T_TMP/dns.log"
get_ok "truncated UDP answer, then TCP" big.test
contains "truncated: asked again over TCP" "$T_TMP/dns.log" "big.test 1 tcp"

get_ok "answer from the wrong source ignored" spoof.test

check "NXDOMAIN: exit 4" 4 ns $get --timeout 5 "https://nope.test/"
contains "NXDOMAIN: said" "$T_TMP/err" \
	"iksctl: host name did not resolve: nope.test: no such host (NXDOMAIN)"
eq "NXDOMAIN: one line" "$(grep -c iksctl: "$T_TMP/err")" 1
eq "NXDOMAIN: a dotted name is not searched" "$(queried nope.test.corp.test)" 0
check "NXDOMAIN via iksctl: exit 4" 4 ns env \
	IBMCLOUD_IAM_API_ENDPOINT="https://nope.test:$port" \
	IBMCLOUD_API_KEY="$EMU_APIKEY" "$IKSCTL" login
contains "NXDOMAIN via iksctl: said" "$T_TMP/err" "nope.test: no such host"

check "SERVFAIL: exit 4" 4 ns $get --timeout 5 "https://fail.test/"
contains "SERVFAIL: said" "$T_TMP/err" "fail.test: the name servers failed"

t0=$(date +%s%N)
check "silent server: exit 4" 4 ns $get --timeout 5 "https://silent.test/"
ms=$((($(date +%s%N) - t0) / 1000000))
contains "silent server: said" "$T_TMP/err" \
	"silent.test: no answer from the name servers within 2000 ms"
[ "$ms" -ge 1900 ] && [ "$ms" -lt 3500 ] && ok "silent server: gave up after $ms ms (timeout:2)" ||
	fail "silent server: took $ms ms"
eq "silent server: A asked twice (attempts:2)" "$(queried "silent.test 1")" 2
t0=$(date +%s%N)
check "silent server, --timeout 1: exit 4" 4 ns $get --timeout 1 "https://silent.test/"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -lt 1600 ] && ok "silent server: --timeout 1 bounds it ($ms ms)" ||
	fail "silent server: --timeout 1 took $ms ms"

# No nameserver line: 127.0.0.1 port 53 is asked (nothing there here).
printf 'options timeout:1\n' > "$T_TMP/resolv.none"
RC=$T_TMP/resolv.none
check "no nameserver: exit 4" 4 ns $get --timeout 3 "https://api.test/"
contains "no nameserver: said" "$T_TMP/err" "api.test: no answer from the name servers"
RC=$T_TMP/resolv.conf

check "bad host name: exit 4" 4 ns $get "https://a..b/"
contains "bad host name: said" "$T_TMP/err" "a..b: not a valid host name"
finish
