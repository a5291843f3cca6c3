#include "core/io/gguf.h"

#include "core/io/mapped_file.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

// Ref: the GGUF specification (ggml-org/ggml docs/gguf.md) and ggml/src/gguf.cpp
// gguf_init_from_file_impl for the checks ggml itself makes; ComfyUI-GGUF loader.py
// (gguf_sd_loader, get_orig_shape) for the diffusion-model conventions.

namespace lienzo {

using Kind = GgufErrorKind;

GgufError::GgufError(GgufErrorKind kind, const std::string& file, const std::string& reason)
    : std::runtime_error(file + ": " + reason), m_kind(kind), m_file(file), m_reason(reason) {}

const char* ggufValueTypeName(GgufValueType type) {
  switch (type) {
    case GgufValueType::U8:
      return "uint8";
    case GgufValueType::I8:
      return "int8";
    case GgufValueType::U16:
      return "uint16";
    case GgufValueType::I16:
      return "int16";
    case GgufValueType::U32:
      return "uint32";
    case GgufValueType::I32:
      return "int32";
    case GgufValueType::F32:
      return "float32";
    case GgufValueType::Bool:
      return "bool";
    case GgufValueType::String:
      return "string";
    case GgufValueType::Array:
      return "array";
    case GgufValueType::U64:
      return "uint64";
    case GgufValueType::I64:
      return "int64";
    case GgufValueType::F64:
      return "float64";
  }
  return "unknown";
}

// ---- values ----------------------------------------------------------------------------------

bool GgufValue::isInteger() const {
  switch (type) {
    case GgufValueType::U8:
    case GgufValueType::I8:
    case GgufValueType::U16:
    case GgufValueType::I16:
    case GgufValueType::U32:
    case GgufValueType::I32:
    case GgufValueType::U64:
    case GgufValueType::I64:
      return true;
    default:
      return false;
  }
}

std::optional<int64_t> GgufValue::asInt() const {
  switch (type) {
    case GgufValueType::I8:
    case GgufValueType::I16:
    case GgufValueType::I32:
    case GgufValueType::I64:
      return i;
    case GgufValueType::U8:
    case GgufValueType::U16:
    case GgufValueType::U32:
    case GgufValueType::U64:
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(u);
    default:
      return std::nullopt;
  }
}

std::string GgufValue::describe(std::size_t maxItems, std::size_t maxChars) const {
  switch (type) {
    case GgufValueType::String: {
      std::string text = s.size() > maxChars ? s.substr(0, maxChars) + "…" : s;
      for (auto& c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      return "\"" + text + "\"";
    }
    case GgufValueType::Bool:
      return u ? "true" : "false";
    case GgufValueType::F32:
    case GgufValueType::F64: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", f);
      return buf;
    }
    case GgufValueType::Array: {
      std::string out = "[";
      for (std::size_t k = 0; k < array.size() && k < maxItems; ++k)
        out += (k ? ", " : "") + array[k].describe(maxItems, maxChars / 2);
      if (array.size() > maxItems) out += ", …";
      out += "]";
      if (array.size() > maxItems)
        out += " (" + std::to_string(array.size()) + " " + ggufValueTypeName(elementType) + ")";
      return out;
    }
    default:
      if (const auto v = asInt()) return std::to_string(*v);
      return std::to_string(u);
  }
}

int64_t GgufTensorInfo::numel() const {
  int64_t n = 1;
  for (auto d : ne) n *= d;
  return n;
}

// ---- the parser ------------------------------------------------------------------------------

namespace {

/// A bounds-checked little-endian cursor over the mapping.
class Cursor {
 public:
  Cursor(const uint8_t* data, uint64_t size, const std::string& file)
      : m_data(data), m_size(size), m_file(file) {}
  uint64_t pos() const { return m_pos; }
  uint64_t remaining() const { return m_size - m_pos; }

  void need(uint64_t bytes, const std::string& what) const {
    if (bytes > remaining())
      throw GgufError(Kind::Truncated, m_file,
                      "file truncated: " + what + " at byte " + std::to_string(m_pos) + " needs " +
                          std::to_string(bytes) + " bytes, " + std::to_string(remaining()) +
                          " left");
  }
  uint64_t le(int bytes, const std::string& what) {
    need(static_cast<uint64_t>(bytes), what);
    uint64_t v = 0;
    for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | m_data[m_pos + k];
    m_pos += bytes;
    return v;
  }
  uint32_t u32(const std::string& what) { return static_cast<uint32_t>(le(4, what)); }
  uint64_t u64(const std::string& what) { return le(8, what); }
  std::string string(uint64_t limit, const std::string& what) {
    const uint64_t length = u64(what + " length");
    if (length > limit)
      throw GgufError(Kind::BadMetadata, m_file,
                      what + " is " + std::to_string(length) + " bytes long (limit " +
                          std::to_string(limit) + ")");
    need(length, what);
    std::string s(reinterpret_cast<const char*>(m_data + m_pos), length);
    m_pos += length;
    return s;
  }

