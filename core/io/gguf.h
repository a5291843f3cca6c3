// GGUF reader (llama.cpp / sd.cpp / ComfyUI-GGUF weight files): memory-mapped, validated,
// torch-free.
//
// Contract
// - GgufFile::open() maps the file read-only (MAP_PRIVATE) and validates the whole header before
//   any tensor is exposed: magic "GGUF", version 3 (2 accepted: same little-endian layout; 1 and
//   big-endian files refused), tensor and key counts bounded by what the file can hold and by
//   GgufLimits, every metadata value typed and bounded (strings, arrays, nesting), unique keys,
//   `general.alignment` a power-of-two uint32 (default 32), tensor infos with a non-empty unique
//   name, at most 4 dims, a known ggml type, a row length (ne[0]) that is a whole number of blocks,
//   an offset that is a multiple of the alignment, bytes inside the file and no two tensors
//   sharing a byte. `comfy.gguf.orig_shape.<name>` (ComfyUI-GGUF) must be an integer array with
//   the tensor's element count; it then replaces the tensor's shape.
//   Every violation throws GgufError with a kind, the file name and a reason naming the field,
//   key or tensor; nothing is ever read outside the mapping.
// - Shapes: GGUF stores ne[] fastest-varying first; GgufTensorInfo::shape is the torch order
//   (ne reversed) unless orig_shape metadata restores the original.
// - Architecture: `general.architecture` when present (flux, sd1, sdxl, sd3, t5, ...), otherwise
//   guessed from the tensor names with the safetensors family rules (checkpoint_family.h); names
//   without the `model.diffusion_model.` prefix (ComfyUI-GGUF) are tried with it, so both layouts
//   get one answer. modelPrefix() says which layout the file uses for the diffusion model.
// - The torch side (packed tensors, dequantization to a device) is gguf_weights.h.
// - Thread-safety: a GgufFile is immutable after open(); all const methods may be called from any
//   thread. tensorData() pointers stay valid while the file or a copy of mapping() lives.
#pragma once

#include "core/io/checkpoint_family.h"
#include "core/io/gguf_quants.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class MappedBytes;

/// Why a file was rejected; tests check the kind, users read what().
enum class GgufErrorKind {
  Io,             ///< cannot open / stat / map
  Truncated,      ///< a field runs past the end of the file
  BadMagic,       ///< not "GGUF"
  BadVersion,     ///< version other than 2 or 3 (incl. big-endian files)
  TooMany,        ///< tensor/key/array counts the file cannot hold or above the limits
  BadMetadata,    ///< bad value type, string, nesting, duplicate key, bad orig_shape
  BadAlignment,   ///< general.alignment not a power-of-two uint32
  BadTensorInfo,  ///< empty/long name, too many dims, negative or overflowing dims
  UnknownType,    ///< ggml type id not known
  BadShape,       ///< row length not a whole number of blocks
  Misaligned,     ///< tensor offset not a multiple of the alignment
  OutOfBounds,    ///< tensor bytes run past the end of the file
  Overlap,        ///< two tensors share bytes
  DuplicateName,  ///< two tensor infos with one name
  MissingTensor,  ///< a requested name is not in the file
  Unsupported,    ///< a tensor type Lienzo cannot dequantize
};

class GgufError : public std::runtime_error {
 public:
  GgufError(GgufErrorKind kind, const std::string& file, const std::string& reason);
  GgufErrorKind kind() const { return m_kind; }
  const std::string& file() const { return m_file; }
  const std::string& reason() const { return m_reason; }

 private:
  GgufErrorKind m_kind;
  std::string m_file;
  std::string m_reason;
};

/// GGUF metadata value types (on-disk numbers).
enum class GgufValueType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};
const char* ggufValueTypeName(GgufValueType type);

/// One metadata value. Unsigned integers and Bool use `u`, signed integers `i`, floats `f`.
struct GgufValue {
  GgufValueType type = GgufValueType::U8;
  uint64_t u = 0;
  int64_t i = 0;
  double f = 0.0;
  std::string s;
  GgufValueType elementType = GgufValueType::U8;  ///< for Array
  std::vector<GgufValue> array;

  bool isInteger() const;
  /// The integer value when it is an integer type whose value fits int64.
  std::optional<int64_t> asInt() const;
  /// Short human text: strings quoted and cut at `maxChars`, arrays as "[a, b, ... (n items)]".
  std::string describe(std::size_t maxItems = 6, std::size_t maxChars = 80) const;
};

struct GgufTensorInfo {
  std::string name;
  GgmlType type = GgmlType::F32;
  std::vector<int64_t> ne;     ///< as stored: fastest-varying dimension first
  std::vector<int64_t> shape;  ///< torch order (ne reversed, or comfy.gguf.orig_shape)
  uint64_t offset = 0;         ///< inside the data section
  uint64_t nbytes = 0;
  int64_t numel() const;
};

