#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds Lienzo and runs its main job: generate an image
# (README's first command). Extra arguments go to `lienzo generate`, e.g.
#   scripts/run.sh --prompt "a lighthouse at dusk" --seed 7
# Until the built-in model ships, the tiny SD1 fixture checkpoint (random weights: the picture is
# noise-like, but every stage of the real pipeline runs) is the default model.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-deps.sh
build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)" --target lienzo_cli
mkdir -p out
fixtures="${LIENZO_FIXTURES:-$here/../shared/fixtures}"
model_args=()
if [[ " $* " != *" --model "* ]]; then model_args=(--model "$fixtures/sd1/tiny-sd1.safetensors"); fi
"$build/app/lienzo" generate "${model_args[@]}" --prompt "a red circle on a blue background" \
  --seed 42 --steps 20 --sampler "DPM++ 2M" --schedule karras --width 256 --height 256 \
  -o out/lienzo.png "$@"
echo "wrote out/lienzo.png"
