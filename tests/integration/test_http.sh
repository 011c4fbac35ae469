#!/bin/sh
# test_http.sh: iksctl's HTTP client (tests/tools/http_get, built from
# src/) against a real nginx from Debian with TLS: keep-alive counted by
# nginx itself, chunked answers (SSI), large static files streamed in
# constant memory, a body over LIM_HTTP_BODY_BYTES, an idle connection
# closed by the server, the -v trace with its secrets redacted, and what
# loading Debian's CA bundle costs against a single root.
. tests/integration/lib.sh
C=$T_TMP/certs
N=$T_TMP/nginx
sh tests/integration/certs.sh "$C"
get=$TOOLS/http_get
helper="python3 tests/integration/net_helper.py"
mkdir -p "$N/www" "$N/tmp" "$N/logs"

# Files nginx serves: 1, 5 and 9 MB of random bytes, and an SSI page.
head -c 1048576 /dev/urandom > "$N/www/1m.bin"
head -c 5242880 /dev/urandom > "$N/www/5m.bin"
head -c 9437184 /dev/urandom > "$N/www/9m.bin"
{
	i=0
	while [ $i -lt 2000 ]; do
		echo "line $i of a page nginx sends chunked <!--# echo var=\"ssi_x\" -->"
		i=$((i + 1))
	done
} > "$N/www/page.html"

set -- $($helper ports 2)
P=$1 PIDLE=$2
cat > "$N/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 64; }
http {
	log_format conn '\$connection \$connection_requests \$status "\$request" \$body_bytes_sent';
	access_log $N/logs/access.log conn;
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	default_type application/octet-stream;
	ssl_certificate $C/rsa-chain.pem;
	ssl_certificate_key $C/rsa-leaf.key;
	ssl_protocols TLSv1.2 TLSv1.3;
	keepalive_requests 1000;
	server {
		listen 127.0.0.1:$P ssl;
		keepalive_timeout 60s;
		root $N/www;
		location = /small { return 200 "hello from nginx\n"; }
		location = /echo-post { return 200 "posted\n"; }
		location = /page.html { ssi on; set \$ssi_x "X"; }
	}
	server {
		listen 127.0.0.1:$PIDLE ssl;
		keepalive_timeout 1s;
		location = /small { return 200 "idle server\n"; }
	}
}
EOF
bg /usr/sbin/nginx -p "$N" -c "$N/nginx.conf" -e "$N/logs/error.log"
i=0
until [ -s "$N/nginx.pid" ] && $helper ports 0 >/dev/null &&
	curl -s --cacert "$C/rsa-root.pem" "https://127.0.0.1:$P/small?ready" >/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { fail "nginx did not start: $(cat "$N/logs/error.log")"; finish; }
	sleep 0.1
done
: > "$N/logs/access.log"
U=https://127.0.0.1:$P
CA="--cacert $C/rsa-root.pem"

# value KEY FILE: the value of KEY=... in the last line holding it.
value() { tr ' ' '\n' < "$2" | sed -n "s/^$1=//p" | tail -1; }

# Keep-alive: 10 requests, one connection, as nginx counts them.
check "10 GETs" 0 $get $CA --repeat 10 "$U/small"
[ "$(grep -c '^status=200 len=17 ' "$T_TMP/out")" = 10 ] && ok "10 answers of 17 bytes" ||
	fail "answers: $(head -3 "$T_TMP/out")"
contains "client opened one connection" "$T_TMP/out" "connects=1 handshakes=1 resumed=0 requests=10"
set -- $($helper conns "$N/logs/access.log")
[ "$1" = 1 ] && [ "$2" = 10 ] && ok "nginx saw 1 connection carrying 10 requests" ||
	fail "nginx saw $1 connections, at most $2 requests on one"

# Chunked: nginx sends SSI output chunked; the body matches curl's copy.
curl -s --cacert "$C/rsa-root.pem" "$U/page.html" > "$T_TMP/page.curl"
check "chunked page" 0 $get $CA -v --body "$U/page.html"
contains "nginx answered chunked" "$T_TMP/err" "< Transfer-Encoding: chunked"
sed -n '2,$p' "$T_TMP/out" | head -n 2000 > "$T_TMP/page.ours"
cmp -s "$T_TMP/page.ours" "$T_TMP/page.curl" && ok "chunked body decoded byte for byte" ||
	fail "chunked body differs from curl's ($(wc -c < "$T_TMP/page.ours") vs $(wc -c < "$T_TMP/page.curl") bytes)"
