#!/bin/sh
# test_kubeconfig.sh: cluster config merges into the kubeconfig kubectl
# uses (issue 17, points 1 to 3).  The kubeconfigs are built by the real
# `kubectl config` commands; iksctl merges into them; `kubectl config
# get-contexts` and `kubectl get --raw /version` check the result, the
# latter with a clean environment (env -i: PATH, HOME and KUBECONFIG
# only), after `login --cacert` and `cluster config --cacert` with
# SSL_CERT_FILE unset: the exec stanza must carry the trust and
# IKSCTL_HOME.  Other entries keep their bytes, the file its mode; a
# link stays a link; a file outside the subset is left untouched;
# --admin embeds the admin certificate (kubectl then needs no iksctl),
# --endpoint picks the public or private endpoint.
. tests/integration/lib.sh
need_kubectl
emu_start
CA=$EMU_CA_FILE
unset SSL_CERT_FILE
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
KC=$T_TMP/kube/config
mkdir -p "$T_TMP/kube"
: > "$KC"       # kubectl writes to the first file that exists
export KUBECONFIG="$KC:$T_TMP/second"
kube() { "$KUBECTL" "$@"; }
# clean F ARGS...: kubectl on kubeconfig F with a clean environment,
# from another folder.
clean() {
	_f=$1
	shift
	(cd / && env -i PATH="$PATH" HOME="$T_TMP/u" KUBECONFIG="$_f" "$KUBECTL" "$@")
}

check "login --cacert, SSL_CERT_FILE unset" 0 "$IKSCTL" --cacert "$CA" login \
	--apikey "@$K" --region us-south

# --- a kubeconfig written by kubectl ---
kube config set-cluster other --server=https://other.example:6443 \
	--certificate-authority="$CA" --embed-certs > /dev/null
kube config set-credentials other --token='a: b # c' > /dev/null
kube config set-context other --cluster=other --user=other --namespace=x > /dev/null
kube config use-context other > /dev/null
chmod 640 "$KC"
cp "$KC" "$T_TMP/before"
check "cluster config into kubectl's file" 0 "$IKSCTL" --cacert "$CA" \
	cluster config "$EMU_CLUSTER"
eq "stdout: export KUBECONFIG=the file" "$(cat "$T_TMP/out")" "export KUBECONFIG=$KC"
eq "the file's mode kept" "$(stat -c %a "$KC")" 640
check "every old line kept, in order" 0 python3 - "$T_TMP/before" "$KC" <<'PY'
import sys
old, new = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read().splitlines()
it = iter(new)
for line in old:
    if line.startswith("current-context:"):
        continue
    assert any(l == line for l in it), line
PY
check "kubectl config get-contexts" 0 kube config get-contexts
contains "get-contexts: ours is current" "$T_TMP/out" "*         $EMU_CLUSTER "
contains "get-contexts: the other kept" "$T_TMP/out" "other"
check "kubectl config current-context" 0 kube config current-context
eq "current-context is ours" "$(cat "$T_TMP/out")" "$EMU_CLUSTER"
check "the other user's token kept" 0 kube config view --raw -o \
	"jsonpath={.users[?(@.name==\"other\")].user.token}"
eq "token value" "$(cat "$T_TMP/out")" "a: b # c"
contains "exec env: the trust of --cacert" "$KC" "SSL_CERT_FILE"
contains "exec env: IKSCTL_HOME" "$KC" "\"$IKSCTL_HOME\""
check "kubectl get --raw /version, clean environment" 0 clean "$KC" get --raw /version
contains "the master's version" "$T_TMP/out" '"gitVersion":"v1.30.4+IKS"'
check "kubectl get namespaces, clean environment" 0 clean "$KC" get namespaces
contains "kube-system" "$T_TMP/out" "kube-system"

# --- again: nothing changes; another cluster is added beside it ---
cp "$KC" "$T_TMP/once"
check "cluster config again" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER"
check "merging again changes nothing" 0 cmp "$T_TMP/once" "$KC"
check "KUBECONFIG's empty entries are skipped" 0 env KUBECONFIG="::$KC" \
	"$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER"
eq "the first real entry" "$(cat "$T_TMP/out")" "export KUBECONFIG=$KC"
check "a second cluster" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_VPC_CLUSTER"
check "get-contexts: three" 0 kube config get-contexts -o name
eq "contexts" "$(sort "$T_TMP/out" | tr '\n' ' ')" \
	"$(printf '%s\n' "$EMU_CLUSTER" "$EMU_VPC_CLUSTER" other | sort | tr '\n' ' ')"
