#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and runs the whole test suite (README's second command).
#   scripts/test.sh [extra ctest args...]     e.g. scripts/test.sh -L golden
# Environment: BUILD_DIR (default build), LIENZO_FIXTURES (default ../shared/fixtures).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup-deps.sh
build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIENZO_BUILD_TESTS=ON
cmake --build "$build" -j"$(nproc)"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" "$@"
