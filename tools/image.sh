#!/bin/sh
# make image: builds the container image from Containerfile, as written,
# with the userprune package of `make deb`, then runs it: `userprune
# version`, the user it runs as, and `validate` of examples/demo.yaml
# mounted at /work.
#
# Environment:
#   CONTAINER  podman (default) or docker
#   IMAGE      the tag (default userprune:VERSION; userprune:latest too)
#   BASE       a Debian 12 image. Default: localhost/userprune-base:12,
#              made once from Debian's packages by mmdebstrap and imported,
#              so no registry is needed; BASE=docker.io/library/debian:12-slim
#              takes the registry's (the Containerfile's own default).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
version=$(sed -n 's/^VERSION *= *//p' Makefile)
ctr=${CONTAINER:-podman}
image=${IMAGE:-userprune:$version}
base=${BASE:-localhost/userprune-base:12}
msg() { echo "image: $*" >&2; }

command -v "$ctr" >/dev/null 2>&1 || {
	msg "no '$ctr' (apt-get install podman, or CONTAINER=docker)"
	exit 1
}
ls "$build"/deb/userprune_*.deb >/dev/null 2>&1 || {
	msg "no $build/deb/userprune_*.deb: run make deb first"
	exit 1
}

exists() {
	if [ "$ctr" = podman ]; then
		podman image exists "$1"
	else
		"$ctr" image inspect "$1" >/dev/null 2>&1
	fi
}

if [ -z "${BASE:-}" ] && ! exists "$base"; then
	command -v mmdebstrap >/dev/null 2>&1 || {
		msg "making $base needs mmdebstrap (apt-get install mmdebstrap)," \
			"or set BASE to a Debian 12 image of a registry"
		exit 1
	}
	msg "making $base from Debian's packages (mmdebstrap, minbase)"
	# like debian:12-slim: no manual pages, documentation or locales
	mmdebstrap --variant=minbase --quiet \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		bookworm - |
		"$ctr" import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
fi

# Some hosts cannot run a container with the engine's defaults: without
# CAP_SYS_RESOURCE its default limits (nofile 1048576) cannot be set, and
# crun refuses a hybrid cgroup v1/v2 layout. Then runc, and the limits
# the caller has (halved until they can be set), are tried in turn.
run_flags=""
global=""
probe() { "$ctr" $1 run --rm $2 "$base" true >/dev/null 2>"$build/image-probe.err"; }
if ! probe "" ""; then
	first=$(tail -n 1 "$build/image-probe.err")
	found=""
	for rt in "" "--runtime runc"; do
		[ -n "$rt" ] && ! command -v runc >/dev/null 2>&1 && continue
		[ -n "$rt" ] && [ "$ctr" != podman ] && continue
		if probe "$rt" ""; then
			found=1 global=$rt
			break
		fi
		n=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
		u=$(awk '/^Max processes/ { print $4 }' /proc/self/limits)
		[ "$n" = unlimited ] && n=1048576
		[ "$u" = unlimited ] && u=1048576
		while [ "$u" -ge 1024 ]; do
			lim="--ulimit nofile=$n:$n --ulimit nproc=$u:$u"
			if probe "$rt" "$lim"; then
				found=1 global=$rt run_flags=$lim
				break 2
			fi
			u=$((u / 2))
		done
	done
	if [ -z "$found" ]; then
		msg "$ctr cannot run a container here: $first"
		exit 1
	fi
	msg "$ctr could not run a container with its defaults ($first);"
	msg "using:${global:+ $global}${run_flags:+ $run_flags}"
fi

msg "$ctr build --build-arg BASE=$base -t $image -f Containerfile ."
"$ctr" $global build $run_flags --build-arg BASE="$base" \
	--build-arg DEB_DIR="$build/deb" -t "$image" -t userprune:latest \
	-f Containerfile .

run() { "$ctr" $global run --rm $run_flags "$@"; }
got=$(run "$image" version)
[ "$got" = "userprune $version" ] || {
	msg "userprune version in the image says '$got'"
	exit 1
}
uid=$(run --entrypoint id "$image" -u)
[ "$uid" != 0 ] || { msg "the image runs as root"; exit 1; }
out=$(run -v "$PWD/examples:/work:ro" -e JIRA_EMAIL=x -e JIRA_API_TOKEN=y \
	"$image" validate -f demo.yaml)
case $out in
*"configuration OK"*) ;;
*) msg "validate in the image: $out"; exit 1 ;;
esac
msg "$image: '$got', runs as uid $uid in $(run --entrypoint pwd "$image"), validate of a mounted example: $out"
