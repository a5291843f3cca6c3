#include "core/io/gguf_quants.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace lienzo {

// ---- the type table --------------------------------------------------------------------------
// Ref: ggml/include/ggml.h enum ggml_type (ids) and ggml/src/ggml-common.h (block structs; the
// byte counts below are the sums of their fields).

namespace {

constexpr GgmlTypeInfo kTypes[] = {
    {GgmlType::F32, "F32", 1, 4, true},
    {GgmlType::F16, "F16", 1, 2, true},
    {GgmlType::Q4_0, "Q4_0", 32, 2 + 16, true},
    {GgmlType::Q4_1, "Q4_1", 32, 2 + 2 + 16, true},
    {GgmlType::Q5_0, "Q5_0", 32, 2 + 4 + 16, true},
    {GgmlType::Q5_1, "Q5_1", 32, 2 + 2 + 4 + 16, true},
    {GgmlType::Q8_0, "Q8_0", 32, 2 + 32, true},
    {GgmlType::Q8_1, "Q8_1", 32, 2 + 2 + 32, false},
    {GgmlType::Q2_K, "Q2_K", 256, 16 + 64 + 2 + 2, true},
    {GgmlType::Q3_K, "Q3_K", 256, 32 + 64 + 12 + 2, true},
    {GgmlType::Q4_K, "Q4_K", 256, 2 + 2 + 12 + 128, true},
    {GgmlType::Q5_K, "Q5_K", 256, 2 + 2 + 12 + 32 + 128, true},
    {GgmlType::Q6_K, "Q6_K", 256, 128 + 64 + 16 + 2, true},
    {GgmlType::Q8_K, "Q8_K", 256, 4 + 256 + 32, false},
    {GgmlType::IQ2_XXS, "IQ2_XXS", 256, 2 + 64, false},
    {GgmlType::IQ2_XS, "IQ2_XS", 256, 2 + 64 + 8, false},
    {GgmlType::IQ3_XXS, "IQ3_XXS", 256, 2 + 96, false},
    {GgmlType::IQ1_S, "IQ1_S", 256, 2 + 32 + 16, false},
    {GgmlType::IQ4_NL, "IQ4_NL", 32, 2 + 16, false},
    {GgmlType::IQ3_S, "IQ3_S", 256, 2 + 64 + 8 + 32 + 4, false},
    {GgmlType::IQ2_S, "IQ2_S", 256, 2 + 64 + 8 + 8, false},
    {GgmlType::IQ4_XS, "IQ4_XS", 256, 2 + 2 + 4 + 128, false},
    {GgmlType::I8, "I8", 1, 1, false},
    {GgmlType::I16, "I16", 1, 2, false},
    {GgmlType::I32, "I32", 1, 4, false},
    {GgmlType::I64, "I64", 1, 8, false},
    {GgmlType::F64, "F64", 1, 8, false},
    {GgmlType::IQ1_M, "IQ1_M", 256, 32 + 16 + 8, false},
    {GgmlType::BF16, "BF16", 1, 2, true},
    {GgmlType::TQ1_0, "TQ1_0", 256, 48 + 4 + 2, false},
    {GgmlType::TQ2_0, "TQ2_0", 256, 64 + 2, false},
    {GgmlType::MXFP4, "MXFP4", 32, 1 + 16, false},
    {GgmlType::NVFP4, "NVFP4", 64, 4 + 32, false},
    {GgmlType::Q1_0, "Q1_0", 128, 2 + 16, false},
};

}  // namespace

std::optional<GgmlTypeInfo> ggmlTypeFromId(uint32_t id) {
  for (const auto& row : kTypes)
    if (static_cast<uint32_t>(row.type) == id) return row;
  return std::nullopt;
}

const GgmlTypeInfo& ggmlTypeInfo(GgmlType type) {
  for (const auto& row : kTypes)
    if (row.type == type) return row;
  throw std::invalid_argument("unknown ggml type id " +
                              std::to_string(static_cast<uint32_t>(type)));
}

const char* ggmlTypeName(GgmlType type) {
  return ggmlTypeInfo(type).name;
}

bool ggmlDequantizable(GgmlType type) {
  return ggmlTypeInfo(type).dequantizable;
}

const char* ggmlDequantizableList() {
  return "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K";
}

