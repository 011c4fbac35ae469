#!/bin/sh
# test_dist.sh: the release tarballs of `make dist` (toolchains/dist.sh).
#
# Packs the three targets' binaries twice (different umask, different
# output folder) and checks that the bytes are equal (tarballs, .deb
# packages, SHA256SUMS; test_deb.sh looks inside the packages) and that
# no staging folder is left, then looks inside each tarball: the files and their modes, owner and time, both
# SHA256SUMS, the gzip header, the binary (its architecture, that it is
# the one built), the licences, the man page (man -l renders it without
# a warning; it and the completion know every option of `iksctl help`,
# every command and flag of the changing commands and the listings of
# src/cli/*manage*.c and cmd_pools.c, and every variable of DESIGN.md) and the bash completion (it loads and
# completes).  Binaries missing from build/<triple>/ are linked first
# (make TARGET=<triple> bin).  Clean full rebuilds are `make dist-check`.
#
# Needs: man-db and groff-base (man -l), bash, file, flock (util-linux).
. tests/integration/lib.sh

dist_binaries   # VERSION, TRIPLES, SDE; build/<triple>/iksctl (lib.sh)
[ "$T_FAIL" = 0 ] || finish

# --- two packings of the same binaries ------------------------------------
D1=$T_TMP/dist1
D2=$T_TMP/second/dist-two
check "dist.sh packs the three targets" 0 sh -c "umask 022 && sh toolchains/dist.sh -o '$D1'"
sleep 1
check "dist.sh again (umask 077, another folder, a second later)" 0 \
	sh -c "umask 077 && sh toolchains/dist.sh -o '$D2'"
for f in $(cd "$D1" && ls) ; do
	if cmp -s "$D1/$f" "$D2/$f"; then ok "same bytes twice: $f"; else
		fail "$f differs between two packings of the same binaries"; fi
done
eq "file list of build/dist" "$(cd "$D1" && LC_ALL=C ls -A | tr '\n' ' ')" \
	"SHA256SUMS iksctl-$VERSION-aarch64-linux-musl.tar.gz iksctl-$VERSION-armv7-linux-musleabihf.tar.gz iksctl-$VERSION-x86_64-linux-musl.tar.gz iksctl_${VERSION}_amd64.deb iksctl_${VERSION}_arm64.deb iksctl_${VERSION}_armhf.deb "
check "SHA256SUMS beside the tarballs verifies" 0 sh -c "cd '$D1' && sha256sum -c --strict SHA256SUMS"
# (the packages themselves: test_deb.sh)
eq "SHA256SUMS lists the three tarballs and the three .deb" \
	"$(awk '{ print $2 }' "$D1/SHA256SUMS" | LC_ALL=C sort | tr '\n' ' ')" \
	"iksctl-$VERSION-aarch64-linux-musl.tar.gz iksctl-$VERSION-armv7-linux-musleabihf.tar.gz iksctl-$VERSION-x86_64-linux-musl.tar.gz iksctl_${VERSION}_amd64.deb iksctl_${VERSION}_arm64.deb iksctl_${VERSION}_armhf.deb "

# --- inside each tarball --------------------------------------------------
want_date=$(TZ=UTC date -u -d "@$SDE" '+%Y-%m-%d %H:%M:%S')
for t in $TRIPLES; do
	n=iksctl-$VERSION-$t
	tgz=$D1/$n.tar.gz
	# gzip header: no file name (FLG 0) and MTIME 0.
	eq "$t: gzip header without name and time" \
		"$(od -An -tx1 -j3 -N5 "$tgz" | tr -d ' \n')" "0000000000"
	TZ=UTC tar --full-time -tvzf "$tgz" > "$T_TMP/list" 2>&1
	awk '{ print $1, $2, $4" "$5, $6 }' "$T_TMP/list" > "$T_TMP/got"
	cat > "$T_TMP/want" <<EOF
