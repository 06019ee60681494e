#!/bin/sh
# make demo: tools/userprune-demo (what the userprune-emulator package
# installs) with the programs just built and the demo files of examples/.
set -eu
build=${1:-build}
cd "$(dirname "$0")/.."
rm -rf "$build/demo"
USERPRUNE=$build/userprune USERPRUNE_EMULATOR=$build/userprune-emulator \
	USERPRUNE_DEMO_DATA=examples exec tools/userprune-demo "$build/demo"
