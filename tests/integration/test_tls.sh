#!/bin/sh
# test_tls.sh: iksctl's TLS layer (our mbedTLS configuration) against real
# OpenSSL servers (Python's ssl): RSA-2048 and ECDSA P-384 chains, each
# with TLS 1.3 and with TLS 1.2 forced; resumption; and each certificate
# failure said as such.
. tests/integration/lib.sh
C=$T_TMP/certs
sh tests/integration/certs.sh "$C"
probe=$TOOLS/tls_probe

# serve NAME CERT KEY MAXTLS: start a server; its port is in $T_TMP/NAME.
serve() {
	bg python3 tests/integration/tls_server.py --cert "$2" --key "$3" \
		--max-tls "$4" --port-file "$T_TMP/$1"
}
serve rsa13 "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.3
serve rsa12 "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.2
serve ec13 "$C/ec-chain.pem" "$C/ec-leaf.key" 1.3
serve ec12 "$C/ec-chain.pem" "$C/ec-leaf.key" 1.2
serve wrong "$C/wrong-host.pem" "$C/wrong-host.key" 1.3
serve expired "$C/expired.pem" "$C/expired.key" 1.3
serve self "$C/self.pem" "$C/self.key" 1.3
for s in rsa13 rsa12 ec13 ec12 wrong expired self; do
	wait_file "$T_TMP/$s" || { fail "server $s did not start"; finish; }
done
port() { cat "$T_TMP/$1"; }

for s in rsa13:TLSv1.3:rsa-root ec13:TLSv1.3:ec-root rsa12:TLSv1.2:rsa-root ec12:TLSv1.2:ec-root; do
	name=${s%%:*} rest=${s#*:} ver=${rest%%:*} root=${rest#*:}
	check "$name: verified handshake" 0 "$probe" 127.0.0.1 "$(port $name)" /x --cacert "$C/$root.pem"
	contains "$name: HTTP answer" "$T_TMP/out" "HTTP/1.1 200"
	contains "$name: $ver" "$T_TMP/out" "tls=$ver resumed=0"
	# The other chain's root must not do.
	other=ec-root
	[ "$root" = ec-root ] && other=rsa-root
	check "$name: other root refused" 4 "$probe" 127.0.0.1 "$(port $name)" /x --cacert "$C/$other.pem"
	contains "$name: unknown CA said" "$T_TMP/err" "unknown CA"
done

# A bundle with both roots among others, via SSL_CERT_FILE; and SSL_CERT_DIR.
cat /etc/ssl/certs/ca-certificates.crt "$C/roots.pem" > "$T_TMP/bundle.pem" 2>/dev/null ||
	cp "$C/roots.pem" "$T_TMP/bundle.pem"
check "SSL_CERT_FILE bundle" 0 env SSL_CERT_FILE="$T_TMP/bundle.pem" "$probe" 127.0.0.1 "$(port ec13)" /
mkdir -p "$T_TMP/cadir" && cp "$C/rsa-root.pem" "$T_TMP/cadir/a.pem"
check "SSL_CERT_DIR" 0 env SSL_CERT_DIR="$T_TMP/cadir" SSL_CERT_FILE= "$probe" 127.0.0.1 "$(port rsa13)" /
check "in-memory CA (cluster CA)" 0 "$probe" 127.0.0.1 "$(port rsa12)" / --ca-pem "$C/rsa-root.pem"
check "no trust anchors" 4 env SSL_CERT_FILE="$T_TMP/none.pem" "$probe" 127.0.0.1 "$(port rsa13)" /
contains "no trust anchors names SSL_CERT_FILE" "$T_TMP/err" "SSL_CERT_FILE"

# Resumption: the second connection offers the saved session.
for name in rsa13 ec12; do
	root=rsa-root
	[ "$name" = ec12 ] && root=ec-root
	rm -f "$T_TMP/sess"
	check "$name: first, session saved" 0 "$probe" 127.0.0.1 "$(port $name)" / --cacert "$C/$root.pem" --sess "$T_TMP/sess"
	check "$name: second run" 0 "$probe" 127.0.0.1 "$(port $name)" / --cacert "$C/$root.pem" --sess "$T_TMP/sess"
	contains "$name: resumed (client)" "$T_TMP/out" "resumed=1"
	last=$(tail -1 "$T_TMP/$name.log")
	case "$last" in *resumed=1) ok "$name: resumed (server)" ;; *) fail "$name: server says $last" ;; esac
done

# Certificate failures, each said.
check "wrong host" 4 "$probe" 127.0.0.1 "$(port wrong)" / --cacert "$C/rsa-root.pem"
contains "wrong host said" "$T_TMP/err" "certificate is not for 127.0.0.1"
check "expired" 4 "$probe" 127.0.0.1 "$(port expired)" / --cacert "$C/rsa-root.pem"
contains "expired said" "$T_TMP/err" "expired"
check "self-signed" 4 "$probe" 127.0.0.1 "$(port self)" / --cacert "$C/rsa-root.pem"
contains "self-signed said" "$T_TMP/err" "unknown CA"
check "--insecure accepts self-signed" 0 "$probe" 127.0.0.1 "$(port self)" / --insecure
contains "--insecure warns" "$T_TMP/err" "warning: --insecure"
finish
