#!/bin/sh
# test_tls_confusion.sh: Mbed TLS CVE-2026-115490 (TLS version confusion).
# A hostile server (tls_confusion_server.py, raw sockets) answers our
# ClientHello, which offers TLS 1.3 and 1.2, with a ServerHello of
# legacy_version 0x0304, suite 0x1301 and no supported_versions.  The
# client must abort at once with a fatal protocol_version alert (70) and
# exit 4 with one clear line.  Unpatched 3.6.7 goes on instead: it waits
# for the next TLS 1.3 message until its timeout, and parses a TLS 1.3
# Certificate sent in the clear (an untrusted one is reported as such).
. tests/integration/lib.sh
C=$T_TMP/certs
sh tests/integration/certs.sh "$C"
export IKSCTL_HOME=$T_TMP/home SSL_CERT_FILE=$C/rsa-root.pem

now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# attack NAME [SERVER ARGS]: start a server, run iksctl versions against it;
# its log is $T_TMP/NAME.log, the run's duration in ms is $T_MS.
attack() {
	_n=$1
	shift
	bg python3 tests/integration/tls_confusion_server.py --port-file "$T_TMP/$_n" "$@"
	wait_file "$T_TMP/$_n" || { fail "$_n: server did not start"; finish; }
	_t0=$(now_ms)
	check "$_n: exit 4" 4 env IBMCLOUD_CS_API_ENDPOINT="https://127.0.0.1:$(cat "$T_TMP/$_n")" \
		"$IKSCTL" versions --timeout 5
	T_MS=$(($(now_ms) - _t0))
	# The server logs the client's close within 50 ms.
	i=0
	while ! grep -q -e eof -e quiet -e error "$T_TMP/$_n.log" 2>/dev/null && [ $i -lt 40 ]; do
		i=$((i + 1))
		sleep 0.05
	done
}

# after_hello NAME: the first thing the client did after the ServerHello.
after_hello() { sed -n '/^serverhello sent/{n;p;q;}' "$T_TMP/$1.log"; }

# aborted NAME: the client answered the ServerHello with a fatal
# protocol_version alert within 1 s, and said why in one line.
aborted() {
	first=$(after_hello "$1")
	case "$first" in
	*" alert level=2 desc=70 raw=15030300020246") ok "$1: fatal protocol_version alert" ;;
	*) fail "$1: after the ServerHello the client did: '${first:-nothing}'" ;;
	esac
	t=$(echo "$first" | sed -n 's/^+\([0-9.]*\) .*/\1/p')
	case "$t" in
	0.*) ok "$1: alert within 1 s (+$t s)" ;;
	*) fail "$1: alert at '+$t' s" ;;
	esac
	[ "$T_MS" -lt 2000 ] && ok "$1: iksctl done in $T_MS ms" ||
		fail "$1: iksctl took $T_MS ms (a timeout, not an abort)"
	eq "$1: one line on stderr" "$(wc -l < "$T_TMP/err" | tr -d ' ')" 1
	contains "$1: says why" "$T_TMP/err" \
		"TLS handshake failed: the server chose TLS 1.3 without the supported_versions extension or with a bad legacy_version"
}

# 1. ServerHello only: the client must not wait for what comes next.
attack hello --follow none
grep -q '^hello offered=0304,0303 ' "$T_TMP/hello.log" &&
	ok "hello: the client offers TLS 1.3 and 1.2" ||
	fail "hello: offered $(head -1 "$T_TMP/hello.log")"
aborted hello

# 2. Then a TLS 1.3 Certificate in the clear, of a chain the client trusts:
# it must not be read (unpatched: accepted, then a wait for CertificateVerify).
attack trusted --follow cert --cert "$C/rsa-chain.pem"
aborted trusted

# 3. The same with a certificate no CA knows: the error is the version,
# not the certificate (unpatched: "unknown CA", alert 48).
attack untrusted --follow cert --cert "$C/self.pem"
aborted untrusted
if grep -q "unknown CA" "$T_TMP/err"; then
	fail "untrusted: the certificate after the bad ServerHello was parsed"
else
	ok "untrusted: the certificate was never parsed"
fi
finish
