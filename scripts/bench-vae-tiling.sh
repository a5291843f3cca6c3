#!/usr/bin/env bash
# The "Tiled VAE" figures of docs/performance.md: tiled-vs-untiled error at SIZE² for the built-in
# model's VAE and an SD-1.5-shaped VAE with random weights, then the peak RSS of one SD-1.5-shaped
# float32 decode at MEM² tiled and untiled, each in a fresh process (peaks must not mix).
# Usage: scripts/bench-vae-tiling.sh [SIZE=1024] [MEM=2048] [THREADS=2]
#        (LIENZO: the CLI, default build/app/lienzo; BUILTIN: default the shipped model)
set -euo pipefail
size=${1:-1024}
mem=${2:-2048}
threads=${3:-2}
lienzo=${LIENZO:-build/app/lienzo}
builtin=${BUILTIN:-resources/models/lienzo-builtin.safetensors}
grep -m1 'model name' /proc/cpuinfo
echo "flags: $(grep -m1 -o -w 'avx2\|avx512_bf16\|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
common=(bench --threads "$threads" --dtype f32 --width "$size" --height "$size")
"$lienzo" "${common[@]}" --vae-tiling error --vae "$builtin" \
  --variants "64/16/8,64/16/16,64/16/0,64/32/16,32/16/8"
"$lienzo" "${common[@]}" --vae-tiling error
for mode in "" --tiled; do
  /usr/bin/time -f "  /usr/bin/time: max RSS %M KiB, %e s" \
    "$lienzo" bench --threads "$threads" --dtype f32 --width "$mem" --height "$mem" \
    --vae-tiling decode $mode
done
