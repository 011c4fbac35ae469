#!/bin/sh
# test_hostile.sh: hostile answers and careless input (issue 12, items 4,
# 8, 10, 11): a cluster name that is shell code or terminal escapes, a
# quote in IKSCTL_HOME and --kubeconfig, answers of the wrong shape,
# writes to a full or closed stdout, and the usage errors of the command
# line.  Every check here failed before its fix.
. tests/integration/lib.sh
emu_start
ik() { "$IKSCTL" "$@"; }
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
check "login" 0 ik login --apikey "@$K" --region us-south

rename() { emu_post /control/cluster "{\"id\":\"$EMU_CLUSTER_ID\",\"name\":\"$1\"}"; }

# --- item 4: the export line is quoted for the shell ---
cd "$T_TMP" || exit 1
rename "a';touch PWNED;'b"
check "config of a cluster named like shell code" 0 ik cluster config "$EMU_CLUSTER_ID"
( eval "$(cat "$T_TMP/out")"; printf '%s' "$KUBECONFIG" ) > "$T_TMP/kc" 2>&1
[ -e "$T_TMP/PWNED" ] && fail "eval ran the name" || ok "eval ran nothing else"
eq "eval set the path written" "$(cat "$T_TMP/kc")" "$KUBECONFIG"
[ -f "$(cat "$T_TMP/kc")" ] && ok "that file exists" || fail "no file at $(cat "$T_TMP/kc")"
contains "stderr names the cluster" "$T_TMP/err" "a';touch PWNED;'b"

Q="$T_TMP/it's home"
mkdir -p "$Q"
cp -R "$IKSCTL_HOME"/. "$Q"/
check "config with a quote in IKSCTL_HOME and KUBECONFIG" 0 env IKSCTL_HOME="$Q" \
	KUBECONFIG="$Q/config" "$IKSCTL" cluster config "$EMU_CLUSTER_ID"
( eval "$(cat "$T_TMP/out")"; printf '%s' "$KUBECONFIG" ) > "$T_TMP/kc" 2>&1
[ -e "$T_TMP/PWNED" ] && fail "IKSCTL_HOME quote: eval ran the name" || ok "IKSCTL_HOME quote: eval ran nothing else"
eq "IKSCTL_HOME quote: the right path" "$(cat "$T_TMP/kc")" "$Q/config"
check "config --kubeconfig with quotes and \$" 0 ik cluster config "$EMU_CLUSTER_ID" --kubeconfig "$T_TMP/k'\$(touch PWNED)'.yaml"
( eval "$(cat "$T_TMP/out")"; printf '%s' "$KUBECONFIG" ) > "$T_TMP/kc" 2>&1
[ -e "$T_TMP/PWNED" ] && fail "--kubeconfig quote: eval ran the name" || ok "--kubeconfig quote: eval ran nothing else"
eq "--kubeconfig quote: the right path" "$(cat "$T_TMP/kc")" "$T_TMP/k'\$(touch PWNED)'.yaml"
check "plain path stays unquoted" 0 ik cluster config "$EMU_CLUSTER_ID" --kubeconfig "$T_TMP/plain.yaml"
eq "plain export line" "$(cat "$T_TMP/out")" "export KUBECONFIG=$T_TMP/plain.yaml"

# --- item 4: tables show control characters escaped, aligned by columns ---
rename 'evil\u001b]0;owned\u0007\u001b[2J\u009b31m'
check "clusters with an escape-laden name" 0 ik clusters
if tr -d '\n' < "$T_TMP/out" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')"; then
	fail "a control character reached the terminal: $(od -c "$T_TMP/out" | head -5)"
else ok "no control character in the table"; fi
contains "ESC shown as \\x1b" "$T_TMP/out" 'evil\x1b]0;owned\a\x1b[2J\u009b31m'
check "cluster get escapes too" 0 ik cluster get "$EMU_CLUSTER_ID"
contains "get: ESC shown as \\x1b" "$T_TMP/out" 'evil\x1b]0;owned\a'
check "-q stays raw" 0 ik clusters -q ".[0].name"
printf 'evil\033]0;owned\007\033[2J\302\23331m\n' > "$T_TMP/want"
if cmp -s "$T_TMP/out" "$T_TMP/want"; then ok "-q prints the raw bytes"; else
	fail "-q: $(od -c "$T_TMP/out" | head -3)"; fi
rename 'fake-日本語-ü'
check "clusters with a wide name" 0 ik clusters
# Display columns: the STATE column starts at the same column on every row.
col_of() { awk -v n="$1" 'NR == n { i = index($0, " normal "); if (i == 0) i = index($0, "STATE"); print i }' "$T_TMP/out"; }
python3 - "$T_TMP/out" > "$T_TMP/cols" <<'PY'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()
def col(line, word):
    i = line.find(word)
    w = 0
    for ch in line[:i]:
        w += 2 if '\u3000' <= ch <= '\u9fff' else 1
    return w
print(len({col(rows[0], "ID")} | {col(r, "cfgm29") for r in rows[1:] if "cfgm29" in r}))
PY
eq "columns aligned by display width" "$(cat "$T_TMP/cols")" 1
rename "$EMU_CLUSTER"

