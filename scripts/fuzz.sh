#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang + ASan + UBSan) and runs each for N seconds.
#   scripts/fuzz.sh [seconds] [target...]     e.g. scripts/fuzz.sh 600 png_text safetensors
# Default: 30 s for every target. Exit status 1 when a target found a crash, leak, UB or timeout;
# the reproducer is kept in $FUZZ_DIR/artifacts/<target>/ (rerun: build-fuzz/tests/fuzz/fuzz_<t> FILE).
# Environment: FUZZ_BUILD_DIR (default build-fuzz), LIENZO_FIXTURES (default ../shared/fixtures),
# FUZZ_JOBS (parallel build jobs, default nproc), FUZZ_SKIP_BUILD=1 (run what is built), FUZZ_DIR (corpora/logs, default $FUZZ_BUILD_DIR/fuzz).
# The growing corpus is kept between runs in $FUZZ_DIR/corpus/<target>/ (seeds: tests/fuzz/corpus/
# plus headers cut from the fixture checkpoints).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
seconds="${1:-30}"
shift || true
all=(safetensors checkpoint png_text infotext metadata_import prompt_parser clip_tokenizer
     clip_vocab exif_text extra_model_paths safetensors_header adapter_names network_files
     edit_inputs control_files gguf)
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
build="${FUZZ_BUILD_DIR:-build-fuzz}"
work="${FUZZ_DIR:-$build/fuzz}"
fixtures="${LIENZO_FIXTURES:-$here/../shared/fixtures}"
export LIENZO_FIXTURES="$fixtures"

if [[ -n "${FUZZ_SKIP_BUILD:-}" ]]; then
  :  # run the binaries already in $build (e.g. while another change is being built)
elif [[ ! -f "$build/build.ninja" ]]; then
  # -O1 -g1: the fuzzers need coverage and line tables, not -O2's code or full debug info (the
  # tree compiles faster). Tests on: scripts/sanitize.sh builds its ASan+UBSan test executables in
  # this same tree (CI), so the core libraries are compiled once for both.
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLIENZO_BUILD_FUZZERS=ON \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DLIENZO_BUILD_UI=OFF -DLIENZO_BUILD_TESTS=ON -DLIENZO_WITH_IMAGEIO=OFF \
    -DLIENZO_WITH_SENTENCEPIECE=OFF
fi
[[ -n "${FUZZ_SKIP_BUILD:-}" ]] || cmake --build "$build" -j"${FUZZ_JOBS:-$(nproc)}" --target fuzzers

# Seeds cut from the fixtures (never committed): checkpoint headers and a small real file.
seeds="$work/fixture-seeds"
mkdir -p "$seeds/checkpoint" "$seeds/safetensors" "$seeds/safetensors_header" "$seeds/network_files"
for f in "$fixtures"/sd1/tiny-sd1.safetensors "$fixtures"/sd2/tiny-sd2.safetensors \
         "$fixtures"/sdxl/tiny-sdxl.safetensors; do
  [[ -f "$f" ]] || continue
  len=$(od -An -tu8 -N8 "$f" | tr -d ' ')
  { printf '\0'; dd if="$f" bs=1M iflag=skip_bytes,count_bytes skip=8 count="$len" status=none; } > "$seeds/checkpoint/$(basename "$f" .safetensors)"
done
for f in "$fixtures"/samplers/model.safetensors "$fixtures"/samplers/schedules.safetensors; do
  if [[ -f "$f" ]]; then cp "$f" "$seeds/safetensors/"; fi
done

for f in "$fixtures"/lora/tiny-*.safetensors "$fixtures"/embeddings/lienzo-*.safetensors; do
  if [[ -f "$f" ]]; then cp "$f" "$seeds/safetensors_header/"; cp "$f" "$seeds/network_files/"; fi
done

status=0
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  extra=()
  if [[ -d "$seeds/$t" ]]; then extra+=("$seeds/$t"); fi
  log="$work/$t.log"
  echo "== fuzz_$t: ${seconds}s (log $log)"
  if "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=262144 \
       -print_final_stats=1 -artifact_prefix="$artifacts/" \
       "$corpus" "tests/fuzz/corpus/$t" "${extra[@]}" > "$log" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" | tr '\n' ' '
    echo "corpus $(ls "$corpus" | wc -l) files"
  else
    status=1
    echo "!! fuzz_$t FAILED; reproducer(s) in $artifacts:"
    ls "$artifacts"
    grep -E "ERROR|SUMMARY|runtime error|property failed|uncaught" "$log" | head -5
  fi
done
exit $status
