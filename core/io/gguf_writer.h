// GGUF writer (v3, little-endian): for benchmark checkpoints (`lienzo bench --quant`) and tests.
//
// Contract
// - serializeGguf()/writeGguf() write the metadata in the given order (general.alignment added
//   when `alignment` is not 32), the tensor infos in the given order with ne[] = the torch shape
//   reversed, each tensor at the next multiple of `alignment`. Every tensor's bytes must be
//   ggmlByteSize(type, numel) long (pack them with quantizeGgml(), gguf_quants.h).
// - Bad input (duplicate names or keys, wrong byte counts, > 4 dims, a row that is not a whole
//   number of blocks, alignment not a power of two, a reserved key) throws std::invalid_argument
//   naming it, before anything is written. writeGguf() streams to `path.tmp` (header, then each
//   tensor, produced on demand when it has a `produce` function), fsyncs and renames, so a crash
//   never leaves a half-written file; an I/O failure throws GgufError(Io) and removes the
//   temporary.
// - What is written reads back with GgufFile::open (the reader's rules hold by construction).
// - Pure functions, torch-free; thread-safe.
#pragma once

#include "core/io/gguf.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

struct GgufTensorToWrite {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<int64_t> shape;  ///< torch order
  std::string bytes;           ///< packed data (ignored when `produce` is set)
  /// Makes the packed data when the tensor is written: writeGguf() then holds one tensor's bytes
  /// at a time (a Flux-sized benchmark checkpoint need not fit in memory). Its result must have
  /// ggmlByteSize(type, numel) bytes (std::invalid_argument otherwise; the temporary is removed).
  std::function<std::string()> produce;
};

using GgufMetadataList = std::vector<std::pair<std::string, GgufValue>>;

/// GgufValue helpers for the writer.
GgufValue ggufString(std::string value);
GgufValue ggufU32(uint32_t value);
GgufValue ggufI32Array(const std::vector<int64_t>& values);

std::string serializeGguf(const std::vector<GgufTensorToWrite>& tensors,
                          const GgufMetadataList& metadata = {}, uint32_t alignment = 32);
void writeGguf(const std::filesystem::path& path, const std::vector<GgufTensorToWrite>& tensors,
               const GgufMetadataList& metadata = {}, uint32_t alignment = 32);

}  // namespace lienzo