drwxr-xr-x 0/0 $want_date $n/
-rw-r--r-- 0/0 $want_date $n/LICENSE
-rw-r--r-- 0/0 $want_date $n/LICENSE.jsmn
-rw-r--r-- 0/0 $want_date $n/LICENSE.mbedtls
-rw-r--r-- 0/0 $want_date $n/LICENSE.musl
-rw-r--r-- 0/0 $want_date $n/SHA256SUMS
-rwxr-xr-x 0/0 $want_date $n/iksctl
-rw-r--r-- 0/0 $want_date $n/iksctl.1
-rw-r--r-- 0/0 $want_date $n/iksctl.bash
EOF
	if cmp -s "$T_TMP/got" "$T_TMP/want"; then
		ok "$t: entries, order, modes, owner 0/0, mtime = SOURCE_DATE_EPOCH"
	else
		fail "$t: tar listing: $(diff "$T_TMP/want" "$T_TMP/got" | head -c 600)"
	fi
	X=$T_TMP/x-$t
	mkdir -p "$X"
	tar -xzf "$tgz" -C "$X"
	d=$X/$n
	check "$t: SHA256SUMS inside verifies" 0 sh -c "cd '$d' && sha256sum -c --strict SHA256SUMS"
	eq "$t: SHA256SUMS covers every other file" \
		"$(awk '{ print $2 }' "$d/SHA256SUMS" | tr '\n' ' ')" \
		"LICENSE LICENSE.jsmn LICENSE.mbedtls LICENSE.musl iksctl iksctl.1 iksctl.bash "
	if cmp -s "$d/iksctl" "build/$t/iksctl"; then ok "$t: the binary is build/$t/iksctl"; else
		fail "$t: the binary differs from build/$t/iksctl"; fi
	file -b "$d/iksctl" > "$T_TMP/file"
	case $t in
	x86_64*) arch=x86-64 run="" ;;
	aarch64*) arch=aarch64 run=qemu-aarch64-static ;;
	armv7*) arch=ARM run=qemu-arm-static ;;
	esac
	contains "$t: architecture $arch" "$T_TMP/file" "$arch"
	contains "$t: statically linked" "$T_TMP/file" "statically linked"
	if [ -z "$run" ] || command -v "$run" > /dev/null 2>&1; then
		$run "$d/iksctl" version > "$T_TMP/ver" 2>&1
		contains "$t: iksctl version names its target" "$T_TMP/ver" "iksctl $VERSION ($t)"
	fi
	contains "$t: LICENSE: iksctl's notice" "$d/LICENSE" 'Licensed under the Apache License, Version 2.0'
	contains "$t: LICENSE: the Apache-2.0 text" "$d/LICENSE" 'END OF TERMS AND CONDITIONS'
	cmp -s "$d/LICENSE.mbedtls" build/deps/mbedtls-*/LICENSE && ok "$t: LICENSE.mbedtls" ||
		fail "$t: LICENSE.mbedtls is not Mbed TLS's LICENSE"
	cmp -s "$d/LICENSE.jsmn" build/deps/jsmn-*/LICENSE && ok "$t: LICENSE.jsmn" ||
		fail "$t: LICENSE.jsmn is not jsmn's LICENSE"
	cmp -s "$d/LICENSE.musl" /usr/share/doc/musl/copyright && ok "$t: LICENSE.musl" ||
		fail "$t: LICENSE.musl is not musl's copyright file"
	contains "$t: LICENSE names musl" "$d/LICENSE" "musl, the C library"
	if ! cmp -s "$d/iksctl.1" "$X/../x-x86_64-linux-musl/iksctl-$VERSION-x86_64-linux-musl/iksctl.1"; then
		fail "$t: iksctl.1 differs between targets"
	fi
done

# --- the man page ---------------------------------------------------------
M=$T_TMP/x-x86_64-linux-musl/iksctl-$VERSION-x86_64-linux-musl
if ! command -v man > /dev/null 2>&1 || ! command -v groff > /dev/null 2>&1; then
	fail "man page: man or groff is missing (apt-get install man-db groff-base)"
