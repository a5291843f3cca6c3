// Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp).
//
// Contract: a fuzz target catches only the exceptions its API documents for bad input; anything
// else escapes, and libFuzzer reports it as a crash (a broken contract is a finding too).
// LIENZO_FUZZ_CHECK aborts (a finding) when a property the API promises does not hold.
// Not thread-safe (libFuzzer runs one input at a time per process).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#define LIENZO_FUZZ_CHECK(cond)                                                        \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

namespace lienzo::fuzz {

/// The fixture folder: $LIENZO_FIXTURES, else <repo>/../shared/fixtures.
inline std::filesystem::path fixturesDir() {
  if (const char* env = std::getenv("LIENZO_FIXTURES"); env && *env) return env;
  return std::filesystem::path(LIENZO_SOURCE_DIR) / ".." / "shared" / "fixtures";
}

/// A per-process scratch file name in $TMPDIR (or /tmp), removed at exit by the caller's choice.
inline std::filesystem::path scratchFile(const std::string& stem, const std::string& ext) {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path dir = (tmp && *tmp) ? tmp : "/tmp";
  return dir / (stem + "-" + std::to_string(::getpid()) + ext);
}

}  // namespace lienzo::fuzz
