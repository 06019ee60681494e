# fish completion for userprune(1). Completes commands, their options and
# values, file names, and tenant names: the name: of each item of the
# tenants: list of the file given with -f/--file, else ./userprune.yaml.
# Installed as $(PREFIX)/share/fish/vendor_completions.d/userprune.fish.

# The desired-state file named on the command line so far.
function __userprune_file
    set -l tokens (commandline -opc)
    set -l file userprune.yaml
    set -l n (count $tokens)
    for i in (seq 2 $n)
        switch $tokens[$i]
            case -f --file
                if test $i -lt $n
                    set file $tokens[(math $i + 1)]
                end
            case '--file=*'
                set file (string replace -- --file= '' $tokens[$i])
            case '-f?*'
                set file (string sub -s 3 -- $tokens[$i])
        end
    end
    echo $file
end

# Tenant names of that file, one a line (the awk of
# completions/userprune.bash: block items or "- { name: x }", nested lists
# told apart by indentation).
function __userprune_tenants
    set -l file (__userprune_file)
    test -r "$file"; or return 0
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
    }' $file 2>/dev/null
end

set -l commands validate plan apply restore show tenants who import version completion help
set -l sourced validate plan apply tenants who import

complete -c userprune -f

# global options, before or after the command
complete -c userprune -s v -l verbose -d 'say more (-vv traces requests)'
complete -c userprune -s q -l quiet -d 'only errors'
complete -c userprune -l color -x -a 'auto always never' -d colour
complete -c userprune -s h -l help -d help
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'print the version'

complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a validate -d 'check a desired-state file offline'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a plan -d 'list live users and show who apply would delete'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a apply -d 'delete exactly the users of a reviewed plan'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a restore -d 'undo what an apply run deactivated or scheduled'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a show -d 'print a saved plan'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a tenants -d 'list the tenants of a desired-state file'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a who -d 'show how each live account a value names is classified'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a import -d 'print a keep list of the users a tenant has today'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a version -d 'print the version'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a completion -d 'print a shell completion script'
complete -c userprune -n "not __fish_seen_subcommand_from $commands" -a help -d 'help for a command'
complete -c userprune -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"
complete -c userprune -n "__fish_seen_subcommand_from help" -a "$commands"

# the source of the desired state
complete -c userprune -n "__fish_seen_subcommand_from $sourced" -s f -l file -r -F -d 'the desired-state file'
complete -c userprune -n "__fish_seen_subcommand_from $sourced" -l git-url -x -a '(__fish_complete_directories)' -d 'read it from a git repository'
complete -c userprune -n "__fish_seen_subcommand_from $sourced" -l git-ref -x -d 'branch, tag or commit'
complete -c userprune -n "__fish_seen_subcommand_from $sourced" -l git-path -x -d 'the file inside the repository'

complete -c userprune -n "__fish_seen_subcommand_from validate plan apply tenants" -l shard -x -d 'only the tenants of shard K of N'
complete -c userprune -n "__fish_seen_subcommand_from validate plan apply restore who import" -l tenant -x -a '(__userprune_tenants)' -d tenant

complete -c userprune -n "__fish_seen_subcommand_from plan show" -l format -x -a 'text json markdown' -d 'output format'
complete -c userprune -n "__fish_seen_subcommand_from tenants who validate apply" -l format -x -a 'text json' -d 'output format'
complete -c userprune -n "__fish_seen_subcommand_from plan show" -l max-users -x -d 'users listed per tenant (0: all)'
complete -c userprune -n "__fish_seen_subcommand_from plan show" -l split-dir -x -a '(__fish_complete_directories)' -d 'markdown parts to this directory'
complete -c userprune -n "__fish_seen_subcommand_from plan import" -s o -l output -r -F -d 'write to this file'
complete -c userprune -n "__fish_seen_subcommand_from plan" -l detailed-exitcode -d 'exit 2 when deletions are planned'
complete -c userprune -n "__fish_seen_subcommand_from plan who" -l live -r -F -d 'live users from a JSON snapshot'
complete -c userprune -n "__fish_seen_subcommand_from plan" -l compare-ref -x -d 'show keep changes since this ref'

complete -c userprune -n "__fish_seen_subcommand_from apply restore" -l yes -d 'do not ask for confirmation'
complete -c userprune -n "__fish_seen_subcommand_from apply restore" -l journal -r -F -d 'the journal'
complete -c userprune -n "__fish_seen_subcommand_from restore" -l user -x -d 'restore only this user'
complete -c userprune -n "__fish_seen_subcommand_from restore" -F -d 'journal, then plan file'
complete -c userprune -n "__fish_seen_subcommand_from apply" -l resume -r -F -d 'go on from an earlier journal'
complete -c userprune -n "__fish_seen_subcommand_from apply" -F -d 'plan file'
complete -c userprune -n "__fish_seen_subcommand_from show" -F -d 'plan file or journal'

complete -c userprune -n "__fish_seen_subcommand_from import" -l csv -r -F -d 'a keep list from a CSV export'
complete -c userprune -n "__fish_seen_subcommand_from import" -l column -x -d 'the CSV column'
complete -c userprune -n "__fish_seen_subcommand_from import" -l field -x -a 'any id email username' -d 'what the values are'
complete -c userprune -n "__fish_seen_subcommand_from import" -l format -x -a 'yaml text' -d 'a YAML keep list or a keep file'
