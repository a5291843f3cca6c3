#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs the whole test suite (README's second command).
#   scripts/test.sh [extra ctest args...]     e.g. scripts/test.sh -L golden
# Environment: BUILD_DIR (default build), LIENZO_FIXTURES (default ../shared/fixtures),
# LIENZO_CI_QUICK=1 skips the reliability steps that follow the test suite (CI always runs them):
# every fuzz target for LIENZO_FUZZ_SECONDS (5) s (scripts/fuzz.sh) and the ASan+UBSan run of the
# cheap core tests (scripts/sanitize.sh) in the fuzzers' clang tree. See docs/reliability.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-deps.sh
build="${BUILD_DIR:-build}"
# -g1 (line tables only): backtraces keep file:line, objects are ~6x smaller than with -g, so the
# ~60 test executables link much faster. <ATen/ATen.h> is precompiled (LIENZO_PCH, GCC).
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIENZO_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cmake --build "$build" -j"$(nproc)"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"

if [[ -z "${LIENZO_CI_QUICK:-}" && $# -eq 0 ]]; then
  # One clang ASan+UBSan tree for both: the fuzzers (scripts/fuzz.sh configures it with the
  # tests on) and then the sanitizer run of the cheap core tests.
  step=$(date +%s)
  bash scripts/fuzz.sh "${LIENZO_FUZZ_SECONDS:-5}"
  echo "reliability: fuzzers took $(( $(date +%s) - step )) s"
  step=$(date +%s)
  ASAN_BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}" bash scripts/sanitize.sh
  echo "reliability: ASan+UBSan core tests took $(( $(date +%s) - step )) s"
fi