else
	MANWIDTH=80 man -l --warnings "$M/iksctl.1" > "$T_TMP/man" 2> "$T_TMP/man.err" < /dev/null
	eq "man -l renders iksctl.1 (exit status)" "$?" 0
	if [ -s "$T_TMP/man.err" ]; then
		fail "man -l --warnings: $(head -c 600 "$T_TMP/man.err")"
	else
		ok "man -l --warnings: no warning"
	fi
	long=$(awk 'length > 80' "$T_TMP/man" | head -n 3)
	[ -z "$long" ] && ok "man page fits 80 columns" || fail "lines over 80 columns: $long"
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS "GLOBAL OPTIONS" ENVIRONMENT \
		FILES "EXIT STATUS" EXAMPLES SECURITY; do
		grep -qx "$s" "$T_TMP/man" && ok "man: section $s" || fail "man: no section $s"
	done
	grep -q '@VERSION@\|@DATE@' "$M/iksctl.1" && fail "man: placeholders left" ||
		ok "man: version and date filled in"
	contains "man: footer has the version" "$T_TMP/man" "iksctl $VERSION"
	# Every command and option that `iksctl help` shows, in the man page and
	# the completion; every variable of DESIGN.md section 3.
	"$M/iksctl" help > "$T_TMP/help" 2>&1
	# (a word followed by a colon, as "changes:", labels options, not a command)
	cmds=$(sed -n 's/^  \([a-z-]*\)\( .*\)*$/\1/p' "$T_TMP/help")
	# (an option starts a word: X-Auth-Resource-Group names no -A)
	opts=$(grep -oE -- '(^|[] ,[(|])-(-[a-z][a-z-]*|[a-zA-Z])' "$T_TMP/help" |
		sed -E 's/^[^-]//' | sort -u)
	[ -n "$cmds" ] && [ -n "$opts" ] || fail "could not read iksctl help"
	miss_m="" miss_c=""
	for w in $cmds $opts; do
		grep -qF -- "$w" "$T_TMP/man" || miss_m="$miss_m $w"
		grep -qF -- "$w" "$M/iksctl.bash" || miss_c="$miss_c $w"
	done
	eq "man: every command and option of iksctl help" "$miss_m" ""
	eq "completion: every command and option of iksctl help" "$miss_c" ""
	# Every command of the table of changing commands (the words of each row
	# of src/cli/manage_ops.c), the listings of cmd_pools.c, and every flag
	# of those sources and cmd_manage.c, in both.  A flag must stand as a
	# word of its own (--hard is not found in --hardware); the completion
	# needs each word of a command.
	srcs=$(ls src/cli/*manage*.c src/cli/cmd_pools.c)
	ops=$( (cat $srcs | sed -n 's/^[	 ]*{ "\([a-z][a-z0-9 -]*\)", .*/\1/p'
		cat $srcs | grep -oE '"(worker-pool|worker) (ls|get)"' | tr -d '"') |
		sort -u)
	# (a flag stands alone, "--hard", or packed with others or with its
	# body member, "--label\0labels"; main.c's arg_target holds -c, -p, -w)
	flags=$(cat $srcs src/cli/main.c | grep -oE '"[^"]*"' | sed 's/\\0/\n/g' |
		tr -d '"' | grep -xE -- '--?[a-z][a-z-]*' | sort -u)
	nops=$(printf '%s\n' "$ops" | grep -c .)
	nflags=$(printf '%s\n' "$flags" | grep -c .)
	[ "$nops" -ge 21 ] && [ "$nflags" -ge 36 ] && ok "read $nops commands and $nflags flags from $(echo $srcs)" ||
		fail "could read only $nops commands and $nflags flags from the sources"
	miss_m="" miss_c=""
	IFS='
'
	for w in $ops; do
		grep -qF -- "$w" "$T_TMP/man" || miss_m="$miss_m '$w'"
		for x in $(printf '%s\n' $w | tr ' ' '\n'); do
			grep -qwF -- "$x" "$M/iksctl.bash" || miss_c="$miss_c '$w'"
		done
	done
	unset IFS
	for w in $flags; do
		grep -qE -- "(^|[^a-z-])$w([^a-z-]|\$)" "$T_TMP/man" || miss_m="$miss_m $w"
		grep -qE -- "(^|[^a-z-])$w([^a-z-]|\$)" "$M/iksctl.bash" || miss_c="$miss_c $w"
	done
	eq "man: every changing command, listing and flag" "$miss_m" ""
	eq "completion: every changing command, listing and flag" "$miss_c" ""
	miss=""
	for v in IBMCLOUD_API_KEY IC_API_KEY IBMCLOUD_REGION IC_REGION \
		IBMCLOUD_IAM_API_ENDPOINT IBMCLOUD_ACCOUNT_MANAGEMENT_API_ENDPOINT \
		IBMCLOUD_CS_API_ENDPOINT IBMCLOUD_CR_TOKEN_FILE IBMCLOUD_CR_PROFILE \
		IKSCTL_HOME HTTPS_PROXY NO_PROXY SSL_CERT_FILE SSL_CERT_DIR \
		IBMCLOUD_VISIBILITY IBMCLOUD_RESOURCE_GROUP IKSCTL_WAIT_INTERVAL; do
		grep -qE "^       ([A-Z_]+, )?$v(,|\$)" "$T_TMP/man" || miss="$miss $v"
	done
	eq "man: ENVIRONMENT has every variable" "$miss" ""
	miss=""
	for c in 0 1 2 3 4 5 130; do
		grep -q "^       $c  " "$T_TMP/man" || miss="$miss $c"
	done
	eq "man: EXIT STATUS 0 to 5 and 130" "$miss" ""
fi

