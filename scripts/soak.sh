#!/usr/bin/env bash
# The studio's queue, worker and gallery left running: 1 000 jobs (txt2img, img2img, inpainting,
# cancelled, removed before start) through the real controller on the built-in model, with the
# resident memory, open descriptors and threads printed as jobs finish (docs/reliability.md).
#   scripts/soak.sh [lienzo_soak options...]     default: --jobs 1000 --steps 4 --side 64
# Environment: BUILD_DIR (default build; configured with the tests and the UI).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
build="${BUILD_DIR:-build}"
cmake --build "$build" --target lienzo_soak
args=("$@")
[[ ${#args[@]} -eq 0 ]] && args=(--jobs 1000 --steps 4 --side 64 --warmup 20 --every 100)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
exec "$build/tests/lienzo_soak" --model resources/models/lienzo-builtin.safetensors "${args[@]}"
