#!/bin/sh
# Deactivate now, delete later, against userprune's vendor emulator: an
# emulated SCIM service (examples/two-phase-users.json: twelve users),
# the first reviewed change (two-phase-1-deactivate.yaml) planned and
# applied, one user restored from its journal, then the second change
# (two-phase-2-delete.yaml) planned and applied.
#
# usage: examples/two-phase-demo.sh [WORKDIR]
#
# WORKDIR (new or empty; default a new directory under ${TMPDIR:-/tmp})
# receives the plans, journals and the emulator's request log.
# USERPRUNE and USERPRUNE_EMULATOR name the programs: by default those of
# the source tree (build/, after `make`), else the ones on PATH.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${USERPRUNE:-$here/../build/userprune}
emulator=${USERPRUNE_EMULATOR:-$here/../build/userprune-emulator}
[ -x "$bin" ] || bin=userprune
[ -x "$emulator" ] || emulator=userprune-emulator

case ${1:-} in
-h | --help)
	sed -n '2,15s/^# \{0,1\}//p' "$0"
	exit 0
	;;
esac
if [ $# -eq 0 ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/userprune-two-phase.XXXXXX")
else
	work=$1
	if [ -e "$work" ] && [ -n "$(ls -A "$work" 2>/dev/null)" ]; then
		echo "two-phase-demo: '$work' is not empty: name a new directory" >&2
		exit 1
	fi
	mkdir -p "$work"
fi
work=$(cd "$work" && pwd)

export SCIM_TOKEN=demo-scim-token
"$emulator" --vendor scim --port 0 --port-file "$work/port" \
	--users-file "$here/two-phase-users.json" --token "$SCIM_TOKEN" \
	--log "$work/requests.jsonl" >"$work/emulator.out" 2>"$work/emulator.err" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
i=0
until [ -s "$work/port" ]; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $emu 2>/dev/null; then
		echo "two-phase-demo: the emulator did not start:" >&2
		cat "$work/emulator.err" >&2
		exit 1
	fi
	sleep 0.1
done
port=$(cat "$work/port")

# the two versions of the file, pointed at the emulator's port
mkdir -p "$work/keep"
cp "$here/keep/two-phase-staff.txt" "$work/keep/"
for f in two-phase-1-deactivate.yaml two-phase-2-delete.yaml; do
	sed "s|127.0.0.1:8767|127.0.0.1:$port|" "$here/$f" >"$work/$f"
done
cd "$work"

run() {
	printf '\n$ userprune %s\n' "$*"
	"$bin" "$@"
}

printf 'Change 1: mode: deactivate (two-phase-1-deactivate.yaml)\n'
run plan -f two-phase-1-deactivate.yaml -o plan-1.json
run apply plan-1.json --journal journal-1.jsonl

printf '\nA mistake: carla is on leave, not gone. Undo it for her alone:\n'
run restore journal-1.jsonl --user u-carla --yes --journal restore-1.jsonl

printf '\nChange 2, weeks later: mode: delete, scope status inactive\n'
printf '(two-phase-2-delete.yaml)\n'
run plan -f two-phase-2-delete.yaml -o plan-2.json
run apply plan-2.json --journal journal-2.jsonl

printf '\nWhat is left:\n'
run plan -f two-phase-2-delete.yaml --detailed-exitcode
printf '\nThe emulator logged every request in %s.\n' "$work/requests.jsonl"
