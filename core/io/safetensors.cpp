#include "core/io/safetensors.h"

#include "core/io/mapped_file.h"

#include "core/io/safetensors_header.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace lienzo {

// ---- dtypes --------------------------------------------------------------------------------

namespace {
struct DTypeRow {
  StDType dtype;
  const char* name;
  std::size_t size;
  c10::ScalarType scalar;  ///< what view() returns (float32 for the decoded float8 types)
  bool float8;
};
constexpr DTypeRow kDTypes[] = {
    {StDType::F64, "F64", 8, c10::kDouble, false},
    {StDType::F32, "F32", 4, c10::kFloat, false},
    {StDType::F16, "F16", 2, c10::kHalf, false},
    {StDType::BF16, "BF16", 2, c10::kBFloat16, false},
    {StDType::I64, "I64", 8, c10::kLong, false},
    {StDType::I32, "I32", 4, c10::kInt, false},
    {StDType::I16, "I16", 2, c10::kShort, false},
    {StDType::I8, "I8", 1, c10::kChar, false},
    {StDType::U8, "U8", 1, c10::kByte, false},
    {StDType::Bool, "BOOL", 1, c10::kBool, false},
    {StDType::F8_E4M3, "F8_E4M3", 1, c10::kFloat, true},
    {StDType::F8_E5M2, "F8_E5M2", 1, c10::kFloat, true},
};
const DTypeRow& row(StDType dtype) {
  for (const auto& r : kDTypes)
    if (r.dtype == dtype) return r;
  throw std::logic_error("unknown StDType");
}

// Ref: "FP8 Formats for Deep Learning" (Micikevicius et al., 2022), table 1: E4M3 (bias 7, no
// infinities, S.1111.111 = NaN, max 448) and E5M2 (bias 15, IEEE-style inf/NaN, max 57344);
// safetensors' F8_E4M3 is torch.float8_e4m3fn. Subnormals: exponent field 0, mantissa / 2^m ·
// 2^(1 - bias).
float decodeFloat8Bits(std::uint8_t bits, int exponentBits) {
  const int mantissaBits = 7 - exponentBits;
  const int bias = (1 << (exponentBits - 1)) - 1;
  const int exponentMax = (1 << exponentBits) - 1;
  const int mantissaMax = (1 << mantissaBits) - 1;
  const bool negative = (bits & 0x80) != 0;
  const int exponent = (bits >> mantissaBits) & exponentMax;
  const int mantissa = bits & mantissaMax;
  float value = 0.0f;
  if (exponentBits == 4 && exponent == exponentMax && mantissa == mantissaMax) {
    value = std::numeric_limits<float>::quiet_NaN();  // E4M3FN: the only NaN pattern, no inf
  } else if (exponentBits == 5 && exponent == exponentMax) {
    value = mantissa == 0 ? std::numeric_limits<float>::infinity()
                          : std::numeric_limits<float>::quiet_NaN();
  } else if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), 1 - bias - mantissaBits);
  } else {
    value = std::ldexp(static_cast<float>(mantissa + (1 << mantissaBits)),
                       exponent - bias - mantissaBits);
  }
  return negative ? -value : value;
}

/// The 256 decodings of one float8 type.
const std::array<float, 256>& float8Table(StDType dtype) {
  static const auto build = [](int exponentBits) {
    std::array<float, 256> table{};
    for (int b = 0; b < 256; ++b)
      table[b] = decodeFloat8Bits(static_cast<std::uint8_t>(b), exponentBits);
    return table;
  };
  static const std::array<float, 256> e4m3 = build(4);
  static const std::array<float, 256> e5m2 = build(5);
  if (dtype == StDType::F8_E4M3) return e4m3;
  if (dtype == StDType::F8_E5M2) return e5m2;
  throw std::invalid_argument(std::string(row(dtype).name) + " is not a float8 type");
}

