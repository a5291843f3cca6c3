// GGUF dequantization kernels (core/io/gguf_quants.h) against hand-built blocks.
//
// Each test chooses the unpacked quantities (d, m, 4/6-bit scales and mins, quants), packs them
// into the block bytes with the packing loops of the format's quantizer (ggml-quants.c
// quantize_row_*_ref: the inverse direction of the kernel) and expects the format's formula
// (y = d·q, d·(q−8), d·sc·q − dmin·m, ...) computed here, never by the kernel. The half-precision
// scales are exact f16 values given by their bit patterns, so no conversion is trusted either.
#include "core/io/gguf_quants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace lienzo {
namespace {

/// f16 bit patterns with their exact values.
struct Half {
  uint16_t bits;
  float value;
};
constexpr Half kHalves[] = {{0x3c00, 1.0f},     {0x3800, 0.5f},    {0xb400, -0.25f},
                            {0x3e00, 1.5f},     {0x2c00, 0.0625f}, {0xc100, -2.5f},
                            {0x1400, 0x1p-10f}, {0x4d00, 20.0f}};

void putHalf(std::vector<uint8_t>& b, std::size_t at, uint16_t bits) {
  b[at] = static_cast<uint8_t>(bits & 0xff);
  b[at + 1] = static_cast<uint8_t>(bits >> 8);
}

std::vector<float> run(GgmlType type, const std::vector<uint8_t>& bytes, uint64_t elements) {
  std::vector<float> out(elements, std::numeric_limits<float>::quiet_NaN());
  dequantizeGgml(type, bytes.data(), elements, out.data());
  // The bfloat16 path must agree with rounding the float result.
  std::vector<uint16_t> bf(elements);
  dequantizeGgmlBf16(type, bytes.data(), elements, bf.data());
  for (uint64_t k = 0; k < elements; ++k)
    EXPECT_EQ(bf[k], floatToBf16(out[k])) << ggmlTypeName(type) << " element " << k;
  return out;
}

void expectValues(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    ASSERT_FLOAT_EQ(got[k], want[k]) << what << " element " << k;
}

TEST(GgufQuants, TypeTable) {
  // Block geometry from the GGUF/ggml format description (elements, bytes per block).
  struct Row {
    GgmlType type;
    uint32_t length, bytes;
  };
  const Row rows[] = {
      {GgmlType::F32, 1, 4},      {GgmlType::F16, 1, 2},       {GgmlType::BF16, 1, 2},
      {GgmlType::Q8_0, 32, 34},   {GgmlType::Q4_0, 32, 18},    {GgmlType::Q4_1, 32, 20},
      {GgmlType::Q5_0, 32, 22},   {GgmlType::Q5_1, 32, 24},    {GgmlType::Q2_K, 256, 84},
      {GgmlType::Q3_K, 256, 110}, {GgmlType::Q4_K, 256, 144},  {GgmlType::Q5_K, 256, 176},
      {GgmlType::Q6_K, 256, 210}, {GgmlType::IQ4_XS, 256, 136}};
  for (const auto& r : rows) {
    const auto& info = ggmlTypeInfo(r.type);
    EXPECT_EQ(info.blockLength, r.length) << info.name;
    EXPECT_EQ(info.blockBytes, r.bytes) << info.name;
  }
  EXPECT_FALSE(ggmlTypeFromId(4));  // Q4_2, removed
  EXPECT_FALSE(ggmlTypeFromId(31));
  EXPECT_FALSE(ggmlTypeFromId(1000));
  EXPECT_EQ(ggmlTypeFromId(12)->type, GgmlType::Q4_K);
  EXPECT_EQ(*ggmlByteSize(GgmlType::Q4_K, 512), 288u);
  EXPECT_FALSE(ggmlByteSize(GgmlType::Q4_0, 33));
  EXPECT_FALSE(ggmlByteSize(GgmlType::F32, std::numeric_limits<uint64_t>::max()));
}

TEST(GgufQuants, ScalarConversions) {
  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0xc000), -2.0f);
  EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0400), 0x1p-14f);         // smallest normal
  EXPECT_EQ(halfToFloat(0x0001), 0x1p-24f);         // smallest subnormal
  EXPECT_EQ(halfToFloat(0x03ff), 1023 * 0x1p-24f);  // largest subnormal
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  EXPECT_TRUE(std::isinf(halfToFloat(0xfc00)) && halfToFloat(0xfc00) < 0);
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(bf16ToFloat(0xc0a0), -5.0f);
  EXPECT_EQ(floatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBf16(1.0f + 0x1p-8f), 0x3f80);             // tie -> even
  EXPECT_EQ(floatToBf16(1.0f + 0x1p-7f + 0x1p-8f), 0x3f82);   // tie -> even (up)
  EXPECT_EQ(floatToBf16(1.0f + 0x1p-8f + 0x1p-12f), 0x3f81);  // above the tie
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(GgufQuants, FloatToHalfRoundsToNearestEven) {
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToHalf(-2.5f), 0xc100);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(floatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);                    // the tie rounds to even: infinity
  EXPECT_EQ(floatToHalf(1.0f + 0x1p-11f), 0x3c00);             // tie -> even
  EXPECT_EQ(floatToHalf(1.0f + 3 * 0x1p-11f), 0x3c02);         // tie -> even (up)
  EXPECT_EQ(floatToHalf(0x1p-24f), 0x0001);                    // smallest subnormal
  EXPECT_EQ(floatToHalf(0x1p-25f), 0x0000);                    // tie -> even (zero)
  EXPECT_EQ(floatToHalf(3 * 0x1p-25f), 0x0002);                // tie -> even (up)
  EXPECT_EQ(floatToHalf(1023 * 0x1p-24f + 0x1p-25f), 0x0400);  // rounds into the normals
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(std::numeric_limits<float>::quiet_NaN()) & 0x7e00, 0x7e00);
  for (const Half& h : kHalves) EXPECT_EQ(floatToHalf(h.value), h.bits) << h.value;
}

