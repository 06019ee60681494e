#!/bin/sh
# CI, after `make check`: builds the Debian packages (make deb: debhelper,
# dpkg-buildpackage, lintian with --fail-on error), then installs them on
# a clean Debian 12 made by mmdebstrap with `apt-get install ./...deb`,
# checks that it pulled in runtime libraries and nothing else, and runs
# tools/deb-smoke-inside.sh there against the installed files. Needs root
# and Debian's package mirror.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD:-build}
export DEBIAN_FRONTEND=noninteractive

need=""
for cmd in dpkg-buildpackage:dpkg-dev dh:debhelper fakeroot:fakeroot \
	lintian:lintian mmdebstrap:mmdebstrap; do
	command -v "${cmd%%:*}" >/dev/null 2>&1 || need="$need ${cmd#*:}"
done
if [ -n "$need" ]; then
	echo "deb-smoke: installing$need" >&2
	apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

make --no-print-directory deb BUILD="$build"
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
deb=$build/deb/userprune_${version}_$arch.deb
emu=$build/deb/userprune-emulator_${version}_$arch.deb
test "$(sed -n 's/^VERSION *= *//p' Makefile)" = "$version" || {
	echo "deb-smoke: debian/changelog says $version, the Makefile" \
		"$(sed -n 's/^VERSION *= *//p' Makefile)" >&2
	exit 1
}

# dpkg-shlibdeps found the libraries: nothing but library packages
for d in "$deb" "$emu"; do
	deps=$(dpkg-deb -f "$d" Depends)
	echo "deb-smoke: $(basename "$d"): Depends: $deps"
	echo "$deps" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | while read -r p; do
		case $p in
		lib* | userprune) ;;
		*)
			echo "deb-smoke: $(basename "$d") depends on '$p'," \
				"not a library" >&2
			exit 1
			;;
		esac
	done
done

# a clean Debian 12: apt-get install ./userprune_*.deb, then the smoke
# test of what it installed
out=$build/deb/clean
rm -rf "$out"
mkdir -p "$out"
mmdebstrap --variant=apt --quiet \
	--customize-hook="copy-in $deb $emu tools/deb-smoke-inside.sh /tmp" \
	--customize-hook='chroot "$1" sh -c "cd /tmp && apt-get install -y ./userprune_*.deb ./userprune-emulator_*.deb" >"$1/tmp/install.log" 2>&1 || { cat "$1/tmp/install.log"; exit 1; }' \
	--customize-hook="chroot \"\$1\" sh /tmp/deb-smoke-inside.sh $version" \
	--customize-hook="copy-out /tmp/install.log /tmp/new-packages $out" \
	bookworm /dev/null
echo "deb-smoke: apt-get install pulled in: $(tr '\n' ' ' <"$out/new-packages")"
echo "deb-smoke: passed"
