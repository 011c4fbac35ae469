#!/bin/sh
# test_files.sh: files iksctl writes and bad input (issue 12, items 5, 6
# and 11): --sink and --kubeconfig refuse a FIFO, socket, directory or
# device before any network call; nothing under IKSCTL_HOME is followed
# through a symlink and a FIFO store is an error, not a hang; logout
# removes whatever is there; every mistake in a credential argument is
# exit 2; kube-credential --cluster needs a cluster that exists.
# Everything lives in the test's temp dir: /dev/null itself is used only
# once the refusal has been seen on a temp-dir device.
. tests/integration/lib.sh
emu_start
ik() { "$IKSCTL" "$@"; }
K=$T_TMP/apikey
printf '%s\n' "$EMU_APIKEY" > "$K"
chmod 600 "$K"
D=$T_TMP/targets
mkdir -p "$D/adir"
mkfifo "$D/fifo"
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$D/sock"
ln -s fifo "$D/tofifo"
KINDS="fifo:FIFO sock:socket adir:directory tofifo:FIFO"
if [ "$(id -u)" = 0 ] && mknod "$D/null" c 1 3 2>/dev/null; then
	KINDS="$KINDS null:device"
else
	echo "skip a temp-dir char device (not root or no mknod)"
fi
# still_kind F KIND: F is still what it was (nothing replaced it).
still_kind() {
	case $2 in
	FIFO) [ -p "$1" ] ;; socket) [ -S "$1" ] ;; directory) [ -d "$1" ] ;;
	device) [ -c "$1" ] ;; esac
}
# no_out NAME: the last check printed nothing on stdout.
no_out() { if [ -s "$T_TMP/out" ]; then fail "$1: $(head -c 80 "$T_TMP/out")"; else ok "$1"; fi; }
check "login" 0 ik login --apikey "@$K"

