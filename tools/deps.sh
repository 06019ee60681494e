#!/bin/sh
# Installs the Debian packages userprune builds and tests with, when
# pkg-config or python3 cannot find them. Needs root (or sudo).
set -e
missing=""
for pc in yaml-0.1:libyaml-dev libcurl:libcurl4-openssl-dev \
	  libcjson:libcjson-dev libgit2:libgit2-dev \
	  libmicrohttpd:libmicrohttpd-dev cmocka:libcmocka-dev; do
	mod=${pc%%:*}
	pkg=${pc#*:}
	pkg-config --exists "$mod" 2>/dev/null || missing="$missing $pkg"
done
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v git >/dev/null 2>&1 || missing="$missing git"
# the stand-in for gh in tests/integration/test_workflows.py runs jq
command -v jq >/dev/null 2>&1 || missing="$missing jq"
/usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null ||
	missing="$missing python3-jsonschema python3-yaml"
[ -z "$missing" ] && exit 0
echo "userprune: installing build dependencies:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	--no-install-recommends $missing >/dev/null
