#!/bin/bash
# Does a built-in model place what a caption asks? Generates "a large red circle on the WORD on a
# blue background" for WORD in left/right/top/bottom at seeds 1..N (same seeds for every word)
# and prints the mean centre of the circles the evaluator finds. A model that ignores place words
# prints the same centre four times (docs/builtin-model.md, "Why position does not move").
# Usage: scripts/place-probe.sh MODEL [N=8]   (LIENZO: the CLI, default build/app/lienzo)
set -eu
model=$1
n=${2:-8}
lienzo=${LIENZO:-build/app/lienzo}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '{"groups":[{"shape":"circle","colour":"red"}]}' > "$work/scene.json"
for word in left right top bottom; do
  for seed in $(seq 1 "$n"); do
    "$lienzo" generate --model "$model" --seed "$seed" --threads 1 -o "$work/${word}_$seed.png" \
      --prompt "a large red circle on the $word on a blue background" > /dev/null 2>&1
  done
  "$lienzo" eval "$work/${word}"_*.png --scene "$work/scene.json" --json 2> /dev/null |
    grep -o 'circle at ([0-9., ]*)' | sed 's/circle at (//; s/[),]//g' |
    awk -v w="$word" '{x += $1; y += $2; k++}
      END {if (k) printf "%-7s %d circles, mean centre (%.2f, %.2f)\n", w, k, x / k, y / k;
           else printf "%-7s no circle found\n", w}'
done