std::optional<uint64_t> ggmlByteSize(GgmlType type, uint64_t elements) {
  const GgmlTypeInfo& info = ggmlTypeInfo(type);
  if (elements % info.blockLength != 0) return std::nullopt;
  const uint64_t blocks = elements / info.blockLength;
  if (blocks > std::numeric_limits<uint64_t>::max() / info.blockBytes) return std::nullopt;
  return blocks * info.blockBytes;
}

// ---- scalar conversions ----------------------------------------------------------------------

float halfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);  // 112 = 127 - 15
  } else if (mantissa == 0) {
    bits = sign;  // ±0
  } else {
    // Subnormal: value = mantissa * 2^-24; normalise it.
    int shift = 0;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      ++shift;
    }
    mantissa &= 0x3ffu;
    exponent = static_cast<uint32_t>(113 - shift);  // 127 - 14 - shift
    bits = sign | (exponent << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float bf16ToFloat(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}

uint16_t floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t absBits = bits & 0x7fffffffu;
  if (absBits > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);   // NaN
  if (absBits >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds past 65504
  if (absBits < 0x38800000u) {
    // Below the smallest normal half (2^-14): a subnormal, value / 2^-24 rounded to even.
    float magnitude;
    std::memcpy(&magnitude, &absBits, sizeof magnitude);
    const float scaled = magnitude * 16777216.0f;  // 2^24, exact
    auto q = static_cast<uint32_t>(scaled);
    const float rest = scaled - static_cast<float>(q);
    if (rest > 0.5f || (rest == 0.5f && (q & 1u))) ++q;
    return static_cast<uint16_t>(sign | q);  // q == 0x400 is the smallest normal, correctly
  }
  // Normal: rebias the exponent and round the 13 dropped mantissa bits to even.
  const uint32_t rebased = absBits - (112u << 23);
  const uint32_t rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
  return static_cast<uint16_t>(sign | (rounded >> 13));
}

uint16_t floatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);
  const uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

// ---- block kernels ---------------------------------------------------------------------------
// Each reads one block at `b` and writes blockLength floats at `y`. Multi-byte fields are little
// endian (GGUF v3 little-endian files; big-endian files are refused by the reader).

