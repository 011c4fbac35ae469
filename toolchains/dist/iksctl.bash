# bash completion for iksctl(1).
#
# Install: copy to /usr/share/bash-completion/completions/iksctl (or
# /etc/bash_completion.d/iksctl), or `source iksctl.bash` from ~/.bashrc.
# It needs bash only, not the bash-completion package.  Cluster names are
# taken from iksctl's own cache ($IKSCTL_HOME/clusters/), so completing
# never calls IBM Cloud.  `cluster create` completes its kinds (classic,
# vpc-gen2) and each kind its own flags; so do `worker-pool create` and
# `zone add`.  Pools and workers are not cached: they are not completed.

_iksctl_commands="login logout accounts target token regions versions cluster clusters worker-pool zone worker kube-credential kube api version help"
_iksctl_global="-o --output -q --query --region --cacert --insecure -v --verbose --timeout --max-time --visibility --resource-group -h --help"

# The flags of the commands that change clusters (cluster create, rm,
# master update) and of cluster wait.
_iksctl_change="--dry-run --wait --wait-timeout"
_iksctl_classic="--name --zone --flavor --workers --version --hardware --private-vlan --public-vlan --private-only --private-service-endpoint --public-service-endpoint --pod-subnet --service-subnet --disable-disk-encrypt $_iksctl_change"
_iksctl_vpc="--name --vpc-id --flavor --zone --subnet-id --workers --version --cos-instance --disable-public-service-endpoint --pod-subnet --service-subnet $_iksctl_change"

# worker-pool, zone and worker: the cluster (-c), the pool (-p), the
# workers (-w, repeatable), and the flags of each subcommand.
_iksctl_c="-c --cluster"
_iksctl_p="$_iksctl_c -p --worker-pool"
_iksctl_w="$_iksctl_c -w --worker -f $_iksctl_change"
_iksctl_pool_classic="--name --flavor --size-per-zone --hardware --label --disable-disk-encrypt $_iksctl_c $_iksctl_change"
_iksctl_pool_vpc="--name --flavor --size-per-zone --vpc-id --label $_iksctl_c $_iksctl_change"
_iksctl_zone_classic="--zone --private-vlan --public-vlan --private-only $_iksctl_p $_iksctl_change"
_iksctl_zone_vpc="--zone --subnet-id $_iksctl_p $_iksctl_change"

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
	local cmd="" sub="" sub2="" i w opts="" npos=0 hasc="" nw=2
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The command, its subcommand and the word after it (create's kind,
	# master's update, zone add's kind; else the CLUSTER): the first words
	# that are neither options nor option values.  npos counts them all,
	# hasc says a -c or --cluster was given.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-o | --output | -q | --query | --region | --cacert | --timeout | \
		--max-time | --visibility | --resource-group | --apikey | \
		--username | -u | --password | -p | \
		--passcode | --cr-token | --profile-id | --profile-name | \
		--account | -c | --sink | --kubeconfig | --cluster | -X | -d | -H | \
		--service | --name | --zone | --flavor | --workers | --version | \
		--hardware | --private-vlan | --public-vlan | --pod-subnet | \
		--service-subnet | --vpc-id | --subnet-id | --cos-instance | \
		--until | --wait-timeout | --size-per-zone | --label | --worker-pool | \
		-w | --worker)
			case $w in -c | --cluster) hasc=1 ;; esac
			((i++)) ;;
		-*) ;;
		*)
			((npos++))
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ -z "$sub" ]; then
				sub=$w
			elif [ -z "$sub2" ]; then
				sub2=$w
			fi ;;
		esac
	done
	# How many words name the command (worker-pool create classic: 3).
	case $cmd.$sub in
	worker-pool.create | zone.add) nw=3 ;;
	esac

	# Values of options.
	case $prev in
	-o | --output)
		COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
	--visibility)
		COMPREPLY=($(compgen -W "public private" -- "$cur")); return ;;
	--service)
		COMPREPLY=($(compgen -W "cs iam accounts" -- "$cur")); return ;;
	--endpoint)
		COMPREPLY=($(compgen -W "public private" -- "$cur")); return ;;
	--patch-type)
		COMPREPLY=($(compgen -W "merge json strategic apply" -- "$cur")); return ;;
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
		# -p is login's password, else the worker pool.
		[ "$prev" = -p ] && [ "$cmd" != login ] && return
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
		case $cmd in
		cluster | worker-pool | zone | worker)
			COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur")) ;;
		esac
		return ;;
	-q | --query | --region | --timeout | --max-time | --username | -u | \
	--profile-id | --profile-name | --account | -H | --name | --zone | \
	--flavor | --workers | --version | --private-vlan | --public-vlan | \
	--pod-subnet | --service-subnet | --vpc-id | --subnet-id | --cos-instance | \
	--wait-timeout | --size-per-zone | --label | --worker-pool | -w | \
	--worker)
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
	kube) opts="-X -d -H --private --patch-type --watch" ;;
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
		config) opts="--kubeconfig --admin --endpoint --private" ;;
		workers) opts="$_iksctl_p --show-deleted" ;;
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
	worker-pool | zone | worker)
		if [ -z "$sub" ]; then
			case $cmd in
			worker-pool) w="ls get create resize rm" ;;
			zone) w="add rm" ;;
			worker) w="ls get reboot reload update replace rm" ;;
			esac
			[[ $cur != -* ]] && COMPREPLY=($(compgen -W "$w" -- "$cur"))
			return
		fi
		case $cmd.$sub in
		worker-pool.create | zone.add)
			if [ -z "$sub2" ]; then
				[[ $cur != -* ]] &&
					COMPREPLY=($(compgen -W "classic vpc-gen2" -- "$cur"))
				return
			fi ;;
		esac
		case $cmd.$sub.$sub2 in
		worker-pool.ls.*) opts=$_iksctl_c ;;
		worker-pool.get.*) opts=$_iksctl_p ;;
		worker-pool.create.classic) opts=$_iksctl_pool_classic ;;
		worker-pool.create.vpc-gen2) opts=$_iksctl_pool_vpc ;;
		worker-pool.resize.*) opts="--size-per-zone $_iksctl_p $_iksctl_change" ;;
		worker-pool.rm.*) opts="$_iksctl_p -f $_iksctl_change" ;;
		zone.add.classic) opts=$_iksctl_zone_classic ;;
		zone.add.vpc-gen2) opts=$_iksctl_zone_vpc ;;
		zone.rm.*) opts="--zone $_iksctl_p -f $_iksctl_change" ;;
		worker.ls.*) opts="$_iksctl_p --show-deleted" ;;
		worker.get.*) opts="$_iksctl_c -w --worker" ;;
		worker.reboot.*) opts="--hard $_iksctl_w" ;;
		worker.reload.* | worker.update.* | worker.rm.*) opts=$_iksctl_w ;;
		worker.replace.*) opts="--update $_iksctl_w" ;;
		*) return ;;
		esac
		# CLUSTER from the cache, as the first word after the command's;
		# POOL and WORKER are not cached.
		if [[ $cur != -* ]]; then
			[ -z "$hasc" ] && [ "$npos" -le "$nw" ] &&
				COMPREPLY=($(compgen -W "$(_iksctl_clusters)" -- "$cur"))
			return
		fi ;;
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
