#!/bin/sh
# certs.sh DIR: make throwaway test certificates with the openssl command.
#   rsa-root.pem   RSA-2048 root; rsa-int.pem intermediate; rsa-leaf.*
#                  (127.0.0.1, localhost) with rsa-chain.pem = leaf + int
#   ec-root.pem    ECDSA P-384 root; ec-leaf.* (P-384 leaf, 127.0.0.1)
#   wrong-host.*   signed by the RSA root, for another host name only
#   expired.*      signed by the RSA root, expired in 2020
#   future.*       signed by the RSA root, valid from 2030-01-01 only
#   self.*         self-signed (no CA knows it)
# certs.sh DIR odd: also (test_tls.sh; the DSA parameters take a while)
#   ed25519.*, dsa.*  leaves with keys iksctl does not take (RSA root)
#   by-ed25519.pem     RSA leaf (rsa-leaf.key) signed by an Ed25519 root, + it
#   by-p521.pem        RSA leaf (rsa-leaf.key) signed by a P-521 root, + it
# Nothing here is secret: the keys exist only for the test run.
set -eu
d=$1
mkdir -p "$d"
cd "$d"
q() { "$@" > /dev/null 2>&1; }

san="subjectAltName=IP:127.0.0.1,DNS:localhost"
ca_ext="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign"
printf '%s\n' "$ca_ext" > ca.ext
printf '%s\n' "$san" "basicConstraints=CA:FALSE" > leaf.ext
printf '%s\n' "subjectAltName=DNS:wrong.example.com" "basicConstraints=CA:FALSE" > wrong.ext

# RSA chain: root -> intermediate -> leaf.
q openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa-root.key -out rsa-root.pem \
	-days 30 -subj "/CN=iksctl test RSA root" -addext "$(head -1 ca.ext)" \
	-addext "keyUsage=critical,keyCertSign,cRLSign"
q openssl req -newkey rsa:2048 -nodes -keyout rsa-int.key -out rsa-int.csr \
	-subj "/CN=iksctl test RSA intermediate"
q openssl x509 -req -in rsa-int.csr -CA rsa-root.pem -CAkey rsa-root.key \
	-CAcreateserial -out rsa-int.pem -days 30 -extfile ca.ext
q openssl req -newkey rsa:2048 -nodes -keyout rsa-leaf.key -out rsa-leaf.csr \
	-subj "/CN=127.0.0.1"
q openssl x509 -req -in rsa-leaf.csr -CA rsa-int.pem -CAkey rsa-int.key \
	-CAcreateserial -out rsa-leaf.pem -days 30 -extfile leaf.ext
cat rsa-leaf.pem rsa-int.pem > rsa-chain.pem

# ECDSA P-384 chain, as IAM's (DigiCert Global Root G3).
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	-keyout ec-root.key -out ec-root.pem -days 30 -subj "/CN=iksctl test EC root" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign"
q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
	-keyout ec-leaf.key -out ec-leaf.csr -subj "/CN=127.0.0.1"
q openssl x509 -req -in ec-leaf.csr -CA ec-root.pem -CAkey ec-root.key \
	-CAcreateserial -out ec-leaf.pem -days 30 -extfile leaf.ext -sha384
cp ec-leaf.pem ec-chain.pem

# Wrong host: a good chain for another name.
q openssl req -newkey rsa:2048 -nodes -keyout wrong-host.key -out wrong.csr \
	-subj "/CN=wrong.example.com"
q openssl x509 -req -in wrong.csr -CA rsa-root.pem -CAkey rsa-root.key \
	-CAcreateserial -out wrong-host.pem -days 30 -extfile wrong.ext

# Expired: openssl ca can set explicit dates in the past.
mkdir -p ca-db
: > ca-db/index.txt
echo 1000 > ca-db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
q openssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr \
	-subj "/CN=127.0.0.1" -addext "$san"
q openssl ca -batch -config ca.cnf -cert rsa-root.pem -keyfile rsa-root.key \
	-in expired.csr -out expired.pem -startdate 20200101000000Z \
	-enddate 20200201000000Z -notext
q openssl req -newkey rsa:2048 -nodes -keyout future.key -out future.csr \
	-subj "/CN=127.0.0.1 (valid from 2030)" -addext "$san"
q openssl ca -batch -config ca.cnf -cert rsa-root.pem -keyfile rsa-root.key \
	-in future.csr -out future.pem -startdate 20300101000000Z \
	-enddate 20310101000000Z -notext

# Self-signed leaf.
q openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem \
	-days 30 -subj "/CN=127.0.0.1" -addext "$san"

cat rsa-root.pem ec-root.pem > roots.pem
[ "${2:-}" = odd ] || exit 0

# Keys and signatures iksctl does not take: Ed25519 and DSA leaves; the
# RSA leaf's key under a root that signs with Ed25519, and under one whose
# key is on P-521 (each chain sent with its root).
q openssl req -newkey ed25519 -nodes -keyout ed25519.key -out ed25519.csr \
	-subj "/CN=127.0.0.1"
q openssl x509 -req -in ed25519.csr -CA rsa-root.pem -CAkey rsa-root.key \
	-CAcreateserial -out ed25519.pem -days 30 -extfile leaf.ext
q openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 \
	-out dsa-param.pem
q openssl req -newkey dsa:dsa-param.pem -nodes -keyout dsa.key -out dsa.csr \
	-subj "/CN=127.0.0.1"
q openssl x509 -req -in dsa.csr -CA rsa-root.pem -CAkey rsa-root.key \
	-CAcreateserial -out dsa.pem -days 30 -extfile leaf.ext
for k in ed25519 p521; do
	case $k in
	ed25519) alg="-newkey ed25519" ;;
	p521) alg="-newkey ec -pkeyopt ec_paramgen_curve:P-521" ;;
	esac
	# shellcheck disable=SC2086
	q openssl req -x509 $alg -nodes -keyout "$k-root.key" -out "$k-root.pem" \
		-days 30 -subj "/CN=iksctl test $k root" -addext "$(head -1 ca.ext)" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
	q openssl x509 -req -in rsa-leaf.csr -CA "$k-root.pem" -CAkey "$k-root.key" \
		-CAcreateserial -out "by-$k-leaf.pem" -days 30 -extfile leaf.ext
	cat "by-$k-leaf.pem" "$k-root.pem" > "by-$k.pem"
done