namespace {

inline uint16_t le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline float f16At(const uint8_t* p) {
  return halfToFloat(le16(p));
}

// Q8_0: {f16 d; i8 q[32]} -> d * q.
void blockQ8_0(const uint8_t* b, float* y) {
  const float d = f16At(b);
  for (int i = 0; i < 32; ++i) y[i] = d * static_cast<int8_t>(b[2 + i]);
}

// Q4_0: {f16 d; u8 qs[16]}; element i < 16 is the low nibble of qs[i], element i + 16 the high
// nibble; value d * (q - 8).
void blockQ4_0(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const uint8_t* qs = b + 2;
  for (int i = 0; i < 16; ++i) {
    y[i] = d * ((qs[i] & 0x0f) - 8);
    y[i + 16] = d * ((qs[i] >> 4) - 8);
  }
}

// Q4_1: {f16 d; f16 m; u8 qs[16]}; same nibble order; value d * q + m.
void blockQ4_1(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const float m = f16At(b + 2);
  const uint8_t* qs = b + 4;
  for (int i = 0; i < 16; ++i) {
    y[i] = d * (qs[i] & 0x0f) + m;
    y[i + 16] = d * (qs[i] >> 4) + m;
  }
}

// Q5_0: {f16 d; u32 qh; u8 qs[16]}; bit i of qh is the fifth bit of element i; d * (q - 16).
void blockQ5_0(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const uint32_t qh = le32(b + 2);
  const uint8_t* qs = b + 6;
  for (int i = 0; i < 16; ++i) {
    const int lo = (qs[i] & 0x0f) | (((qh >> i) & 1u) << 4);
    const int hi = (qs[i] >> 4) | (((qh >> (i + 16)) & 1u) << 4);
    y[i] = d * (lo - 16);
    y[i + 16] = d * (hi - 16);
  }
}

// Q5_1: {f16 d; f16 m; u32 qh; u8 qs[16]}; d * q + m.
void blockQ5_1(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const float m = f16At(b + 2);
  const uint32_t qh = le32(b + 4);
  const uint8_t* qs = b + 8;
  for (int i = 0; i < 16; ++i) {
    const int lo = (qs[i] & 0x0f) | (((qh >> i) & 1u) << 4);
    const int hi = (qs[i] >> 4) | (((qh >> (i + 16)) & 1u) << 4);
    y[i] = d * lo + m;
    y[i + 16] = d * hi + m;
  }
}

// Q2_K: {u8 scales[16]; u8 qs[64]; f16 d; f16 dmin}. Sixteen groups of 16; group g has scale
// scales[g] & 15 and min scales[g] >> 4. Element e: 2 bits at shift 2*((e % 128) / 32) of
// qs[32*(e / 128) + e % 32]; value d * sc * q - dmin * m.
void blockQ2_K(const uint8_t* b, float* y) {
  const uint8_t* scales = b;
  const uint8_t* qs = b + 16;
  const float d = f16At(b + 80);
  const float dmin = f16At(b + 82);
  for (int half = 0; half < 2; ++half) {
    for (int shiftIndex = 0; shiftIndex < 4; ++shiftIndex) {
      for (int l = 0; l < 32; ++l) {
        const int e = half * 128 + shiftIndex * 32 + l;
        const uint8_t sc = scales[e / 16];
        const int q = (qs[half * 32 + l] >> (2 * shiftIndex)) & 3;
        y[e] = d * (sc & 0x0f) * q - dmin * (sc >> 4);
      }
    }
  }
}

// Q3_K's sixteen 6-bit scales packed in 12 bytes: low 4 bits of scale s are the low (s < 8) or
// high (s >= 8) nibble of byte s % 8; the top 2 bits sit at bit 2*(s / 4) of byte 8 + s % 4.
inline int q3kScale(const uint8_t* packed, int s) {
  const int low = s < 8 ? (packed[s % 8] & 0x0f) : (packed[s % 8] >> 4);
  const int high = (packed[8 + s % 4] >> (2 * (s / 4))) & 3;
  return (low | (high << 4)) - 32;
}

// Q3_K: {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d}. Element e: low 2 bits as in Q2_K, high
// bit = bit e / 32 of hmask[e % 32]; q = low - (high ? 0 : 4); value d * scale(e / 16) * q.
void blockQ3_K(const uint8_t* b, float* y) {
  const uint8_t* hmask = b;
  const uint8_t* qs = b + 32;
  const uint8_t* packed = b + 96;
  const float d = f16At(b + 108);
  float dl[16];
  for (int s = 0; s < 16; ++s) dl[s] = d * q3kScale(packed, s);
  for (int half = 0; half < 2; ++half) {
    for (int shiftIndex = 0; shiftIndex < 4; ++shiftIndex) {
      for (int l = 0; l < 32; ++l) {
        const int e = half * 128 + shiftIndex * 32 + l;
        const int low = (qs[half * 32 + l] >> (2 * shiftIndex)) & 3;
        const int high = (hmask[l] >> (e / 32)) & 1;
        y[e] = dl[e / 16] * (low - (high ? 0 : 4));
      }
    }
  }
}

// Q4_K / Q5_K's eight 6-bit (scale, min) pairs packed in 12 bytes: for j < 4 the low 6 bits of
// bytes j and j + 4; for j >= 4 the nibbles of byte j + 4 with the top 2 bits taken from bits 6-7
// of bytes j - 4 (scale) and j (min).
inline void k4ScaleMin(const uint8_t* packed, int j, int* scale, int* min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = (packed[j + 4] & 0x0f) | ((packed[j - 4] >> 6) << 4);
    *min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

// Q4_K: {f16 d; f16 dmin; u8 scales[12]; u8 qs[128]}. Eight groups of 32; group g reads the low
// (g even) or high (g odd) nibbles of qs[32*(g/2) .. +32]; value d * sc * q - dmin * m.
void blockQ4_K(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const float dmin = f16At(b + 2);
  const uint8_t* packed = b + 4;
  const uint8_t* qs = b + 16;
  for (int g = 0; g < 8; ++g) {
    int sc, m;
    k4ScaleMin(packed, g, &sc, &m);
    const float scale = d * sc;
    const float offset = dmin * m;
    const uint8_t* q = qs + 32 * (g / 2);
    const int shift = (g % 2) * 4;
    for (int l = 0; l < 32; ++l) y[g * 32 + l] = scale * ((q[l] >> shift) & 0x0f) - offset;
  }
}

// Q5_K: {f16 d; f16 dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}: Q4_K plus a fifth bit, bit g of
// qh[l] for element 32*g + l.
void blockQ5_K(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const float dmin = f16At(b + 2);
  const uint8_t* packed = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + 48;
  for (int g = 0; g < 8; ++g) {
    int sc, m;
    k4ScaleMin(packed, g, &sc, &m);
    const float scale = d * sc;
    const float offset = dmin * m;
    const uint8_t* q = qs + 32 * (g / 2);
    const int shift = (g % 2) * 4;
    for (int l = 0; l < 32; ++l) {
      const int value = ((q[l] >> shift) & 0x0f) | (((qh[l] >> g) & 1) << 4);
      y[g * 32 + l] = scale * value - offset;
    }
  }
}

// Q6_K: {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}. Element e (h = e / 128, k = (e % 128) / 32,
// l = e % 32): low 4 bits from ql[64h + l + 32*(k % 2)] (low nibble for k < 2, high for k >= 2),
// top 2 bits at bit 2k of qh[32h + l]; value d * scales[e / 16] * (q - 32).
void blockQ6_K(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const auto* scales = reinterpret_cast<const int8_t*>(b + 192);
  const float d = f16At(b + 208);
  for (int h = 0; h < 2; ++h) {
    for (int k = 0; k < 4; ++k) {
      for (int l = 0; l < 32; ++l) {
        const int e = h * 128 + k * 32 + l;
        const uint8_t lowByte = ql[64 * h + l + 32 * (k % 2)];
        const int low = k < 2 ? (lowByte & 0x0f) : (lowByte >> 4);
        const int high = (qh[32 * h + l] >> (2 * k)) & 3;
        y[e] = d * scales[e / 16] * ((low | (high << 4)) - 32);
      }
    }
  }
}

using BlockKernel = void (*)(const uint8_t*, float*);

BlockKernel blockKernel(GgmlType type) {
  switch (type) {
    case GgmlType::Q8_0:
      return blockQ8_0;
    case GgmlType::Q4_0:
      return blockQ4_0;
    case GgmlType::Q4_1:
      return blockQ4_1;
    case GgmlType::Q5_0:
      return blockQ5_0;
    case GgmlType::Q5_1:
      return blockQ5_1;
    case GgmlType::Q2_K:
      return blockQ2_K;
    case GgmlType::Q3_K:
      return blockQ3_K;
    case GgmlType::Q4_K:
      return blockQ4_K;
    case GgmlType::Q5_K:
      return blockQ5_K;
    case GgmlType::Q6_K:
      return blockQ6_K;
    default:
      return nullptr;
  }
}

const GgmlTypeInfo& checkedInfo(GgmlType type, uint64_t elements) {
  const GgmlTypeInfo& info = ggmlTypeInfo(type);
  if (!info.dequantizable)
    throw std::invalid_argument(std::string("cannot dequantize ggml type ") + info.name +
                                " (supported: " + ggmlDequantizableList() + ")");
  if (elements % info.blockLength != 0)
    throw std::invalid_argument(std::to_string(elements) + " elements are not a whole number of " +
                                info.name + " blocks of " + std::to_string(info.blockLength));
  if (!ggmlByteSize(type, elements))
    throw std::invalid_argument("byte size of " + std::to_string(elements) + " " + info.name +
                                " elements overflows");
  return info;
}

}  // namespace

void dequantizeGgml(GgmlType type, const uint8_t* src, uint64_t elements, float* dst) {
  const GgmlTypeInfo& info = checkedInfo(type, elements);
  switch (type) {
    case GgmlType::F32:
      if (elements > 0) std::memcpy(dst, src, elements * 4);  // little-endian host assumed
      return;
    case GgmlType::F16:
      for (uint64_t i = 0; i < elements; ++i) dst[i] = halfToFloat(le16(src + 2 * i));
      return;
    case GgmlType::BF16:
      for (uint64_t i = 0; i < elements; ++i) dst[i] = bf16ToFloat(le16(src + 2 * i));
      return;
    default:
      break;
  }
  const BlockKernel kernel = blockKernel(type);
  const uint64_t blocks = elements / info.blockLength;
  for (uint64_t i = 0; i < blocks; ++i)
    kernel(src + i * info.blockBytes, dst + i * info.blockLength);
}

void dequantizeGgmlBf16(GgmlType type, const uint8_t* src, uint64_t elements, uint16_t* dst) {
  const GgmlTypeInfo& info = checkedInfo(type, elements);
  switch (type) {
    case GgmlType::BF16:
      for (uint64_t i = 0; i < elements; ++i) dst[i] = le16(src + 2 * i);
      return;
    case GgmlType::F32:
      for (uint64_t i = 0; i < elements; ++i) {
        float f;
        std::memcpy(&f, src + 4 * i, sizeof f);
        dst[i] = floatToBf16(f);
      }
      return;
    case GgmlType::F16:
      for (uint64_t i = 0; i < elements; ++i) dst[i] = floatToBf16(halfToFloat(le16(src + 2 * i)));
      return;
    default:
      break;
  }
  const BlockKernel kernel = blockKernel(type);
  const uint64_t blocks = elements / info.blockLength;
  float buffer[256];
  uint32_t bits[256];
  for (uint64_t i = 0; i < blocks; ++i) {
    kernel(src + i * info.blockBytes, buffer);
    std::memcpy(bits, buffer, info.blockLength * sizeof(float));
    uint16_t* out = dst + i * info.blockLength;
    // floatToBf16 without branches, so the loop vectorises: NaN -> quiet NaN, else RNE.
    for (uint32_t k = 0; k < info.blockLength; ++k) {
      const uint32_t b = bits[k];
      const uint32_t rounded = (b + 0x7fffu + ((b >> 16) & 1u)) >> 16;
      const uint32_t quiet = (b >> 16) | 0x40u;
      out[k] = static_cast<uint16_t>((b & 0x7fffffffu) > 0x7f800000u ? quiet : rounded);
    }
  }
}

// ---- quantization (benchmarks and test files) -------------------------------------------------
// Ref: ggml-quants.c quantize_row_q8_0_ref, quantize_row_q4_0_ref.

void quantizeGgml(GgmlType type, const float* src, uint64_t elements, uint8_t* dst) {
  const GgmlTypeInfo& info = ggmlTypeInfo(type);
  if (elements % info.blockLength != 0)
    throw std::invalid_argument(std::to_string(elements) + " elements are not a whole number of " +
                                info.name + " blocks");
  auto putHalf = [](uint8_t* p, uint16_t h) {
    p[0] = static_cast<uint8_t>(h & 0xff);
    p[1] = static_cast<uint8_t>(h >> 8);
  };
  switch (type) {
    case GgmlType::F32:
      if (elements > 0) std::memcpy(dst, src, elements * 4);
      return;
    case GgmlType::F16:
      for (uint64_t i = 0; i < elements; ++i) putHalf(dst + 2 * i, floatToHalf(src[i]));
      return;
    case GgmlType::BF16:
      for (uint64_t i = 0; i < elements; ++i) putHalf(dst + 2 * i, floatToBf16(src[i]));
      return;
    case GgmlType::Q8_0:
      for (uint64_t b = 0; b < elements / 32; ++b) {
        const float* x = src + 32 * b;
        uint8_t* out = dst + 34 * b;
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        putHalf(out, floatToHalf(d));
        for (int j = 0; j < 32; ++j)
          out[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[j] * id)));
      }
      return;
    case GgmlType::Q4_0:
      for (uint64_t b = 0; b < elements / 32; ++b) {
        const float* x = src + 32 * b;
        uint8_t* out = dst + 18 * b;
        float amax = 0.0f, max = 0.0f;  // the value of largest magnitude, with its sign
        for (int j = 0; j < 32; ++j)
          if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            max = x[j];
          }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        putHalf(out, floatToHalf(d));
        auto level = [&](float v) {
          return static_cast<uint8_t>(
              std::min(15, static_cast<int>(static_cast<int8_t>(v * id + 8.5f))));
        };
        for (int j = 0; j < 16; ++j)
          out[2 + j] = static_cast<uint8_t>(level(x[j]) | (level(x[j + 16]) << 4));
      }
      return;
    default:
      throw std::invalid_argument(std::string("cannot quantize to ") + info.name +
                                  " (Lienzo writes F32, F16, BF16, Q8_0, Q4_0)");
  }
}

}  // namespace lienzo
