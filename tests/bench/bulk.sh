#!/bin/sh
# bulk.sh IKSCTL OUT: bulk TLS (issue 16, point 4).  The 6 MB cluster
# list (the emulator's --big-clusters) and the 20 MB pod list of a master
# (--pods 5000), `iksctl clusters -o json` and `iksctl kube C /api/v1/pods
# -o json` against curl in the same run, runs alternating: user CPU,
# wall and peak RSS (/usr/bin/time), medians.  Then answers of any size:
# `clusters -q`, `kube -q` over the pod list and the `clusters` table,
# peak RSS and lines printed (a failure of iksctl is a row with its
# error line, not the end of the bench).  Then the ciphersuite each
# target's build negotiates, under qemu for the ARM builds with a CPU
# model with the crypto extensions and without (qemu 7.2 has no aarch64
# model without them: that case is tls_probe --no-hwaes, which makes
# iksctl's detection and mbedTLS's both answer no), against a server
# that takes the client's order, one that prefers ChaCha20 when the
# client lists it first (OpenSSL's PRIORITIZE_CHACHA) and the emulator
# (OpenSSL's own order).  Prints a Markdown section and appends it to
# OUT.  Part of `make bench` (tests/bench/run.sh), not of `make test`.
set -u
IK=$1
OUT=$2
N=${BENCH_BULK_RUNS:-7}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/iksctl-bench-bulk.XXXXXX")
PIDS=""
trap 'sh tests/emulator/emu.sh stop "$TMP/emu" > /dev/null 2>&1; for p in $PIDS; do kill "$p" 2> /dev/null; done; rm -rf "$TMP"' EXIT

sh tests/emulator/emu.sh start "$TMP/emu" --big-clusters --pods 5000 > "$TMP/emu.start" 2>&1 || {
	cat "$TMP/emu.start" >&2
	exit 1
}
set -a
. "$TMP/emu/env"
set +a
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy CURL_CA_BUNDLE SSL_CERT_DIR
export NO_PROXY=127.0.0.1 IKSCTL_HOME=$TMP/home SSL_CERT_FILE=$EMU_CA_FILE
(umask 077 && printf '%s\n' "$EMU_APIKEY" > "$TMP/key")
"$IK" login --apikey "@$TMP/key" --region "$EMU_REGION" > /dev/null 2>&1 || {
	echo "bulk.sh: login failed" >&2
	exit 1
}
tok=$("$IK" token) || exit 1
# The master of EMU_CLUSTER for curl: its URL (cluster get), its CA (the
# kubeconfig of cluster config), a Kubernetes id_token (kube-credential).
murl=$("$IK" cluster get "$EMU_CLUSTER" -o json |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["masterURL"])') || {
	echo "bulk.sh: cluster get failed" >&2
	exit 1
}
"$IK" cluster config "$EMU_CLUSTER" --kubeconfig "$TMP/kubeconfig" > /dev/null 2>&1 || {
	echo "bulk.sh: cluster config failed" >&2
	exit 1
}
sed -n 's/^ *certificate-authority-data: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$TMP/kubeconfig" | head -1 |
	base64 -d > "$TMP/master-ca.pem" || exit 1
ktok=$("$IK" kube-credential --cluster "$EMU_CLUSTER_ID" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])') || {
	echo "bulk.sh: kube-credential failed" >&2
	exit 1
}

# one TOOL: a timed run; appends "user wall rss bytes" to $TMP/TOOL, or,
# if it fails, its last error line to $TMP/TOOL.failed (returns 1).
one() {
	case $1 in
	iksctl) set -- "$1" "$IK" clusters -o json ;;
	curl) set -- "$1" curl -sS --fail-with-body --cacert "$EMU_CA_FILE" \
		-H "Authorization: Bearer $tok" -H "X-Region: $EMU_REGION" \
		"$IBMCLOUD_CS_API_ENDPOINT/v1/clusters" ;;
	kube-iksctl) set -- "$1" "$IK" kube "$EMU_CLUSTER" /api/v1/pods -o json ;;
	kube-curl) set -- "$1" curl -sS --fail-with-body --cacert "$TMP/master-ca.pem" \
		-H "Authorization: Bearer $ktok" "$murl/api/v1/pods" ;;
	clusters-q) set -- "$1" "$IK" clusters -q '.[].name' ;;
	kube-q) set -- "$1" "$IK" kube "$EMU_CLUSTER" /api/v1/pods -q '.items[].metadata.name' ;;
	clusters-table) set -- "$1" "$IK" clusters ;;
	esac
	t=$1
	shift
	python3 "$TMP/rusage.py" "$TMP/time" "$@" > "$TMP/body.$t" 2> "$TMP/err.$t" || {
		rc=$?
		echo "exit $rc: $(tail -1 "$TMP/err.$t")" > "$TMP/$t.failed"
		echo "bulk.sh: $t failed: $(cat "$TMP/$t.failed")" >&2
		return 1
	}
	echo "$(cat "$TMP/time") $(wc -c < "$TMP/body.$t") $(wc -l < "$TMP/body.$t")" >> "$TMP/$t"
}
# rusage.py OUT CMD...: CMD's user CPU and wall in seconds (to the
# millisecond; /usr/bin/time rounds to 10 ms) and its peak RSS in KiB
# (from /usr/bin/time: a child of Python counts Python's pages until it
# execs, /usr/bin/time's child does not).
cat > "$TMP/rusage.py" << 'EOF'
import resource, subprocess, sys, time
rf = sys.argv[1] + ".rss"
t0 = time.perf_counter()
rc = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", rf] + sys.argv[2:])
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
rss = open(rf).read().split()[-1]
open(sys.argv[1], "w").write("%.3f %.3f %s\n" % (ru.ru_utime, wall, rss))
sys.exit(rc)
EOF
one iksctl       # warm-up: token and TLS session cached, as for a user
one kube-iksctl  # the same for the master (and the emulator builds its pod list)
for t in iksctl curl kube-iksctl kube-curl; do : > "$TMP/$t"; rm -f "$TMP/$t.failed"; done
i=0
while [ $i -lt "$N" ]; do
	one iksctl
	one curl
	one kube-iksctl
	one kube-curl
	i=$((i + 1))
