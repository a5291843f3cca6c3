// libFuzzer target: the GGUF reader (core/io/gguf.h) and the dequantization kernels
// (core/io/gguf_quants.h), torch-free. Input: a whole .gguf image, parsed from memory.
// Properties: fromBytes either throws GgufError or yields tensors whose packed bytes lie inside the
// image (ASan checks every byte the kernels read), whose byte size is the ggml size of their
// element count and whose torch shape holds that many elements; every dequantizable tensor (up to
// 64 Ki elements) dequantizes to float32 and bfloat16 without throwing, the two agreeing; every
// metadata value can be described; the family guess never throws; a parsed file written again
// by the writer (core/io/gguf_writer.h) reads back with the same metadata, names, types, ne[] and
// bytes.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/io/gguf.h"
#include "core/io/gguf_quants.h"
#include "core/io/gguf_writer.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

namespace {

/// Equal values; floats bit for bit unless both are NaN (a float NaN's payload may change on its
/// way through double).
bool sameValue(const GgufValue& a, const GgufValue& b) {
  if (a.type != b.type || a.u != b.u || a.i != b.i || a.s != b.s) return false;
  if (a.f != b.f && !(a.f != a.f && b.f != b.f)) return false;
  if (a.type != GgufValueType::Array) return true;
  if (a.elementType != b.elementType || a.array.size() != b.array.size()) return false;
  for (std::size_t k = 0; k < a.array.size(); ++k)
    if (!sameValue(a.array[k], b.array[k])) return false;
  return true;
}

void roundTrip(const GgufFile& file) {
  GgufMetadataList metadata;
  for (const auto& key : file.keys())
    if (key != "general.alignment") metadata.emplace_back(key, *file.find(key));
  std::vector<GgufTensorToWrite> tensors;
  for (const auto& name : file.names()) {
    const GgufTensorInfo& info = file.info(name);
    GgufTensorToWrite t;
    t.name = name;
    t.type = info.type;
    t.shape.assign(info.ne.rbegin(), info.ne.rend());
    t.bytes.assign(reinterpret_cast<const char*>(file.tensorData(name)), info.nbytes);
    tensors.push_back(std::move(t));
  }
  const GgufFile again =
      GgufFile::fromBytes(serializeGguf(tensors, metadata, file.alignment()), "fuzz-again");
  LIENZO_FUZZ_CHECK(again.names() == file.names());
  LIENZO_FUZZ_CHECK(again.alignment() == file.alignment());
  // general.alignment is rewritten from the alignment (and left out when it is the default).
  const auto count = [](const GgufFile& f) {
    return f.metadata().size() - (f.find("general.alignment") ? 1 : 0);
  };
  LIENZO_FUZZ_CHECK(count(again) == count(file));
  for (const auto& [key, value] : file.metadata()) {
    if (key == "general.alignment") continue;
    const GgufValue* other = again.find(key);
    LIENZO_FUZZ_CHECK(other && sameValue(value, *other));
  }
  for (const auto& name : file.names()) {
    const GgufTensorInfo& a = file.info(name);
    const GgufTensorInfo& b = again.info(name);
    LIENZO_FUZZ_CHECK(a.type == b.type && a.ne == b.ne && a.shape == b.shape);
    LIENZO_FUZZ_CHECK(a.nbytes == b.nbytes);
    if (a.nbytes > 0)
      LIENZO_FUZZ_CHECK(std::memcmp(file.tensorData(name), again.tensorData(name), a.nbytes) == 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  GgufLimits limits;  // keep single inputs cheap; the checks are the same
  limits.maxTensors = 4096;
  limits.maxKeys = 4096;
  limits.maxStringBytes = 1u << 16;
  limits.maxArrayElements = 1u << 16;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const GgufFile file = GgufFile::fromBytes(std::move(bytes), "fuzz", limits);
    LIENZO_FUZZ_CHECK(file.version() == 2 || file.version() == 3);
    LIENZO_FUZZ_CHECK(file.alignment() != 0 && (file.alignment() & (file.alignment() - 1)) == 0);
    for (const auto& key : file.keys()) (void)file.find(key)->describe();
    (void)familyName(file.family());
    for (const auto& name : file.names()) {
      const GgufTensorInfo& info = file.info(name);
      (void)t5KeyFromGguf(name);
      LIENZO_FUZZ_CHECK(info.ne.size() <= 4);
      const auto expected = ggmlByteSize(info.type, static_cast<uint64_t>(info.numel()));
      LIENZO_FUZZ_CHECK(expected && *expected == info.nbytes);
      LIENZO_FUZZ_CHECK(info.offset % file.alignment() == 0);
      LIENZO_FUZZ_CHECK(file.dataOffset() + info.offset + info.nbytes <= size);
      int64_t shapeElements = 1;
      for (auto d : info.shape) shapeElements *= d;
      LIENZO_FUZZ_CHECK(shapeElements == info.numel());
      const uint8_t* packed = file.tensorData(name);
      uint8_t acc = 0;
      for (uint64_t k = 0; k < info.nbytes; ++k) acc ^= packed[k];
      (void)acc;
      if (!ggmlDequantizable(info.type) || info.numel() > (1 << 16)) continue;
      const auto n = static_cast<uint64_t>(info.numel());
      std::vector<float> f(n);
      std::vector<uint16_t> bf(n);
      dequantizeGgml(info.type, packed, n, f.data());
      dequantizeGgmlBf16(info.type, packed, n, bf.data());
      for (uint64_t k = 0; k < n; ++k) {
        const uint16_t again = floatToBf16(f[k]);
        // NaN payloads may differ; everything else must match bit for bit.
        LIENZO_FUZZ_CHECK(again == bf[k] ||
                          (f[k] != f[k] && bf16ToFloat(bf[k]) != bf16ToFloat(bf[k])));
      }
    }
    roundTrip(file);
  } catch (const GgufError&) {
  }
  return 0;
}