check "kubectl config use-context, then kubectl works" 0 kube config use-context "$EMU_CLUSTER"
check "kubectl on the first again" 0 clean "$KC" get --raw /version
kube config set-context "$EMU_CLUSTER" --namespace=kube-system > /dev/null
check "merged after kubectl rewrote it" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER"
check "still three contexts" 0 kube config get-contexts -o name
eq "three" "$(wc -l < "$T_TMP/out")" 3

# --- a link stays a link ---
cp "$KC" "$T_TMP/once"
mv "$KC" "$T_TMP/real"
ln -s ../real "$KC"
check "cluster config through a link" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER"
if [ -L "$KC" ] && [ "$(readlink "$KC")" = ../real ]; then ok "still a link"; else fail "the link was replaced"; fi
check "the target is merged" 0 cmp "$T_TMP/real" "$T_TMP/once"
rm "$KC"
mv "$T_TMP/real" "$KC"

# --- ~/.kube/config by default: made 0700 and 0600 ---
mkdir "$T_TMP/u2"
check "no KUBECONFIG: ~/.kube/config" 0 env -u KUBECONFIG HOME="$T_TMP/u2" \
	"$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER"
eq "export of ~/.kube/config" "$(cat "$T_TMP/out")" "export KUBECONFIG=$T_TMP/u2/.kube/config"
eq "~/.kube made 0700" "$(stat -c %a "$T_TMP/u2/.kube")" 700
eq "a new kubeconfig is 0600" "$(stat -c %a "$T_TMP/u2/.kube/config")" 600
check "the new one works, clean environment" 0 clean "$T_TMP/u2/.kube/config" get --raw /version

# --- --kubeconfig -: the YAML on stdout, no file ---
cp "$KC" "$T_TMP/once"
check "--kubeconfig -" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --kubeconfig -
contains "--kubeconfig -: YAML" "$T_TMP/out" "apiVersion: v1"
cp "$T_TMP/out" "$T_TMP/alone.yaml"
check "--kubeconfig -: nothing written" 0 cmp "$T_TMP/once" "$KC"
check "--kubeconfig -: one cluster alone" 0 kube --kubeconfig "$T_TMP/alone.yaml" config get-contexts -o name
eq "--kubeconfig -: its context" "$(cat "$T_TMP/out")" "$EMU_CLUSTER"
check "--kubeconfig -: kubectl works with it" 0 clean "$T_TMP/alone.yaml" get --raw /version

# --- --admin: the admin certificate and key embedded, no exec, 0600 ---
A=$T_TMP/admin.yaml
cp "$KC" "$A"
chmod 644 "$A"
log_mark
check "--admin" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --admin --kubeconfig "$A"
eq "--admin: the admin zip fetched" "$(emu_count_since request path=/global/v1/clusters/$EMU_CLUSTER_ID/config/admin)" 1
eq "--admin: the file is now 0600 (it holds a key)" "$(stat -c %a "$A")" 600
check "--admin: kubectl with the certificate, clean environment" 0 clean "$A" get --raw /version
contains "--admin: the master's answer" "$T_TMP/out" '"gitVersion"'
python3 - "$A" "$EMU_CLUSTER" > "$T_TMP/user" << 'EOF2'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = lines.index("users:")
out, on = [], False
for l in lines[i + 1:]:
    if l.startswith("- "):
        on = l in ("- name: %s" % sys.argv[2], '- name: "%s"' % sys.argv[2])
    elif not l.startswith(" "):
        break
    if on:
        out.append(l)
print("\n".join(out))
EOF2
contains "--admin: client-certificate-data" "$T_TMP/user" "client-certificate-data: "
contains "--admin: client-key-data" "$T_TMP/user" "client-key-data: "
if grep -q "exec:" "$T_TMP/user"; then fail "--admin: an exec stanza is left"; else ok "--admin: no exec stanza"; fi
check "--admin: other contexts kept" 0 kube --kubeconfig "$A" config get-contexts -o name
contains "--admin: other's context still there" "$T_TMP/out" "other"

# --- --endpoint public|private (--private its alias) ---
check "--endpoint private" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --endpoint private --kubeconfig -
grep 'server:' "$T_TMP/out" > "$T_TMP/srv.private"
check "--private" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --private --kubeconfig -
grep 'server:' "$T_TMP/out" > "$T_TMP/srv.alias"
check "--private is --endpoint private" 0 cmp "$T_TMP/srv.alias" "$T_TMP/srv.private"
check "--endpoint public" 0 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --endpoint public --kubeconfig -
grep 'server:' "$T_TMP/out" > "$T_TMP/srv.public"
check "public and private differ" 1 cmp -s "$T_TMP/srv.public" "$T_TMP/srv.private"
check "--endpoint nope: exit 2" 2 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --endpoint nope --kubeconfig -
contains "--endpoint nope: says what" "$T_TMP/err" "use public or private"