/// Decodes `count` float8 bytes into a new CPU tensor of `shape` in float32 or bfloat16 (exact
/// for both: a float8 value has at most 4 significant bits, so its float32 bit pattern has a zero
/// low half and bfloat16 is that high half).
at::Tensor decodeFloat8(const std::uint8_t* bytes, const std::vector<int64_t>& shape, StDType dtype,
                        c10::ScalarType target) {
  const auto& table = float8Table(dtype);
  at::Tensor out = at::empty(shape, at::TensorOptions().dtype(target).device(c10::kCPU));
  const int64_t count = out.numel();
  if (target == c10::kFloat) {
    float* dst = out.data_ptr<float>();
    at::parallel_for(0, count, 1 << 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dst[i] = table[bytes[i]];
    });
  } else if (target == c10::kBFloat16) {
    std::array<std::uint16_t, 256> high{};
    for (int b = 0; b < 256; ++b) {
      std::uint32_t word = 0;
      std::memcpy(&word, &table[b], sizeof word);
      high[b] = static_cast<std::uint16_t>(word >> 16);
    }
    auto* dst = reinterpret_cast<std::uint16_t*>(out.data_ptr<at::BFloat16>());
    at::parallel_for(0, count, 1 << 16, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dst[i] = high[bytes[i]];
    });
  } else {
    throw std::logic_error("decodeFloat8: target must be float32 or bfloat16");
  }
  return out;
}
}  // namespace

std::optional<StDType> stDTypeFromName(const std::string& name) {
  for (const auto& r : kDTypes)
    if (name == r.name) return r.dtype;
  return std::nullopt;
}
const char* stDTypeName(StDType dtype) {
  return row(dtype).name;
}
std::size_t stDTypeSize(StDType dtype) {
  return row(dtype).size;
}
c10::ScalarType toScalarType(StDType dtype) {
  return row(dtype).scalar;
}
bool stDTypeIsFloat8(StDType dtype) {
  return row(dtype).float8;
}
float float8ToFloat(std::uint8_t bits, StDType dtype) {
  return float8Table(dtype)[bits];
}
StDType fromScalarType(c10::ScalarType type) {
  for (const auto& r : kDTypes)
    if (!r.float8 && r.scalar == type) return r.dtype;
  throw std::invalid_argument(std::string("safetensors cannot store dtype ") + c10::toString(type));
}

int64_t StTensorInfo::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

// ---- errors --------------------------------------------------------------------------------

SafetensorsError::SafetensorsError(SafetensorsErrorKind kind, const std::string& file,
                                   const std::string& reason)
    : std::runtime_error(file + ": " + reason), m_kind(kind), m_file(file), m_reason(reason) {}

// ---- parsing ---------------------------------------------------------------------------------

namespace {

using Kind = SafetensorsErrorKind;

uint64_t readLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool mulOverflows(uint64_t a, uint64_t b, uint64_t* out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) return true;
  *out = a * b;
  return false;
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path,
                                      const SafetensorsLimits& limits) {
  std::shared_ptr<MappedBytes> file;
  try {
    file = MappedBytes::map(path);
  } catch (const std::runtime_error& e) {
    throw SafetensorsError(SafetensorsErrorKind::Io, path.string(), e.what());
  }
  auto result = parse(std::move(file), path.string(), limits);
  result.m_path = path;
  return result;
}

SafetensorsFile SafetensorsFile::fromBytes(std::string bytes, const std::string& name,
                                           const SafetensorsLimits& limits) {
  auto result = parse(MappedBytes::fromBytes(std::move(bytes)), name, limits);
  result.m_path = name;
  return result;
}

