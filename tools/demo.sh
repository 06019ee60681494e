#!/bin/sh
# make demo: validate examples/demo.yaml and plan it against the bundled
# snapshot of the demo tenant's live users.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
bin=$build/userprune
export JIRA_EMAIL=jira-automation@acme.example
export JIRA_API_TOKEN=demo-token
echo "\$ userprune validate -f examples/demo.yaml"
"$bin" validate -f examples/demo.yaml
echo
echo "\$ userprune plan -f examples/demo.yaml --live examples/demo-live.json -o /tmp/demo-plan.json"
"$bin" plan -f examples/demo.yaml --live examples/demo-live.json -o /tmp/demo-plan.json
