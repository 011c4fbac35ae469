#!/bin/sh
# test_secrets.sh: secret hygiene (issue 8, point 4).  Every command
# runs with -v; its stdout and stderr, the store, the cluster files, the
# kubeconfig and /proc/<pid>/cmdline are searched for the API key, the
# passwords, the passcode, the cr-token and the signature (third part)
# of every token seen.  Only the store and the stdout of `token` and
# `kube-credential` may hold a token; nothing may hold a credential.
# Last, `iksctl login` runs under gdb, stopped at exit_group(2), and its memory
# is searched for the API key (it must have been wiped once used).
. tests/integration/lib.sh
emu_start
printf '%s' "$EMU_APIKEY" > "$T_TMP/key"
printf '%s' "$EMU_PASSWORD1" > "$T_TMP/pw"
S=$T_TMP/secrets     # one credential per line
G=$T_TMP/sigs        # one token signature per line
printf '%s\n' "$EMU_APIKEY" "$EMU_PASSWORD" "$EMU_PASSWORD1" > "$S"
cut -d. -f3 "$EMU_CR_TOKEN_FILE" >> "$S"
: > "$G"
n=0
# JWT: what a whole token looks like (a signature of 20+ characters).
JWT='eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}'

# sigs_from FILE: add the signatures of the tokens in FILE to $G.
sigs_from() {
	grep -oE "$JWT" "$1" 2> /dev/null | cut -d. -f3 >> "$G"
	sort -u -o "$G" "$G"
}
# leaks FILE LIST: the lines of LIST found in FILE (fixed strings).
leaks() { [ -s "$2" ] && grep -oFf "$2" "$1" 2> /dev/null | head -3; }

# run MAY_PRINT_TOKEN ARGS...: run iksctl -v ARGS; check its output.
run() {
	_tok=$1
	shift
	n=$((n + 1))
	"$IKSCTL" -v "$@" > "$T_TMP/o.$n" 2> "$T_TMP/e.$n" < "${STDIN:-/dev/null}"
	_rc=$?
	sigs_from "$IKSCTL_HOME/store"
	[ "$_tok" = token ] && sigs_from "$T_TMP/o.$n"
	_w=""
	[ "$_rc" = 0 ] || _w="$_w exit $_rc: $(tail -1 "$T_TMP/e.$n");"
	_l=$(leaks "$T_TMP/o.$n" "$S")
	[ -n "$_l" ] && _w="$_w credential on stdout;"
	_l=$(leaks "$T_TMP/e.$n" "$S")
	[ -n "$_l" ] && _w="$_w credential on stderr;"
	_l=$(leaks "$T_TMP/e.$n" "$G")
	grep -qE "$JWT" "$T_TMP/e.$n" && _l="$_l jwt"
	[ -n "$_l" ] && _w="$_w token in the trace;"
	if [ "$_tok" != token ]; then
		_l=$(leaks "$T_TMP/o.$n" "$G")
		grep -qE "$JWT" "$T_TMP/o.$n" && _l="$_l jwt"
		[ -n "$_l" ] && _w="$_w token on stdout;"
	fi
	if [ -z "$_w" ]; then ok "-v $*"; else fail "-v $*:$_w"; fi
}

# The trace must show something, or the checks prove nothing.
run - login --apikey "@$T_TMP/key" --region us-south
contains "the trace shows the IAM call" "$T_TMP/e.$n" "/identity/token"
contains "the trace shows the form, redacted" "$T_TMP/e.$n" "apikey"
# (dash keeps assignments made before a function call: unset them.)
IBMCLOUD_API_KEY=$EMU_APIKEY run - login
unset IBMCLOUD_API_KEY
STDIN=$T_TMP/key run - login --apikey -
unset STDIN
run - login --username "$EMU_USER1" --password "@$T_TMP/pw"
PC=$(curl -sf -X POST "$EMU_CONTROL/control/passcode")
echo "$PC" >> "$S"
run - login --passcode "$PC" --account "$EMU_ACCOUNT"
run - login --cr-token "@$EMU_CR_TOKEN_FILE" --profile-id "$EMU_PROFILE_ID"
run - login --apikey "@$T_TMP/key" --region us-south
run - accounts
run - accounts -o json
run - target
run - target --account "$EMU_ACCOUNT" --region us-south
run token token
run token token --refresh
run token token --kube
run token token -o json
run - regions
run - versions
run - clusters
run - clusters -o json
run - cluster get "$EMU_CLUSTER"
run - cluster workers "$EMU_CLUSTER"
run - cluster config "$EMU_CLUSTER" --kubeconfig "$T_TMP/kubeconfig"
run token kube-credential --cluster "$EMU_CLUSTER"
run - kube "$EMU_CLUSTER" /version
run - kube "$EMU_CLUSTER" /api/v1/namespaces
run - api /v1/clusters
run - api --service iam /identity/keys
run - help
[ "$(wc -l < "$G")" -ge 4 ] && ok "signatures collected: $(wc -l < "$G")" ||
	fail "only $(wc -l < "$G") token signatures seen"