TEST(GgufQuants, QuantizeQ8_0AndQ4_0) {
  // Q4_0: values -8..7 whose largest magnitude is -8 give d = 1 and q = x + 8 exactly.
  float x[32];
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16 - 8);
  std::vector<uint8_t> q4(18);
  quantizeGgml(GgmlType::Q4_0, x, 32, q4.data());
  EXPECT_EQ(q4[0] | (q4[1] << 8), 0x3c00);
  for (int j = 0; j < 16; ++j) EXPECT_EQ(q4[2 + j], (j % 16) | ((j % 16) << 4)) << j;
  // Q8_0 on a ramp: d = max|x| / 127 stored as half; every value within d / 2 (+ the scale's
  // half-precision rounding) of the original.
  std::mt19937 rng(7);
  std::vector<float> v(64);
  for (auto& f : v) f = std::uniform_real_distribution<float>(-3.0f, 3.0f)(rng);
  std::vector<uint8_t> q8(68);
  quantizeGgml(GgmlType::Q8_0, v.data(), 64, q8.data());
  std::vector<float> back(64);
  dequantizeGgml(GgmlType::Q8_0, q8.data(), 64, back.data());
  for (int b = 0; b < 2; ++b) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(v[32 * b + j]));
    for (int j = 0; j < 32; ++j)
      EXPECT_LE(std::fabs(back[32 * b + j] - v[32 * b + j]), amax / 127 / 2 + amax * 0x1p-10f);
  }
  const std::vector<float> zeros(32, 0.0f);
  quantizeGgml(GgmlType::Q8_0, zeros.data(), 32, q8.data());
  for (int j = 0; j < 34; ++j) EXPECT_EQ(q8[j], 0) << j;
  EXPECT_THROW(quantizeGgml(GgmlType::Q4_K, zeros.data(), 32, q8.data()), std::invalid_argument);
}

TEST(GgufQuants, PlainTypes) {
  std::vector<uint8_t> f16 = {0x00, 0x3c, 0x00, 0xc1, 0x01, 0x00};  // 1, -2.5, 2^-24
  expectValues(run(GgmlType::F16, f16, 3), {1.0f, -2.5f, 0x1p-24f}, "F16");
  std::vector<uint8_t> bf16 = {0x80, 0x3f, 0xa0, 0xc0};  // 1, -5
  expectValues(run(GgmlType::BF16, bf16, 2), {1.0f, -5.0f}, "BF16");
  const float values[] = {3.25f, -0.5f};
  std::vector<uint8_t> f32(sizeof values);
  std::memcpy(f32.data(), values, sizeof values);
  expectValues(run(GgmlType::F32, f32, 2), {3.25f, -0.5f}, "F32");
}