SafetensorsFile SafetensorsFile::parse(std::shared_ptr<MappedBytes> file, const std::string& name,
                                       const SafetensorsLimits& limits) {
  const uint64_t size = file->size();
  if (size < 8)
    throw SafetensorsError(
        Kind::Truncated, name,
        "file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  const uint64_t headerLen = readLe64(file->data());
  if (headerLen > size - 8)
    throw SafetensorsError(Kind::HeaderTooLarge, name,
                           "header length " + std::to_string(headerLen) +
                               " runs past the end of the file (" + std::to_string(size) +
                               " bytes)");
  if (headerLen > limits.maxHeaderBytes)
    throw SafetensorsError(Kind::HeaderTooLarge, name,
                           "header length " + std::to_string(headerLen) + " exceeds the limit of " +
                               std::to_string(limits.maxHeaderBytes) + " bytes");
  if (headerLen < 2) throw SafetensorsError(Kind::BadJson, name, "header is empty");

  const char* headerBegin = reinterpret_cast<const char*>(file->data() + 8);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(headerBegin, headerBegin + headerLen);
  } catch (const nlohmann::json::exception& e) {
    throw SafetensorsError(Kind::BadJson, name,
                           std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object())
    throw SafetensorsError(Kind::BadJson, name, "header is not a JSON object");
  if (const std::string twice = duplicateHeaderKey(headerBegin, headerBegin + headerLen);
      !twice.empty())
    throw SafetensorsError(Kind::BadEntry, name, "header defines '" + twice + "' twice");
  if (header.size() > limits.maxTensors + 1)
    throw SafetensorsError(Kind::BadEntry, name,
                           "header lists " + std::to_string(header.size()) + " entries (limit " +
                               std::to_string(limits.maxTensors) + ")");

  SafetensorsFile result;
  result.m_file = std::move(file);
  result.m_dataOffset = 8 + headerLen;
  const uint64_t dataSize = size - result.m_dataOffset;

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& key = it.key();
    const auto& value = it.value();
    if (key == "__metadata__") {
      if (!value.is_object())
        throw SafetensorsError(Kind::BadEntry, name, "__metadata__ is not an object");
      for (auto m = value.begin(); m != value.end(); ++m) {
        if (!m.value().is_string())
          throw SafetensorsError(Kind::BadEntry, name,
                                 "__metadata__ value for '" + m.key() + "' is not a string");
        result.m_metadata[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + key + "'";
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") ||
        !value.contains("data_offsets"))
      throw SafetensorsError(Kind::BadEntry, name, where + " needs dtype, shape and data_offsets");
    const auto& jd = value["dtype"];
    const auto& js = value["shape"];
    const auto& jo = value["data_offsets"];
    if (!jd.is_string())
      throw SafetensorsError(Kind::BadEntry, name, where + ": dtype is not a string");
    if (!js.is_array())
      throw SafetensorsError(Kind::BadEntry, name, where + ": shape is not an array");
    if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_unsigned() ||
        !jo[1].is_number_unsigned())
      throw SafetensorsError(Kind::BadEntry, name,
                             where + ": data_offsets must be two non-negative integers");
    StTensorInfo info;
    info.name = key;
    const auto dtype = stDTypeFromName(jd.get<std::string>());
    if (!dtype)
      throw SafetensorsError(Kind::UnknownDType, name,
                             where + " has unknown dtype '" + jd.get<std::string>() + "'");
    info.dtype = *dtype;
    if (js.size() > limits.maxDims)
      throw SafetensorsError(Kind::BadShape, name,
                             where + " has " + std::to_string(js.size()) + " dimensions (limit " +
                                 std::to_string(limits.maxDims) + ")");
    // The product of the non-zero extents must fit int64 by itself, so that no reader can
    // overflow multiplying the shape in any order (a zero extent makes the count 0 regardless).
    uint64_t elements = 1;
    uint64_t extents = 1;
    for (const auto& d : js) {
      if (!d.is_number_unsigned())
        throw SafetensorsError(Kind::BadShape, name,
                               where + ": shape entries must be non-negative integers");
      const uint64_t dim = d.get<uint64_t>();
      if (mulOverflows(extents, dim == 0 ? 1 : dim, &extents) ||
          extents > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw SafetensorsError(Kind::BadShape, name, where + ": element count overflows");
      elements *= dim;
      info.shape.push_back(static_cast<int64_t>(dim));
    }
    uint64_t bytes = 0;
    if (mulOverflows(elements, stDTypeSize(info.dtype), &bytes))
      throw SafetensorsError(Kind::BadShape, name, where + ": byte size overflows");
    info.begin = jo[0].get<uint64_t>();
    info.end = jo[1].get<uint64_t>();
    if (info.begin > info.end)
      throw SafetensorsError(Kind::OutOfBounds, name,
                             where + ": data_offsets begin " + std::to_string(info.begin) +
                                 " > end " + std::to_string(info.end));
    if (info.end > dataSize)
      throw SafetensorsError(Kind::OutOfBounds, name,
                             where + ": bytes [" + std::to_string(info.begin) + ", " +
                                 std::to_string(info.end) + ") run past the data section (" +
                                 std::to_string(dataSize) + " bytes; file truncated?)");
    if (info.end - info.begin != bytes)
      throw SafetensorsError(
          Kind::SizeMismatch, name,
          where + ": shape × " + stDTypeName(info.dtype) + " size = " + std::to_string(bytes) +
              " bytes but data_offsets span " + std::to_string(info.end - info.begin));
    result.m_names.push_back(key);
    result.m_index.emplace(key, std::move(info));
  }

  // Overlap check on the spans sorted by start (empty tensors cannot overlap anything).
  std::vector<const StTensorInfo*> spans;
  for (const auto& [key, info] : result.m_index)
    if (info.end > info.begin) spans.push_back(&info);
  std::sort(spans.begin(), spans.end(),
            [](const StTensorInfo* a, const StTensorInfo* b) { return a->begin < b->begin; });
  for (std::size_t i = 1; i < spans.size(); ++i) {
    if (spans[i]->begin < spans[i - 1]->end)
      throw SafetensorsError(
          Kind::Overlap, name,
          "tensors '" + spans[i - 1]->name + "' and '" + spans[i]->name + "' overlap");
  }
  std::sort(result.m_names.begin(), result.m_names.end());
  return result;
}

uint64_t SafetensorsFile::fileSize() const {
  return m_file ? m_file->size() : 0;
}

const StTensorInfo& SafetensorsFile::info(const std::string& name) const {
  const auto it = m_index.find(name);
  if (it == m_index.end())
    throw SafetensorsError(Kind::MissingTensor, m_path.string(), "no tensor named '" + name + "'");
  return it->second;
}

at::Tensor SafetensorsFile::view(const std::string& name) const {
  const StTensorInfo& ti = info(name);
  uint8_t* ptr = m_file->data() + m_dataOffset + ti.begin;
  if (stDTypeIsFloat8(ti.dtype)) return decodeFloat8(ptr, ti.shape, ti.dtype, c10::kFloat);
  const auto options = at::TensorOptions().dtype(toScalarType(ti.dtype)).device(c10::kCPU);
  if (ti.numel() == 0) return at::empty(ti.shape, options);
  if (reinterpret_cast<uintptr_t>(ptr) % stDTypeSize(ti.dtype) != 0) {
    // Misaligned span: kernels may assume natural alignment, so hand out an aligned copy.
    auto copy = at::empty(ti.shape, options);
    std::memcpy(copy.data_ptr(), ptr, ti.nbytes());
    return copy;
  }
  auto keepAlive = m_file;
  return at::from_blob(
      ptr, ti.shape, [keepAlive](void*) mutable { keepAlive.reset(); }, options);
}

at::Tensor SafetensorsFile::load(const std::string& name, c10::ScalarType dtype,
                                 c10::Device device) const {
  const StTensorInfo& ti = info(name);
  if (stDTypeIsFloat8(ti.dtype)) {
    // Decode straight to the asked float type when it is float32/bfloat16 (exact), else via
    // float32 (also exact for float16/float64; integer targets truncate like any float tensor).
    const bool direct = dtype == c10::kFloat || dtype == c10::kBFloat16;
    at::Tensor t = decodeFloat8(m_file->data() + m_dataOffset + ti.begin, ti.shape, ti.dtype,
                                direct ? dtype : c10::kFloat);
    if (t.scalar_type() == dtype && device.is_cpu()) return t;
    return t.to(device, dtype);
  }
  at::Tensor t = view(name);
  if (t.scalar_type() == dtype && device.is_cpu()) return t;
  return t.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
}

void SafetensorsFile::releasePages(const std::string& name) const {
  if (!m_file) return;
  const StTensorInfo& ti = info(name);
  m_file->releasePages(m_dataOffset + ti.begin, m_dataOffset + ti.end);
}

// ---- writing ---------------------------------------------------------------------------------

std::string serializeSafetensors(const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                                 const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, at::Tensor>> sorted;
  sorted.reserve(tensors.size());
  for (const auto& [key, t] : tensors) {
    if (key == "__metadata__") throw std::invalid_argument("'__metadata__' is not a tensor name");
    sorted.emplace_back(key, t.detach().to(c10::kCPU).contiguous());
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i].first == sorted[i - 1].first)
      throw std::invalid_argument("duplicate tensor name '" + sorted[i].first + "'");

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
  }
  uint64_t offset = 0;
  for (const auto& [key, t] : sorted) {
    const uint64_t bytes = t.numel() * t.element_size();
    nlohmann::ordered_json entry;
    entry["dtype"] = stDTypeName(fromScalarType(t.scalar_type()));
    entry["shape"] = t.sizes().vec();
    entry["data_offsets"] = {offset, offset + bytes};
    header[key] = entry;
    offset += bytes;
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + json.size() + offset);
  const uint64_t len = json.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  out += json;
  for (const auto& [key, t] : sorted)
    out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

void writeSafetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  const std::string bytes = serializeSafetensors(tensors, metadata);
  const std::filesystem::path tmp = path.string() + ".tmp";
  const std::string name = path.string();
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw SafetensorsError(Kind::Io, name, std::string("cannot create: ") + std::strerror(errno));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                  std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) {
    std::remove(tmp.c_str());
    throw SafetensorsError(Kind::Io, name, std::string("write failed: ") + std::strerror(err));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw SafetensorsError(Kind::Io, name, "cannot rename into place: " + ec.message());
  }
}

}  // namespace lienzo
