# bash completion for iksctl(1).
#
# Install: copy to /usr/share/bash-completion/completions/iksctl (or
# /etc/bash_completion.d/iksctl), or `source iksctl.bash` from ~/.bashrc.
# It needs bash only, not the bash-completion package.  Cluster names are
# taken from iksctl's own cache ($IKSCTL_HOME/clusters/), so completing
# never calls IBM Cloud.

_iksctl_commands="login logout accounts target token regions versions cluster clusters kube-credential kube api version help"
_iksctl_global="-o --output -q --query --region --cacert --insecure -v --verbose --timeout --visibility --resource-group -h --help"

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

_iksctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=""
	local cmd="" sub="" i w opts=""
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The command and, for `cluster`, its subcommand: the first words that
	# are neither options nor option values.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-o | --output | -q | --query | --region | --cacert | --timeout | \
		--visibility | --resource-group | --apikey | --username | -u | \
		--password | -p | \
		--passcode | --cr-token | --profile-id | --profile-name | \
		--account | -c | --sink | --kubeconfig | --cluster | -X | -d | -H | \
		--service)
			((i++)) ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ "$cmd" = cluster ] && [ -z "$sub" ]; then
				sub=$w
			fi ;;
		esac
	done

	# Values of options.
	case $prev in
	-o | --output)
		COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
	--visibility)
		COMPREPLY=($(compgen -W "public private" -- "$cur")); return ;;
	--service)
		COMPREPLY=($(compgen -W "cs iam accounts" -- "$cur")); return ;;
	-X)
		COMPREPLY=($(compgen -W "GET POST PUT PATCH DELETE HEAD" -- "$cur"))
		return ;;
	--cacert | --kubeconfig | --sink)
		_iksctl_files; return ;;
	--apikey | --password | -p | --passcode | --cr-token | -d)
		case $cur in
		@*) _iksctl_files @ ;;
		*) COMPREPLY=($(compgen -W "@ -" -- "$cur"))
			compopt -o nospace 2> /dev/null ;;
		esac
		return ;;
	--cluster)
		COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur")); return ;;
	-q | --query | --region | --timeout | --username | -u | --profile-id | \
	--profile-name | --account | -c | -H)
		return ;;
	esac

	if [ -z "$cmd" ]; then
		case $cur in
		-*) COMPREPLY=($(compgen -W "$_iksctl_global" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$_iksctl_commands" -- "$cur")) ;;
		esac
		return
	fi

	case $cmd in
	login)
		opts="--apikey --username -u --password -p --passcode --cr-token --profile-id --profile-name --account -c" ;;
	target) opts="--account -c" ;;
	token) opts="--refresh --kube --watch --sink" ;;
	clusters) opts="" ;;
	kube-credential) opts="--cluster" ;;
	kube) opts="-X -d -H --private" ;;
	api) opts="-X -d -H --service" ;;
	help)
		[[ $cur != -* ]] &&
			COMPREPLY=($(compgen -W "$_iksctl_commands" -- "$cur"))
		return ;;
	cluster)
		if [ -z "$sub" ]; then
			[[ $cur != -* ]] &&
				COMPREPLY=($(compgen -W "get workers config" -- "$cur"))
			return
		fi
		[ "$sub" = config ] && opts="--kubeconfig --private" ;;
	esac

	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$opts $_iksctl_global" -- "$cur")) ;;
	*)
		case $cmd in
		cluster | kube)
			COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur")) ;;
		esac ;;
	esac
}

complete -F _iksctl iksctl
