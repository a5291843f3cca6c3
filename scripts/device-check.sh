#!/bin/bash
# One prepared run on a lent CUDA machine (docs/performance.md, docs/builtin-model.md):
#   1. builds googletest and a static sentencepiece (its own protobuf-lite, namespace renamed with
#      -Dgoogle=lienzo_spm_google so it cannot collide with libtorch's protobuf) from carried sources,
#   2. builds lienzo_core + the `lienzo` CLI + golden tests against the machine's PyTorch libtorch
#      (no Qt, no OpenImageIO: LIENZO_BUILD_UI=OFF, LIENZO_WITH_IMAGEIO=OFF),
#   3. runs the U-Net / text-encoder / txt2img goldens on CUDA (F32 with TF32 off, BF16, F16),
#   4. benchmarks the SD1.5 (512²) and SDXL (1024²) U-Net CFG step on the GPU.
# Training the built-in model on a lent GPU: scripts/device-train.sh (the whole lease).
# Usage (device tool, repo root): scripts/device-check.sh, carrying .devdeps/pack (deps.tar.xz:
# googletest, nlohmann_json, sentencepiece sources) and .devfix/sd2 + .devfix/clip
# (.devfix -> ../shared/fixtures, ignored). Results under $OUT.
# Measured on an H200 (torch 2.11 + CUDA 13): deps 16 s, configure + build of 94 steps 67 s.
set -u
start=$(date +%s)
OUT=${OUT:-/tmp/lienzo-device-out}
mkdir -p "$OUT"
R=$(pwd)
D=/tmp/lienzo-deps
log() { echo "[device-check +$(($(date +%s) - start))s] $*"; }
exec > >(tee "$OUT/device.log") 2>&1

log "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
PY=python3
TORCH_DIR=$($PY -c 'import torch,os;print(os.path.dirname(torch.__file__))')
TORCH_ABI=$($PY -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
log "torch $($PY -c 'import torch;print(torch.__version__, torch.version.cuda)') at $TORCH_DIR"

mkdir -p "$D" && tar -xJf .devdeps/pack/deps.tar.xz -C "$D"
export CMAKE_POLICY_VERSION_MINIMUM=3.5  # sentencepiece 0.1.97 asks for CMake < 3.5 policies
( cmake -S "$D/googletest" -B "$D/gt" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_GMOCK=OFF \
    -DCMAKE_INSTALL_PREFIX="$D/gtest" -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI" \
    >/dev/null && cmake --build "$D/gt" -j8 >/dev/null && cmake --install "$D/gt" >/dev/null &&
  echo gtest ok ) &
gt=$!
( cmake -S "$D/sentencepiece-src" -B "$D/spb" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSPM_USE_BUILTIN_PROTOBUF=ON -DSPM_ENABLE_SHARED=OFF -DSPM_ENABLE_TCMALLOC=OFF \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$D/spm" -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI -Dgoogle=lienzo_spm_google" >/dev/null &&
  cmake --build "$D/spb" -j8 >/dev/null && cmake --install "$D/spb" >/dev/null && echo spm ok ) &
sp=$!
wait $gt $sp  # not a bare `wait`: bash would also wait for the tee above, forever
log "deps built"

common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DLIENZO_BUILD_UI=OFF -DLIENZO_WITH_IMAGEIO=OFF
        -DLIENZO_SENTENCEPIECE_DIR="$D/spm" -DLIENZO_SPM_BUILTIN_PROTOBUF=ON
        -DCMAKE_PREFIX_PATH="$TORCH_DIR;$TORCH_DIR/share/cmake;$R/.devdeps/nlohmann;$D/nlohmann;$D/gtest")
export TORCH_CUDA_ARCH_LIST=9.0
if ! cmake -S . -B build-cuda "${common[@]}" -DCMAKE_CUDA_ARCHITECTURES=90 > "$OUT/configure.log" 2>&1; then
  tail -30 "$OUT/configure.log"
  log "find_package(Torch) failed: falling back to the wheel's include/ and lib/"
  rm -rf build-cuda
  cmake -S . -B build-cuda "${common[@]}" -DLIENZO_TORCH_MANUAL="$TORCH_DIR" \
    -DLIENZO_TORCH_CXX11_ABI="$TORCH_ABI" > "$OUT/configure.log" 2>&1 || { tail -40 "$OUT/configure.log"; exit 1; }
fi
grep -E "sentencepiece|SentencePiece|Torch" "$OUT/configure.log" | head -5
ninja -C build-cuda -k 0 lienzo_cli test_unet test_openclip_text_model test_txt2img 2>&1 |
  grep -E "error|FAILED|^\[[0-9]+/[0-9]+\] Linking" | head -60
log "build done"
L=build-cuda/app/lienzo
if [ -x "$L" ] && ! $L --version; then
  log "lienzo does not start beside this libtorch: rebuilding it without SentencePiece (no training)"
  cmake -S . -B build-cuda -DLIENZO_WITH_SENTENCEPIECE=OFF >/dev/null && ninja -C build-cuda lienzo_cli | tail -2
fi

export LIENZO_FIXTURES="$R/.devfix" LIENZO_TEST_DEVICE=cuda
for t in test_unet:'*sd2*' test_openclip_text_model:'*Sd2Golden*' test_txt2img:'*Sd2*'; do
  exe=build-cuda/tests/${t%%:*}
  [ -x "$exe" ] && timeout 120 "$exe" --gtest_filter="${t#*:}" 2>&1 |
    grep -E "^\[ *(OK|FAILED|PASSED|SKIPPED) |measure|rel err|Failure|error" | head -40
done
log "goldens done"

if [ -x "$L" ]; then
  for dt in f16 bf16; do
    timeout 90 $L bench --arch sd15 --dtype $dt --device cuda --parts unet,vae --runs 20 2>&1 | tail -4
  done
  timeout 90 $L bench --arch sdxl --dtype f16 --device cuda --parts unet --runs 10 2>&1 | tail -3
  # The cuDNN NHWC path (channels_last activations and conv weights), not yet measured.
  for a in sd15 sdxl; do
    timeout 90 $L bench --arch $a --dtype f16 --device cuda --parts unet --runs 10 --channels-last \
      2>&1 | tail -3
  done
  log "bench done"

fi
log "end"
