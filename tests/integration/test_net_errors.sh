#!/bin/sh
# test_net_errors.sh: network failures, each said as such with exit 4,
# all on 127.0.0.1 (no traffic leaves the machine): a server that
# accepts and never answers (read/handshake timeout within --timeout), a
# listen queue that is full (connect timeout), a closed port (refused),
# a name under .invalid (does not resolve).
. tests/integration/lib.sh
get=$TOOLS/http_get
helper="python3 tests/integration/net_helper.py"
unset HTTPS_PROXY https_proxy
export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

bg $helper silent "$T_TMP/silent"
bg $helper backlog "$T_TMP/backlog"
wait_file "$T_TMP/silent" && wait_file "$T_TMP/backlog" || { fail "helpers did not start"; finish; }

timed "silent server: exit 4" 4 $get --timeout 1 "https://127.0.0.1:$(cat "$T_TMP/silent")/"
contains "silent server: timed out" "$T_TMP/err" "iksctl: timed out: TLS handshake: no answer within 1000 ms"
[ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] && ok "silent server: gave up after $ms ms (--timeout 1)" ||
	fail "silent server: took $ms ms"

timed "full listen queue: exit 4" 4 $get --timeout 1 "https://127.0.0.1:$(cat "$T_TMP/backlog")/"
contains "full listen queue: timed out" "$T_TMP/err" "iksctl: timed out: "
if grep -q "connect to 127.0.0.1 port" "$T_TMP/err"; then
	ok "full listen queue: the connect timed out"
else
	# The kernel accepted the SYN after all (a queue it did not treat as
	# full): then the handshake timed out, which the line above checked.
	echo "note: connect timeout not reproducible here: $(cat "$T_TMP/err")"
fi
[ "$ms" -lt 3000 ] && ok "full listen queue: gave up after $ms ms" || fail "full listen queue: took $ms ms"

set -- $($helper ports 1)
check "closed port: exit 4" 4 $get --timeout 2 "https://127.0.0.1:$1/"
contains "closed port: refused" "$T_TMP/err" "iksctl: connection refused: connect to 127.0.0.1 port $1: Connection refused"

check "unresolvable name: exit 4" 4 $get --timeout 2 "https://iksctl-test.invalid/"
contains "unresolvable name said" "$T_TMP/err" "iksctl: host name did not resolve: iksctl-test.invalid"

check "bad URL: exit 2" 2 $get "https://127.0.0.1:99999/"
check "http:// refused: exit 2" 2 $get "http://127.0.0.1/"
contains "http:// said" "$T_TMP/err" "only https:// URLs"
finish