 private:
  const uint8_t* m_data;
  uint64_t m_size;
  uint64_t m_pos = 0;
  const std::string& m_file;
};

/// The fewest bytes one element of `type` takes (bounds array counts before anything is reserved).
uint64_t minValueBytes(GgufValueType type) {
  switch (type) {
    case GgufValueType::U8:
    case GgufValueType::I8:
    case GgufValueType::Bool:
      return 1;
    case GgufValueType::U16:
    case GgufValueType::I16:
      return 2;
    case GgufValueType::U32:
    case GgufValueType::I32:
    case GgufValueType::F32:
      return 4;
    case GgufValueType::String:  // u64 length
      return 8;
    case GgufValueType::Array:  // u32 type + u64 count
      return 12;
    default:
      return 8;
  }
}

int64_t signExtend(uint64_t v, int bytes) {
  const int shift = 64 - 8 * bytes;
  return static_cast<int64_t>(v << shift) >> shift;
}

struct ValueReader {
  Cursor& cur;
  const GgufLimits& limits;
  const std::string& file;

  GgufValueType type(const std::string& where) {
    const uint32_t id = cur.u32(where + " value type");
    if (id > static_cast<uint32_t>(GgufValueType::F64))
      throw GgufError(Kind::BadMetadata, file,
                      where + " has unknown value type " + std::to_string(id));
    return static_cast<GgufValueType>(id);
  }

