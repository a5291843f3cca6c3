#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds Lienzo and runs its main job: generate an image
# (README's first command). Extra arguments go to `lienzo generate`, e.g.
#   scripts/run.sh --prompt "un círculo rojo sobre fondo azul" --seed 7
# The model is Lienzo's own built-in one (resources/models/lienzo-builtin.safetensors, found next
# to the build like an installed copy); pass --model FILE for another checkpoint.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-deps.sh
build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)" --target lienzo_cli
mkdir -p out
"$build/app/lienzo" generate --prompt "two yellow stars on a purple background" --seed 42 \
  -o out/lienzo.png "$@"
echo "wrote out/lienzo.png"
