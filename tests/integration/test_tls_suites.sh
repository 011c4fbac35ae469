#!/bin/sh
# test_tls_suites.sh: the ciphersuite each target's build negotiates with
# real OpenSSL servers (tls_server.py), and that bulk records decrypt on
# each code path (issue 16, points 4 and 5).  Runs each target's
# tls_probe: x86_64 natively and under qemu-x86_64 with CPU models with
# AES-NI (max) and without (qemu64: the plain-C fallback); aarch64 under
# qemu-aarch64 (max, cortex-a72: the crypto extensions; qemu 7.2 has no
# model without them, so --no-hwaes makes iksctl's detection and
# mbedTLS's both say no, as on a Raspberry Pi 4); armv7 under qemu-arm.
#
# Expected: AES-256-GCM first with AES instructions; ChaCha20-Poly1305
# first without them on aarch64 and always on armv7; no ChaCha20 at all
# on x86_64; AES-GCM still negotiated everywhere with a server that
# offers nothing else.
. tests/integration/lib.sh
C=$T_TMP/certs
sh tests/integration/certs.sh "$C"
B=$PWD/build
X86=$B/x86_64-linux-musl/tools/tls_probe
A64=$B/aarch64-linux-musl/tools/tls_probe
A32=$B/armv7-linux-musleabihf/tools/tls_probe
for p in "$X86" "$A64" "$A32"; do
	[ -x "$p" ] || { fail "$p missing (make TARGET=... tools)"; finish; }
done

# TLS 1.3 suites are set through OpenSSL's configuration (Python's ssl
# has no call for them); TLS 1.2 ones with --ciphers.
conf() {
	printf 'openssl_conf = oi\n[oi]\nssl_conf = ss\n[ss]\nsystem_default = sd\n[sd]\nCiphersuites = %s\n' \
		"$2" > "$T_TMP/$1.cnf"
}
conf aes TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384
conf chacha TLS_CHACHA20_POLY1305_SHA256
# serve NAME CHAIN MAXTLS PREFER [OPENSSL_CONF CIPHERS]: a server; port in $T_TMP/NAME.
serve() {
	if [ -n "${5:-}" ]; then
		bg env OPENSSL_CONF="$T_TMP/$5.cnf" python3 tests/integration/tls_server.py \
			--cert "$C/$2-chain.pem" --key "$C/$2-leaf.key" --max-tls "$3" \
			--prefer "$4" --ciphers "$6" --port-file "$T_TMP/$1"
	else
		bg python3 tests/integration/tls_server.py --cert "$C/$2-chain.pem" \
			--key "$C/$2-leaf.key" --max-tls "$3" --prefer "$4" --port-file "$T_TMP/$1"
	fi
}
serve c13 rsa 1.3 client
serve c12 rsa 1.2 client
serve e12 ec 1.2 client
serve p13 rsa 1.3 chacha
serve s13 rsa 1.3 server
serve aes13 rsa 1.3 client aes ECDHE+AESGCM
serve aes12 ec 1.2 client aes ECDHE+AESGCM
serve cc13 rsa 1.3 client chacha ECDHE+CHACHA20
serve cc12 rsa 1.2 client chacha ECDHE+CHACHA20
for s in c13 c12 e12 p13 s13 aes13 aes12 cc13 cc12; do
	wait_file "$T_TMP/$s" || { fail "server $s did not start"; finish; }
done

A256=TLS1-3-AES-256-GCM-SHA384
A128=TLS1-3-AES-128-GCM-SHA256
CC=TLS1-3-CHACHA20-POLY1305-SHA256
RA256=TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384
EA256=TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384
EA128=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256
RCC=TLS-ECDHE-RSA-WITH-CHACHA20-POLY1305-SHA256
ECC=TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256
BIG=1048576

# probe LABEL SERVER SUITE HW RUNNER...: one connection to SERVER through
# RUNNER (a tls_probe command line, with $EXTRA appended); the suite
# negotiated, the detection (hwaes=HW), the server's own log agreeing,
# and a 1 MiB answer decrypted whole.
probe() {
	_l=$1 _s=$2 _want=$3 _hw=$4
	shift 4
	_root=rsa-root
	case $_s in e12 | aes12) _root=ec-root ;; esac
	check "$_l: $_s: handshake" 0 "$@" 127.0.0.1 "$(cat "$T_TMP/$_s")" /bytes/$BIG \
		--cacert "$C/$_root.pem" $EXTRA
	contains "$_l: $_s: $_want" "$T_TMP/out" "suite=$_want hwaes=$_hw"
	# HTTP head (about 100 bytes) plus the body.
	_n=$(sed -n 's/^read=//p' "$T_TMP/out")
	if [ -n "$_n" ] && [ "$_n" -gt $BIG ] && [ "$_n" -lt $((BIG + 400)) ]; then
		ok "$_l: $_s: 1 MiB decrypted"
	else
		fail "$_l: $_s: read ${_n:-nothing}, want $BIG bytes and a head"
	fi
}
# refused LABEL SERVER RUNNER...: no suite in common: the handshake fails.
refused() {
	_l=$1 _s=$2
	shift 2
	check "$_l: $_s: no common suite, refused" 4 "$@" 127.0.0.1 "$(cat "$T_TMP/$_s")" / \
		--cacert "$C/rsa-root.pem" $EXTRA
}