# --- kubectl's lock: no writer's entry is lost (issue 25, point 2) ---
# 8 clusters: the emulator's 3 and 5 made here; 8 cluster config runs
# at once into one file, and 8 `kubectl config set-cluster` runs one
# after the other among them (kubectl fails at once when it meets the
# lock: it is run again until it gets it).  Every one of the 16 entries
# must be there at the end.  kubectl
# itself reads the file before it takes the lock and, inside it, removes
# what it did not see (client-go's ModifyConfig): a kubectl run that
# wrote the file more than once (strace counts its O_TRUNC opens) did
# that, and a round it spoils is run again; a loss no kubectl explains
# fails at once.
emu_post /control/config '{"step_s":0.05}'
for i in 1 2 3 4 5; do
	IKSCTL_WAIT_INTERVAL=1 "$IKSCTL" --cacert "$CA" cluster create classic \
		--name "par$i" --zone dal10 --flavor b3c.4x16 --wait > /dev/null 2>&1 &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "create a cluster (pid $p)"; done
P=$T_TMP/par.yaml
ST=""
command -v strace > /dev/null && ST=strace
# kset N: kubectl config set-cluster kN into $P until it gets the lock.
kset() {
	_i=0
	until ${ST:+strace -f -qq -e trace=openat -o "$T_TMP/st.$1.$_i"} \
		"$KUBECTL" --kubeconfig "$P" config set-cluster "k$1" \
		--server="https://k$1.example:6443" > /dev/null 2> "$T_TMP/kset.$1"; do
		_i=$((_i + 1))
		[ $_i -gt 200 ] && return 1
		sleep 0.01
	done
}
ALL="$EMU_CLUSTER $EMU_OPENSHIFT_CLUSTER $EMU_VPC_CLUSTER par1 par2 par3 par4 par5"
whole=0 round=0
while [ $whole -lt 2 ] && [ $round -lt 6 ]; do
	round=$((round + 1))
	printf 'apiVersion: v1\nkind: Config\nclusters: []\n' > "$P"
	rm -f "$T_TMP"/st.*
	pids=""
	for c in $ALL; do
		"$IKSCTL" --cacert "$CA" cluster config "$c" --kubeconfig "$P" \
			> /dev/null 2> "$T_TMP/par.err.$c" &
		pids="$pids $!"
	done
	(for i in 1 2 3 4 5 6 7 8; do kset $i || exit 1; done) &
	pids="$pids $!"
	bad=0
	for p in $pids; do wait "$p" || bad=$((bad + 1)); done
	[ "$bad" = 0 ] || { fail "round $round: $bad of 9 writers failed"; break; }
	"$KUBECTL" --kubeconfig "$P" config get-clusters > "$T_TMP/got" 2>&1
	lost=""
	for c in $ALL k1 k2 k3 k4 k5 k6 k7 k8; do
		grep -qx "$c" "$T_TMP/got" || lost="$lost $c"
	done
	if [ -z "$lost" ]; then
		whole=$((whole + 1))
		continue
	fi
	twice=0
	[ -n "$ST" ] && twice=$(cat "$T_TMP"/st.* | grep -c "par.yaml\", O_WRONLY|O_CREAT|O_TRUNC")
	if [ -n "$ST" ] && [ "$twice" -gt 8 ]; then
		echo "round $round: kubectl's own read before its lock removed$lost"
	else
		fail "round $round: lost$lost (no kubectl removed them)"
		break
	fi
done
eq "parallel writers: 2 rounds kept all 16 entries" "$whole" 2
[ -e "$P.lock" ] && fail "a lock is left behind" || ok "no lock left behind"

# An edit kubectl makes while iksctl downloads is kept: the read is
# after the network call.
printf 'apiVersion: v1\nkind: Config\nclusters: []\n' > "$P"
emu_post /control/fault "{\"service\":\"cs\",\"path\":\"/v1/clusters/\",\"kind\":\"delay\",\"seconds\":1}"
"$IKSCTL" --cacert "$CA" cluster config par1 --kubeconfig "$P" > /dev/null 2> "$T_TMP/slow.err" &
slow=$!
sleep 0.5
"$KUBECTL" --kubeconfig "$P" config set-cluster during --server=https://during.example:6443 > /dev/null
wait "$slow" && ok "slow cluster config: exit 0" || fail "slow cluster config: $(cat "$T_TMP/slow.err")"
check "both entries" 0 "$KUBECTL" --kubeconfig "$P" config get-clusters
contains "kubectl's edit during the download kept" "$T_TMP/out" "during"
contains "iksctl's entry written" "$T_TMP/out" "par1"

# A lock held by another program: iksctl waits --timeout, then exit 1,
# the file untouched, the lock left to its owner.
cp "$P" "$T_TMP/held"
: > "$P.lock"
timed "held lock: exit 1 after --timeout" 1 "$IKSCTL" --cacert "$CA" --timeout 2 \
	cluster config par2 --kubeconfig "$P"