# --- item 4: an error text from a service is escaped too ---
emu_post /control/fault '{"service":"cs","kind":"body","path":"/v1/clusters/nosuch","body":"{\"code\":\"G0004\",\"description\":\"gone\\u001b[2J\\u0007\"}"}'
check "G0004 with escapes in the description" 1 ik cluster get nosuch
if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037]')" "$T_TMP/err"; then fail "control character on stderr"; else ok "error line escaped"; fi
contains "error line shows \\x1b" "$T_TMP/err" 'gone\x1b[2J\a'

# --- item 10: answers of the wrong shape ---
emu_post /control/fault "{\"service\":\"cs\",\"kind\":\"body\",\"path\":\"/v1/clusters/$EMU_CLUSTER_ID\",\"body\":\"[1,2]\"}"
check "cluster get on [1,2]: exit 1" 1 ik cluster get "$EMU_CLUSTER_ID"
contains "says it is not an object" "$T_TMP/err" "the answer is not an object"
emu_post /control/fault "{\"service\":\"cs\",\"kind\":\"body\",\"path\":\"/v1/clusters/$EMU_CLUSTER_ID\",\"body\":\"\\\"str\\\"\"}"
check "cluster get on \"str\": exit 1" 1 ik cluster get "$EMU_CLUSTER_ID"
contains "str: not an object" "$T_TMP/err" "the answer is not an object"
emu_post /control/fault '{"service":"cs","kind":"body","path":"/v1/clusters","body":"{\"a\":1}"}'
check "clusters on an object: exit 1" 1 ik clusters
contains "clusters: not a list" "$T_TMP/err" "the answer is not a list"
python3 -c 'print("[" * 600 + "]" * 600)' > "$T_TMP/deep"
emu_post /control/fault "{\"service\":\"cs\",\"kind\":\"body\",\"path\":\"/v1/clusters\",\"body\":\"$(cat "$T_TMP/deep")\"}"
check "nesting over the depth limit: exit 1" 1 ik clusters
contains "names LIM_JSON_DEPTH" "$T_TMP/err" "LIM_JSON_DEPTH"

# --- item 4: a token from IAM that would split a header is refused ---
emu_post /control/fault '{"service":"iam","kind":"body","path":"/identity/token","body":"{\"access_token\":\"eyJhbGciOi.x\\r\\nX-Evil: 1\",\"refresh_token\":\"rt\",\"expires_in\":3600}"}'
log_mark
check "a CRLF in IAM's access_token: exit 1" 1 ik token --refresh
contains "says it cannot go into a header" "$T_TMP/err" "cannot go into a header"
check "the good token is kept" 0 ik clusters
eq "no request carried the split header" "$(emu_count_since request X-Evil=1)" 0

# --- item 8: every write is checked ---
for c in "token" "token --kube" "token -o json" "version" "clusters" "clusters -o json" \
    "cluster get $EMU_CLUSTER_ID" "cluster config $EMU_CLUSTER_ID" "kube-credential" \
    "kube $EMU_CLUSTER_ID /version" "api /v1/clusters" "help"; do
	# shellcheck disable=SC2086
	"$IKSCTL" $c > /dev/full 2> "$T_TMP/err"
	eq "$c > /dev/full: exit 1" "$?" 1
	contains "$c > /dev/full: says so" "$T_TMP/err" "writing to stdout failed"
done
# A closed stdout reaches iksctl itself only when IKSCTL is the program,
# not a wrapper script (valgrind's holds descriptors of its own).
if head -c 4 "$IKSCTL" | grep -q ELF; then
	for c in "token" "version" "kube $EMU_CLUSTER_ID /version" "cluster config $EMU_CLUSTER_ID"; do
		# shellcheck disable=SC2086
		"$IKSCTL" $c >&- 2> "$T_TMP/err"
		eq "$c >&-: exit 1" "$?" 1
	done
else
	ok "closed stdout: skipped for a wrapper ($IKSCTL)"
fi

check "the store survived the closed stdouts" 0 ik token
contains "and still holds a token" "$T_TMP/out" "eyJ"

# --- item 11: clear usage errors ---
check "--nosuch: exit 2" 2 ik --nosuch
contains "--nosuch is an unknown option" "$T_TMP/err" "unknown option '--nosuch'"
check "clusters --nosuch: exit 2" 2 ik clusters --nosuch
contains "clusters --nosuch is an unknown option" "$T_TMP/err" "unknown option '--nosuch'"
check "help nosuch: exit 2" 2 ik help nosuch
contains "help nosuch says so" "$T_TMP/err" "unknown command 'nosuch'"
check "help clusters" 0 ik help clusters
long=$(python3 -c 'print("y" * 300)')
check "a long unknown command: exit 2" 2 ik "$long"
eq "echoed cut to 64 bytes" "$(sed -n "s/.*command '\(y*\).*/\1/p" "$T_TMP/err" | tr -d '\n' | wc -c)" 64
printf 'not a certificate\n' > "$T_TMP/nocert.pem"
check "--cacert with no certificate: exit 4" 4 ik --cacert "$T_TMP/nocert.pem" versions
contains "--cacert: says it holds no certificate" "$T_TMP/err" "no certificate"
: > "$T_TMP/empty.pem"
check "--cacert empty: exit 4" 4 ik --cacert "$T_TMP/empty.pem" versions
contains "--cacert empty: says so" "$T_TMP/err" "no certificate"
check "--cacert missing: exit 4" 4 ik --cacert "$T_TMP/nosuch.pem" versions
contains "--cacert missing: names the file" "$T_TMP/err" "nosuch.pem"
finish