done
for t in curl kube-curl; do
	[ -s "$TMP/$t" ] || { echo "bulk.sh: $t failed every run: $(cat "$TMP/$t.failed")" >&2; exit 1; }
done
# Answers of any size: peak RSS and lines out, 3 runs each, medians.
for t in clusters-q kube-q clusters-table; do
	: > "$TMP/$t"
	rm -f "$TMP/$t.failed"
	for i in 1 2 3; do one "$t"; done
done
# med FILE COLUMN: the median of a column.
med() {
	[ -s "$1" ] || { echo "-"; return; }
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# cells TOOL: the cells of a timed row, or a failure across them.
cells() {
	if [ -s "$TMP/$1" ]; then
		echo "$(med "$TMP/$1" 1) | $(med "$TMP/$1" 2) | $(med "$TMP/$1" 3) | $(med "$TMP/$1" 4)"
	else
		echo "failed: \`$(sed 's/|/\\|/g; s/`/'"'"'/g' "$TMP/$1.failed")\` | - | - | -"
	fi
}
nclusters=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/body.curl")
npods=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$TMP/body.kube-curl")
# ratio A B: user CPU of A over B's.
ratio() {
	[ -s "$TMP/$1" ] && [ -s "$TMP/$2" ] || { echo "(a failed run)"; return; }
	awk -v a="$(med "$TMP/$1" 1)" -v b="$(med "$TMP/$2" 1)" \
		'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "(curl under 1 ms)" }'
}
# arow TOOL LABEL ANSWER: a row of the any-size table.
arow() {
	if [ -s "$TMP/$1" ]; then
		echo "| $2 | $3 | $(med "$TMP/$1" 1) | $(med "$TMP/$1" 2) | $(med "$TMP/$1" 3) | $(med "$TMP/$1" 5) |"
	else
		echo "| $2 | $3 | failed: \`$(sed 's/|/\\|/g; s/`/'"'"'/g' "$TMP/$1.failed")\` | - | - | - |"
	fi
}
cipher=$(grep '"event": *"conn"' "$TMP/emu/log.jsonl" | grep '"service": *"cs"' | tail -1 |
	sed -n 's/.*"cipher": *"\([^"]*\)".*/\1/p')

{
	echo
	echo "## Bulk TLS: the 6 MB cluster list"
	echo
	echo "The emulator with \`--big-clusters\` ($(med "$TMP/curl" 4) bytes from curl);"
	echo "\`iksctl clusters -o json\` against curl, $N runs each, alternating, after one"
	echo "warm-up (cached token and TLS session); medians.  Negotiated with the"
	echo "emulator (OpenSSL's order): \`$cipher\`."
	echo
	echo "| tool | user CPU (s) | wall (s) | peak RSS (KiB) | bytes out |"
	echo "|---|---|---|---|---|"
	for t in iksctl curl; do
		echo "| $t | $(cells "$t") |"
	done
	echo
	echo "User CPU, iksctl over curl: $(ratio iksctl curl)."
	echo
	echo "## Bulk TLS: the 20 MB pod list of a master"
	echo
	echo "The emulator with \`--pods 5000\` ($npods pods, $(med "$TMP/kube-curl" 4) bytes from curl, sent"
	echo "chunked, one chunk per item); \`iksctl kube $EMU_CLUSTER /api/v1/pods -o json\` against"
	echo "curl with the master's CA and a Kubernetes id_token, in the same runs as above."
	echo
	echo "| tool | user CPU (s) | wall (s) | peak RSS (KiB) | bytes out |"
	echo "|---|---|---|---|---|"
	echo "| iksctl kube | $(cells kube-iksctl) |"
	echo "| curl | $(cells kube-curl) |"
	echo
	echo "User CPU, iksctl over curl: $(ratio kube-iksctl kube-curl)."
	echo
	echo "### Answers of any size: tables and \`-q\` in bounded memory"
	echo
	echo "3 runs each, medians; expected: $nclusters clusters, $npods pods."
	echo
	echo "| command | answer | user CPU (s) | wall (s) | peak RSS (KiB) | lines out |"
	echo "|---|---|---|---|---|---|"
	arow clusters-q "\`iksctl clusters -q '.[].name'\`" "$(med "$TMP/curl" 4) B"
	arow kube-q "\`iksctl kube C /api/v1/pods -q '.items[].metadata.name'\`" "$(med "$TMP/kube-curl" 4) B"
	arow clusters-table "\`iksctl clusters\` (table)" "$nclusters rows + header"
} > "$TMP/section.md"

# --- ciphersuites per target --------------------------------------------
C=$TMP/certs
sh tests/integration/certs.sh "$C" > /dev/null 2>&1 || { echo "bulk.sh: certs.sh failed" >&2; exit 1; }
for m in client chacha; do
	for v in 1.3 1.2; do
		python3 tests/integration/tls_server.py --cert "$C/rsa-chain.pem" \
			--key "$C/rsa-leaf.key" --max-tls "$v" --prefer "$m" \
			--port-file "$TMP/port.$m.$v" > /dev/null 2>&1 &
		PIDS="$PIDS $!"
	done
done
for f in client.1.3 client.1.2 chacha.1.3 chacha.1.2; do
	i=0
	while [ ! -s "$TMP/port.$f" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
done
emu_host=${IBMCLOUD_CS_API_ENDPOINT#https://}
emu_port=${emu_host##*:}
emu_host=${emu_host%%[:/]*}
emu_port=${emu_port%%/*}
# suite RUNNER... -- PORT CA EXTRA: the suite tls_probe negotiated.
suite() {
	out=$("$@" 2> /dev/null) || { echo "(failed)"; return; }
	echo "$out" | sed -n 's/^suite=\([^ ]*\) hwaes=\(.\)/\1 (hwaes=\2)/p'
}
{
	echo
	echo "### Ciphersuite negotiated per target (tests/tools/tls_probe)"
	echo
	echo "Columns: a server that takes the client's order (TLS 1.3, TLS 1.2), one"
	echo "with PRIORITIZE_CHACHA (TLS 1.3), and the emulator (OpenSSL's order)."
	echo
	echo "| target | CPU | client's order, 1.3 | client's order, 1.2 | PRIORITIZE_CHACHA, 1.3 | emulator |"
	echo "|---|---|---|---|---|---|"
} >> "$TMP/section.md"
row() {
	label=$1 cpu=$2
	shift 2
	p13=$(cat "$TMP/port.client.1.3") p12=$(cat "$TMP/port.client.1.2") pc=$(cat "$TMP/port.chacha.1.3")
	a=$(suite "$@" 127.0.0.1 "$p13" / --cacert "$C/rsa-root.pem" $EXTRA)
	b=$(suite "$@" 127.0.0.1 "$p12" / --cacert "$C/rsa-root.pem" $EXTRA)
	c=$(suite "$@" 127.0.0.1 "$pc" / --cacert "$C/rsa-root.pem" $EXTRA)
	d=$(suite "$@" "$emu_host" "$emu_port" / --cacert "$EMU_CA_FILE" $EXTRA)
	echo "| $label | $cpu | $a | $b | $c | $d |" >> "$TMP/section.md"
}
B=build
EXTRA=
row x86_64 "this machine" $B/x86_64-linux-musl/tools/tls_probe
row x86_64 "qemu max" qemu-x86_64-static -cpu max $B/x86_64-linux-musl/tools/tls_probe
row x86_64 "qemu qemu64 (no AES-NI)" qemu-x86_64-static -cpu qemu64 $B/x86_64-linux-musl/tools/tls_probe
row aarch64 "qemu max" env QEMU_CPU=max qemu-aarch64-static $B/aarch64-linux-musl/tools/tls_probe
row aarch64 "qemu cortex-a72" env QEMU_CPU=cortex-a72 qemu-aarch64-static $B/aarch64-linux-musl/tools/tls_probe
EXTRA=--no-hwaes
row aarch64 "qemu cortex-a72, --no-hwaes (as a Pi 4)" env QEMU_CPU=cortex-a72 qemu-aarch64-static $B/aarch64-linux-musl/tools/tls_probe
EXTRA=
row armv7 "qemu cortex-a15" env QEMU_CPU=cortex-a15 qemu-arm-static $B/armv7-linux-musleabihf/tools/tls_probe
row armv7 "qemu max" env QEMU_CPU=max qemu-arm-static $B/armv7-linux-musleabihf/tools/tls_probe
cat "$TMP/section.md"
cat "$TMP/section.md" >> "$OUT"
