// Torch-CPU-compatible generator. Float arithmetic here must round exactly like torch's kernels:
// this file is compiled with -ffp-contract=off (see sampling.cmake) so that no multiply-add is
// fused behind our back.
#include "core/sampling/rng.h"

#include <ATen/ops/empty.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace lienzo {
namespace {

constexpr double kPi = 3.14159265358979323846;

uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// a * b + c, either with two roundings (the vector code as written) or fused (what GCC makes of
// it when the AVX2 kernel is compiled with -mfma and -ffp-contract=fast, e.g. Debian's libtorch).
template <bool kFused>
float madd(float a, float b, float c) {
  if constexpr (kFused) {
    return std::fma(a, b, c);
  } else {
    const float p = a * b;
    return p + c;
  }
}

// One lane of avx_mathfun.h log256_ps (Cephes logf), for x > 0.
// Ref: PyTorch aten/src/ATen/native/cpu/avx_mathfun.h log256_ps
template <bool kFused>
float cephesLog(float x) {
  const float one = 1.0f;
  x = std::max(x, bitsFloat(0x00800000u));  // _mm256_max_ps(x, min_norm_pos)
  int32_t imm0 = static_cast<int32_t>(floatBits(x) >> 23);
  x = bitsFloat((floatBits(x) & ~0x7f800000u) | floatBits(0.5f));
  imm0 -= 0x7f;
  float e = static_cast<float>(imm0);
  e = e + one;
  const bool mask = x < 0.707106781186547524f;
  const float tmpMask = mask ? x : 0.0f;
  x = x - one;
  e = e - (mask ? one : 0.0f);
  x = x + tmpMask;
  const float z = x * x;
  float y = 7.0376836292E-2f;
  y = madd<kFused>(y, x, -1.1514610310E-1f);
  y = madd<kFused>(y, x, 1.1676998740E-1f);
  y = madd<kFused>(y, x, -1.2420140846E-1f);
  y = madd<kFused>(y, x, 1.4249322787E-1f);
  y = madd<kFused>(y, x, -1.6668057665E-1f);
  y = madd<kFused>(y, x, 2.0000714765E-1f);
  y = madd<kFused>(y, x, -2.4999993993E-1f);
  y = madd<kFused>(y, x, 3.3333331174E-1f);
  y = y * x;
  y = madd<kFused>(y, z, e * -2.12194440e-4f);  // y * z + e * q1
  y = y - z * 0.5f;                             // z * 0.5 is exact
  x = x + y;
  x = madd<kFused>(e, 0.693359375f, x);  // + e * q2
  return x;
}

// One lane of avx_mathfun.h sincos256_ps (Cephes sinf/cosf).
// Ref: PyTorch aten/src/ATen/native/cpu/avx_mathfun.h sincos256_ps
template <bool kFused>
void cephesSinCos(float xIn, float* s, float* c) {
  uint32_t signBitSin = floatBits(xIn) & 0x80000000u;
  float x = bitsFloat(floatBits(xIn) & 0x7fffffffu);
  float y = x * 1.27323954473516f;         // 4 / pi
  int32_t imm2 = static_cast<int32_t>(y);  // _mm256_cvttps_epi32 (truncation)
  imm2 = (imm2 + 1) & ~1;
  y = static_cast<float>(imm2);
  int32_t imm4 = imm2;
  const uint32_t swapSignBitSin = static_cast<uint32_t>(imm2 & 4) << 29;
  const bool polyMask = (imm2 & 2) == 0;
  // "Extended precision modular arithmetic": x = ((x - y * DP1) - y * DP2) - y * DP3
  x = madd<kFused>(y, -0.78515625f, x);
  x = madd<kFused>(y, -2.4187564849853515625e-4f, x);
  x = madd<kFused>(y, -3.77489497744594108e-8f, x);
  imm4 = imm4 - 2;
  const uint32_t signBitCos = static_cast<uint32_t>(~imm4 & 4) << 29;
  signBitSin ^= swapSignBitSin;

  const float z = x * x;
  float yc = madd<kFused>(2.443315711809948E-005f, z, -1.388731625493765E-003f);
  yc = madd<kFused>(yc, z, 4.166664568298827E-002f);
  yc = yc * z;
  yc = madd<kFused>(yc, z, -(z * 0.5f));  // y * z - z * 0.5 (z * 0.5 exact)
  yc = yc + 1.0f;

  float y2 = madd<kFused>(-1.9515295891E-4f, z, 8.3321608736E-3f);
  y2 = madd<kFused>(y2, z, -1.6666654611E-1f);
  y2 = y2 * z;
  y2 = madd<kFused>(y2, x, x);

  // Select with bit masks; the masked-out lane is +0.0f and the adds below are performed as in
  // the vector code.
  const float ysin2 = polyMask ? y2 : 0.0f;
  const float ysin1 = polyMask ? 0.0f : yc;
  y2 = y2 - ysin2;
  yc = yc - ysin1;
  const float sinVal = ysin1 + ysin2;
  const float cosVal = yc + y2;
  *s = bitsFloat(floatBits(sinVal) ^ signBitSin);
  *c = bitsFloat(floatBits(cosVal) ^ signBitCos);
}

// Ref: PyTorch native/cpu/avx_mathfun.h + DistributionTemplates.h normal_fill_16_AVX2
// (mean 0, std 1: the final fmadd(n, 1, 0) is exact).
template <bool kFused>
void normalFill16Avx2(float* data) {
  const float twoPi = static_cast<float>(2.0f * kPi);
  float out[16];
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2.0f * cephesLog<kFused>(u1));
    const float theta = twoPi * u2;
    float sinTheta = 0.0f;
    float cosTheta = 0.0f;
    cephesSinCos<kFused>(theta, &sinTheta, &cosTheta);
    out[j] = radius * cosTheta;
    out[j + 8] = radius * sinTheta;
  }
  std::memcpy(data, out, sizeof out);
}