# --- the bash completion --------------------------------------------------
comp() {
	bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_iksctl
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "
	' comp "$M/iksctl.bash" "$@"
}
if command -v bash > /dev/null 2>&1; then
	check "completion loads in bash and registers _iksctl" 0 \
		bash --norc --noprofile -c ". '$M/iksctl.bash' && complete -p iksctl | grep -q _iksctl"
	eq "complete: iksctl clu" "$(comp iksctl clu)" "cluster clusters "
	eq "complete: iksctl cluster" "$(comp iksctl cluster '')" "config create get master rm wait workers "
	eq "complete: iksctl -o" "$(comp iksctl -o '')" "json table "
	eq "complete: iksctl clusters -o j" "$(comp iksctl clusters -o j)" "json "
	eq "complete: iksctl --region us-south to" "$(comp iksctl --region us-south to)" "token "
	eq "complete: iksctl token --" "$(comp iksctl token --w)" "--watch "
	eq "complete: iksctl cluster config C --k" "$(comp iksctl cluster config c1 --k)" "--kubeconfig "
	eq "complete: iksctl api --service" "$(comp iksctl api --service '')" "accounts cs iam "
	eq "complete: iksctl --visibility" "$(comp iksctl --visibility p)" "private public "
	mkdir -p "$T_TMP/c/clusters"
	printf 'iksctl-cluster 1\nid c0ffee01\nname edge-one\nca\n-----BEGIN\n' > "$T_TMP/c/clusters/c0ffee01"
	eq "complete: cluster names from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl kube e)" "edge-one "
	# The cluster lifecycle commands (" ": nothing offered).
	eq "complete: cluster create" "$(comp iksctl cluster create '')" "classic vpc-gen2 "
	eq "complete: cluster create classic --h" \
		"$(comp iksctl cluster create classic --h)" "--hardware --help "
	eq "complete: --hardware" "$(comp iksctl cluster create classic --hardware '')" "dedicated shared "
	eq "complete: cluster create vpc-gen2 --s" \
		"$(comp iksctl cluster create vpc-gen2 --zone us-south-1 --s)" "--service-subnet --subnet-id "
	eq "complete: a create's name is not a cached cluster" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl cluster create classic --name e)" " "
	eq "complete: cluster rm CLUSTER from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl cluster rm e)" "edge-one "
	eq "complete: cluster rm C --d" "$(comp iksctl cluster rm c1 --d)" "--delete-storage --dry-run "
	eq "complete: cluster master" "$(comp iksctl cluster master '')" "update "
	eq "complete: cluster master update CLUSTER from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl cluster master update e)" "edge-one "
	eq "complete: cluster master update C --f" \
		"$(comp iksctl cluster master update c1 --f)" "--force-update "
	eq "complete: cluster wait -c from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl cluster wait -c e)" "edge-one "
	eq "complete: --until" "$(comp iksctl cluster wait c1 --until '')" "deleted master normal version "
	eq "complete: cluster wait C --w" "$(comp iksctl cluster wait c1 --w)" "--wait-timeout "
	eq "complete: login -c is an account, not a cluster" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl login -c e)" " "
	# Pools, zones and workers.
	eq "complete: iksctl wor" "$(comp iksctl wor)" "worker worker-pool "
	eq "complete: worker-pool" "$(comp iksctl worker-pool '')" "create get ls resize rm "
	eq "complete: worker-pool create" "$(comp iksctl worker-pool create '')" "classic vpc-gen2 "
	eq "complete: worker-pool create classic CLUSTER from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl worker-pool create classic e)" "edge-one "
	eq "complete: worker-pool create classic C --s" \
		"$(comp iksctl worker-pool create classic c1 --s)" "--size-per-zone "
	eq "complete: worker-pool create vpc-gen2 C --v" \
		"$(comp iksctl worker-pool create vpc-gen2 c1 --v)" "--verbose --visibility --vpc-id "
	eq "complete: worker-pool resize CLUSTER from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl worker-pool resize e)" "edge-one "
	eq "complete: worker-pool resize C POOL is not a cluster" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl worker-pool resize edge-one e)" " "
	eq "complete: worker-pool rm -c from the cache" \
		"$(IKSCTL_HOME=$T_TMP/c comp iksctl worker-pool rm -c e)" "edge-one "
	eq "complete: zone add" "$(comp iksctl zone add '')" "classic vpc-gen2 "
	eq "complete: zone add classic C P --p" \
		"$(comp iksctl zone add classic c1 p1 --p)" "--private-only --private-vlan --public-vlan "
	eq "complete: zone add vpc-gen2 C P --s" \
		"$(comp iksctl zone add vpc-gen2 c1 p1 --s)" "--subnet-id "
	eq "complete: worker" "$(comp iksctl worker '')" "get ls reboot reload replace rm update "
	eq "complete: worker ls C --s" "$(comp iksctl worker ls c1 --s)" "--show-deleted "
	eq "complete: worker ls C -p is a pool, not a password" "$(comp iksctl worker ls c1 -p '')" " "
	eq "complete: worker reboot C W --h" "$(comp iksctl worker reboot c1 w1 --h)" "--hard --help "
	eq "complete: worker replace C W --u" "$(comp iksctl worker replace c1 w1 --u)" "--update "
	eq "complete: worker rm C -w W --w" "$(comp iksctl worker rm c1 -w w1 --w)" "--wait --wait-timeout --worker "
	eq "complete: cluster workers C --w" "$(comp iksctl cluster workers c1 --w)" "--worker-pool "
else
	fail "bash is not installed"
fi

finish
