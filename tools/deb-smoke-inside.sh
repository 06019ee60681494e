#!/bin/sh
# Runs inside a clean Debian 12 just after `apt-get install ./userprune_*.deb
# ./userprune-emulator_*.deb` (tools/deb-smoke.sh): the install pulled in
# runtime libraries only, and the installed userprune works: version,
# validate of an installed example, plan against the installed emulator,
# the manual page, the bash completion.
set -eu
version=$1
fail() {
	echo "deb-smoke: $*" >&2
	exit 1
}

# what apt added: the two packages, libraries and their data, certificates
sed -n '/^The following NEW packages will be installed:/,/^[^ ]/p' \
	/tmp/install.log | sed '1d; $d' | tr ' ' '\n' | sed '/^$/d' |
	sort >/tmp/new-packages
grep -qx userprune /tmp/new-packages || fail "userprune was not installed"
while read -r p; do
	section=$(dpkg-query -W -f '${Section}' "$p")
	case $p:$section in
	userprune:* | userprune-emulator:* | *:libs | *:oldlibs) ;;
	ca-certificates:* | openssl:* | publicsuffix:*) ;;
	libsasl2-modules*:* | *-common:* | *-data:*) ;;
	*) fail "apt-get install also pulled in $p (section $section)" ;;
	esac
done </tmp/new-packages

test "$(userprune version)" = "userprune $version" ||
	fail "userprune version says '$(userprune version)'"
examples=/usr/share/doc/userprune/examples
JIRA_EMAIL=jira-automation@acme.example JIRA_API_TOKEN=demo-api-token \
	userprune validate -f $examples/demo.yaml | grep -q "configuration OK" ||
	fail "validate of $examples/demo.yaml"
userprune tenants -f $examples/demo.yaml | grep -q '^jira-qa ' ||
	fail "tenants of $examples/demo.yaml"

# plan the demo tenant against the installed emulator, on a free port
work=$(mktemp -d)
data=/usr/share/userprune-emulator/demo
userprune-emulator --vendor atlassian --port 0 \
	--users-file $data/demo-users.json \
	--username jira-automation@acme.example --password demo-api-token \
	--log "$work/requests.jsonl" >"$work/emulator.out" 2>"$work/emulator.err" &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
i=0
until grep -q listening "$work/emulator.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 50 ] && kill -0 $emu 2>/dev/null ||
		fail "the emulator did not start: $(cat "$work/emulator.err")"
	sleep 0.1
done
url=$(sed -n 's/^userprune-emulator: listening on //p' "$work/emulator.out")
mkdir "$work/keep"
cp $data/keep/* "$work/keep/"
sed "s|http://127.0.0.1:8765|$url|" $data/demo.yaml >"$work/demo.yaml"
status=0
JIRA_EMAIL=jira-automation@acme.example JIRA_API_TOKEN=demo-api-token \
	userprune plan -f "$work/demo.yaml" -o "$work/plan.json" \
	--detailed-exitcode >"$work/plan.txt" || status=$?
[ $status -eq 2 ] || fail "plan exited $status: $(cat "$work/plan.txt")"
grep -q "212 to delete" "$work/plan.txt" || fail "plan: $(cat "$work/plan.txt")"
if grep -q '"method":"DELETE"' "$work/requests.jsonl"; then
	fail "plan sent a DELETE"
fi
test -x /usr/bin/userprune-demo || fail "no userprune-demo"

# the manual pages render (man-db is not part of a minimal system)
apt-get install -y -qq --no-install-recommends man-db >/dev/null 2>&1
man -P cat userprune 2>/dev/null | grep -q "keep SaaS tenants to a declared" ||
	fail "man userprune does not render"
man -P cat 5 userprune.yaml >/dev/null 2>&1 || fail "man userprune.yaml"

# the bash completion is where bash-completion looks for it
got=$(bash -c '. /usr/share/bash-completion/completions/userprune
	COMP_WORDS=(userprune pl); COMP_CWORD=1; _userprune; echo "${COMPREPLY[*]}"')
[ "$got" = plan ] || fail "bash completion of 'userprune pl': '$got'"
test -r /usr/share/userprune/schema/desired-state.schema.json ||
	fail "no schema in /usr/share/userprune/schema"
echo "deb-smoke: installed userprune $version: version, validate, tenants," \
	"plan against the emulator (212 to delete), man, completion: ok"