// Ref: PyTorch native/cpu/DistributionTemplates.h normal_fill_16 (generic kernel).
void normalFill16Generic(float* data) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1 - data[j];  // [0, 1) -> (0, 1] for log
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2 * std::log(u1));
    // theta is computed in double and rounded to float, as `2.0f * c10::pi<double> * u2`.
    const float theta = static_cast<float>(2.0f * kPi * static_cast<double>(u2));
    data[j] = radius * std::cos(theta);
    data[j + 8] = radius * std::sin(theta);
  }
}

}  // namespace

Generator::Generator(uint64_t seed, RandnKernel kernel) : m_kernel(kernel) {
  manualSeed(seed);
}

void Generator::manualSeed(uint64_t seed) {
  m_seed = seed;
  // torch's mt19937 keeps only the low 32 bits of the seed.
  m_engine.seed(static_cast<std::mt19937::result_type>(seed & 0xffffffffULL));
  m_hasNextDoubleNormal = false;
  m_nextDoubleNormal = 0.0;
}

uint32_t Generator::random() {
  return static_cast<uint32_t>(m_engine());
}

uint64_t Generator::random64() {
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

float Generator::uniformFloat() {
  return static_cast<float>(random() & ((1u << 24) - 1)) * (1.0f / static_cast<float>(1u << 24));
}

double Generator::uniformDouble() {
  return static_cast<double>(random64() & ((1ULL << 53) - 1)) *
         (1.0 / static_cast<double>(1ULL << 53));
}

double Generator::normalDouble() {
  // Ref: PyTorch 1.13 core/DistributionsHelper.h normal_distribution<double>
  if (m_hasNextDoubleNormal) {
    m_hasNextDoubleNormal = false;
    return m_nextDoubleNormal;
  }
  const double u1 = uniformDouble();
  const double u2 = uniformDouble();
  const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
  const double theta = 2.0 * kPi * u1;
  m_nextDoubleNormal = r * std::sin(theta);
  m_hasNextDoubleNormal = true;
  return r * std::cos(theta);
}

void Generator::fillRandn(float* data, int64_t n) {
  if (n < 0) throw std::invalid_argument("Generator::fillRandn: negative size");
  if (n < 16) {
    // Ref: DistributionTemplates.h normal_kernel, serial path (normal_distribution<double>).
    for (int64_t i = 0; i < n; ++i) data[i] = static_cast<float>(normalDouble());
    return;
  }
  // Ref: DistributionTemplates.h normal_fill / normal_fill_AVX2.
  void (*fill16)(float*) = normalFill16Generic;
  if (m_kernel == RandnKernel::Avx2) fill16 = normalFill16Avx2<false>;
  if (m_kernel == RandnKernel::Avx2Fma) fill16 = normalFill16Avx2<true>;
  for (int64_t i = 0; i < n; ++i) data[i] = uniformFloat();
  for (int64_t i = 0; i < n - 15; i += 16) fill16(data + i);
  if (n % 16 != 0) {
    float* tail = data + n - 16;  // recompute the last 16 values from fresh uniforms
    for (int i = 0; i < 16; ++i) tail[i] = uniformFloat();
    fill16(tail);
  }
}

void Generator::fillRand(float* data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) data[i] = uniformFloat();
}

at::Tensor randn(Generator& gen, at::IntArrayRef shape) {
  at::Tensor out = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
  gen.fillRandn(out.data_ptr<float>(), out.numel());
  return out;
}

at::Tensor rand(Generator& gen, at::IntArrayRef shape) {
  at::Tensor out = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
  gen.fillRand(out.data_ptr<float>(), out.numel());
  return out;
}

NoiseFn makeNoiseFn(Generator& gen) {
  return [&gen](at::IntArrayRef shape) { return randn(gen, shape); };
}

}  // namespace lienzo