grep -q 'nginx sends chunked X$' "$T_TMP/page.curl" && ok "SSI ran (the page is generated)" ||
	fail "SSI did not run"
check "chunked page streamed" 0 $get $CA --sink "$U/page.html"
sum=$($helper fnv "$T_TMP/page.curl")
contains "streamed chunked sum" "$T_TMP/out" "len=$(wc -c < "$T_TMP/page.curl") sum=$sum"

# Large static files streamed to a sink; memory does not grow with size.
for f in 1m 5m; do
	check "$f streamed" 0 $get $CA --sink "$U/$f.bin"
	contains "$f length and checksum" "$T_TMP/out" \
		"status=200 len=$(wc -c < "$N/www/$f.bin") sum=$($helper fnv "$N/www/$f.bin")"
	eval "hwm_$f=$(value vmhwm_kb "$T_TMP/out")"
done
d=$((hwm_5m - hwm_1m))
echo "streaming peak memory (host ASan build): 1 MB body: ${hwm_1m} KB, 5 MB body: ${hwm_5m} KB"
[ "$d" -lt 256 ] && ok "5 MB body costs < 256 KB more than 1 MB ($d KB)" ||
	fail "5 MB body used $d KB more than 1 MB"
# The static build's figures, when `make TARGET=x86_64-linux-musl tools` ran.
musl=${IKSCTL_MUSL_TOOLS:-$PWD/build/x86_64-linux-musl/tools}/http_get
if [ -x "$musl" ]; then
	$musl $CA --sink "$U/5m.bin" > "$T_TMP/musl.out" 2>&1
	m5=$(value vmhwm_kb "$T_TMP/musl.out")
	$musl $CA --sink "$U/1m.bin" > "$T_TMP/musl.out" 2>&1
	m1=$(value vmhwm_kb "$T_TMP/musl.out")
	echo "streaming peak memory (static musl build): 1 MB body: $m1 KB, 5 MB body: $m5 KB"
	[ $((m5 - m1)) -lt 64 ] && [ "$m5" -lt 2048 ] && ok "static build streams 5 MB in $m5 KB" ||
		fail "static build: 1 MB $m1 KB, 5 MB $m5 KB"
fi

# Buffered (not streamed): 5 MB fits, 9 MB is over LIM_HTTP_BODY_BYTES.
check "5 MB buffered" 0 $get $CA "$U/5m.bin"
contains "5 MB buffered checksum" "$T_TMP/out" "sum=$($helper fnv "$N/www/5m.bin")"
check "9 MB buffered is too large" 1 $get $CA "$U/9m.bin"
contains "too large names the limit" "$T_TMP/err" "iksctl: response too large: response body of 9437184 bytes over LIM_HTTP_BODY_BYTES"
check "9 MB streamed is fine" 0 $get $CA --sink "$U/9m.bin"
contains "9 MB streamed checksum" "$T_TMP/out" "len=9437184 sum=$($helper fnv "$N/www/9m.bin")"

# After the too-large error the connection is dropped, the next call works.
check "error then success in one process" 1 $get $CA "$U/small" "$U/9m.bin"
contains "first answer before the error" "$T_TMP/out" "status=200 len=17"

# An idle connection the server closes (keepalive_timeout 1s) is noticed.
check "idle close: two GETs 2 s apart" 0 $get $CA --pause-ms 2000 "https://127.0.0.1:$PIDLE/small" "https://127.0.0.1:$PIDLE/small"
[ "$(grep -c '^status=200 len=12 ' "$T_TMP/out")" = 2 ] && ok "idle close: both answered" ||
	fail "idle close: $(cat "$T_TMP/out")"
contains "idle close: a second connection" "$T_TMP/out" "connects=2 "
contains "idle close: noticed before sending (stale=1, nothing resent)" "$T_TMP/out" "requests=2 stale=1 resent=0"
contains "idle close: the new connection resumed the TLS session" "$T_TMP/out" "handshakes=1 resumed=1"
check "no pause: one connection" 0 $get $CA "https://127.0.0.1:$PIDLE/small" "https://127.0.0.1:$PIDLE/small"
contains "no pause: reused" "$T_TMP/out" "connects=1 handshakes=1 resumed=0 requests=2 stale=0"