  GgufValue value(GgufValueType t, const std::string& where, uint32_t depth) {
    GgufValue v;
    v.type = t;
    switch (t) {
      case GgufValueType::U8:
        v.u = cur.le(1, where);
        break;
      case GgufValueType::U16:
        v.u = cur.le(2, where);
        break;
      case GgufValueType::U32:
        v.u = cur.le(4, where);
        break;
      case GgufValueType::U64:
        v.u = cur.le(8, where);
        break;
      case GgufValueType::I8:
        v.i = signExtend(cur.le(1, where), 1);
        break;
      case GgufValueType::I16:
        v.i = signExtend(cur.le(2, where), 2);
        break;
      case GgufValueType::I32:
        v.i = signExtend(cur.le(4, where), 4);
        break;
      case GgufValueType::I64:
        v.i = static_cast<int64_t>(cur.le(8, where));
        break;
      case GgufValueType::F32: {
        const auto bits = static_cast<uint32_t>(cur.le(4, where));
        float f;
        std::memcpy(&f, &bits, sizeof f);
        v.f = f;
        break;
      }
      case GgufValueType::F64: {
        const uint64_t bits = cur.le(8, where);
        std::memcpy(&v.f, &bits, sizeof v.f);
        break;
      }
      case GgufValueType::Bool:
        v.u = cur.le(1, where);
        if (v.u > 1)
          throw GgufError(Kind::BadMetadata, file,
                          where + " is a bool holding " + std::to_string(v.u) + " (not 0 or 1)");
        break;
      case GgufValueType::String:
        v.s = cur.string(limits.maxStringBytes, where);
        break;
      case GgufValueType::Array: {
        if (depth >= limits.maxArrayDepth)
          throw GgufError(Kind::BadMetadata, file,
                          where + " nests arrays deeper than " +
                              std::to_string(limits.maxArrayDepth) + " levels");
        v.elementType = type(where + " element");
        const uint64_t count = cur.u64(where + " array length");
        const uint64_t fits = cur.remaining() / minValueBytes(v.elementType);
        if (count > fits || count > limits.maxArrayElements)
          throw GgufError(
              Kind::TooMany, file,
              where + " claims " + std::to_string(count) + " " + ggufValueTypeName(v.elementType) +
                  " elements; " +
                  (count > fits ? "the rest of the file holds at most " + std::to_string(fits)
                                : "the limit is " + std::to_string(limits.maxArrayElements)));
        v.array.reserve(count);
        const std::string element = where + " element";
        for (uint64_t k = 0; k < count; ++k)
          v.array.push_back(value(v.elementType, element, depth + 1));
        break;
      }
    }
    return v;
  }
};

ModelFamily familyFromArchitecture(const std::string& arch) {
  if (arch == "flux") return ModelFamily::Flux;
  if (arch == "sd1") return ModelFamily::SD1;
  if (arch == "sd2") return ModelFamily::SD2;
  if (arch == "sdxl") return ModelFamily::SDXL;
  if (arch == "sd3") return ModelFamily::SD3;
  return ModelFamily::Unknown;
}

}  // namespace

GgufFile GgufFile::open(const std::filesystem::path& path, const GgufLimits& limits) {
  std::shared_ptr<MappedBytes> file;
  try {
    file = MappedBytes::map(path);
  } catch (const std::runtime_error& e) {
    throw GgufError(Kind::Io, path.string(), e.what());
  }
  GgufFile result = parse(std::move(file), path.string(), limits);
  result.m_path = path;
  return result;
}

GgufFile GgufFile::fromBytes(std::string bytes, const std::string& name, const GgufLimits& limits) {
  GgufFile result = parse(MappedBytes::fromBytes(std::move(bytes)), name, limits);
  result.m_path = name;
  return result;
}

GgufFile GgufFile::parse(std::shared_ptr<MappedBytes> file, const std::string& name,
                         const GgufLimits& limits) {
  const uint64_t size = file->size();
  Cursor cur(file->data(), size, name);
  if (size < 4 || std::memcmp(file->data(), "GGUF", 4) != 0) {
    if (size < 4)
      throw GgufError(
          Kind::Truncated, name,
          "file truncated: " + std::to_string(size) + " bytes, too short for the GGUF magic");
    throw GgufError(Kind::BadMagic, name, "bad magic: the file does not start with \"GGUF\"");
  }
  cur.le(4, "magic");
  GgufFile result;
  result.m_file = std::move(file);
  result.m_version = cur.u32("version");
  if (result.m_version != 2 && result.m_version != 3) {
    const uint32_t v = result.m_version;
    const uint32_t swapped = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
    if (swapped == 2 || swapped == 3)
      throw GgufError(Kind::BadVersion, name,
                      "big-endian GGUF (version " + std::to_string(swapped) +
                          " byte-swapped) is not supported");
    throw GgufError(Kind::BadVersion, name,
                    "unsupported GGUF version " + std::to_string(v) + " (Lienzo reads 2 and 3)");
  }
  const uint64_t tensorCount = cur.u64("tensor count");
  const uint64_t keyCount = cur.u64("metadata key count");
  // Each tensor info takes at least 24 bytes (name length, dims, type, offset); each key/value
  // pair at least 13 (key length, type, one byte of value).
  const uint64_t room = cur.remaining();
  if (tensorCount > limits.maxTensors || tensorCount > room / 24)
    throw GgufError(Kind::TooMany, name,
                    "tensor count " + std::to_string(tensorCount) +
                        (tensorCount > room / 24
                             ? " cannot fit in the " + std::to_string(room) +
                                   " bytes after the header (file truncated?)"
                             : " exceeds the limit of " + std::to_string(limits.maxTensors)));
  if (keyCount > limits.maxKeys || keyCount > (room - tensorCount * 24) / 13)
    throw GgufError(Kind::TooMany, name,
                    "metadata key count " + std::to_string(keyCount) +
                        (keyCount > limits.maxKeys
                             ? " exceeds the limit of " + std::to_string(limits.maxKeys)
                             : " cannot fit in the " + std::to_string(room) +
                                   " bytes after the header beside " + std::to_string(tensorCount) +
                                   " tensor infos (file truncated?)"));

  ValueReader reader{cur, limits, name};
  for (uint64_t k = 0; k < keyCount; ++k) {
    const std::string key = cur.string(limits.maxNameBytes, "metadata key #" + std::to_string(k));
    if (key.empty())
      throw GgufError(Kind::BadMetadata, name, "metadata key #" + std::to_string(k) + " is empty");
    const std::string where = "metadata '" + key + "'";
    const GgufValueType type = reader.type(where);
    GgufValue value = reader.value(type, where, 0);
    if (result.m_metadata.count(key) != 0)
      throw GgufError(Kind::BadMetadata, name, "metadata key '" + key + "' is defined twice");
    result.m_keys.push_back(key);
    result.m_metadata.emplace(key, std::move(value));
  }

  if (const GgufValue* align = result.find("general.alignment")) {
    if (align->type != GgufValueType::U32)
      throw GgufError(
          Kind::BadAlignment, name,
          std::string("general.alignment must be a uint32, not ") + ggufValueTypeName(align->type));
    if (align->u == 0 || (align->u & (align->u - 1)) != 0)
      throw GgufError(Kind::BadAlignment, name,
                      "general.alignment " + std::to_string(align->u) + " is not a power of two");
    result.m_alignment = static_cast<uint32_t>(align->u);
  }
  if (const auto arch = result.stringValue("general.architecture")) result.m_architecture = *arch;

  for (uint64_t t = 0; t < tensorCount; ++t) {
    GgufTensorInfo info;
    info.name = cur.string(limits.maxNameBytes, "tensor name #" + std::to_string(t));
    if (info.name.empty())
      throw GgufError(Kind::BadTensorInfo, name, "tensor #" + std::to_string(t) + " has no name");
    const std::string where = "tensor '" + info.name + "'";
    const uint32_t dims = cur.u32(where + " dimension count");
    if (dims > 4)
      throw GgufError(Kind::BadTensorInfo, name,
                      where + " has " + std::to_string(dims) + " dimensions (GGUF allows 4)");
    // The product of the non-zero extents must fit int64 on its own: with a zero extent the
    // count is 0 in any order, but a reader multiplying the other way round must not overflow.
    uint64_t extents = 1;
    for (uint32_t d = 0; d < dims; ++d) {
      const uint64_t n = cur.u64(where + " ne[" + std::to_string(d) + "]");
      const uint64_t factor = n == 0 ? 1 : n;
      if (factor > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / extents)
        throw GgufError(Kind::BadTensorInfo, name, where + ": element count overflows");
      extents *= factor;
      info.ne.push_back(static_cast<int64_t>(n));
    }
    const uint32_t typeId = cur.u32(where + " type");
    const auto type = ggmlTypeFromId(typeId);
    if (!type)
      throw GgufError(Kind::UnknownType, name,
                      where + " has unknown ggml type id " + std::to_string(typeId));
    info.type = type->type;
    info.offset = cur.u64(where + " offset");
    info.shape.assign(info.ne.rbegin(), info.ne.rend());
    if (result.m_index.count(info.name) != 0)
      throw GgufError(Kind::DuplicateName, name, where + " is defined twice");
    result.m_names.push_back(info.name);
    result.m_index.emplace(info.name, std::move(info));
  }
  // The data section starts at the next multiple of the alignment.
  const uint64_t end = cur.pos();
  result.m_dataOffset = (end + result.m_alignment - 1) / result.m_alignment * result.m_alignment;
  result.validateTensors(name);
  std::sort(result.m_names.begin(), result.m_names.end());
  result.detectFamily();
  return result;
}

void GgufFile::validateTensors(const std::string& name) {
  const uint64_t size = m_file->size();
  std::vector<const GgufTensorInfo*> spans;
  for (auto& [key, info] : m_index) {
    const std::string where = "tensor '" + key + "'";
    const GgmlTypeInfo& type = ggmlTypeInfo(info.type);
    const int64_t row = info.ne.empty() ? 1 : info.ne[0];
    if (row % type.blockLength != 0)
      throw GgufError(Kind::BadShape, name,
                      where + ": row length " + std::to_string(row) + " is not a multiple of the " +
                          type.name + " block length " + std::to_string(type.blockLength));
    const auto bytes = ggmlByteSize(info.type, static_cast<uint64_t>(info.numel()));
    if (!bytes) throw GgufError(Kind::BadTensorInfo, name, where + ": byte size overflows");
    info.nbytes = *bytes;
    if (info.offset % m_alignment != 0)
      throw GgufError(Kind::Misaligned, name,
                      where + ": offset " + std::to_string(info.offset) +
                          " is not a multiple of the alignment " + std::to_string(m_alignment));
    if (m_dataOffset > size || info.offset > size - m_dataOffset ||
        info.nbytes > size - m_dataOffset - info.offset)
      throw GgufError(Kind::OutOfBounds, name,
                      where + ": bytes [" + std::to_string(info.offset) + ", +" +
                          std::to_string(info.nbytes) + ") of the data section at " +
                          std::to_string(m_dataOffset) + " run past the end of the file (" +
                          std::to_string(size) + " bytes; truncated?)");
    if (info.nbytes > 0) spans.push_back(&info);

    // ComfyUI-GGUF stores reshaped tensors' original (torch-order) shape beside them.
    if (const GgufValue* orig = find("comfy.gguf.orig_shape." + key)) {
      const std::string meta = "comfy.gguf.orig_shape." + key;
      if (orig->type != GgufValueType::Array || orig->array.size() > 8 ||
          !std::all_of(orig->array.begin(), orig->array.end(),
                       [](const GgufValue& v) { return v.asInt() && *v.asInt() >= 0; }))
        throw GgufError(Kind::BadMetadata, name,
                        meta + " must be an array of at most 8 non-negative integers");
      std::vector<int64_t> shape;
      uint64_t product = 1;
      bool overflow = false;
      for (const auto& v : orig->array) {
        const auto n = static_cast<uint64_t>(*v.asInt());
        if (n != 0 && product > std::numeric_limits<uint64_t>::max() / n) overflow = true;
        product *= n;
        shape.push_back(*v.asInt());
      }
      if (overflow || product != static_cast<uint64_t>(info.numel()))
        throw GgufError(Kind::BadMetadata, name,
                        meta + " describes " + (overflow ? "too many" : std::to_string(product)) +
                            " elements but the tensor has " + std::to_string(info.numel()));
      info.shape = std::move(shape);
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
  for (std::size_t k = 1; k < spans.size(); ++k)
    if (spans[k]->offset < spans[k - 1]->offset + spans[k - 1]->nbytes)
      throw GgufError(Kind::Overlap, name,
                      "tensors '" + spans[k - 1]->name + "' and '" + spans[k]->name + "' overlap");
}

void GgufFile::detectFamily() {
  const TensorShapes all = shapes();
  const bool prefixed = anyKeyStartsWith(all, kModelPrefix);
  m_modelPrefix = prefixed ? kModelPrefix : "";
  // ComfyUI-GGUF treats "pig" like a missing architecture (its own converter's placeholder).
  if (!m_architecture.empty() && m_architecture != "pig") {
    m_family = familyFromArchitecture(m_architecture);
    return;
  }
  m_familyFromNames = true;
  m_family = detectCheckpointFamily(all, {});
  if (m_family == ModelFamily::Unknown && !prefixed) {
    TensorShapes withPrefix;
    for (const auto& [key, shape] : all) withPrefix.emplace(kModelPrefix + key, shape);
    m_family = detectCheckpointFamily(withPrefix, {});
  }
}

// ---- access ----------------------------------------------------------------------------------

uint64_t GgufFile::fileSize() const {
  return m_file ? m_file->size() : 0;
}

const GgufValue* GgufFile::find(const std::string& key) const {
  const auto it = m_metadata.find(key);
  return it == m_metadata.end() ? nullptr : &it->second;
}

std::optional<std::string> GgufFile::stringValue(const std::string& key) const {
  const GgufValue* v = find(key);
  if (!v || v->type != GgufValueType::String) return std::nullopt;
  return v->s;
}

const GgufTensorInfo& GgufFile::info(const std::string& name) const {
  const auto it = m_index.find(name);
  if (it == m_index.end())
    throw GgufError(Kind::MissingTensor, m_path.string(), "no tensor named '" + name + "'");
  return it->second;
}

const uint8_t* GgufFile::tensorData(const std::string& name) const {
  return m_file->data() + m_dataOffset + info(name).offset;
}

TensorShapes GgufFile::shapes() const {
  TensorShapes out;
  for (const auto& [key, info] : m_index) out.emplace(key, info.shape);
  return out;
}

void GgufFile::releasePages(const std::string& name) const {
  const GgufTensorInfo& ti = info(name);
  m_file->releasePages(m_dataOffset + ti.offset, m_dataOffset + ti.offset + ti.nbytes);
}

std::string t5KeyFromGguf(const std::string& name) {
  // Ref: ComfyUI-GGUF loader.py T5_SD_MAP (llama.cpp's T5 tensor names back to the originals);
  // applied in this order, every occurrence.
  static const std::pair<const char*, const char*> kRules[] = {
      {"enc.", "encoder."},
      {".blk.", ".block."},
      {"token_embd", "shared"},
      {"output_norm", "final_layer_norm"},
      {"attn_q", "layer.0.SelfAttention.q"},
      {"attn_k", "layer.0.SelfAttention.k"},
      {"attn_v", "layer.0.SelfAttention.v"},
      {"attn_o", "layer.0.SelfAttention.o"},
      {"attn_norm", "layer.0.layer_norm"},
      {"attn_rel_b", "layer.0.SelfAttention.relative_attention_bias"},
      {"ffn_up", "layer.1.DenseReluDense.wi_1"},
      {"ffn_down", "layer.1.DenseReluDense.wo"},
      {"ffn_gate", "layer.1.DenseReluDense.wi_0"},
      {"ffn_norm", "layer.1.layer_norm"},
  };
  std::string key = name;
  for (const auto& [from, to] : kRules) {
    const std::size_t fromLength = std::strlen(from);
    const std::size_t toLength = std::strlen(to);
    for (std::size_t at = key.find(from); at != std::string::npos;
         at = key.find(from, at + toLength))
      key.replace(at, fromLength, to);
  }
  return key;
}

bool looksLikeGguf(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0;
}

}  // namespace lienzo
