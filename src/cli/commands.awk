# commands.awk: iksctl's command table (commands.txt) made into what
# shows it.  POSIX awk (Debian's mawk does), one mode per run:
#
#   awk -v mode=help -f commands.awk commands.txt
#       the help pages, each ended by a byte 1: `iksctl help` first, then
#       `iksctl help COMMAND` of each command in the table's order
#   awk -v mode=c -f commands.awk commands.txt
#       the C rows of main.c's dispatch table, in the same order
#   awk -v mode=bytes -f commands.awk        (od -An -v -tu1 output in)
#       the bytes read as a C initializer list
#   awk -v mode=man -f commands.awk commands.txt
#       the man page's COMMAND SUMMARY section (troff)
#   awk -v mode=bash -f commands.awk commands.txt
#       the bash completion's tables
#
# A row it cannot read, or a synopsis line too long for 80 columns, stops
# it with exit 1 and the line.

function die(msg) {
	printf "commands.txt:%d: %s\n", NR, msg > "/dev/stderr"
	bad = 1
	exit 1
}

# rest: the line after its first n fields.
function rest(s, n,    i) {
	for (i = 0; i < n; i++)
		sub(/^[ \t]*[^ \t]+[ \t]*/, "", s)
	return s
}

# shown: "-c,--cluster" and "CLUSTER" as "-c, --cluster CLUSTER".
function shown(names, arg,    s) {
	s = names
	gsub(/,/, ", ", s)
	return arg == "-" ? s : s " " arg
}

