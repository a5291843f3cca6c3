#!/usr/bin/env bash
# AppImage recipe (next step, not run by CI: linuxdeploy and its Qt plugin are downloads, and this
# project's machines have no network). On a machine with network access, from the repo root:
#   packaging/appimage/build-appimage.sh [BUILD_DIR]
# It installs a Release build into an AppDir, lets linuxdeploy collect the shared libraries
# (libtorch, OpenBLAS, Qt 6, OpenImageIO) and the Qt platform plugins, and writes
# Lienzo-<version>-x86_64.AppImage. The built-in model rides inside (usr/share/lienzo/models), found
# through <exe>/../share/lienzo/models like an installed copy; user data stays in XDG folders.
set -euo pipefail
build="${1:-build-release}"
cmake --preset release -B "$build"
cmake --build "$build" -j"$(nproc)"
rm -rf AppDir && DESTDIR="$PWD/AppDir" cmake --install "$build" --prefix /usr
for tool in linuxdeploy-x86_64.AppImage linuxdeploy-plugin-qt-x86_64.AppImage; do
  [ -x "$tool" ] || { wget -q "https://github.com/linuxdeploy/${tool%%-x86_64*}/releases/download/continuous/$tool"; chmod +x "$tool"; }
done
export QMAKE=/usr/lib/qt6/bin/qmake
./linuxdeploy-x86_64.AppImage --appdir AppDir --plugin qt --output appimage \
  --desktop-file AppDir/usr/share/applications/io.github.lienzo.Lienzo.desktop \
  --icon-file AppDir/usr/share/icons/hicolor/256x256/apps/io.github.lienzo.Lienzo.png
