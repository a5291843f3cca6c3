#!/usr/bin/env bash
# Prepares what scripts/device-check.sh needs on a lent GPU machine (which has PyTorch, CMake and
# ninja but no nlohmann_json, GoogleTest, sentencepiece or network), under ignored paths:
#   .devdeps/pack/deps.tar.xz  googletest (Debian's /usr/src/googletest), nlohmann_json headers +
#                              CMake package, sentencepiece sources (Debian source package)
#   .devdeps/pack/run/         tokenizer.model, vae.safetensors, config.json of a CPU training run
#   .devfix -> ../shared/fixtures (carry .devfix/sd2 and .devfix/clip: the device gets no ../shared)
# Usage: scripts/device-pack.sh RUN_DIR     (e.g. build-trainer/run2); then call the device tool
# with carry [".devdeps/pack", ".devfix/sd2", ".devfix/clip"] and `bash scripts/device-check.sh`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
run="${1:?usage: scripts/device-pack.sh RUN_DIR}"
for p in /.devdeps/ /.devfix; do
  grep -qxF "$p" .git/info/exclude 2>/dev/null || echo "$p" >> .git/info/exclude
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/nlohmann/include" "$work/nlohmann/share/cmake" "$work/apt/lists/partial" \
  "$work/apt/cache/archives/partial" "$work/src" "$work/sentencepiece-src"
cp -r /usr/include/nlohmann "$work/nlohmann/include/"
cp -r /usr/share/cmake/nlohmann_json "$work/nlohmann/share/cmake/"
cp -r /usr/src/googletest "$work/googletest"
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
echo "deb-src http://deb.debian.org/debian $codename main" > "$work/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache")
apt-get "${apt_opts[@]}" update > /dev/null
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only sentencepiece > /dev/null)
tar -xf "$(ls "$work"/src/sentencepiece_*.orig.tar.* | head -n1)" -C "$work/sentencepiece-src" \
  --strip-components=1
sed -i '/^include(CPack)/,$d' "$work/sentencepiece-src/CMakeLists.txt"
rm -rf "$work/sentencepiece-src/data" "$work/sentencepiece-src/python"  # 39 MB of test data
mkdir -p .devdeps/pack/run
tar -cJf .devdeps/pack/deps.tar.xz -C "$work" googletest nlohmann sentencepiece-src
cp "$run"/tokenizer.model "$run"/vae.safetensors "$run"/config.json .devdeps/pack/run/
ln -sfn ../shared/fixtures .devfix
du -sh .devdeps/pack
