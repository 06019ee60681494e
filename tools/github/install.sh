#!/bin/sh
# The GitHub Action's install step (action.yml): installs userprune from a
# Debian package. DEB, when given, is a package built earlier in the same
# workflow run (a path or glob in the workspace). Otherwise CACHE_DIR (kept
# between runs by actions/cache) holds the package built from the action's
# own source for this runner's system; when it is empty, `make deb` builds
# it there first.
#
# usage: install.sh [DEB] CACHE_DIR
set -eu
deb=${1:-}
cache=${2:?usage: install.sh [DEB] CACHE_DIR}
src=${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if [ -n "$deb" ]; then
	# shellcheck disable=SC2086 # a glob, on purpose
	set -- $deb
	[ -f "$1" ] || { echo "userprune: no package '$deb'" >&2; exit 1; }
	pkg=$1
else
	mkdir -p "$cache"
	set -- "$cache"/userprune_*.deb
	if [ ! -f "$1" ]; then
		echo "userprune: building the package (cached for later runs)" >&2
		$sudo apt-get update -qq
		$sudo apt-get install -y -qq --no-install-recommends make gcc \
			dpkg-dev debhelper fakeroot pkg-config libyaml-dev \
			libcurl4-openssl-dev libcjson-dev libgit2-dev \
			libmicrohttpd-dev >/dev/null
		build=$(mktemp -d)
		make -C "$src" --no-print-directory deb BUILD="$build" >"$build.log" 2>&1 ||
			{ tail -n 50 "$build.log" >&2; exit 1; }
		cp "$build"/deb/userprune_*.deb "$cache"/
		set -- "$cache"/userprune_*.deb
	fi
	pkg=$1
fi
case $pkg in /*) ;; *) pkg=./$pkg ;; esac
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$pkg" ca-certificates >/dev/null
userprune version
