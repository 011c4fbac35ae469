# bash completion for iksctl(1).
#
# Install: copy to /usr/share/bash-completion/completions/iksctl (or
# /etc/bash_completion.d/iksctl), or `source iksctl.bash` from ~/.bashrc.
# It needs bash 4.2 or later only, not the bash-completion package.
# Cluster names are taken from iksctl's own cache ($IKSCTL_HOME/clusters/),
# so completing never calls IBM Cloud.  Pools and workers are not cached:
# they are not completed.
#
# The tables below are made from iksctl's command table
# (src/cli/commands.txt) by src/cli/commands.awk, like `iksctl help` and
# the man page's COMMAND SUMMARY: _iksctl_sub[PATH] the subcommands after
# a path (cluster/create), _iksctl_opts[PATH] its options, _iksctl_pos[PATH]
# what its first argument is (CLUSTER, COMMAND), _iksctl_val["CMD OPTION"]
# what completes an option's value (CMD empty for the global options):
# - nothing, =words, file, secret (@FILE or -), cluster.

# @TABLE@

# _iksctl_clusters: cluster names and ids from the cache.
_iksctl_clusters() {
	local home=${IKSCTL_HOME:-${HOME:+$HOME/.iksctl}} f line
	[ -n "$home" ] && [ -d "$home/clusters" ] || return 0
	for f in "$home"/clusters/*; do
		[ -f "$f" ] || continue
		while IFS= read -r line; do
			case $line in
			"id "*) printf '%s\n' "${line#id }" ;;
			"name "*) printf '%s\n' "${line#name }" ;;
			ca) break ;;
			esac
		done < "$f"
	done
}

# _iksctl_files [PREFIX]: file names, with PREFIX (@ for secrets) kept.
_iksctl_files() {
	local p=${1:-} c=${cur#"${1:-}"}
	local IFS=$'\n'
	compopt -o filenames 2> /dev/null
	COMPREPLY=($(compgen -f -- "$c"))
	if [ -n "$p" ]; then
		compopt +o filenames 2> /dev/null
		local i
		for i in "${!COMPREPLY[@]}"; do
			[ -d "${COMPREPLY[i]}" ] && COMPREPLY[i]=${COMPREPLY[i]}/
			COMPREPLY[i]=$p${COMPREPLY[i]}
		done
		compopt -o nospace 2> /dev/null
	fi
}

# _iksctl_kind CMD OPTION: what completes OPTION's value (in $kind);
# false if OPTION takes no value.
_iksctl_kind() {
	if [ -n "${_iksctl_val["$1 $2"]+x}" ]; then
		kind=${_iksctl_val["$1 $2"]}
	elif [ -n "${_iksctl_val[" $2"]+x}" ]; then
		kind=${_iksctl_val[" $2"]}
	else
		return 1
	fi
}

_iksctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" path="" kind=""
	local i w npos=0 hasc=""
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The command and its subcommands (the path: cluster/create/classic),
	# then npos arguments; option values are skipped, hasc says a cluster
	# option (-c, --cluster) was given.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-?*)
			if _iksctl_kind "$cmd" "$w"; then
				[ "$kind" = cluster ] && hasc=1
				((i++))
			fi ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w path=$w
			elif [ "$npos" -eq 0 ] && [ -n "${_iksctl_sub[$path]+x}" ] &&
				[[ " ${_iksctl_sub[$path]} " == *" $w "* ]]; then
				path=$path/$w
			else
				((npos++))
			fi ;;
		esac
	done

	# The value of an option.
	if [[ $prev == -?* ]] && [ "$COMP_CWORD" -gt 1 ] &&
		_iksctl_kind "$cmd" "$prev"; then
		case $kind in
		=*) COMPREPLY=($(compgen -W "${kind#=}" -- "$cur")) ;;
		file) _iksctl_files ;;
		secret)
			case $cur in
			@*) _iksctl_files @ ;;
			*) COMPREPLY=($(compgen -W "@ -" -- "$cur"))
				compopt -o nospace 2> /dev/null ;;
			esac ;;
		cluster) COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur")) ;;
		esac
		return
	fi

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_iksctl_global" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_iksctl_commands" -- "$cur"))
		fi
		return
	fi
	# A subcommand still to come.
	if [ -n "${_iksctl_sub[$path]+x}" ]; then
		[[ $cur != -* ]] &&
			COMPREPLY=($(compgen -W "${_iksctl_sub[$path]}" -- "$cur"))
		return
	fi
	[ -n "${_iksctl_opts[$path]+x}" ] || return 0
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${_iksctl_opts[$path]} $_iksctl_global" -- "$cur"))
		return
	fi
	[ "$npos" -eq 0 ] || return 0
	case ${_iksctl_pos[$path]-} in
	CLUSTER)
		[ -z "$hasc" ] &&
			COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur")) ;;
	COMMAND) COMPREPLY=($(compgen -W "$_iksctl_commands" -- "$cur")) ;;
	esac
}

complete -F _iksctl iksctl