TEST(GgufQuants, Q4_0NibbleOrder) {
  // qs[0] = 0x21: element 0 is the low nibble (1), element 16 the high nibble (2); d = 1.
  std::vector<uint8_t> b(18, 0x88);  // every other quant = 8 -> 0
  putHalf(b, 0, 0x3c00);
  b[2] = 0x21;
  const auto y = run(GgmlType::Q4_0, b, 32);
  EXPECT_EQ(y[0], -7.0f);
  EXPECT_EQ(y[16], -6.0f);
  for (int e = 0; e < 32; ++e) {
    if (e == 0 || e == 16) continue;
    EXPECT_EQ(y[e], 0.0f) << e;
  }
}

class GgufBlocks : public ::testing::Test {
 protected:
  std::mt19937 rng{1234};
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  Half half() { return kHalves[pick(0, static_cast<int>(std::size(kHalves)) - 1)]; }
};

TEST_F(GgufBlocks, Q8_0) {
  const int blocks = 3;
  std::vector<uint8_t> bytes(34 * blocks);
  std::vector<float> want;
  for (int i = 0; i < blocks; ++i) {
    const Half d = half();
    putHalf(bytes, 34 * i, d.bits);
    for (int j = 0; j < 32; ++j) {
      const int q = pick(-128, 127);
      bytes[34 * i + 2 + j] = static_cast<uint8_t>(static_cast<int8_t>(q));
      want.push_back(d.value * q);
    }
  }
  expectValues(run(GgmlType::Q8_0, bytes, 32 * blocks), want, "Q8_0");
}

// Q4_0/Q4_1/Q5_0/Q5_1 share the layout "qs[j] = L[j] | L[j + 16] << 4" (+ qh bit j = L[j] >> 4).
void packSmallBlock(std::vector<uint8_t>& b, std::size_t qsAt, std::size_t qhAt, const int* L) {
  uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    b[qsAt + j] = static_cast<uint8_t>((L[j] & 0x0f) | ((L[j + 16] & 0x0f) << 4));
    qh |= static_cast<uint32_t>((L[j] >> 4) & 1) << j;
    qh |= static_cast<uint32_t>((L[j + 16] >> 4) & 1) << (j + 16);
  }
  if (qhAt != 0)
    for (int k = 0; k < 4; ++k) b[qhAt + k] = static_cast<uint8_t>(qh >> (8 * k));
}

TEST_F(GgufBlocks, Q4AndQ5Families) {
  struct Case {
    GgmlType type;
    int bits;
    bool hasMin;
  };
  for (const Case c : {Case{GgmlType::Q4_0, 4, false}, Case{GgmlType::Q4_1, 4, true},
                       Case{GgmlType::Q5_0, 5, false}, Case{GgmlType::Q5_1, 5, true}}) {
    const uint32_t size = ggmlTypeInfo(c.type).blockBytes;
    const int blocks = 2;
    std::vector<uint8_t> bytes(size * blocks);
    std::vector<float> want;
    for (int i = 0; i < blocks; ++i) {
      const std::size_t at = size * i;
      const Half d = half(), m = half();
      putHalf(bytes, at, d.bits);
      if (c.hasMin) putHalf(bytes, at + 2, m.bits);
      const std::size_t header = c.hasMin ? 4 : 2;
      int L[32];
      for (int& q : L) q = pick(0, (1 << c.bits) - 1);
      packSmallBlock(bytes, at + header + (c.bits == 5 ? 4 : 0), c.bits == 5 ? at + header : 0, L);
      const int center = c.bits == 4 ? 8 : 16;
      for (int q : L) want.push_back(c.hasMin ? d.value * q + m.value : d.value * (q - center));
    }
    expectValues(run(c.type, bytes, 32 * blocks), want, ggmlTypeName(c.type));
  }
}

