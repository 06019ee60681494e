# bash completion for userprune(1)                         -*- shell-script -*-
#
# Completes commands, their options, option values, plan and desired-state
# file names, and tenant names: the name: of each item of the tenants: list
# of the file given with -f/--file, else ./userprune.yaml. Installed as
# $(PREFIX)/share/bash-completion/completions/userprune.

# Tenant names of a desired-state file, one a line. A small YAML reader for
# the usual layouts (block items, or "- { name: x, ... }"); nested lists
# such as keep: are told apart by their indentation.
_userprune_tenant_names()
{
	[ -r "$1" ] || return 0
	awk '
	function emit(s) {
		sub(/^name:[ \t]*/, "", s)
		sub(/[ \t]*[,}].*$/, "", s)
		sub(/[ \t]+$/, "", s)
		if (s ~ /^".*"$/ || s ~ /^\047.*\047$/)
			s = substr(s, 2, length(s) - 2)
		if (s != "")
			print s
	}
	/^tenants:/ { in_t = 1; dash = -1; next }
	/^[^ \t#-]/ { in_t = 0 }
	!in_t { next }
	{
		line = $0
		sub(/[ \t]#.*$/, "", line)
		if (match(line, /^ *- */)) {
			d = index(line, "-") - 1
			if (dash < 0)
				dash = d
			if (d == dash) {
				col = RLENGTH
				rest = substr(line, RLENGTH + 1)
				sub(/^\{[ \t]*/, "", rest)
				if (rest ~ /^name:/)
					emit(rest)
				next
			}
		}
		if (dash >= 0 && match(line, /^ *name:/) && RLENGTH - 5 == col)
			emit(substr(line, col + 1))
	}' "$1" 2>/dev/null
}

_userprune()
{
	local cur prev cmd file i w
	local commands="validate plan apply restore show tenants who import
		version completion help"
	local globals="-v --verbose -q --quiet --color -h --help"
	local source="-f --file --git-url --git-ref --git-path"
	local opts

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=""
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# the command, and the desired-state file named so far
	cmd=""
	file=userprune.yaml
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-f | --file)
			if [ "${COMP_WORDS[i + 1]}" = "=" ]; then
				[ $((i + 2)) -ne "$COMP_CWORD" ] &&
					file=${COMP_WORDS[i + 2]}
			elif [ $((i + 1)) -ne "$COMP_CWORD" ] &&
				[ -n "${COMP_WORDS[i + 1]}" ]; then
				file=${COMP_WORDS[i + 1]}
			fi
			;;
		--file=?*) file=${w#--file=} ;;
		-f?*) file=${w#-f} ;;
		--color | --colour)
			[ -z "$cmd" ] && i=$((i + 1))
			;;
		-* | =) ;;
		*)
			[ -z "$cmd" ] && [ "$i" -lt "$COMP_CWORD" ] && cmd=$w
			;;
		esac
	done
	[ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ] &&
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	[ "$cur" = "=" ] && cur=""
	# ~ in a file name: the shell expands it only before a command runs
	case $file in "~/"*) file=$HOME/${file#"~/"} ;; esac

	case $prev in
	-f | --file)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")
			$(compgen -f -X '!*.yaml' -- "$cur")
			$(compgen -f -X '!*.yml' -- "$cur"))
		return 0
		;;
	--tenant)
		COMPREPLY=($(compgen -W "$(_userprune_tenant_names "$file")" \
			-- "$cur"))
		return 0
		;;
	--color | --colour)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
		return 0
		;;
	--format)
		case $cmd in
		tenants | who | validate | apply) opts="text json" ;;
		import) opts="yaml text" ;;
		*) opts="text json markdown" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
		;;
	--field)
		COMPREPLY=($(compgen -W "any id email username" -- "$cur"))
		return 0
		;;
	--split-dir | --git-url)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0
		;;
	-o | --output | --journal | --resume | --live | --csv)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	--git-ref | --git-path | --column | --shard | --compare-ref | --user | --max-users)
		return 0
		;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$globals --version -V" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return 0
	fi

	case $cmd in
	validate) opts="$source --tenant --shard --format" ;;
	plan)
		opts="$source --tenant --shard -o --output --format --split-dir
		      --max-users --detailed-exitcode --live --compare-ref"
		;;
	apply)
		opts="$source --tenant --shard --yes --journal --resume
		      --format"
		;;
	restore) opts="--tenant --user --yes --journal" ;;
	show) opts="--format --split-dir --max-users" ;;
	tenants) opts="$source --shard --format" ;;
	who) opts="$source --tenant --format --live" ;;
	import)
		opts="$source --tenant --csv --column --field --format -o
		      --output"
		;;
	version) opts="" ;;
	completion)
		[[ $cur != -* ]] &&
			COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur"))
		[[ $cur == -* ]] &&
			COMPREPLY=($(compgen -W "$globals" -- "$cur"))
		return 0
		;;
	help)
		[[ $cur != -* ]] &&
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return 0
		;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))
	elif [ "$cmd" = restore ]; then
		# the journal, then the plan file
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")
			$(compgen -f -X '!*.jsonl' -- "$cur")
			$(compgen -f -X '!*.json' -- "$cur"))
	elif [ "$cmd" = apply ]; then
		# the plan file
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")
			$(compgen -f -X '!*.json' -- "$cur"))
	elif [ "$cmd" = show ]; then
		# a plan file or a journal
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")
			$(compgen -f -X '!*.json' -- "$cur")
			$(compgen -f -X '!*.jsonl' -- "$cur"))
	fi
	return 0
}

complete -F _userprune userprune
