#!/bin/sh
# make demo: tools/userprune-demo (what the userprune-emulator package
# installs) with the programs just built and the demo files of examples/.
#
# usage: tools/demo.sh [BUILD [PORT]]
set -eu
build=${1:-build}
if [ -n "${2:-}" ]; then
	USERPRUNE_DEMO_PORT=$2
	export USERPRUNE_DEMO_PORT
fi
cd "$(dirname "$0")/.."
rm -rf "$build/demo"
USERPRUNE=$build/userprune USERPRUNE_EMULATOR=$build/userprune-emulator \
	USERPRUNE_DEMO_DATA=examples exec tools/userprune-demo "$build/demo"
