#!/bin/sh
# test_private.sh: --visibility private and IBMCLOUD_VISIBILITY=private
# use IAM's, accounts' and containers' private endpoints and the
# cluster's privateServiceEndpointURL, and never touch a public host.
# The public endpoints point at a loopback trap that records every
# connection; the private ones (IBMCLOUD_PRIVATE_*_API_ENDPOINT) at the
# emulator.
. tests/integration/lib.sh
emu_start
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
TRAP_LOG=$T_TMP/trap.log
: > "$TRAP_LOG"
bg python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c, a = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection from %s:%d\n" % a)
    c.close()' "$T_TMP/trap.port" "$TRAP_LOG"
wait_file "$T_TMP/trap.port" || { fail "trap did not start"; finish; }
TRAP=https://127.0.0.1:$(cat "$T_TMP/trap.port")
export IBMCLOUD_PRIVATE_IAM_API_ENDPOINT=$IBMCLOUD_IAM_API_ENDPOINT
export IBMCLOUD_PRIVATE_ACCOUNT_MANAGEMENT_API_ENDPOINT=$IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT
export IBMCLOUD_PRIVATE_CS_API_ENDPOINT=$IBMCLOUD_CS_API_ENDPOINT
export IBMCLOUD_IAM_API_ENDPOINT=$TRAP/iam
export IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT=$TRAP/accounts
export IBMCLOUD_CS_API_ENDPOINT=$TRAP/global
ik() { "$IKSCTL" "$@"; }

# The trap works: a public call lands there and fails.
check "public login hits the trap" 4 ik login --apikey "@$K"
[ -s "$TRAP_LOG" ] && ok "trap saw the public call" || fail "trap saw nothing"
: > "$TRAP_LOG"

check "login --visibility private" 0 ik --visibility private login --apikey "@$K" --region us-south
check "accounts (private)" 0 ik --visibility private accounts
check "clusters (IBMCLOUD_VISIBILITY=private)" 0 env IBMCLOUD_VISIBILITY=private "$IKSCTL" clusters
contains "clusters: the cluster" "$T_TMP/out" "$EMU_CLUSTER"
check "cluster get (private)" 0 env IBMCLOUD_VISIBILITY=private "$IKSCTL" cluster get "$EMU_CLUSTER" -q .privateServiceEndpointURL
priv=$(cat "$T_TMP/out")
ppriv=${priv##*:}
log_mark
check "kube /version (private)" 0 env IBMCLOUD_VISIBILITY=private "$IKSCTL" kube "$EMU_CLUSTER" /version
contains "kube: a version" "$T_TMP/out" "gitVersion"
eq "master reached on its private port" "$(emu_count_since conn port=$ppriv)" 1
check "cluster config (private)" 0 env IBMCLOUD_VISIBILITY=private "$IKSCTL" cluster config "$EMU_CLUSTER" --kubeconfig "$T_TMP/kc.yaml"
contains "kubeconfig: private server" "$T_TMP/kc.yaml" "$priv"
check "token --kube (private)" 0 env IBMCLOUD_VISIBILITY=private "$IKSCTL" token --kube
check "bad visibility: usage" 2 ik --visibility sideways token
if [ -s "$TRAP_LOG" ]; then fail "a public host was touched: $(head -3 "$TRAP_LOG")"; else ok "no public host touched"; fi
finish
