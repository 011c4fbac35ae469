#!/bin/sh
# test_tls.sh: iksctl's TLS layer (our mbedTLS configuration) against real
# OpenSSL servers (Python's ssl): RSA-2048 and ECDSA P-384 chains, each
# with TLS 1.3 and with TLS 1.2 forced; resumption; each certificate
# failure said as such; and each handshake refused for a cause the user
# can act on (no TLS version, cipher suite or key type in common, a chain
# we cannot verify, a client certificate required) said in words.
. tests/integration/lib.sh
C=$T_TMP/certs
sh tests/integration/certs.sh "$C" odd
probe=$TOOLS/tls_probe

# serve NAME CERT KEY MAXTLS [ARGS]: start a server; its port is in $T_TMP/NAME.
serve() {
	n=$1 cert=$2 key=$3 max=$4
	shift 4
	bg python3 -W ignore tests/integration/tls_server.py --cert "$cert" --key "$key" \
		--max-tls "$max" --port-file "$T_TMP/$n" "$@"
}
serve rsa13 "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.3
serve rsa12 "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.2
serve ec13 "$C/ec-chain.pem" "$C/ec-leaf.key" 1.3
serve ec12 "$C/ec-chain.pem" "$C/ec-leaf.key" 1.2
serve wrong "$C/wrong-host.pem" "$C/wrong-host.key" 1.3
serve expired "$C/expired.pem" "$C/expired.key" 1.3
serve self "$C/self.pem" "$C/self.key" 1.3
# Servers iksctl cannot agree with, each for one cause.
serve old "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.1 --min-tls 1.0
serve cbc "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.2 --ciphers ECDHE-RSA-AES128-SHA
serve dsa "$C/dsa.pem" "$C/dsa.key" 1.2 --ciphers 'DHE-DSS-AES128-GCM-SHA256:@SECLEVEL=0'
serve ed25519 "$C/ed25519.pem" "$C/ed25519.key" 1.3
serve byed "$C/by-ed25519.pem" "$C/rsa-leaf.key" 1.3
serve byp521 "$C/by-p521.pem" "$C/rsa-leaf.key" 1.2
serve cc13 "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.3 --client-ca "$C/rsa-root.pem"
serve cc12 "$C/rsa-chain.pem" "$C/rsa-leaf.key" 1.2 --client-ca "$C/rsa-root.pem"
for s in rsa13 rsa12 ec13 ec12 wrong expired self old cbc dsa ed25519 byed byp521 cc13 cc12; do
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

# Handshakes refused, each cause said (not mbedTLS's -0x7780), exit 4.
# refused NAME WORDS: the probe fails with exit 4 and one line holding WORDS.
refused() {
	check "$1: refused" 4 "$probe" 127.0.0.1 "$(port "$1")" / --cacert "$C/rsa-root.pem"
	contains "$1: $2" "$T_TMP/err" "$2"
	if grep -q -- '-0x' "$T_TMP/err" || [ "$(wc -l < "$T_TMP/err")" -ne 1 ]; then
		fail "$1: not one line in words: $(cat "$T_TMP/err")"
	else
		ok "$1: one line, no mbedTLS code"
	fi
}
refused old "no TLS version in common"
refused cbc "no cipher suite or certificate key type in common"
refused dsa "no cipher suite or certificate key type in common"
refused ed25519 "no cipher suite or certificate key type in common"
refused byed "signed with an algorithm iksctl does not support"
refused byp521 "has a key type iksctl does not support"
refused cc13 "the server requires a client certificate"
refused cc12 "the server requires a client certificate"
# The same words in iksctl's own one-line error: login, exit 4.
printf 'fake-api-key-for-tests\n' > "$T_TMP/key"
chmod 600 "$T_TMP/key"
for s in "old:login: 127.0.0.1: no TLS version in common" \
	"cc13:login: receiving: the server requires a client certificate"; do
	n=${s%%:*}
	check "iksctl login, $n: exit 4" 4 env IKSCTL_HOME="$T_TMP/home" \
		IBMCLOUD_IAM_API_ENDPOINT="https://127.0.0.1:$(port "$n")" \
		SSL_CERT_FILE="$C/rsa-root.pem" "$IKSCTL" login --apikey "@$T_TMP/key"
	contains "iksctl login, $n: said" "$T_TMP/err" "iksctl: ${s#*:}"
done
finish
