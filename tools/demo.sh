#!/bin/sh
# make demo: the main job against the bundled vendor emulator. Starts an
# emulated Atlassian site on 127.0.0.1:8765 with the demo tenant's users
# (examples/demo-users.json), then validates, plans and applies
# examples/demo.yaml, and plans once more to show that nothing is left.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
bin=$build/userprune
work=$build/demo
port=8765
rm -rf "$work"
mkdir -p "$work"

# the credentials the emulator accepts; a real run reads them from a vault
export JIRA_EMAIL=jira-automation@acme.example
export JIRA_API_TOKEN=demo-api-token

"$build/userprune-emulator" --vendor atlassian --port $port \
	--users-file examples/demo-users.json \
	--username "$JIRA_EMAIL" --password "$JIRA_API_TOKEN" \
	--latency-ms 20 --log "$work/requests.jsonl" \
	>"$work/emulator.out" 2>"$work/emulator.err" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q listening "$work/emulator.out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $emu 2>/dev/null; then
		echo "demo: the emulator did not start (is port $port in use?):" >&2
		cat "$work/emulator.err" >&2
		exit 1
	fi
	sleep 0.1
done

run() {
	printf '\n$ %s\n' "$*"
	"$@"
}

printf 'An emulated Jira site on http://127.0.0.1:%s holds the demo tenant:\n' $port
printf '299 users after a migration rehearsal. examples/demo.yaml keeps the\n'
printf 'staff, contractors and QA bots; everyone else is to go.\n'
run "$bin" validate -f examples/demo.yaml
run "$bin" plan -f examples/demo.yaml -o "$work/plan.json" --detailed-exitcode || [ $? -eq 2 ]
run "$bin" apply "$work/plan.json" --journal "$work/journal.jsonl"
printf '\nThe journal (%s) ends with:\n' "$work/journal.jsonl"
tail -n 1 "$work/journal.jsonl"
run "$bin" plan -f examples/demo.yaml --detailed-exitcode
deletes=$(grep -c '"method":"DELETE"' "$work/requests.jsonl" || true)
printf '\nThe emulator received %s DELETE requests; its request log is %s.\n' \
	"$deletes" "$work/requests.jsonl"