# heading: "create/classic,rm" as "create classic, rm".
function heading(forms,    s) {
	s = forms
	gsub(/\//, " ", s)
	gsub(/,/, ", ", s)
	return s
}

# roff: text escaped for troff.
function roff(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# word_in: is w one of the words of list?
function word_in(w, list,    n, a, i) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		if (a[i] == w)
			return 1
	return 0
}

# add_word: w into the word list arr[key]; a new key is listed in keys.
function add_word(arr, key, w) {
	if (!(key in arr)) {
		arr[key] = w
		keys[++nkeys] = key
	}
	else if (!word_in(w, arr[key]))
		arr[key] = arr[key] " " w
}

# forms: the subcommand paths of synopsis s of command c ("create/classic"
# or "" for none) into fpath[], their count returned; the word after the
# subcommands into *posword (global).
function forms(c, s,    n, w, i, j, k, m, alt, cur, nxt, ncur, nnxt) {
	n = split(s, w, " ")
	ncur = 1
	cur[1] = ""
	for (i = 2; i <= n && w[i] ~ /^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$/; i++) {
		m = split(w[i], alt, "|")
		nnxt = 0
		for (j = 1; j <= ncur; j++)
			for (k = 1; k <= m; k++) {
				nxt[++nnxt] = (cur[j] == "" ? "" : cur[j] "/") alt[k]
				add_word(subs, cname[c] (cur[j] == "" ? "" : "/" cur[j]), alt[k])
			}
		ncur = nnxt
		for (j = 1; j <= ncur; j++)
			cur[j] = nxt[j]
	}
	posword = i <= n ? w[i] : ""
	gsub(/[][]/, "", posword)
	for (j = 1; j <= ncur; j++)
		fpath[j] = cur[j]
	return ncur
}

BEGIN {
	if (mode == "bytes") {
		n = 0
		sep = ""
	}
}

mode == "bytes" {
	for (i = 1; i <= NF; i++) {
		printf "%s%s", (n % 16 == 0 ? (n ? ",\n\t" : "\t") : ", "), $i
		n++
	}
	next
}

/^[ \t]*(#|$)/ { next }

$1 == "group" {
	if (NF < 3)
		die("group NAME TITLE")
	ng++
	gname[ng] = $2
	gtitle[ng] = rest($0, 2)
	next
}

$1 == "cmd" {
	if (NF < 6 || ($5 != "0" && $5 != "1"))
		die("cmd GROUP NAME FUNC 0|1 TEXT")
	nc++
	cgroup[nc] = $2
	cname[nc] = $3
	cfunc[nc] = $4
	csess[nc] = $5
	csum[nc] = rest($0, 5)
	nuse[nc] = nflag[nc] = nex[nc] = 0
	next
}

nc == 0 { die("a " $1 " row before any cmd row") }

$1 == "also" {
	s = rest($0, 2)
	if ((i = index(s, " -- ")) == 0)
		die("also GROUP LABEL -- TEXT")
	na++
	agroup[na] = $2
	alabel[na] = substr(s, 1, i - 1)
	atext[na] = substr(s, i + 4)
	next
}

$1 == "use" {
	s = rest($0, 1)
	if (length(s) > 66)
		die("synopsis line over 66 characters")
	split(s, w, " ")
	if (w[1] != cname[nc])
		die("synopsis of " cname[nc] " starts with " w[1])
	use[nc, ++nuse[nc]] = s
	k = forms(nc, s)
	for (j = 1; j <= k; j++) {
		p = cname[nc] (fpath[j] == "" ? "" : "/" fpath[j])
		paths[nc] = paths[nc] " " p
		if (posword == "CLUSTER" || posword == "COMMAND")
			pos[p] = posword
	}
	next
}

$1 == "cont" {
	s = rest($0, 1)
	if (nuse[nc] == 0)
		die("cont without use")
	if (length(s) > 62)
		die("continued synopsis over 62 characters")
	use[nc, nuse[nc]] = use[nc, nuse[nc]] "\n" s
	next
}

$1 == "flag" {
	if (NF < 6)
		die("flag FORMS NAMES ARG COMP TEXT")
	k = ++nflag[nc]
	fforms[nc, k] = $2
	fnames[nc, k] = $3
	# A quoted ARG may hold one blank ('K: V'): its two fields are one.
	q = $4 ~ /^'/ && $4 !~ /'$/
	farg[nc, k] = q ? $4 " " $5 : $4
	fcomp[nc, k] = q ? $6 : $5
	ftext[nc, k] = rest($0, 5 + q)
	next
}

$1 == "ex" {
	if (length($0) > 78)
		die("example over 75 characters")
	ex[nc, ++nex[nc]] = rest($0, 1)
	next
}

$1 == "global" {
	if (NF < 5)
		die("global NAMES ARG COMP TEXT")
	ngl++
	glnames[ngl] = $2
	glarg[ngl] = $3
	glcomp[ngl] = $4
	gltext[ngl] = rest($0, 4)
	next
}

{ die("unknown row " $1) }

# item: one line of a list: the name in a column of 24, then the text.
function item(name, text) {
	if (length(text) > 54)
		die("the text of " name " is over 54 characters")
	if (length(name) <= 22)
		return "  " pad(name, 22) "  " text "\n"
	return "  " name "\n  " pad("", 22) "  " text "\n"
}

# pad: s and blanks up to n characters.
function pad(s, n) {
	while (length(s) < n)
		s = s " "
	return s
}

function help_index(    g, c, a, t, i) {
	t = "usage: iksctl [global options] COMMAND [args]\n"
	for (g = 1; g <= ng; g++) {
		t = t "\n" gtitle[g] ":\n"
		for (c = 1; c <= nc; c++)
			if (cgroup[c] == gname[g])
				t = t item(cname[c], csum[c])
		for (a = 1; a <= na; a++)
			if (agroup[a] == gname[g])
				t = t item(alabel[a], atext[a])
	}
	t = t "\nglobal options:\n"
	for (i = 1; i <= ngl; i++)
		t = t item(shown(glnames[i], glarg[i]), gltext[i])
	t = t "\n'iksctl help COMMAND' (or 'iksctl COMMAND --help') shows its " \
	    "synopsis,\nevery option and an example.\n"
	return t
}

function help_page(c,    t, i, s, last, f) {
	for (i = 1; i <= nuse[c]; i++) {
		s = use[c, i]
		gsub(/\n/, "\n                  ", s)
		t = t (i == 1 ? "usage: iksctl " : "       iksctl ") s "\n"
	}
	t = t "\n" csum[c] ".\n"
	last = ""
	for (i = 1; i <= nflag[c]; i++) {
		f = fforms[c, i]
		if (i == 1 || f != last)
			t = t "\n" (f == "*" ? "options" : heading(f)) ":\n"
		last = f
		t = t item(shown(fnames[c, i], farg[c, i]), ftext[c, i])
	}
	if (nex[c] > 0)
		t = t "\nexample" (nex[c] > 1 ? "s" : "") ":\n"
	for (i = 1; i <= nex[c]; i++)
		t = t "  " ex[c, i] "\n"
	return t "\nglobal options: see 'iksctl help'.\n"
}

function out_help(    c) {
	printf "%s\001", help_index()
	for (c = 1; c <= nc; c++)
		printf "%s\001", help_page(c)
}

function out_c(    c) {
	printf "/* Generated from src/cli/commands.txt by src/cli/commands.awk. */\n"
	for (c = 1; c <= nc; c++)
		printf "\t{ \"%s\", %s, %s },\n", cname[c], cfunc[c], csess[c]
}

function out_man(    g, c, i, s, n, a, j, names, sep) {
	print ".SH COMMAND SUMMARY"
	print ".\\\" Generated from src/cli/commands.txt by src/cli/commands.awk."
	print ".ad l"
	print "Each command's synopsis and options; COMMANDS below says what they do."
	for (g = 1; g <= ng; g++) {
		printf ".SS \"%s\"\n", toupper(substr(gtitle[g], 1, 1)) substr(gtitle[g], 2)
		for (c = 1; c <= nc; c++) {
			if (cgroup[c] != gname[g])
				continue
			printf ".PP\n.B %s\n\\- %s.\n", roff(cname[c]), roff(csum[c])
			print ".EX"
			for (i = 1; i <= nuse[c]; i++) {
				s = use[c, i]
				gsub(/\n/, "\n    ", s)
				n = split(s, a, "\n")
				for (j = 1; j <= n; j++)
					print roff((j == 1 ? "iksctl " : "       ") a[j])
			}
			print ".EE"
			if (nflag[c] > 0) {
				printf "Options:"
				sep = ""
				names = ""
				for (i = 1; i <= nflag[c]; i++) {
					n = split(fnames[c, i], a, ",")
					for (j = 1; j <= n; j++)
						if (!word_in(a[j], names)) {
							names = names " " a[j]
							printf "%s\n.B \\%%%s", sep, roff(a[j])
							sep = ","
						}
				}
				print "."
			}
		}
		for (i = 1; i <= na; i++)
			if (agroup[i] == gname[g])
				printf ".PP\n.B %s\n\\- %s (see\n.BR %s ).\n", roff(alabel[i]),
				    roff(atext[i]), roff(substr(alabel[i], 1, index(alabel[i], " ") - 1))
	}
	print ".PP"
	print "Global options (see"
	printf ".BR \"GLOBAL OPTIONS\" ):"
	sep = ""
	for (i = 1; i <= ngl; i++) {
		n = split(glnames[i], a, ",")
		for (j = 1; j <= n; j++) {
			printf "%s\n.B \\%%%s", sep, roff(a[j])
			sep = ","
		}
	}
	print "."
	print ".ad"
}

# bash_kind: a flag's completion as the bash tables hold it.
function bash_kind(comp,    s) {
	if (comp ~ /^=/) {
		s = substr(comp, 2)
		gsub(/,/, " ", s)
		return "=" s
	}
	return comp
}

function out_bash(    c, i, j, n, a, np, p, pa, k, f, fa, nf, all) {
	print "# Generated from src/cli/commands.txt by src/cli/commands.awk."
	all = ""
	for (c = 1; c <= nc; c++)
		all = all (c > 1 ? " " : "") cname[c]
	printf "_iksctl_commands=\"%s\"\n", all
	all = ""
	for (i = 1; i <= ngl; i++) {
		n = split(glnames[i], a, ",")
		for (j = 1; j <= n; j++)
			all = all (all == "" ? "" : " ") a[j]
	}
	printf "_iksctl_global=\"%s\"\n", all
	print "declare -gA _iksctl_sub _iksctl_opts _iksctl_pos _iksctl_val"
	# Subcommands: the words that may follow a path.
	for (i = 1; i <= nkeys; i++)
		printf "_iksctl_sub[%s]=\"%s\"\n", keys[i], subs[keys[i]]
	# Options and the first argument of each path.
	for (c = 1; c <= nc; c++) {
		np = split(paths[c], pa, " ")
		for (k = 1; k <= np; k++) {
			p = pa[k]
			if (p in done)
				continue
			done[p] = 1
			f = substr(p, length(cname[c]) + 2)
			all = ""
			for (i = 1; i <= nflag[c]; i++) {
				nf = split(fforms[c, i], fa, ",")
				for (j = 1; j <= nf; j++)
					if (fa[j] == "*" || fa[j] == f)
						break
				if (j > nf)
					continue
				n = split(fnames[c, i], a, ",")
				for (j = 1; j <= n; j++)
					if (!word_in(a[j], all))
						all = all (all == "" ? "" : " ") a[j]
			}
			printf "_iksctl_opts[%s]=\"%s\"\n", p, all
			if (p in pos)
				printf "_iksctl_pos[%s]=%s\n", p, pos[p]
		}
	}
	# What completes the value of each option that takes one, by
	# command ("" for the global options): - nothing, =words, file,
	# secret, cluster.
	for (i = 1; i <= ngl; i++)
		if (glarg[i] != "-") {
			n = split(glnames[i], a, ",")
			for (j = 1; j <= n; j++)
				printf "_iksctl_val[\" %s\"]=\"%s\"\n", a[j], bash_kind(glcomp[i])
		}
	for (c = 1; c <= nc; c++)
		for (i = 1; i <= nflag[c]; i++)
			if (farg[c, i] != "-") {
				n = split(fnames[c, i], a, ",")
				for (j = 1; j <= n; j++) {
					k = cname[c] " " a[j]
					if (k in seen)
						continue
					seen[k] = 1
					printf "_iksctl_val[\"%s\"]=\"%s\"\n", k, bash_kind(fcomp[c, i])
				}
			}
}

# cluster_flags: every form that takes a CLUSTER has its -c,--cluster.
function cluster_flags(    c, np, pa, k, p, f, i, nf, fa, j, ok) {
	for (c = 1; c <= nc; c++) {
		np = split(paths[c], pa, " ")
		for (k = 1; k <= np; k++) {
			p = pa[k]
			if (pos[p] != "CLUSTER")
				continue
			f = substr(p, length(cname[c]) + 2)
			ok = 0
			for (i = 1; i <= nflag[c] && !ok; i++) {
				if (fnames[c, i] != "-c,--cluster")
					continue
				nf = split(fforms[c, i], fa, ",")
				for (j = 1; j <= nf; j++)
					if (fa[j] == "*" || fa[j] == f)
						ok = 1
			}
			if (!ok) {
				printf "commands.txt: %s takes a CLUSTER but no " \
				    "-c,--cluster row\n", p > "/dev/stderr"
				bad = 1
			}
		}
	}
}

END {
	if (mode != "bytes" && !bad)
		cluster_flags()
	if (bad || mode == "bytes") {
		if (mode == "bytes" && !bad)
			printf "\n"
		exit bad
	}
	if (mode == "help")
		out_help()
	else if (mode == "c")
		out_c()
	else if (mode == "man")
		out_man()
	else if (mode == "bash")
		out_bash()
	else {
		print "commands.awk: mode help, c, bytes, man or bash" > "/dev/stderr"
		exit 1
	}
}