# x86_64 with AES-NI (this machine has it, as every x86_64 CI host does).
EXTRA=
grep -qw aes /proc/cpuinfo || fail "this machine has no AES-NI: x86_64 hardware path untested"
for r in native qemu-max; do
	case $r in native) set -- "$X86" ;; *) set -- qemu-x86_64-static -cpu max "$X86" ;; esac
	probe "x86_64 $r" c13 $A256 1 "$@"
	probe "x86_64 $r" c12 $RA256 1 "$@"
	probe "x86_64 $r" e12 $EA256 1 "$@"
	probe "x86_64 $r" p13 $A256 1 "$@"
	probe "x86_64 $r" aes13 $A256 1 "$@"
	refused "x86_64 $r" cc13 "$@"
	refused "x86_64 $r" cc12 "$@"
done
# x86_64 without AES-NI: the same order, in plain C.
set -- qemu-x86_64-static -cpu qemu64 "$X86"
probe "x86_64 qemu64" c13 $A256 0 "$@"
probe "x86_64 qemu64" e12 $EA256 0 "$@"
probe "x86_64 qemu64" aes12 $EA256 0 "$@"

# aarch64 with the crypto extensions.
for cpu in max cortex-a72; do
	set -- env QEMU_CPU=$cpu qemu-aarch64-static "$A64"
	probe "aarch64 $cpu" c13 $A256 1 "$@"
	probe "aarch64 $cpu" c12 $RA256 1 "$@"
	probe "aarch64 $cpu" e12 $EA256 1 "$@"
	probe "aarch64 $cpu" p13 $A256 1 "$@"
	probe "aarch64 $cpu" cc13 $CC 1 "$@"
	probe "aarch64 $cpu" cc12 $RCC 1 "$@"
done
# aarch64 without them: ChaCha20 first; AES-GCM in plain C when it is all.
EXTRA=--no-hwaes
set -- env QEMU_CPU=cortex-a72 qemu-aarch64-static "$A64"
probe "aarch64 no-hwaes" c13 $CC 0 "$@"
probe "aarch64 no-hwaes" c12 $RCC 0 "$@"
probe "aarch64 no-hwaes" e12 $ECC 0 "$@"
probe "aarch64 no-hwaes" p13 $CC 0 "$@"
probe "aarch64 no-hwaes" aes13 $A128 0 "$@"
probe "aarch64 no-hwaes" aes12 $EA128 0 "$@"
EXTRA=

# armv7: no AES instructions in the build, whatever the CPU.
for cpu in cortex-a15 max; do
	set -- env QEMU_CPU=$cpu qemu-arm-static "$A32"
	probe "armv7 $cpu" c13 $CC 0 "$@"
	probe "armv7 $cpu" c12 $RCC 0 "$@"
	probe "armv7 $cpu" e12 $ECC 0 "$@"
	probe "armv7 $cpu" p13 $CC 0 "$@"
done
set -- env QEMU_CPU=cortex-a15 qemu-arm-static "$A32"
probe "armv7" aes13 $A128 0 "$@"
probe "armv7" aes12 $EA128 0 "$@"
# A server that imposes its own order (OpenSSL's: AES-256-GCM) wins.
probe "armv7" s13 $A256 0 "$@"

# The servers' side of it: what OpenSSL logged for the last connections.
contains "server c13 saw ChaCha20 (armv7)" "$T_TMP/c13.log" "cipher=TLS_CHACHA20_POLY1305_SHA256"
contains "server c13 saw AES-256-GCM (x86_64)" "$T_TMP/c13.log" "cipher=TLS_AES_256_GCM_SHA384"
contains "server aes12 saw AES-128-GCM (armv7)" "$T_TMP/aes12.log" "cipher=ECDHE-ECDSA-AES128-GCM-SHA256"
finish
