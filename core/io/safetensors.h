// Safetensors reader (memory-mapped, validated) and writer.
//
// Contract
// - SafetensorsFile::open() maps the file read-only (MAP_PRIVATE: a write through a view is a
//   private copy-on-write, never a write to the file) and validates the whole header before any
//   tensor is exposed: header length vs file size, well-formed JSON, known dtypes, shape × dtype
//   size == byte span, spans inside the data section, no overlapping spans, sane limits.
//   Every violation throws SafetensorsError with a kind, the file name and the reason; nothing
//   is ever read outside the mapping.
// - view() returns a zero-copy CPU tensor over the mapping (or an aligned copy when the span is
//   not aligned for its dtype). The tensor keeps the mapping alive; the SafetensorsFile may be
//   destroyed before it.
// - load() converts to the requested dtype/device (a copy unless the view already matches).
// - Float8 (F8_E4M3 = float8_e4m3fn, F8_E5M2): libtorch 1.13 has no float8 dtype, so these are
//   decoded by table on the CPU (exact: every float8 value is representable in bfloat16, float16
//   and float32). view() hands out the float32 decoding (a copy); load() decodes straight to
//   bfloat16 or float32 and converts other dtypes from float32. E4M3FN has no infinity (0x7F and
//   0xFF are NaN, 448 is the largest finite value); E5M2 is IEEE-like (0x7C/0xFC = ±inf).
// - Thread-safety: a SafetensorsFile is immutable after open(); all const methods may be called
//   from any thread.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

/// Element types of the safetensors format that Lienzo understands.
enum class StDType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool, F8_E4M3, F8_E5M2 };

/// "F32" -> StDType::F32; std::nullopt for an unknown name.
std::optional<StDType> stDTypeFromName(const std::string& name);
const char* stDTypeName(StDType dtype);
std::size_t stDTypeSize(StDType dtype);
/// The torch dtype view() hands out: the stored type, or float32 for the float8 types (decoded).
c10::ScalarType toScalarType(StDType dtype);
/// True for the float8 types: stored without a torch dtype, so view()/load() always copy.
bool stDTypeIsFloat8(StDType dtype);
/// One float8 value (bits as stored) decoded exactly to float32; NaN for the NaN encodings.
/// Throws std::invalid_argument when `dtype` is not a float8 type.
float float8ToFloat(std::uint8_t bits, StDType dtype);
/// Throws std::invalid_argument for torch dtypes safetensors cannot hold (float8 is read-only).
StDType fromScalarType(c10::ScalarType type);

/// Why a file was rejected; tests check the kind, users read what().
enum class SafetensorsErrorKind {
  Io,              ///< cannot open / stat / map / write
  Truncated,       ///< shorter than the 8-byte length prefix
  HeaderTooLarge,  ///< header length beyond the file or above the sane limit
  BadJson,         ///< header is not valid UTF-8 JSON or not an object
  BadEntry,        ///< an entry lacks dtype/shape/data_offsets or has wrong types
  UnknownDType,    ///< dtype string not understood
  BadShape,        ///< negative dims, too many dims, element count overflow
  SizeMismatch,    ///< shape × dtype size != byte span
  OutOfBounds,     ///< a span ends past the data section or begin > end
  Overlap,         ///< two spans share bytes
  MissingTensor,   ///< a requested name is not in the file
};

class SafetensorsError : public std::runtime_error {
 public:
  SafetensorsError(SafetensorsErrorKind kind, const std::string& file, const std::string& reason);
  SafetensorsErrorKind kind() const { return m_kind; }
  const std::string& file() const { return m_file; }
  const std::string& reason() const { return m_reason; }

 private:
  SafetensorsErrorKind m_kind;
  std::string m_file;
  std::string m_reason;
};

struct StTensorInfo {
  std::string name;
  StDType dtype = StDType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  ///< byte offset inside the data section
  uint64_t end = 0;
  int64_t numel() const;
  uint64_t nbytes() const { return end - begin; }
};

/// Limits applied while validating (defaults suit real checkpoints; fuzzers may lower them).
struct SafetensorsLimits {
  uint64_t maxHeaderBytes = 100ull << 20;  ///< 100 MiB of JSON
  std::size_t maxTensors = 1u << 20;
  std::size_t maxDims = 8;
};

class MappedBytes;  // core/io/mapped_file.h

class SafetensorsFile {
 public:
  /// Maps and validates `path`. Throws SafetensorsError.
  static SafetensorsFile open(const std::filesystem::path& path,
                              const SafetensorsLimits& limits = {});
  /// Validates an in-memory image (copied). Throws SafetensorsError; `name` is used in messages.
  static SafetensorsFile fromBytes(std::string bytes, const std::string& name = "<memory>",
                                   const SafetensorsLimits& limits = {});

  const std::filesystem::path& path() const { return m_path; }
  uint64_t fileSize() const;
  const std::map<std::string, std::string>& metadata() const { return m_metadata; }
  /// Tensor names in sorted order.
  const std::vector<std::string>& names() const { return m_names; }
  bool contains(const std::string& name) const { return m_index.count(name) != 0; }
  /// Throws SafetensorsError(MissingTensor).
  const StTensorInfo& info(const std::string& name) const;

  /// Zero-copy CPU view (see the contract above). Throws SafetensorsError(MissingTensor).
  at::Tensor view(const std::string& name) const;
  /// The tensor converted to `dtype` on `device` (shares memory with the mapping only when no
  /// conversion is needed and the device is the CPU).
  at::Tensor load(const std::string& name, c10::ScalarType dtype,
                  c10::Device device = c10::Device(c10::kCPU)) const;
  /// The tensor in its stored dtype on the CPU (same as view()).
  at::Tensor load(const std::string& name) const { return view(name); }

  /// Drops the mapped pages behind a tensor from this process' resident set (they are re-read
  /// from the file if the view is used again). Used after converting weights to save memory.
  void releasePages(const std::string& name) const;

 private:
  SafetensorsFile() = default;
  static SafetensorsFile parse(std::shared_ptr<MappedBytes> file, const std::string& name,
                               const SafetensorsLimits& limits);

  std::filesystem::path m_path;
  std::shared_ptr<MappedBytes> m_file;
  uint64_t m_dataOffset = 0;
  std::map<std::string, std::string> m_metadata;
  std::vector<std::string> m_names;
  std::map<std::string, StTensorInfo> m_index;
};

/// Writes tensors (any device/layout; made contiguous CPU) in sorted key order with 8-byte header
/// padding. Writes to `path.tmp` then renames, so a crash never leaves a half-written file.
/// Throws SafetensorsError(Io) on failure (the temporary file is removed).
void writeSafetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
/// The same, as bytes in memory.
std::string serializeSafetensors(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                                 const std::map<std::string, std::string>& metadata = {});

}  // namespace lienzo
