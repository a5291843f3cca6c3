#!/usr/bin/env bash
# Builds the .deb and .rpm from an existing build folder, installs the .deb on this machine and
# runs the installed binary: --version, info, one headless generate, a GUI screenshot; then
# removes it. Validates the desktop and AppStream files. Used by .ci/run after the tests.
#   scripts/package-test.sh [BUILD_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${BUILD_DIR:-build}}"
cd "$here"
fixtures="${LIENZO_FIXTURES:-$here/../shared/fixtures}"

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

DEBIAN_FRONTEND=noninteractive apt-get install -y "./$deb" >/dev/null
trap 'DEBIAN_FRONTEND=noninteractive apt-get remove -y lienzo >/dev/null || true' EXIT
installed=/usr/bin/lienzo
test -x "$installed"
"$installed" --version
"$installed" info "$fixtures/sd1/tiny-sd1.safetensors"
out="$(mktemp -d)"
"$installed" generate --model "$fixtures/sd1/tiny-sd1.safetensors" --prompt "package test" \
  --steps 4 --width 64 --height 64 --seed 1 -o "$out/generated.png"
identify -verbose "$out/generated.png" | grep -q "parameters: package test"
QT_QPA_PLATFORM=offscreen "$installed" --grab "$out/gui.png"
test -s "$out/gui.png"
mkdir -p "$build/screenshots" && cp "$out/gui.png" "$build/screenshots/installed-gui.png"
DEBIAN_FRONTEND=noninteractive apt-get remove -y lienzo >/dev/null
trap - EXIT
test ! -e "$installed"
echo "package-test: ok"
