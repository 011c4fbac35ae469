#!/bin/sh
# test_help.sh: `iksctl help`, `iksctl help COMMAND`, the man page and the
# bash completion agree, because all come from one command table
# (src/cli/commands.txt).  Each side is read as a user meets it: the
# binary's output, the page as man renders it, the completion as bash
# runs it (toolchains/dist/docs.sh makes the last two, as for a release).
#
#   - the list: every command once, under the five groups, with a line
#   - each command's page: its synopsis, options with a line each, an
#     example that runs this command; `COMMAND --help` is the same page
#   - every option a parser in src/cli/ accepts is on some page
#   - the man page: every command and option of the pages, in the
#     generated summary and in the hand-written COMMANDS or GLOBAL
#     OPTIONS sections too (so the prose cannot lag behind the table)
#   - the completion: the same commands; for each command, the options it
#     offers over all its subcommands are exactly those of its page
#
# Needs: man-db and groff-base (man -l), bash.
. tests/integration/lib.sh

H=$T_TMP/help
mkdir -p "$H"
check "iksctl help" 0 ik help
cp "$T_TMP/out" "$H/list"
check "iksctl with no command: exit 2" 2 ik

cmp -s "$T_TMP/err" "$H/list" && ok "iksctl alone prints the list on stderr" ||
	fail "iksctl alone does not print the list"

# --- issue 25: the words a user tries -----------------------------------------
check "help cluster create: exit 0" 0 ik help cluster create
contains "help cluster create: the create synopsis" "$T_TMP/out" "iksctl cluster create classic"
check "help worker-pool create: exit 0" 0 ik help worker-pool create
contains "help worker-pool create: its page" "$T_TMP/out" "worker-pool create vpc-gen2"
check "help kube: exit 0" 0 ik help kube
grep -q "^  -H 'K: V'  *a request header (repeatable)$" "$T_TMP/out" &&
	ok "help kube: the -H 'K: V' line whole" || fail "help kube: $(grep -- "-H" "$T_TMP/out")"
check "-ojson (attached): accepted" 2 ik -ojson cluster get
contains "-ojson: on to the command's own check" "$T_TMP/err" "which CLUSTER"
check "-o=json: accepted" 2 ik -o=json cluster get
L=$(python3 -c 'print("c" * 300)')
check "a CLUSTER over its limit: exit 2" 2 ik cluster get "$L"
contains "over the limit: names it" "$T_TMP/err" "over LIM_FIELD_BYTES"
check "a --name over its limit: exit 2" 2 ik cluster create classic --name "$L" --zone z --flavor f --dry-run
check "a WORKER over its limit: exit 2" 2 ik worker reboot c "$L" --dry-run

# --- the list ---------------------------------------------------------------
for g in session clusters management Kubernetes other; do
	grep -qx "$g:" "$H/list" && ok "list: group $g" || fail "list: no group '$g:'"
done
# A command line: two spaces, the name, two spaces or more, its
# description ("  cluster create|rm|..." is a second line for cluster).
sed -n '/^global options:/q; s/^  \([a-z][a-z-]*\)   *[a-z(].*/\1/p' "$H/list" > "$H/cmds"
n=$(grep -c . "$H/cmds")
[ "$n" -ge 17 ] && ok "list: $n commands" || fail "list: only $n commands"
eq "list: each command once" "$(sort "$H/cmds" | uniq -d)" ""
for c in login logout accounts target token regions versions clusters cluster \
	worker-pool zone worker kube-credential kube api version help; do
	grep -qx "$c" "$H/cmds" || fail "list: no '$c'"
done
contains "list: the global options, each with a line" "$H/list" \
	"  --max-time SECONDS      the whole command's network work"

# --- each command's page -------------------------------------------------------
# opts FILE: the options named at the start of a page's lines.
opts() {
	sed -n 's/^  \(-[^ ].*\)$/\1/p' "$1" | sed 's/  .*//' | tr ',' '\n' |
		sed -n 's/^ *\(--*[a-zA-Z][a-z-]*\).*/\1/p' | LC_ALL=C sort -u
}
opts "$H/list" > "$H/global.opts"
ng=$(grep -c . "$H/global.opts")
[ "$ng" -ge 15 ] && ok "list: $ng global option names" || fail "list: only $ng global option names"
: > "$H/all.opts"
bad=""
for c in $(cat "$H/cmds"); do
	ik help "$c" > "$H/$c.page" 2> "$T_TMP/err" || bad="$bad $c:exit"
	head -n 1 "$H/$c.page" | grep -q "^usage: iksctl $c\( \|\$\)" || bad="$bad $c:usage"
	grep -q "^example:\$" "$H/$c.page" || grep -q "^examples:\$" "$H/$c.page" || bad="$bad $c:example"
	sed -n '/^examples*:$/,/^$/p' "$H/$c.page" | grep -q "^  iksctl $c\( \|\$\)" ||
		bad="$bad $c:example-runs-it"
	ik "$c" --help > "$H/$c.dashhelp" 2>&1
	cmp -s "$H/$c.page" "$H/$c.dashhelp" || bad="$bad $c:--help"
	# Every option line has its text.
	if grep -E '^  -' "$H/$c.page" | grep -vE '^  -[^ ]*( [^ ]+)*  +[a-z(]' |
		grep -vE '^  -[^ ]*( [^ ]*)*$' | grep -q .; then
		bad="$bad $c:option-line"
	fi
	opts "$H/$c.page" > "$H/$c.opts"
	cat "$H/$c.opts" >> "$H/all.opts"
