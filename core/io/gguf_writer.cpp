#include "core/io/gguf_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

std::string serializeGguf(const std::vector<GgufTensorToWrite>& tensors,
                          const GgufMetadataList& metadata, uint32_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    throw std::invalid_argument("GGUF alignment " + std::to_string(alignment) +
                                " is not a power of two");
  std::string out = "GGUF";
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
  std::vector<uint64_t> offsets;
  for (const auto& t : tensors) {
    const std::string where = "tensor '" + t.name + "'";
    if (t.name.empty() || !names.insert(t.name).second)
      throw std::invalid_argument(where + ": empty or repeated name");
    if (t.shape.size() > 4) throw std::invalid_argument(where + ": more than 4 dimensions");
    uint64_t elements = 1;
    for (auto d : t.shape) {
      if (d < 0) throw std::invalid_argument(where + ": negative dimension");
      elements *= static_cast<uint64_t>(d);
    }
    const GgmlTypeInfo& info = ggmlTypeInfo(t.type);
    const uint64_t row = t.shape.empty() ? 1 : static_cast<uint64_t>(t.shape.back());
    const auto bytes = ggmlByteSize(t.type, elements);
    if (row % info.blockLength != 0 || !bytes)
      throw std::invalid_argument(where + ": rows of " + std::to_string(row) + " are not whole " +
                                  info.name + " blocks");
    if (*bytes != t.bytes.size())
      throw std::invalid_argument(where + ": " + std::to_string(t.bytes.size()) + " bytes given, " +
                                  std::to_string(*bytes) + " needed");
    putString(out, t.name);
    putLe(out, t.shape.size(), 4);
    for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
      putLe(out, static_cast<uint64_t>(*it), 8);
    putLe(out, static_cast<uint32_t>(t.type), 4);
    putLe(out, offset, 8);
    offsets.push_back(offset);
    offset = (offset + *bytes + alignment - 1) / alignment * alignment;
  }
  out.append((alignment - out.size() % alignment) % alignment, '\0');
  const std::size_t dataStart = out.size();
  out.reserve(dataStart + offset);
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    out.append(dataStart + offsets[k] - out.size(), '\0');
    out += tensors[k].bytes;
  }
  out.append(dataStart + offset - out.size(), '\0');
  return out;
}

void writeGguf(const std::filesystem::path& path, const std::vector<GgufTensorToWrite>& tensors,
               const GgufMetadataList& metadata, uint32_t alignment) {
  const std::string bytes = serializeGguf(tensors, metadata, alignment);
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::string name = path.string();
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw GgufError(GgufErrorKind::Io, name, std::string("cannot create: ") + std::strerror(errno));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                  std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::remove(tmp.c_str());
    throw GgufError(GgufErrorKind::Io, name, std::string("write failed: ") + std::strerror(err));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw GgufError(GgufErrorKind::Io, name, "cannot rename into place: " + ec.message());
  }
}

}  // namespace lienzo
