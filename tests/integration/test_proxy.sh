#!/bin/sh
# test_proxy.sh: HTTPS through a real tinyproxy from Debian via CONNECT:
# HTTPS_PROXY and https_proxy, Proxy-Authorization from the proxy URL's
# user info (BasicAuth), 407 without it, a refused CONNECT (403, a port
# the proxy does not allow), NO_PROXY bypass (the proxy sees nothing),
# and a proxy that is down.  The TLS server behind it is Python's.
. tests/integration/lib.sh
C=$T_TMP/certs
sh tests/integration/certs.sh "$C"
get=$TOOLS/http_get
helper="python3 tests/integration/net_helper.py"

bg python3 tests/integration/tls_server.py --cert "$C/rsa-chain.pem" --key "$C/rsa-leaf.key" \
	--port-file "$T_TMP/srv"
bg python3 tests/integration/tls_server.py --cert "$C/rsa-chain.pem" --key "$C/rsa-leaf.key" \
	--port-file "$T_TMP/srv2"
wait_file "$T_TMP/srv" && wait_file "$T_TMP/srv2" || { fail "TLS servers did not start"; finish; }
S=$(cat "$T_TMP/srv") S2=$(cat "$T_TMP/srv2")
set -- $($helper ports 3)
PX=$1 PXA=$2 DOWN=$3

# Two proxies that allow CONNECT only to port $S, one with a password.
tinyproxy_start open "$PX" "ConnectPort $S" || finish
tinyproxy_start auth "$PXA" "ConnectPort $S" "BasicAuth proxyuser s3cr-t.p_ss" || finish
U=https://127.0.0.1:$S/x
CA="--cacert $C/rsa-root.pem"
unset HTTPS_PROXY https_proxy NO_PROXY no_proxy

# connects LOG: CONNECT requests the proxy logged.
connects() { grep -c "CONNECT" "$T_TMP/$1.log"; }

check "through the proxy" 0 env HTTPS_PROXY="http://127.0.0.1:$PX" $get $CA -v "$U" "$U"
contains "answered" "$T_TMP/out" 'status=200 len=23'
contains "one tunnel for two requests" "$T_TMP/out" "connects=1 handshakes=1 resumed=0 requests=2"
contains "trace says through the proxy" "$T_TMP/err" "* connected to 127.0.0.1:$S through the proxy"
contains "trace shows the CONNECT" "$T_TMP/err" "> CONNECT 127.0.0.1:$S HTTP/1.1"
contains "trace shows the proxy's answer" "$T_TMP/err" "< HTTP/1.0 200 Connection established"
[ "$(connects open)" -ge 1 ] && ok "tinyproxy logged the CONNECT" || fail "tinyproxy log: $(tail -3 "$T_TMP/open.log")"
grep -q "127.0.0.1:$S" "$T_TMP/open.log" && ok "tinyproxy log names the target" || fail "target not in the proxy log"

before=$(connects open)
check "lowercase https_proxy" 0 env https_proxy="127.0.0.1:$PX" $get $CA "$U"
[ "$(connects open)" -gt "$before" ] && ok "https_proxy used the proxy" || fail "https_proxy: the proxy saw nothing"

before=$(connects open)
check "NO_PROXY bypass" 0 env HTTPS_PROXY="http://127.0.0.1:$PX" NO_PROXY="localhost,127.0.0.1" $get $CA -v "$U"
sleep 0.2
[ "$(connects open)" = "$before" ] && ok "NO_PROXY: the proxy saw nothing" || fail "NO_PROXY: the proxy saw a CONNECT"
grep -q "through the proxy" "$T_TMP/err" && fail "NO_PROXY: trace says proxy" || ok "NO_PROXY: direct connection"
check "no_proxy with a port" 0 env HTTPS_PROXY="http://127.0.0.1:$PX" no_proxy="127.0.0.1:$S" $get $CA "$U"
[ "$(connects open)" = "$before" ] && ok "no_proxy host:port: the proxy saw nothing" || fail "no_proxy host:port went to the proxy"

# A port the proxy does not allow: 403, said as the proxy's refusal, exit 4.
check "refused CONNECT exits 4" 4 env HTTPS_PROXY="http://127.0.0.1:$PX" $get $CA "https://127.0.0.1:$S2/x"
contains "refused CONNECT said" "$T_TMP/err" "iksctl: proxy refused the connection: proxy 127.0.0.1 refused CONNECT to 127.0.0.1:$S2: 403"

# BasicAuth: credentials from the URL (percent-decoded: %2D is '-'), 407
# without them.  (tinyproxy's config takes no punctuation beyond -._)
check "proxy auth" 0 env HTTPS_PROXY="http://proxyuser:s3cr%2Dt.p_ss@127.0.0.1:$PXA" $get $CA -v "$U"
contains "proxy auth: answered" "$T_TMP/out" "status=200"
contains "proxy auth: header redacted" "$T_TMP/err" "> Proxy-Authorization: [redacted]"
cred=$(printf 'proxyuser:s3cr-t.p_ss' | base64)
grep -qF -e "$cred" -e 's3cr' "$T_TMP/err" "$T_TMP/out" && fail "proxy password in the trace" ||
	ok "proxy password not in the trace"
check "no credentials: 407, exit 4" 4 env HTTPS_PROXY="http://127.0.0.1:$PXA" $get $CA "$U"
contains "407 said" "$T_TMP/err" "407"
contains "407 says what to do" "$T_TMP/err" "put user:password in HTTPS_PROXY"
# tinyproxy answers wrong credentials with 401, not 407.
check "wrong credentials: exit 4" 4 env HTTPS_PROXY="http://proxyuser:nope@127.0.0.1:$PXA" $get $CA "$U"
contains "wrong credentials said" "$T_TMP/err" "refused CONNECT to 127.0.0.1:$S: 401"
contains "wrong credentials: what to do" "$T_TMP/err" "put user:password in HTTPS_PROXY"

# A proxy that is not there; a proxy URL that is not http.
check "proxy down exits 4" 4 env HTTPS_PROXY="http://127.0.0.1:$DOWN" $get $CA "$U"
contains "proxy down said" "$T_TMP/err" "iksctl: connection refused: proxy: connect to 127.0.0.1 port $DOWN"
check "https proxy URL refused" 2 env HTTPS_PROXY="https://127.0.0.1:$PX" $get $CA "$U"
contains "https proxy said" "$T_TMP/err" "only http:// proxies"
finish