# --- 1. --sink and --kubeconfig: regular files only, refused at once ---
refused=0
for kv in $KINDS; do
	f=${kv%%:*} kind=${kv#*:}
	log_mark
	check "token --watch --sink $f: exit 1" 1 timeout 3 "$IKSCTL" token --watch --sink "$D/$f"
	contains "sink $f: names the kind" "$T_TMP/err" "is a $kind, not a regular file"
	contains "sink $f: names the path" "$T_TMP/err" "$D/$f"
	eq "sink $f: no request" "$(emu_count_since request)" 0
	if still_kind "$D/$f" "$kind"; then ok "sink $f: left alone"; refused=$((refused + 1)); else
		fail "sink $f: replaced"; fi
	log_mark
	check "cluster config --kubeconfig $f: exit 1" 1 timeout 5 "$IKSCTL" cluster config "$EMU_CLUSTER" --kubeconfig "$D/$f"
	contains "kubeconfig $f: names the kind" "$T_TMP/err" "is a $kind, not a regular file"
	eq "kubeconfig $f: no request" "$(emu_count_since request)" 0
	if still_kind "$D/$f" "$kind"; then ok "kubeconfig $f: left alone"; else fail "kubeconfig $f: replaced"; fi
done
# /dev/null only once the same refusal was seen on every temp-dir kind.
if [ "$refused" = "$(echo $KINDS | wc -w)" ] && [ -c /dev/null ]; then
	check "token --watch --sink /dev/null: exit 1" 1 timeout 3 "$IKSCTL" token --watch --sink /dev/null
	contains "/dev/null: a device" "$T_TMP/err" "/dev/null is a device, not a regular file"
	if [ -c /dev/null ]; then ok "/dev/null still a device"; else fail "/dev/null replaced"; fi
else
	fail "--sink /dev/null not tried: a temp-dir kind was not refused"
fi
log_mark
check "sink in a missing directory: exit 1 at once" 1 timeout 3 "$IKSCTL" token --watch --sink "$D/nodir/token"
contains "missing directory named" "$T_TMP/err" "$D/nodir"
eq "missing directory: no request" "$(emu_count_since request)" 0
check "kubeconfig in a missing directory: exit 1" 1 timeout 5 "$IKSCTL" cluster config "$EMU_CLUSTER" --kubeconfig "$D/nodir/kc"
if [ "$(id -u)" != 0 ]; then
	mkdir "$D/ro" && chmod 500 "$D/ro"
	check "sink in a read-only directory: exit 1 at once" 1 timeout 3 "$IKSCTL" token --watch --sink "$D/ro/token"
else
	echo "skip a read-only sink directory (root writes anyway)"
fi
check "a regular kubeconfig still works" 0 ik cluster config "$EMU_CLUSTER" --kubeconfig "$D/kc"
check "the agent still starts on a regular sink" 124 timeout 2 "$IKSCTL" token --watch --sink "$D/token"
[ -s "$D/token" ] && ok "the agent wrote its sink" || fail "no token in the sink"

# --- 2. nothing under IKSCTL_HOME through a symlink; a FIFO store ---
H=$IKSCTL_HOME
cp "$H/store" "$T_TMP/store.good"
mkhome() { rm -rf "$T_TMP/$1"; mkdir -m 700 "$T_TMP/$1"; echo "$T_TMP/$1"; }
L=$(mkhome linkstore)
cp "$T_TMP/store.good" "$T_TMP/elsewhere"
ln -s "$T_TMP/elsewhere" "$L/store"
check "a store that is a symlink: exit 1" 1 env IKSCTL_HOME="$L" "$IKSCTL" token
contains "symlink store: says so" "$T_TMP/err" "symbolic link"
no_out "symlink store: no token printed"
cmp -s "$T_TMP/elsewhere" "$T_TMP/store.good" && ok "symlink target untouched" || fail "symlink target changed"
L2=$(mkhome linklock)
cp "$T_TMP/store.good" "$L2/store"
ln -s "$T_TMP/lock-target" "$L2/lock"
check "a lock that is a symlink: exit 1" 1 env IKSCTL_HOME="$L2" "$IKSCTL" token --refresh
contains "symlink lock: says so" "$T_TMP/err" "symbolic link"
check "symlink lock: target never created" 0 test ! -e "$T_TMP/lock-target"
F=$(mkhome fifostore)
mkfifo "$F/store"
check "a store that is a FIFO: exit 1, no hang" 1 timeout 5 env IKSCTL_HOME="$F" "$IKSCTL" token
contains "FIFO store: says so" "$T_TMP/err" "is a FIFO, not a regular file"

# --- 3. logout removes whatever is there (needs session_init to let it run) ---
C=$(mkhome corrupt)
printf 'iksctl-store 1\ngarbage\n' > "$C/store"
check "a corrupt store: exit 1" 1 env IKSCTL_HOME="$C" "$IKSCTL" token
contains "corrupt store advises logout" "$T_TMP/err" "iksctl logout"
check "logout a corrupt store the first time: exit 0" 0 env IKSCTL_HOME="$C" "$IKSCTL" logout
printf 'iksctl-store 1\ngarbage\n' > "$C/store"
if true; then
	: > "$C/lock"
	: > "$C/.store.tmp-999999999-1"
	mkdir -m 700 "$C/kube" "$C/clusters"
	echo x > "$C/kube/c.yaml"
	echo x > "$C/clusters/cid"
	printf 'iksctl-store 1\ngarbage\n' > "$C/store"
	check "logout a corrupt store: exit 0" 0 env IKSCTL_HOME="$C" "$IKSCTL" logout
	eq "logout left nothing" "$(ls -A "$C")" ""
	check "then login works" 0 env IKSCTL_HOME="$C" "$IKSCTL" login --apikey "@$K"
	printf 'iksctl-store 9\nanything\n' > "$C/store"
	check "logout a future store: exit 0" 0 env IKSCTL_HOME="$C" "$IKSCTL" logout
	check "future store removed" 0 test ! -e "$C/store"
	check "logout a symlink store: exit 0" 0 env IKSCTL_HOME="$L" "$IKSCTL" logout
	check "the link is gone" 0 test ! -L "$L/store"
	cmp -s "$T_TMP/elsewhere" "$T_TMP/store.good" && ok "its target kept" || fail "link target changed"
	check "logout a symlink lock: exit 0" 0 env IKSCTL_HOME="$L2" "$IKSCTL" logout
	check "lock link gone, target never made" 0 test ! -L "$L2/lock" -a ! -e "$T_TMP/lock-target"
	check "logout a FIFO store: exit 0" 0 timeout 5 env IKSCTL_HOME="$F" "$IKSCTL" logout
	check "FIFO gone" 0 test ! -e "$F/store"
fi

# --- 4. login arguments: every mistake is exit 2 ---
: > "$T_TMP/empty"
printf '\n \n' > "$T_TMP/blank"
check "--cr-token @FILE without a profile: exit 2" 2 env -u IBMCLOUD_CR_PROFILE "$IKSCTL" login --cr-token "@$EMU_CR_TOKEN_FILE"
contains "no profile: says which flags" "$T_TMP/err" "--profile-id"
check "--apikey @missing: exit 2" 2 ik login --apikey "@$T_TMP/nosuch"
contains "missing file named" "$T_TMP/err" "$T_TMP/nosuch"
check "--apikey @empty: exit 2" 2 ik login --apikey "@$T_TMP/empty"
contains "empty file: says so" "$T_TMP/err" "empty"
check "--apikey @blank: exit 2" 2 ik login --apikey "@$T_TMP/blank"
check "--apikey @directory: exit 2" 2 ik login --apikey "@$D/adir"
contains "directory: says so" "$T_TMP/err" "directory"
check "--apikey '': exit 2" 2 ik login --apikey ''
contains "empty value: says so" "$T_TMP/err" "empty"
check "--apikey @: exit 2" 2 ik login --apikey @
check "--password @empty: exit 2" 2 ik login --username u --password "@$T_TMP/empty"
check "--cr-token @empty: exit 2" 2 ik login --cr-token "@$T_TMP/empty" --profile-id "$EMU_PROFILE_ID"
check "IBMCLOUD_CR_TOKEN_FILE empty: exit 2" 2 env IBMCLOUD_CR_TOKEN_FILE="$T_TMP/empty" "$IKSCTL" login --profile-id "$EMU_PROFILE_ID"
if [ "$(id -u)" != 0 ]; then
	cp "$K" "$T_TMP/noread" && chmod 000 "$T_TMP/noread"
	check "--apikey @unreadable: exit 2" 2 ik login --apikey "@$T_TMP/noread"
else
	echo "skip an unreadable credential file (root reads anything)"
fi
check "--cr-token TOKEN (plain): exit 2 (issue 25)" 2 ik login --cr-token "$(cat "$EMU_CR_TOKEN_FILE")" --profile-id "$EMU_PROFILE_ID"
contains "plain --cr-token: says why" "$T_TMP/err" "--cr-token takes @FILE"
cp "$K" "$T_TMP/loose" && chmod 644 "$T_TMP/loose"
check "a credential file open to others still works" 0 ik login --apikey "@$T_TMP/loose"
contains "loose credential file: warning" "$T_TMP/err" "warning: credential file $T_TMP/loose has mode 644"
contains "loose credential file: the fix" "$T_TMP/err" "chmod 600 $T_TMP/loose"
check "a private credential file: no warning" 0 ik login --apikey "@$K"
eq "private file: nothing on stderr" "$(wc -c < "$T_TMP/err")" 0

# --- 5. IKSCTL_HOME over its limit, HOME unset (the session propagates) ---
long=$T_TMP/$(python3 -c 'print("a" * 4200)')
env IKSCTL_HOME="$long" "$IKSCTL" token > "$T_TMP/out" 2> "$T_TMP/err"
contains "IKSCTL_HOME over its limit names it" "$T_TMP/err" "LIM_PATH_FS_BYTES"
env -u HOME -u IKSCTL_HOME "$IKSCTL" token > "$T_TMP/out" 2> "$T_TMP/err"
contains "HOME unset says so" "$T_TMP/err" "HOME is not set"

# --- 6. kube-credential --cluster must name a cluster of this account ---
check "login again" 0 ik login --apikey "@$K"
log_mark
check "kube-credential --cluster nosuch: exit 1" 1 ik kube-credential --cluster nosuch
contains "nosuch: G0004" "$T_TMP/err" "G0004"
no_out "nosuch: no token printed"
eq "nosuch: one containers GET" "$(emu_count_since request service=cs)" 1
check "other account's cluster: exit 1" 1 ik kube-credential --cluster "$EMU_OTHER_ACCOUNT_CLUSTER"
check "cluster config writes the cache" 0 ik cluster config "$EMU_CLUSTER" --kubeconfig "$D/kc"
log_mark
check "kube-credential --cluster ID (cached)" 0 ik kube-credential --cluster "$EMU_CLUSTER_ID"
contains "an ExecCredential" "$T_TMP/out" '"kind":"ExecCredential"'
eq "cached cluster: no containers request" "$(emu_count_since request service=cs)" 0
rm -rf "$IKSCTL_HOME/clusters"
log_mark
check "kube-credential --cluster NAME (no cache)" 0 ik kube-credential --cluster "$EMU_CLUSTER"
eq "no cache: one containers GET" "$(emu_count_since request service=cs)" 1
rm -rf "$IKSCTL_HOME/clusters" && mkdir -m 700 "$IKSCTL_HOME/clusters"
mkfifo "$IKSCTL_HOME/clusters/$EMU_CLUSTER_ID"
log_mark
check "a FIFO in the cluster cache: no hang" 0 timeout 5 "$IKSCTL" kube-credential --cluster "$EMU_CLUSTER_ID"
eq "FIFO cache entry: one containers GET" "$(emu_count_since request service=cs)" 1
check "kube-credential without --cluster" 0 ik kube-credential
contains "still an ExecCredential" "$T_TMP/out" '"kind":"ExecCredential"'

# --- nothing under IKSCTL_HOME is followed through a link: kube/, clusters/ ---
mkdir -m 700 "$T_TMP/kube-target" "$T_TMP/clusters-target"
rm -rf "$IKSCTL_HOME/kube" "$IKSCTL_HOME/clusters"
ln -s "$T_TMP/kube-target" "$IKSCTL_HOME/kube"
# cluster config merges into $KUBECONFIG now: nothing goes in kube/.
check "cluster config with kube/ a link" 0 ik cluster config "$EMU_CLUSTER"
eq "kube/ link: nothing written through it" "$(ls -A "$T_TMP/kube-target")" ""
rm -rf "$IKSCTL_HOME/clusters"
ln -s "$T_TMP/clusters-target" "$IKSCTL_HOME/clusters"
check "kube with clusters/ a link: exit 1" 1 ik kube "$EMU_CLUSTER" /version
contains "clusters/ link: says so" "$T_TMP/err" "is a symbolic link, not a directory"
eq "clusters/ link: nothing written through it" "$(ls -A "$T_TMP/clusters-target")" ""
check "logout removes the links" 0 ik logout
check "the links are gone, their targets kept" 0 test ! -e "$IKSCTL_HOME/kube" -a ! -e "$IKSCTL_HOME/clusters" -a -d "$T_TMP/kube-target"
finish
