#include "core/io/gguf_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

namespace lienzo {

GgufValue ggufString(std::string value) {
  GgufValue v;
  v.type = GgufValueType::String;
  v.s = std::move(value);
  return v;
}

GgufValue ggufU32(uint32_t value) {
  GgufValue v;
  v.type = GgufValueType::U32;
  v.u = value;
  return v;
}

GgufValue ggufI32Array(const std::vector<int64_t>& values) {
  GgufValue v;
  v.type = GgufValueType::Array;
  v.elementType = GgufValueType::I32;
  for (auto x : values) {
    GgufValue e;
    e.type = GgufValueType::I32;
    e.i = x;
    v.array.push_back(e);
  }
  return v;
}

namespace {

void putLe(std::string& out, uint64_t value, int bytes) {
  for (int k = 0; k < bytes; ++k) out.push_back(static_cast<char>((value >> (8 * k)) & 0xff));
}

void putString(std::string& out, const std::string& s) {
  putLe(out, s.size(), 8);
  out += s;
}

void putValue(std::string& out, const GgufValue& v, const std::string& key) {
  switch (v.type) {
    case GgufValueType::U8:
    case GgufValueType::Bool:
      putLe(out, v.u, 1);
      break;
    case GgufValueType::U16:
      putLe(out, v.u, 2);
      break;
    case GgufValueType::U32:
      putLe(out, v.u, 4);
      break;
    case GgufValueType::U64:
      putLe(out, v.u, 8);
      break;
    case GgufValueType::I8:
      putLe(out, static_cast<uint64_t>(v.i), 1);
      break;
    case GgufValueType::I16:
      putLe(out, static_cast<uint64_t>(v.i), 2);
      break;
    case GgufValueType::I32:
      putLe(out, static_cast<uint64_t>(v.i), 4);
      break;
    case GgufValueType::I64:
      putLe(out, static_cast<uint64_t>(v.i), 8);
      break;
    case GgufValueType::F32: {
      const auto f = static_cast<float>(v.f);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      putLe(out, bits, 4);
      break;
    }
    case GgufValueType::F64: {
      uint64_t bits;
      std::memcpy(&bits, &v.f, sizeof bits);
      putLe(out, bits, 8);
      break;
    }
    case GgufValueType::String:
      putString(out, v.s);
      break;
    case GgufValueType::Array:
      putLe(out, static_cast<uint32_t>(v.elementType), 4);
      putLe(out, v.array.size(), 8);
      for (const auto& e : v.array) {
        if (e.type != v.elementType)
          throw std::invalid_argument("metadata '" + key + "': array elements of mixed types");
        putValue(out, e, key);
      }
      break;
  }
}

}  // namespace

namespace {

/// The header (metadata, tensor infos, padding) and where each tensor goes in the data section.
struct Layout {
  std::string header;
  std::vector<uint64_t> offsets;
  std::vector<uint64_t> sizes;
  uint64_t dataSize = 0;
};

Layout layout(const std::vector<GgufTensorToWrite>& tensors, const GgufMetadataList& metadata,
              uint32_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    throw std::invalid_argument("GGUF alignment " + std::to_string(alignment) +
                                " is not a power of two");
  Layout result;
  std::string& out = result.header;
  out = "GGUF";
  putLe(out, 3, 4);
  putLe(out, tensors.size(), 8);
  const bool customAlignment = alignment != GgufFile::kDefaultAlignment;
  putLe(out, metadata.size() + (customAlignment ? 1 : 0), 8);
  std::set<std::string> keys;
  if (customAlignment) {
    putString(out, "general.alignment");
    putLe(out, static_cast<uint32_t>(GgufValueType::U32), 4);
    putLe(out, alignment, 4);
    keys.insert("general.alignment");
  }
  for (const auto& [key, value] : metadata) {
    if (key == "general.alignment")
      throw std::invalid_argument("general.alignment is set by the alignment argument");
    if (!keys.insert(key).second)
      throw std::invalid_argument("metadata key '" + key + "' given twice");
    putString(out, key);
    putLe(out, static_cast<uint32_t>(value.type), 4);
    putValue(out, value, key);
  }
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    const std::string where = "tensor '" + t.name + "'";
    if (t.name.empty() || !names.insert(t.name).second)
      throw std::invalid_argument(where + ": empty or repeated name");
    if (t.shape.size() > 4) throw std::invalid_argument(where + ": more than 4 dimensions");
    uint64_t elements = 1;
    for (auto d : t.shape) {
      if (d < 0) throw std::invalid_argument(where + ": negative dimension");
      if (d != 0 && elements > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d))
        throw std::invalid_argument(where + ": element count overflows");
      elements *= static_cast<uint64_t>(d);
    }
    const GgmlTypeInfo& info = ggmlTypeInfo(t.type);
    const uint64_t row = t.shape.empty() ? 1 : static_cast<uint64_t>(t.shape.back());
    const auto bytes = ggmlByteSize(t.type, elements);
    if (row % info.blockLength != 0 || !bytes)
      throw std::invalid_argument(where + ": rows of " + std::to_string(row) + " are not whole " +
                                  info.name + " blocks");
    if (!t.produce && *bytes != t.bytes.size())
      throw std::invalid_argument(where + ": " + std::to_string(t.bytes.size()) + " bytes given, " +
                                  std::to_string(*bytes) + " needed");
    putString(out, t.name);
    putLe(out, t.shape.size(), 4);
    for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
      putLe(out, static_cast<uint64_t>(*it), 8);
    putLe(out, static_cast<uint32_t>(t.type), 4);
    putLe(out, offset, 8);
    result.offsets.push_back(offset);
    result.sizes.push_back(*bytes);
    offset = (offset + *bytes + alignment - 1) / alignment * alignment;
  }
  out.append((alignment - out.size() % alignment) % alignment, '\0');
  result.dataSize = offset;
  return result;
}

