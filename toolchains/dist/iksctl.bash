# bash completion for iksctl(1).
#
# Install: copy to /usr/share/bash-completion/completions/iksctl (or
# /etc/bash_completion.d/iksctl), or `source iksctl.bash` from ~/.bashrc.
# It needs bash only, not the bash-completion package.  Cluster names are
# taken from iksctl's own cache ($IKSCTL_HOME/clusters/), so completing
# never calls IBM Cloud.  `cluster create` completes its kinds (classic,
# vpc-gen2) and each kind its own flags.

_iksctl_commands="login logout accounts target token regions versions cluster clusters kube-credential kube api version help"
_iksctl_global="-o --output -q --query --region --cacert --insecure -v --verbose --timeout --visibility --resource-group -h --help"

# The flags of the commands that change clusters (cluster create, rm,
# master update) and of cluster wait.
_iksctl_change="--dry-run --wait --wait-timeout"
_iksctl_classic="--name --zone --flavor --workers --version --hardware --private-vlan --public-vlan --private-only --private-service-endpoint --public-service-endpoint --pod-subnet --service-subnet --disable-disk-encrypt $_iksctl_change"
_iksctl_vpc="--name --vpc-id --flavor --zone --subnet-id --workers --version --cos-instance --disable-public-service-endpoint --pod-subnet --service-subnet $_iksctl_change"

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
	local cmd="" sub="" sub2="" i w opts=""
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The command and, for `cluster`, its subcommand and the word after it
	# (create's kind, master's update): the first words that are neither
	# options nor option values.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-o | --output | -q | --query | --region | --cacert | --timeout | \
		--visibility | --resource-group | --apikey | --username | -u | \
		--password | -p | \
		--passcode | --cr-token | --profile-id | --profile-name | \
		--account | -c | --sink | --kubeconfig | --cluster | -X | -d | -H | \
		--service | --name | --zone | --flavor | --workers | --version | \
		--hardware | --private-vlan | --public-vlan | --pod-subnet | \
		--service-subnet | --vpc-id | --subnet-id | --cos-instance | \
		--until | --wait-timeout)
			((i++)) ;;
		-*) ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ "$cmd" = cluster ] && [ -z "$sub" ]; then
				sub=$w
			elif [ "$cmd" = cluster ] && [ -z "$sub2" ]; then
				sub2=$w
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
	--until)
		COMPREPLY=($(compgen -W "normal master deleted version" -- "$cur"))
		return ;;
	--hardware)
		COMPREPLY=($(compgen -W "shared dedicated" -- "$cur")); return ;;
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
	-c)
		# cluster's -c is the cluster; login's and target's, the account.
		[ "$cmd" = cluster ] &&
			COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur"))
		return ;;
	-q | --query | --region | --timeout | --username | -u | --profile-id | \
	--profile-name | --account | -H | --name | --zone | --flavor | \
	--workers | --version | --private-vlan | --public-vlan | --pod-subnet | \
	--service-subnet | --vpc-id | --subnet-id | --cos-instance | \
	--wait-timeout)
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
				COMPREPLY=($(compgen -W "get workers config create rm master wait" -- "$cur"))
			return
		fi
		case $sub in
		config) opts="--kubeconfig --private" ;;
		create)
			case $sub2 in
			"")
				[[ $cur != -* ]] &&
					COMPREPLY=($(compgen -W "classic vpc-gen2" -- "$cur"))
				return ;;
			classic) opts=$_iksctl_classic ;;
			vpc-gen2) opts=$_iksctl_vpc ;;
			*) return ;;
			esac
			# A create names a new cluster: no names to complete.
			[[ $cur != -* ]] && return ;;
		rm) opts="--delete-storage -c --cluster -f $_iksctl_change" ;;
		master)
			if [ -z "$sub2" ]; then
				[[ $cur != -* ]] &&
					COMPREPLY=($(compgen -W "update" -- "$cur"))
				return
			fi
			[ "$sub2" = update ] || return
			opts="--version --force-update -c --cluster -f $_iksctl_change" ;;
		wait) opts="--until --wait-timeout -c --cluster" ;;
		esac ;;
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
