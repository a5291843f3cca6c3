// Helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp).
//
// Contract: a fuzz target catches only the exceptions its API documents for bad input; anything
// else escapes, and libFuzzer reports it as a crash (a broken contract is a finding too).
// LIENZO_FUZZ_CHECK aborts (a finding) when a property the API promises does not hold.
// Not thread-safe (libFuzzer runs one input at a time per process).
#pragma once

#include <fcntl.h>
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

/// Writes `size` bytes to `path` (created or truncated); aborts on failure (the harness' own).
inline void writeFile(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  while (size > 0) {
    const ssize_t w = ::write(fd, data, size);
    if (w <= 0) std::abort();
    data += w;
    size -= static_cast<size_t>(w);
  }
  ::close(fd);
}

}  // namespace lienzo::fuzz
