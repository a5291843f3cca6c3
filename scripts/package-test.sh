#!/usr/bin/env bash
# Builds the .deb and .rpm from an existing build folder, installs the .deb on this machine and
# runs the installed binary: --version, info, one headless generate, a GUI screenshot; then
# removes it. Validates the desktop and AppStream files. Used by .ci/run after the tests.
#   scripts/package-test.sh [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${BUILD_DIR:-build}}"
cd "$here"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

desktop-file-validate packaging/io.github.lienzo.Lienzo.desktop
appstreamcli validate --no-net packaging/io.github.lienzo.Lienzo.metainfo.xml
appstream-util validate-relax --nonet packaging/io.github.lienzo.Lienzo.metainfo.xml

rm -f "$build"/lienzo_*.deb "$build"/lienzo-*.rpm
(cd "$build" && cpack -G DEB >/dev/null && cpack -G RPM >/dev/null)
deb="$(ls "$build"/lienzo_*.deb | head -n1)"
rpm="$(ls "$build"/lienzo-*.rpm | head -n1)"
echo "package-test: built $deb and $rpm"
dpkg-deb --info "$deb" | sed -n '/Depends/p'
echo "package-test: rpm requirements:"; rpm -qpR "$rpm" | sed 's/^/  /'
rpm -qpR "$rpm" | grep -q "libtorch" || { echo "rpm lacks the libtorch requirement"; exit 1; }

DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "$(realpath "$deb")" >/dev/null
trap 'DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y lienzo >/dev/null || true' EXIT
installed=/usr/bin/lienzo
test -x "$installed"
"$installed" --version
# The built-in model ships inside the package and is found without any path or variable.
model=/usr/share/lienzo/models/lienzo-builtin.safetensors
test -f "$model"
info_out="$("$installed" info "$model")"
echo "$info_out"
grep -q "Lienzo built-in" <<<"$info_out"
out="$(mktemp -d)"
# A fresh HOME: user data (settings, gallery) must go to XDG folders, never into the prefix.
export HOME="$out/home" XDG_CONFIG_HOME="$out/home/.config" XDG_DATA_HOME="$out/home/.local/share"
mkdir -p "$HOME"
(cd "$out" && env -u LIENZO_BUILTIN_MODEL "$installed" generate \
  --prompt "two yellow stars on a purple background" --seed 1 -o "$out/generated.png")
identify -verbose "$out/generated.png" | grep -q "parameters: two yellow stars on a purple background"
identify -format '%w %h\n' "$out/generated.png" | grep -q "^64 64$"
QT_QPA_PLATFORM=offscreen "$installed" --grab "$out/gui.png" --gallery "$out/gallery"
test -s "$out/gui.png"
# Nothing was written inside the install prefix.
test -z "$(find /usr/share/lienzo -newer "$deb" -type f)"
mkdir -p "$build/screenshots" && cp "$out/gui.png" "$build/screenshots/installed-gui.png"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y lienzo >/dev/null
trap - EXIT
test ! -e "$installed"
echo "package-test: ok"
