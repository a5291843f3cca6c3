// Torch-free safetensors header reader: tensor names, dtypes, shapes, spans and `__metadata__`,
// read with one small seek + read (the tensor data is never touched).
//
// Contract
// - readSafetensorsHeader() reads the 8-byte little-endian length and the JSON header only and
//   checks what listing a file needs: the length fits in the file and under `maxHeaderBytes`, the
//   JSON is an object, every entry has a dtype string, an integer shape and two data offsets
//   inside the data section. It does not check dtype × shape against the span or overlaps — the
//   full validation is SafetensorsFile::open() (safetensors.h, torch-linked), run before loading.
// - Failure: SafetensorsHeaderError naming the file and the reason; nothing is executed.
// - Thread-safe (pure function; the file is opened and closed inside the call).
#pragma once

#include "core/io/checkpoint_family.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsHeaderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SafetensorsHeaderEntry {
  std::string dtype;  ///< as written ("F16", "F32", ...)
  std::vector<int64_t> shape;
  uint64_t begin = 0;  ///< byte offsets inside the data section
  uint64_t end = 0;
};

struct SafetensorsHeader {
  uint64_t headerBytes = 0;  ///< the JSON length (the data section starts at 8 + headerBytes)
  uint64_t fileSize = 0;
  std::map<std::string, std::string> metadata;  ///< `__metadata__` (string values only)
  std::map<std::string, SafetensorsHeaderEntry> tensors;
  uint64_t dataOffset() const { return 8 + headerBytes; }
  /// Name → shape, for checkpoint_family.h and the library's family guesses.
  TensorShapes shapes() const;
};

/// Reads and checks the header of `path` (see the contract). Throws SafetensorsHeaderError.
/// The first name the header's top-level object defines twice, or "" (JSON parsers keep the last
/// silently; two definitions of one tensor make a file ambiguous, so both readers refuse it).
/// `json` is the header text; malformed JSON gives "" (the caller's parse reports it).
std::string duplicateHeaderKey(const char* begin, const char* end);

SafetensorsHeader readSafetensorsHeader(const std::filesystem::path& path,
                                        uint64_t maxHeaderBytes = 100ull << 20);
/// The same over an in-memory header image (8-byte length + JSON [+ data]); `fileSize` is the
/// size of the whole file the bytes came from. Throws SafetensorsHeaderError naming `name`.
SafetensorsHeader parseSafetensorsHeader(const std::string& bytes, uint64_t fileSize,
                                         const std::string& name,
                                         uint64_t maxHeaderBytes = 100ull << 20);

}  // namespace lienzo