# Files: the store holds tokens but no credential; the kubeconfig and
# the cluster files hold neither.
[ -z "$(leaks "$IKSCTL_HOME/store" "$S")" ] && ok "store: no credential" ||
	fail "store holds a credential"
grep -qF "file:$T_TMP/key" "$IKSCTL_HOME/store" && ok "store: the source, not the key" ||
	fail "store: no credential source"
for f in "$T_TMP/kubeconfig" "$IKSCTL_HOME"/clusters/* "$IKSCTL_HOME"/kube/*; do
	[ -f "$f" ] || continue
	_l="$(leaks "$f" "$S")$(leaks "$f" "$G")"
	grep -qE "$JWT" "$f" && _l="$_l jwt"
	[ -z "$_l" ] && ok "no secret in $(basename "$f")" ||
		fail "secret in $f: $_l"
done
[ -s "$T_TMP/kubeconfig" ] && ok "kubeconfig written" || fail "no kubeconfig"
# Issue 25, point 4.  The proxy's user:password never reaches the
# kubeconfig (NO_PROXY keeps the calls direct): a proxy with credentials
# is left out of the exec env, so kubectl's own environment, which holds
# it, reaches the plugin; one without credentials is kept.
env HTTPS_PROXY=http://fakeproxyuser:fake-proxy-pw-1@127.0.0.1:9 \
	https_proxy=fakeproxyuser:fake-proxy-pw-1@127.0.0.1:9/ NO_PROXY=127.0.0.1 \
	"$IKSCTL" cluster config "$EMU_CLUSTER" --kubeconfig "$T_TMP/kc-proxy" \
	> "$T_TMP/out" 2> "$T_TMP/err" && ok "cluster config with a proxy" ||
	fail "cluster config with a proxy: $(cat "$T_TMP/err")"
grep -qF -e fake-proxy-pw-1 -e fakeproxyuser "$T_TMP/kc-proxy" &&
	fail "the proxy's credentials are in the kubeconfig" ||
	ok "the proxy's credentials are not in the kubeconfig"
grep -q -i 'https_proxy' "$T_TMP/kc-proxy" &&
	fail "a proxy with credentials is in the exec env" ||
	ok "a proxy with credentials is left to kubectl's environment"
env HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1 \
	"$IKSCTL" cluster config "$EMU_CLUSTER" --kubeconfig "$T_TMP/kc-proxy2" \
	> "$T_TMP/out" 2> "$T_TMP/err" || fail "cluster config with a plain proxy"
contains "a proxy without credentials is kept" "$T_TMP/kc-proxy2" '"http://127.0.0.1:9"'
contains "NO_PROXY kept" "$T_TMP/kc-proxy" '"127.0.0.1"'

# -v redacts every header whose name holds auth, pass, secret, token, key
# or cookie, in any case.
"$IKSCTL" -v api /v1/clusters -H 'X-Password: fake-hdr-v1' \
	-H 'client-SECRET: fake-hdr-v2' -H 'X-Auth-Hash: fake-hdr-v3' \
	-H 'X-Api-Key-Id: fake-hdr-v4' -H 'X-Cookie-Jar: fake-hdr-v5' \
	-H 'X-Refresh-TOKEN: fake-hdr-v6' -H 'X-Plain: shown-v7' \
	> "$T_TMP/out" 2> "$T_TMP/err"
for i in 1 2 3 4 5 6; do
	grep -q "fake-hdr-v$i" "$T_TMP/err" && fail "-v: header $i shown" ||
		ok "-v: header $i redacted"
done
contains "-v: redacted said" "$T_TMP/err" "> X-Api-Key-Id: [redacted]"
contains "-v: a plain header shown" "$T_TMP/err" "> X-Plain: shown-v7"

# An http:// master from the service: refused as kube refuses it, no file.
"$IKSCTL" api "/v1/clusters/$EMU_CLUSTER" > "$T_TMP/cl.json" 2> /dev/null
python3 - "$T_TMP/cl.json" "$EMU_CLUSTER" > "$T_TMP/fault.json" <<'PY'
import json, sys
body = open(sys.argv[1]).read().replace("https://", "http://")
print(json.dumps({"service": "cs", "kind": "body", "count": 1,
                  "path": "/v1/clusters/" + sys.argv[2], "body": body}))
PY
emu_post /control/fault "$(cat "$T_TMP/fault.json")"
check "http:// master: cluster config refuses it" 2 "$IKSCTL" cluster config \
	"$EMU_CLUSTER" --kubeconfig "$T_TMP/kc-http"
contains "http:// master: says why" "$T_TMP/err" "only https:// URLs"
[ -e "$T_TMP/kc-http" ] && fail "http:// master: a kubeconfig written" ||
	ok "http:// master: no kubeconfig"

run - logout

# /proc/<pid>/cmdline while a login waits for IAM (a 2 s delay).
emu_post /control/fault '{"service":"iam","kind":"delay","seconds":2}'
"$IKSCTL" login --apikey "@$T_TMP/key" > /dev/null 2>&1 &
pid=$!
sleep 1
tr '\0' ' ' < "/proc/$pid/cmdline" > "$T_TMP/cmdline" 2> /dev/null
wait "$pid"
contains "cmdline read during the login" "$T_TMP/cmdline" "login --apikey @"
[ -z "$(leaks "$T_TMP/cmdline" "$S")" ] && ok "cmdline: no credential" ||
	fail "cmdline holds a credential"

# Memory: at _exit, the API key must be nowhere in the process (the
# unstripped static build; gdb with Python needed).
BIN=${IKSCTL_GDB_BIN:-$PWD/build/x86_64-linux-musl/iksctl.unstripped}
if command -v gdb > /dev/null && [ -x "$BIN" ]; then
	cat > "$T_TMP/find.py" <<'PY'
import gdb, os
needle = open(os.environ["KEYFILE"], "rb").read()
control = os.environ["KEYFILE"].encode()   # in argv: must be found
inf = gdb.selected_inferior()
hits = []
ctrl = 0
for line in open("/proc/%d/maps" % inf.pid):
    f = line.split()
    if "w" not in f[1]:
        continue
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    try:
        mem = bytes(inf.read_memory(lo, hi - lo))
    except gdb.MemoryError:
        continue
    ctrl += mem.count(control)
    i = mem.find(needle)
    while i >= 0:
        sym = gdb.execute("info symbol %#x" % (lo + i), to_string=True)
        hits.append("%#x %s" % (lo + i, sym.strip()))
        i = mem.find(needle, i + 1)
print("CTRLHITS %d" % ctrl)
print("KEYHITS %d" % len(hits))
for h in hits:
    print("KEYHIT " + h)
PY
	KEYFILE=$T_TMP/key env -u EMU_APIKEY -u IBMCLOUD_API_KEY -u IC_API_KEY gdb -batch -nx -ex 'set startup-with-shell off' \
		-ex 'catch syscall exit_group' -ex "run login --apikey @$T_TMP/key" \
		-ex "source $T_TMP/find.py" -ex kill --args "$BIN" \
		> "$T_TMP/gdb.out" 2>&1 < /dev/null
	grep -q '^CTRLHITS [1-9]' "$T_TMP/gdb.out" &&
		ok "memory scan finds the key file's name (argv)" ||
		fail "memory scan: control string not found: $(tail -3 "$T_TMP/gdb.out")"
	if grep -q '^KEYHITS 0' "$T_TMP/gdb.out"; then
		ok "memory at _exit: the API key was wiped"
	elif grep -q '^KEYHITS' "$T_TMP/gdb.out"; then
		fail "memory at _exit holds the API key: $(grep KEYHIT "$T_TMP/gdb.out" | tr '\n' ';')"
	else
		fail "gdb did not run: $(tail -3 "$T_TMP/gdb.out")"
	fi
else
	echo "skip: gdb or $BIN missing: no memory check"
fi
finish