// Q2_K / Q3_K quants: qs[j/4 + l] = L[j+l] | L[j+l+32] << 2 | L[j+l+64] << 4 | L[j+l+96] << 6
// for j in {0, 128}, l < 32 (the low two bits of L).
void packTwoBit(uint8_t* qs, const int* L) {
  for (int j = 0; j < 256; j += 128)
    for (int l = 0; l < 32; ++l)
      qs[j / 4 + l] = static_cast<uint8_t>((L[j + l] & 3) | ((L[j + l + 32] & 3) << 2) |
                                           ((L[j + l + 64] & 3) << 4) | ((L[j + l + 96] & 3) << 6));
}

TEST_F(GgufBlocks, Q2_K) {
  const int blocks = 2;
  std::vector<uint8_t> bytes(84 * blocks);
  std::vector<float> want;
  for (int i = 0; i < blocks; ++i) {
    uint8_t* b = bytes.data() + 84 * i;
    const Half d = half(), dmin = half();
    int sc[16], mn[16], L[256];
    for (int g = 0; g < 16; ++g) {
      sc[g] = pick(0, 15);
      mn[g] = pick(0, 15);
      b[g] = static_cast<uint8_t>(sc[g] | (mn[g] << 4));
    }
    for (int& q : L) q = pick(0, 3);
    packTwoBit(b + 16, L);
    putHalf(bytes, 84 * i + 80, d.bits);
    putHalf(bytes, 84 * i + 82, dmin.bits);
    for (int e = 0; e < 256; ++e)
      want.push_back(d.value * sc[e / 16] * L[e] - dmin.value * mn[e / 16]);
  }
  expectValues(run(GgmlType::Q2_K, bytes, 256 * blocks), want, "Q2_K");
}

// Q3_K's 16 scales (6 bits, stored +32): low nibble into scales[j] (j < 8) or the high nibble of
// scales[j - 8]; the top two bits into scales[8 + j % 4] at bit 2·(j / 4).
void packQ3Scales(uint8_t* scales, const int* stored) {
  std::memset(scales, 0, 12);
  for (int j = 0; j < 16; ++j) {
    const int l = stored[j];
    if (j < 8)
      scales[j] = static_cast<uint8_t>(l & 0x0f);
    else
      scales[j - 8] |= static_cast<uint8_t>((l & 0x0f) << 4);
    scales[j % 4 + 8] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
  }
}

TEST_F(GgufBlocks, Q3_K) {
  const int blocks = 2;
  std::vector<uint8_t> bytes(110 * blocks);
  std::vector<float> want;
  for (int i = 0; i < blocks; ++i) {
    uint8_t* b = bytes.data() + 110 * i;
    const Half d = half();
    int scale[16], stored[16], q[256], L[256];
    for (int j = 0; j < 16; ++j) {
      scale[j] = pick(-32, 31);
      stored[j] = scale[j] + 32;
    }
    for (int e = 0; e < 256; ++e) {
      q[e] = pick(-4, 3);
      L[e] = q[e] + 4;  // 0..7: bit 2 is the hmask bit ("set" means no −4)
    }
    // hmask: element j sets bit j / 32 of hmask[j % 32] when L[j] > 3.
    uint8_t* hmask = b;
    std::memset(hmask, 0, 32);
    for (int j = 0; j < 256; ++j)
      if (L[j] > 3) hmask[j % 32] |= static_cast<uint8_t>(1u << (j / 32));
    packTwoBit(b + 32, L);
    packQ3Scales(b + 96, stored);
    putHalf(bytes, 110 * i + 108, d.bits);
    for (int e = 0; e < 256; ++e) want.push_back(d.value * scale[e / 16] * q[e]);
  }
  expectValues(run(GgmlType::Q3_K, bytes, 256 * blocks), want, "Q3_K");
}