done
eq "every page: usage line, example, --help the same, options with a text" "$bad" ""
LC_ALL=C sort -u -o "$H/all.opts" "$H/all.opts"
n=$(grep -c . "$H/all.opts")
[ "$n" -ge 55 ] && ok "pages: $n option names" || fail "pages: only $n option names"
contains "help cluster: config's --admin with its line" "$H/cluster.page" \
	"  --admin                 embed the admin certificate and key"
contains "help login: --cr-token" "$H/login.page" "  --cr-token @FILE "

# Every option the parsers know (a quoted "-x" or "--name" in src/cli/*.c,
# or one of a packed "-c\0--cluster\0..." list; messages that quote one
# are mostly "--x V: ..." and so not matched).
sed 's/\\0/"\n"/g' src/cli/*.c | grep -ohE '"--?[a-zA-Z][a-z-]*"' | tr -d '"' |
	LC_ALL=C sort -u > "$H/src.opts"
n=$(grep -c . "$H/src.opts")
[ "$n" -ge 70 ] && ok "sources: $n option names" || fail "sources: only $n option names"
cat "$H/all.opts" "$H/global.opts" | LC_ALL=C sort -u > "$H/shown.opts"
# --version is the command version spelt as an option (not a flag).
eq "every option of src/cli/*.c is on a help page" \
	"$(LC_ALL=C comm -23 "$H/src.opts" "$H/shown.opts" | tr '\n' ' ')" ""

# --- the man page and the completion, as a release makes them ---------------
D=$T_TMP/docs
check "docs.sh makes the man page and the completion" 0 sh toolchains/dist/docs.sh -o "$D"
if ! command -v man > /dev/null 2>&1; then
	fail "man is missing (apt-get install man-db groff-base)"
else
	MANWIDTH=80 man -l "$D/iksctl.1" > "$H/man" 2> /dev/null < /dev/null
	sed -n '/^COMMAND SUMMARY$/,/^COMMANDS$/p' "$H/man" > "$H/man.summary"
	sed -n '/^COMMANDS$/,/^ENVIRONMENT$/p' "$H/man" > "$H/man.prose"
	[ -s "$H/man.summary" ] && [ -s "$H/man.prose" ] && ok "man: COMMAND SUMMARY and COMMANDS" ||
		fail "man: no COMMAND SUMMARY or COMMANDS section"
	# A word of its own: --hard is not found in --hardware.
	word() { grep -qE -- "(^|[^a-zA-Z-])$1([^a-zA-Z-]|\$)" "$2"; }
	miss_s="" miss_p=""
	for w in $(cat "$H/cmds" "$H/all.opts" "$H/global.opts"); do
		word "$w" "$H/man.summary" || miss_s="$miss_s $w"
		word "$w" "$H/man.prose" || miss_p="$miss_p $w"
	done
	eq "man: the summary has every command and option" "$miss_s" ""
	eq "man: COMMANDS and GLOBAL OPTIONS describe every command and option" "$miss_p" ""
	for c in $(cat "$H/cmds"); do
		grep -q "^       iksctl $c\( \|\$\)" "$H/man.summary" || miss_s="$miss_s $c"
	done
	eq "man: the summary has each command's synopsis" "$miss_s" ""
fi

# comp WORD...: what the completion offers for the last word, sorted.
comp() {
	HOME=$T_TMP/nohome IKSCTL_HOME=$T_TMP/nohome bash --norc --noprofile -c '
		. "$1" || exit 1
		shift
		COMP_WORDS=(iksctl "$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_iksctl
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort -u
	' comp "$D/iksctl.bash" "$@"
}
if ! command -v bash > /dev/null 2>&1; then
	fail "bash is missing"
else
	eq "completion: the commands of the list" "$(comp '' | tr '\n' ' ')" \
		"$(LC_ALL=C sort "$H/cmds" | tr '\n' ' ')"
	eq "completion: the global options of the list" "$(comp - | tr '\n' ' ')" \
		"$(tr '\n' ' ' < "$H/global.opts")"
	# leaves WORD...: the options offered under every subcommand path.
	leaves() {
		subs=$(comp "$@" '')
		if [ -n "$subs" ] && [ "$1" != help ]; then
			for s in $subs; do leaves "$@" "$s"; done
		else
			comp "$@" -
		fi
	}
	bad=""
	for c in $(cat "$H/cmds"); do
		leaves "$c" | LC_ALL=C sort -u | LC_ALL=C comm -23 - "$H/global.opts" > "$H/$c.comp"
		LC_ALL=C comm -23 "$H/$c.opts" "$H/global.opts" > "$H/$c.want"
		cmp -s "$H/$c.comp" "$H/$c.want" ||
			bad="$bad $c:[$(LC_ALL=C comm -3 "$H/$c.comp" "$H/$c.want" | tr -d '\t' | tr '\n' ' ')]"
	done
	eq "completion: each command offers exactly the options of its page" "$bad" ""
	eq "completion: help COMMAND" "$(comp help clu | tr '\n' ' ')" "cluster clusters "
fi

finish
