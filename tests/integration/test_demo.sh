#!/bin/sh
# test_demo.sh: `make demo` (tests/demo.sh, issue 3 point 9): it passes,
# shows every flow F1..F15 with its command and a cluster's life (F16,
# F19, F17: create --wait, kubectl, rm --wait), never prints a secret, and
# stops the emulator, also when a step fails (the rest still runs and the
# exit status says so) and when it is terminated.
. tests/integration/lib.sh
D=$T_TMP/demo

# demo_env: load the secrets of the demo's emulator run ($D/emu/env).
demo_env() {
	EMU_PID="" EMU_APIKEY="" EMU_PASSWORD="" EMU_PASSWORD1=""
	[ -f "$D/emu/env" ] && . "$D/emu/env"
}

# emulator_gone NAME: the demo's emulator process no longer exists.
emulator_gone() {
	if [ -z "$EMU_PID" ]; then
		fail "$1: no emulator pid in $D/emu/env"
	elif kill -0 "$EMU_PID" 2>/dev/null; then
		fail "$1: emulator $EMU_PID still running"
		kill "$EMU_PID" 2>/dev/null
	else
		ok "$1"
	fi
}

# no_secret NAME FILE SECRET: SECRET (non-empty) does not occur in FILE.
no_secret() {
	if [ -z "$3" ]; then
		fail "$1: secret unknown"
	elif grep -qF -- "$3" "$2"; then
		fail "$1: printed"
	else
		ok "$1"
	fi
}

# --- the whole demo ---
start=$(date +%s)
check "demo exits 0" 0 env IKSCTL="$IKSCTL" IKSCTL_DEMO_DIR="$D" sh tests/demo.sh
secs=$(( $(date +%s) - start ))
O=$T_TMP/demo.out
cp "$T_TMP/out" "$O"
cat "$T_TMP/err" >> "$O"
[ "$secs" -le 40 ] && ok "demo took ${secs} s (<= 40)" || fail "demo took ${secs} s"
demo_env
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 19; do
	if grep -qE "^== (F[0-9]+/)*F$n(/F[0-9]+)*: " "$O"; then ok "header F$n"; else
		fail "no header for F$n"; fi
done
eq "every header is followed by its command" \
	"$(grep -c '^== F' "$O")" "$(grep -A1 '^== F' "$O" | grep -c '^\$ ')"
contains "shows the exact command" "$O" "\$ iksctl login --apikey @$D/apikey"
contains "kube /version output" "$O" '"gitVersion":"v1.30.4+IKS"'
contains "api -q output" "$O" "fake-iks-vpc"
contains "token prefix shown" "$O" "eyJ"
if [ -n "$(command -v kubectl)" ]; then
	contains "kubectl get namespaces ran" "$O" "kube-system       Active"
fi
contains "lifecycle: the create's exact body (--dry-run)" "$O" \
	'{"name":"edge1","provider":"vpc-gen2","workerPool":{"name":"default","flavor":"bx2.4x16","vpcID":"r006-demo-vpc","workerCount":2,"zones":[{"id":"us-south-1","subnetID":"0717-demo-subnet"}]}}'
contains "lifecycle: create --wait" "$O" "cluster edge1 created and normal: id "
contains "lifecycle: progress lines" "$O" "edge1: deploying, master Deploy in progress, workers 0/2"
contains "lifecycle: the new cluster's kubeconfig" "$O" "export KUBECONFIG=$D/edge1.yaml"
if [ -n "$(command -v kubectl)" ]; then
	[ "$(sed -n '/get nodes$/,/^== /p' "$O" | grep -c ' Ready ')" = 2 ] &&
		ok "lifecycle: kubectl get nodes lists the 2 workers" ||
		fail "lifecycle: kubectl get nodes: $(sed -n '/get nodes$/,/^== /p' "$O" | head -c 300)"
fi
contains "lifecycle: the pool resized with --wait" "$O" "worker-pool default resized, its workers normal"
[ "$(sed -n '/iksctl worker ls edge1$/,/^== /p' "$O" | grep -c ' normal ')" = 3 ] &&
	ok "lifecycle: three normal workers after the resize" ||
	fail "lifecycle: worker ls: $(sed -n '/iksctl worker ls edge1$/,/^== /p' "$O" | head -c 400)"
contains "lifecycle: rm -f --wait" "$O" "cluster edge1 removed"
contains "lifecycle: cluster wait --until deleted of a gone one: the not-found" "$O" \
	"iksctl: cluster wait: edge1: A0006"
if grep -q '^!! FAILED' "$O"; then fail "a step failed: $(grep -B3 '^!! FAILED' "$O" | head -c 400)"; else
	ok "no step failed"; fi
eq "last line: the summary" "$(tail -n 1 "$O" | sed -E 's/^[0-9]+ passed, 0 failed$/summary/')" summary
no_secret "no API key" "$O" "$EMU_APIKEY"
no_secret "no password" "$O" "$EMU_PASSWORD"
no_secret "no password (one-account user)" "$O" "$EMU_PASSWORD1"
no_secret "no cr-token" "$O" "$(cat "$D/emu/cr-token" 2>/dev/null)"
no_secret "no passcode" "$O" "$(cat "$D/passcode" 2>/dev/null)"
tok=$(IKSCTL_HOME=$D/home "$IKSCTL" token 2>/dev/null)
[ ${#tok} -gt 100 ] && ok "store kept a token" || fail "no token in the store"
no_secret "no access token" "$O" "$tok"
if grep -qE 'eyJ[A-Za-z0-9_-]{30}' "$O"; then fail "a long JWT is printed"; else
	ok "no JWT longer than a prefix"; fi
emulator_gone "emulator stopped after the demo"

# --- a step fails: the rest runs, exit 1, emulator stopped ---
rm -rf "$D"
cat > "$T_TMP/broken-iksctl" <<EOF
#!/bin/sh
[ "\$1" = regions ] && { echo "iksctl: regions: injected failure" >&2; exit 1; }
exec "$IKSCTL" "\$@"
EOF
chmod +x "$T_TMP/broken-iksctl"
check "a failing step: demo exits 1" 1 env IKSCTL="$T_TMP/broken-iksctl" \
	IKSCTL_DEMO_DIR="$D" sh tests/demo.sh
contains "the failure is shown" "$T_TMP/out" "!! FAILED: exit 1, expected 0"
contains "later steps still ran" "$T_TMP/out" "\$ iksctl api /v1/clusters"
contains "the lifecycle steps still ran" "$T_TMP/out" "\$ iksctl cluster rm edge1 -f --wait"
eq "summary counts the failure" "$(tail -n 1 "$T_TMP/out" | sed -E 's/^[0-9]+ passed, //')" "1 failed"
demo_env
emulator_gone "emulator stopped after a failed step"

# --- terminated mid-way: emulator stopped ---
rm -rf "$D"
IKSCTL="$IKSCTL" IKSCTL_DEMO_DIR="$D" sh tests/demo.sh > "$T_TMP/term.out" 2>&1 &
dpid=$!
i=0
until grep -q '^== F5' "$T_TMP/term.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 400 ] && break
	sleep 0.05
done
kill -TERM "$dpid"
wait "$dpid"
eq "terminated: exit 143" "$?" 143
demo_env
emulator_gone "emulator stopped after SIGTERM"
finish