// Q4_K/Q5_K's eight 6-bit (scale, min) pairs: j < 4 plainly in bytes j and j + 4; j >= 4 as the
// nibbles of byte j + 4, top two bits in bits 6-7 of bytes j − 4 (scale) and j (min).
void packK4Scales(uint8_t* scales, const int* ls, const int* lm) {
  std::memset(scales, 0, 12);
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      scales[j] = static_cast<uint8_t>(ls[j]);
      scales[j + 4] = static_cast<uint8_t>(lm[j]);
    } else {
      scales[j + 4] = static_cast<uint8_t>((ls[j] & 0x0f) | ((lm[j] & 0x0f) << 4));
      scales[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
      scales[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
  }
}

TEST_F(GgufBlocks, Q4_KAndQ5_K) {
  for (const bool five : {false, true}) {
    const GgmlType type = five ? GgmlType::Q5_K : GgmlType::Q4_K;
    const uint32_t size = five ? 176 : 144;
    const int blocks = 2;
    std::vector<uint8_t> bytes(size * blocks);
    std::vector<float> want;
    for (int i = 0; i < blocks; ++i) {
      uint8_t* b = bytes.data() + size * i;
      const Half d = half(), dmin = half();
      putHalf(bytes, size * i, d.bits);
      putHalf(bytes, size * i + 2, dmin.bits);
      int ls[8], lm[8], L[256];
      for (int j = 0; j < 8; ++j) {
        ls[j] = pick(0, 63);
        lm[j] = pick(0, 63);
      }
      ls[5] = 45;  // 0b101101 and 0b110010: both top bits matter
      lm[6] = 50;
      packK4Scales(b + 4, ls, lm);
      for (int& q : L) q = pick(0, five ? 31 : 15);
      uint8_t* qh = b + 16;
      uint8_t* ql = five ? b + 48 : b + 16;
      if (five) std::memset(qh, 0, 32);
      uint8_t m1 = 1, m2 = 2;
      for (int n = 0; n < 256; n += 64) {
        for (int j = 0; j < 32; ++j) {
          int l1 = L[n + j], l2 = L[n + j + 32];
          if (l1 > 15) {
            l1 -= 16;
            qh[j] |= m1;
          }
          if (l2 > 15) {
            l2 -= 16;
            qh[j] |= m2;
          }
          ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
        }
        m1 = static_cast<uint8_t>(m1 << 2);
        m2 = static_cast<uint8_t>(m2 << 2);
        ql += 32;
      }
      for (int e = 0; e < 256; ++e)
        want.push_back(d.value * ls[e / 32] * L[e] - dmin.value * lm[e / 32]);
    }
    expectValues(run(type, bytes, 256 * blocks), want, ggmlTypeName(type));
  }
}

TEST_F(GgufBlocks, Q6_K) {
  const int blocks = 2;
  std::vector<uint8_t> bytes(210 * blocks);
  std::vector<float> want;
  for (int i = 0; i < blocks; ++i) {
    uint8_t* b = bytes.data() + 210 * i;
    const Half d = half();
    int sc[16], L[256];
    for (int& s : sc) s = pick(-128, 127);
    for (int& q : L) q = pick(0, 63);  // stored q + 32
    uint8_t* ql = b;
    uint8_t* qh = b + 128;
    for (int j = 0; j < 256; j += 128) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = L[j + l] & 0x0f, q2 = L[j + l + 32] & 0x0f;
        const int q3 = L[j + l + 64] & 0x0f, q4 = L[j + l + 96] & 0x0f;
        ql[l] = static_cast<uint8_t>(q1 | (q3 << 4));
        ql[l + 32] = static_cast<uint8_t>(q2 | (q4 << 4));
        qh[l] = static_cast<uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                     ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
      }
      ql += 64;
      qh += 32;
    }
    for (int s = 0; s < 16; ++s) b[192 + s] = static_cast<uint8_t>(static_cast<int8_t>(sc[s]));
    putHalf(bytes, 210 * i + 208, d.bits);
    for (int e = 0; e < 256; ++e) want.push_back(d.value * sc[e / 16] * (L[e] - 32));
  }
  expectValues(run(GgmlType::Q6_K, bytes, 256 * blocks), want, "Q6_K");
}

TEST(GgufQuants, RefusesPartialBlocksAndUnsupportedTypes) {
  std::vector<uint8_t> bytes(64);
  std::vector<float> out(64);
  EXPECT_THROW(dequantizeGgml(GgmlType::Q4_0, bytes.data(), 31, out.data()), std::invalid_argument);
  try {
    dequantizeGgml(GgmlType::IQ4_NL, bytes.data(), 32, out.data());
    FAIL() << "IQ4_NL accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("IQ4_NL"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Q6_K"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lienzo