/// Tensor k's bytes: given, or produced now (and checked against the layout).
std::string tensorBytes(const GgufTensorToWrite& t, uint64_t size) {
  if (!t.produce) return t.bytes;
  std::string bytes = t.produce();
  if (bytes.size() != size)
    throw std::invalid_argument("tensor '" + t.name + "': " + std::to_string(bytes.size()) +
                                " bytes produced, " + std::to_string(size) + " needed");
  return bytes;
}

}  // namespace

std::string serializeGguf(const std::vector<GgufTensorToWrite>& tensors,
                          const GgufMetadataList& metadata, uint32_t alignment) {
  const Layout plan = layout(tensors, metadata, alignment);
  std::string out = plan.header;
  const std::size_t dataStart = out.size();
  out.reserve(dataStart + plan.dataSize);
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    out.append(dataStart + plan.offsets[k] - out.size(), '\0');
    out += tensorBytes(tensors[k], plan.sizes[k]);
  }
  out.append(dataStart + plan.dataSize - out.size(), '\0');
  return out;
}

void writeGguf(const std::filesystem::path& path, const std::vector<GgufTensorToWrite>& tensors,
               const GgufMetadataList& metadata, uint32_t alignment) {
  const Layout plan = layout(tensors, metadata, alignment);
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::string name = path.string();
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw GgufError(GgufErrorKind::Io, name, std::string("cannot create: ") + std::strerror(errno));
  auto fail = [&](const std::string& why) {
    std::fclose(f);
    std::remove(tmp.c_str());
    throw GgufError(GgufErrorKind::Io, name, why);
  };
  auto put = [&](const char* data, std::size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, f) != size)
      fail(std::string("write failed: ") + std::strerror(errno));
  };
  const std::string zeros(alignment, '\0');
  put(plan.header.data(), plan.header.size());
  uint64_t written = 0;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    put(zeros.data(), plan.offsets[k] - written);  // padding < alignment
    std::string bytes;
    try {
      bytes = tensorBytes(tensors[k], plan.sizes[k]);  // one produced tensor in memory at a time
    } catch (...) {
      std::fclose(f);
      std::remove(tmp.c_str());
      throw;
    }
    put(bytes.data(), bytes.size());
    written = plan.offsets[k] + bytes.size();
  }
  put(zeros.data(), plan.dataSize - written);
  if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0)
    fail(std::string("write failed: ") + std::strerror(errno));
  if (std::fclose(f) != 0) {
    std::remove(tmp.c_str());
    throw GgufError(GgufErrorKind::Io, name, std::string("write failed: ") + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw GgufError(GgufErrorKind::Io, name, "cannot rename into place: " + ec.message());
  }
}

}  // namespace lienzo