within "held lock: waited about 2 s" 1900 4000
contains "held lock: names the lock" "$T_TMP/err" "$P.lock exists"
check "held lock: the file untouched" 0 cmp "$P" "$T_TMP/held"
[ -e "$P.lock" ] && ok "held lock: left to its owner" || fail "held lock: removed"
rm -f "$P.lock"

# --- the exec command is the path iksctl was run by (issue 25, point 10) ---
mkdir -p "$T_TMP/bin"
ln -sf "$IKSCTL" "$T_TMP/bin/iksctl"
cmd_of() { sed -n 's/^ *command: "\(.*\)"$/\1/p' "$T_TMP/out"; }
check "run through a link" 0 "$T_TMP/bin/iksctl" --cacert "$CA" cluster config \
	"$EMU_CLUSTER" --kubeconfig -
eq "exec command: the link, not its target" "$(cmd_of)" "$T_TMP/bin/iksctl"
check "run as a relative path" 0 sh -c 'cd "$1" && ./bin/../bin/iksctl --cacert "$2" \
	cluster config "$3" --kubeconfig -' - "$T_TMP" "$CA" "$EMU_CLUSTER"
eq "exec command: made absolute" "$(cmd_of)" "$T_TMP/bin/iksctl"
check "run from PATH" 0 env PATH="$T_TMP/nowhere:$T_TMP/bin:$PATH" iksctl \
	--cacert "$CA" cluster config "$EMU_CLUSTER" --kubeconfig -
eq "exec command: the one on PATH" "$(cmd_of)" "$T_TMP/bin/iksctl"

# --- a CRLF kubeconfig is read and stays CRLF (issue 25, point 10) ---
W=$T_TMP/crlf.yaml
"$KUBECTL" --kubeconfig "$W" config set-cluster win --server=https://win.example:6443 > /dev/null
"$KUBECTL" --kubeconfig "$W" config set-context win --cluster=win --user=win > /dev/null
sed -i 's/$/\r/' "$W"
cp "$W" "$T_TMP/crlf.before"
check "CRLF kubeconfig: merged" 0 "$IKSCTL" --cacert "$CA" cluster config \
	"$EMU_CLUSTER" --kubeconfig "$W"
eq "CRLF kubeconfig: every line still ends in CRLF" \
	"$(grep -c "$(printf '\r')\$" "$W")" "$(wc -l < "$W")"
check "CRLF kubeconfig: kubectl reads it" 0 "$KUBECTL" --kubeconfig "$W" config get-contexts -o name
eq "CRLF kubeconfig: both contexts" "$(sort "$T_TMP/out" | tr '\n' ' ')" \
	"$(printf '%s\n' "$EMU_CLUSTER" win | sort | tr '\n' ' ')"
check "CRLF kubeconfig: the old lines kept" 0 python3 - "$T_TMP/crlf.before" "$W" <<'PY'
import sys
old, new = open(sys.argv[1], "rb").read().split(b"\r\n"), open(sys.argv[2], "rb").read().split(b"\r\n")
it = iter(new)
for line in old:
    if line.startswith(b"current-context:") or line == b"users: null":
        continue
    assert any(l == line for l in it), line
PY

# --- outside the subset: untouched, exit 1, the line named ---
for bad in anchor flow tab docs; do
	f=$T_TMP/bad-$bad
	case $bad in
	anchor) printf 'apiVersion: v1\nclusters:\n- cluster: &c\n    server: x\n  name: a\n' > "$f" ;;
	flow) printf 'apiVersion: v1\nusers:\n- {name: a, user: {}}\n' > "$f" ;;
	tab) printf 'apiVersion: v1\nusers:\n- name: a\n\tuser: {}\n' > "$f" ;;
	docs) printf 'apiVersion: v1\nkind: Config\n---\nkind: Config\n' > "$f" ;;
	esac
	cp "$f" "$f.before"
	check "$bad: exit 1" 1 "$IKSCTL" --cacert "$CA" cluster config "$EMU_CLUSTER" --kubeconfig "$f"
	contains "$bad: names the line" "$T_TMP/err" "$f line "
	contains "$bad: suggests --kubeconfig FILE" "$T_TMP/err" "--kubeconfig FILE"
	cp "$T_TMP/err" "$T_TMP/err-$bad"
	check "$bad: left untouched" 0 cmp "$f" "$f.before"
done
contains "anchor: line 3" "$T_TMP/err-anchor" "line 3: an anchor"
contains "flow: line 3" "$T_TMP/err-flow" "line 3: a flow collection"
contains "tab: line 4" "$T_TMP/err-tab" "line 4: a tab"
contains "docs: line 3" "$T_TMP/err-docs" "line 3: a document marker"
finish
