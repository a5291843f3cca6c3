#!/usr/bin/env bash
# Installs everything Lienzo needs on Debian 12 (run as root, or with sudo available) and builds
# the static sentencepiece that can live beside libtorch (see ../shared/PLATFORM.md, pitfall 1).
# Used by README's commands and by .ci/run. Idempotent: a second run only checks.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev libopenblas0-openmp
  nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
  libopenimageio-dev openimageio-tools libpng-dev zlib1g-dev
  protobuf-compiler libprotobuf-dev dpkg-dev
  xvfb xauth imagemagick
  rpm file desktop-file-utils appstream appstream-util
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---- static sentencepiece from Debian's source package ---------------------------------------
spm_prefix="$here/.deps/sentencepiece"
if [ ! -f "$spm_prefix/lib/libsentencepiece.a" ]; then
  work="$here/.deps/build-sentencepiece"
  rm -rf "$work" && mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    2>/dev/null | grep -v '^\s*#' | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n1 | tr -d ' ' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  echo "deb-src $mirror $codename main" > "$work/apt/sources.list"
  # A private apt state: /etc/apt stays untouched.
  apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
            -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache")
  apt-get "${apt_opts[@]}" update
  (cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only sentencepiece)
  tarball="$(ls "$work"/src/sentencepiece_*.orig.tar.* | head -n1)"
  mkdir -p "$work/tree" && tar -xf "$tarball" -C "$work/tree" --strip-components=1
  # Its CPack block would clash with a parent project's; we build it standalone anyway.
  sed -i '/^include(CPack)/,$d' "$work/tree/CMakeLists.txt" || true
  cmake -S "$work/tree" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSPM_USE_BUILTIN_PROTOBUF=OFF -DSPM_ENABLE_SHARED=OFF -DSPM_ENABLE_TCMALLOC=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$spm_prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib
  cmake --build "$work/build" -j"$(nproc)"
  cmake --install "$work/build"
  rm -rf "$work"
fi
echo "setup-deps: ok"
