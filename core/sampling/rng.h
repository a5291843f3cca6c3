// Torch-CPU-compatible random numbers: a seed gives the same noise as `torch.randn(shape,
// generator=torch.Generator().manual_seed(seed))` (and ComfyUI / A1111 / InvokeAI CPU noise).
//
// The generator is a reimplementation, not a call into ATen's generator, so the values do not
// depend on which CPU kernel this libtorch dispatches to:
// - mt19937 seeded with the low 32 bits of the 64-bit seed (negative seeds are taken mod 2^64).
// - randn of fewer than 16 values: scalar Box-Muller in double precision from two 53-bit
//   uniforms; the second value of each pair is cached in the generator and returned by the next
//   scalar draw (randn(7) then randn(7) equals randn(14)).
// - randn of >= 16 values: 24-bit float uniforms for every element, then Box-Muller per block of
//   16 (z[j] = sqrt(-2 ln(1 - u[j])) cos(2 pi u[j+8]), z[j+8] = ... sin ...); a size that is not
//   a multiple of 16 redraws 16 fresh uniforms for the last 16 elements. The scalar cache is not
//   touched. Two float kernels exist in torch: RandnKernel::Avx2 (Cephes-style polynomial
//   log/sincos of avx_mathfun.h, what torch produces on AVX2 CPUs and the values of the fixtures'
//   `randn/...`) and RandnKernel::Generic (libm logf/cosf/sinf, torch's default/AVX-512 build).
//   They differ by up to ~2e-6. A third variant, RandnKernel::Avx2Fma, is the AVX2 kernel with the
//   multiply-adds GCC fuses when it compiles avx_mathfun.h with -mfma (Debian's libtorch): it
//   differs from Avx2 by an ulp here and there.
// - rand: 24-bit float uniforms in [0, 1).
//
// Ref: PyTorch 1.13 aten/src/ATen/CPUGeneratorImpl.cpp, core/DistributionsHelper.h,
//      native/cpu/DistributionTemplates.h (normal_fill, normal_fill_16), native/cpu/avx_mathfun.h.
//
// Threads: a Generator is not thread-safe (one request's noise stream); copies are independent
// streams in the same state. No global state.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <random>

#include "core/sampling/sampler.h"

namespace lienzo {

/// Which of torch's float randn kernels (>= 16 elements) to reproduce.
enum class RandnKernel {
  Avx2,     ///< AVX2 kernel as written (no fused multiply-add): the fixtures' / reference values
  Avx2Fma,  ///< AVX2 kernel as GCC contracts it with -mfma (Debian's libtorch 1.13 build)
  Generic,  ///< default-capability kernel (libm logf/cosf/sinf); also torch's AVX-512 dispatch
};

class Generator {
 public:
  /// torch's default seed (torch.Generator() without manual_seed).
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;

  /// Seeded like torch.Generator().manual_seed(seed). A negative int64 passed here converts to
  /// the same uint64 as torch's "negative seeds modulo 2^64".
  explicit Generator(uint64_t seed = kDefaultSeed, RandnKernel kernel = RandnKernel::Avx2);

  /// Re-seeds and clears the cached normal value (torch manual_seed).
  void manualSeed(uint64_t seed);
  uint64_t seed() const { return m_seed; }
  RandnKernel kernel() const { return m_kernel; }
  void setKernel(RandnKernel kernel) { m_kernel = kernel; }

  /// Raw 32-bit mt19937 output.
  uint32_t random();
  /// Two 32-bit outputs, the first as the high word.
  uint64_t random64();
  /// (random() & (2^24 - 1)) * 2^-24, in [0, 1).
  float uniformFloat();
  /// (random64() & (2^53 - 1)) * 2^-53, in [0, 1).
  double uniformDouble();
  /// One scalar-path standard normal (double Box-Muller with the cached second value).
  double normalDouble();

  /// torch.randn semantics for `n` contiguous float32 values (scalar path below 16 values).
  void fillRandn(float* data, int64_t n);
  /// torch.rand semantics for `n` float32 values.
  void fillRand(float* data, int64_t n);

 private:
  std::mt19937 m_engine;
  uint64_t m_seed = kDefaultSeed;
  RandnKernel m_kernel = RandnKernel::Avx2;
  bool m_hasNextDoubleNormal = false;
  double m_nextDoubleNormal = 0.0;
};

/// New contiguous float32 CPU tensor of `shape` drawn like torch.randn(shape, generator=gen).
at::Tensor randn(Generator& gen, at::IntArrayRef shape);
/// New contiguous float32 CPU tensor of `shape` drawn like torch.rand(shape, generator=gen).
at::Tensor rand(Generator& gen, at::IntArrayRef shape);

/// A NoiseFn drawing successive randn tensors from `gen` (which must outlive the function).
NoiseFn makeNoiseFn(Generator& gen);

}  // namespace lienzo