# The -v trace: request line, headers, status, timings, TLS; no secrets.
check "-v POST" 0 $get $CA -v -X POST \
	-H "Authorization: Bearer SECRET-ACCESS-1" -H "X-Auth-Refresh-Token: SECRET-REFRESH-2" \
	-H "Content-Type: application/x-www-form-urlencoded" \
	-d "grant_type=password&username=u&password=SECRET-PW-3&apikey=SECRET-KEY-4&passcode=SECRET-PC-5&refresh_token=SECRET-RT-6&cr_token=SECRET-CR-7" \
	"$U/echo-post"
for s in "> POST /echo-post HTTP/1.1" "> Host: 127.0.0.1:$P" "> User-Agent: iksctl/" \
	"> Authorization: [redacted]" "> X-Auth-Refresh-Token: [redacted]" "> Content-Length: " \
	"password=[redacted]" "apikey=[redacted]" "passcode=[redacted]" "refresh_token=[redacted]" \
	"cr_token=[redacted]" "username=u" "< HTTP/1.1 200 OK" "< Server: nginx" \
	"* connected to 127.0.0.1:$P in " "TLSv1.3, full handshake" "* 200 after "; do
	contains "trace: $s" "$T_TMP/err" "$s"
done
grep -q SECRET "$T_TMP/err" "$T_TMP/out" && fail "a secret appears in the trace" || ok "no secret in the trace"

# What the trust store costs: Debian's bundle (plus the test root) against
# a single root, each in 5 fresh processes (static build if there is one).
cat /etc/ssl/certs/ca-certificates.crt "$C/rsa-root.pem" > "$T_TMP/bundle.pem"
nb=$(grep -c 'BEGIN CERTIFICATE' "$T_TMP/bundle.pem")
tool=$get
[ -x "$musl" ] && tool=$musl
cost() { # cost LABEL ARGS...: sum connect_ms over 5 runs, last VmHWM.
	_l=$1
	shift
	_ms=0
	for _i in 1 2 3 4 5; do
		"$@" "$U/small" > "$T_TMP/cost.out" 2> "$T_TMP/cost.err" || { fail "$_l: $(cat "$T_TMP/cost.err")"; return; }
		_ms=$((_ms + $(value connect_ms "$T_TMP/cost.out")))
	done
	eval "${_l}_ms=$_ms ${_l}_kb=$(value vmhwm_kb "$T_TMP/cost.out")"
	eval "${_l}_dec=$(value decoded "$T_TMP/cost.out") ${_l}_look=$(value lookups "$T_TMP/cost.out")"
}
cost bundle env SSL_CERT_FILE="$T_TMP/bundle.pem" $tool
cost single $tool --cacert "$C/rsa-root.pem"
echo "bundle ($nb roots): $((bundle_ms / 5)) ms per connect+handshake, VmHWM $bundle_kb KB, $bundle_dec blocks decoded in $bundle_look lookups; single root: $((single_ms / 5)) ms, VmHWM $single_kb KB ($(basename "$(dirname "$(dirname "$tool")")") build)"
[ "$bundle_dec" -le $((nb + 2)) ] && ok "bundle: each root decoded once per process (index), not once per chain level" ||
	fail "bundle: $bundle_dec blocks decoded for $nb roots"
[ $((bundle_kb - single_kb)) -lt 512 ] && ok "bundle costs < 512 KB more memory ($((bundle_kb - single_kb)) KB)" ||
	fail "bundle costs $((bundle_kb - single_kb)) KB more"
# Several hosts in one process: the index makes later lookups cheap.
cost multi env SSL_CERT_FILE="$T_TMP/bundle.pem" $tool "https://127.0.0.1:$PIDLE/small" "https://localhost:$P/small"
[ "$multi_dec" -le $((nb + 6)) ] && ok "3 hosts, $multi_look lookups, $multi_dec blocks decoded" ||
	fail "3 hosts: $multi_dec blocks decoded in $multi_look lookups"
finish