/// Limits applied while validating (defaults suit real files; fuzzers may lower them).
struct GgufLimits {
  uint64_t maxTensors = 1u << 20;
  uint64_t maxKeys = 1u << 20;
  uint64_t maxStringBytes = 64u << 20;   ///< one string (keys, names, values)
  uint64_t maxNameBytes = 4096;          ///< tensor names and keys
  uint64_t maxArrayElements = 1u << 22;  ///< per array (a 256k-token vocabulary fits)
  uint32_t maxArrayDepth = 4;
};

class GgufFile {
 public:
  static constexpr uint32_t kDefaultAlignment = 32;
  static constexpr const char* kModelPrefix = "model.diffusion_model.";

  /// Maps and validates `path`. Throws GgufError.
  static GgufFile open(const std::filesystem::path& path, const GgufLimits& limits = {});
  /// Validates an in-memory image (moved in). Throws GgufError; `name` is used in messages.
  static GgufFile fromBytes(std::string bytes, const std::string& name = "<memory>",
                            const GgufLimits& limits = {});

  const std::filesystem::path& path() const { return m_path; }
  uint64_t fileSize() const;
  uint32_t version() const { return m_version; }
  uint32_t alignment() const { return m_alignment; }
  uint64_t dataOffset() const { return m_dataOffset; }

  /// Metadata keys in file order; values by key.
  const std::vector<std::string>& keys() const { return m_keys; }
  const std::map<std::string, GgufValue>& metadata() const { return m_metadata; }
  const GgufValue* find(const std::string& key) const;
  /// The value of a String key; nullopt when absent or not a string.
  std::optional<std::string> stringValue(const std::string& key) const;

  /// `general.architecture` when present, else "" (see family()).
  const std::string& architecture() const { return m_architecture; }
  /// The family from `general.architecture`, or guessed from the names when it is absent.
  ModelFamily family() const { return m_family; }
  /// True when family() came from the tensor names (sd.cpp files without general.architecture).
  bool familyFromNames() const { return m_familyFromNames; }
  /// "model.diffusion_model." when some tensor name carries it (sd.cpp full checkpoints), else ""
  /// (ComfyUI-GGUF diffusion-model files): the prefix a loader puts before the model's keys.
  const std::string& modelPrefix() const { return m_modelPrefix; }

  /// Tensor names in sorted order.
  const std::vector<std::string>& names() const { return m_names; }
  bool contains(const std::string& name) const { return m_index.count(name) != 0; }
  /// Throws GgufError(MissingTensor).
  const GgufTensorInfo& info(const std::string& name) const;
  /// The tensor's packed bytes (info(name).nbytes of them). Throws GgufError(MissingTensor).
  const uint8_t* tensorData(const std::string& name) const;
  /// Name → torch shape, for the family rules and listings.
  TensorShapes shapes() const;
  /// Shared ownership of the mapping (keeps tensorData() pointers alive).
  const std::shared_ptr<MappedBytes>& mapping() const { return m_file; }
  /// Drops the mapped pages behind a tensor from the resident set (see SafetensorsFile).
  void releasePages(const std::string& name) const;

 private:
  GgufFile() = default;
  static GgufFile parse(std::shared_ptr<MappedBytes> file, const std::string& name,
                        const GgufLimits& limits);
  void validateTensors(const std::string& name);
  void detectFamily();

  std::filesystem::path m_path;
  std::shared_ptr<MappedBytes> m_file;
  uint32_t m_version = 0;
  uint32_t m_alignment = kDefaultAlignment;
  uint64_t m_dataOffset = 0;
  std::vector<std::string> m_keys;
  std::map<std::string, GgufValue> m_metadata;
  std::string m_architecture;
  ModelFamily m_family = ModelFamily::Unknown;
  bool m_familyFromNames = false;
  std::string m_modelPrefix;
  std::vector<std::string> m_names;
  std::map<std::string, GgufTensorInfo> m_index;
};

/// The Hugging Face T5 encoder key (t5xxl_fp16.safetensors names) of a tensor in a llama.cpp T5
/// GGUF (`general.architecture` t5 / t5encoder): enc.blk.N.attn_q.weight ->
/// encoder.block.N.layer.0.SelfAttention.q.weight, token_embd.weight -> shared.weight,
/// enc.output_norm.weight -> encoder.final_layer_norm.weight, ffn_gate/ffn_up/ffn_down ->
/// DenseReluDense.wi_0/wi_1/wo, ... Names no rule matches come back unchanged.
std::string t5KeyFromGguf(const std::string& name);

/// True when `path` starts with the GGUF magic (a cheap sniff; open() does the validation).
bool looksLikeGguf(const std::filesystem::path& path);

}  // namespace lienzo
