// libFuzzer target: the GGUF reader (core/io/gguf.h) and the dequantization kernels
// (core/io/gguf_quants.h), torch-free. Input: a whole .gguf image, parsed from memory.
// Properties: fromBytes either throws GgufError or yields tensors whose packed bytes lie inside the
// image (ASan checks every byte the kernels read), whose byte size is the ggml size of their
// element count and whose torch shape holds that many elements; every dequantizable tensor (up to
// 64 Ki elements) dequantizes to float32 and bfloat16 without throwing, the two agreeing; every
// metadata value can be described; the family guess never throws.
#include <cstring>
#include <vector>

#include "core/io/gguf.h"
#include "core/io/gguf_quants.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

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
        LIENZO_FUZZ_CHECK(again == bf[k] || (f[k] != f[k] && bf16ToFloat(bf[k]) != bf16ToFloat(bf[k])));
      }
    }
  } catch (const GgufError&) {
  }
  return 0;
}
