// Fused CPU kernels for inference hot spots that ATen 1.13 runs as several full-size passes
// (implemented in layers.cpp and attention.cpp; measurements in docs/performance.md).
//
// Contract: pure functions of their inputs; results equal the ATen composition they replace up
// to float32 rounding (statistics and exponentials in float32/float64, one rounding to the
// output dtype). They use AVX-512 when the CPU has it (checked at run time) and portable
// loops otherwise, and split work over at::get_num_threads() threads. Callers fall back to ATen
// when supported() is false (other devices, dtypes, layouts, or autograd).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace lienzo {

class GroupNormImpl;

namespace cpu {

/// Runs fn(begin, end) over [0, n) in at most at::get_num_threads() contiguous ranges of at least
/// `grain` items: the first on the calling thread, the others on ATen's inter-op pool
/// (at::launch); returns when all are done and rethrows the first exception. (This library is
/// built without OpenMP, so at::parallel_for would run serially here.) fn must not call ATen ops.
void parallelRanges(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

/// True when groupNorm() handles x: CPU, float32 or bfloat16, 4-D contiguous or channels_last,
/// no autograd.
bool groupNormSupported(const at::Tensor& x, const at::Tensor& weight);

/// GroupNorm over x [B,C,H,W] with affine weight/bias [C] (any floating dtype, cast to float32),
/// statistics in float64 over float32 partial sums (two passes: mean, then centred variance),
/// then y = x·a + b per channel, optionally followed by SiLU; y has x's dtype and layout.
/// Ref: Wu & He, "Group Normalization" (2018); SiLU x·sigmoid(x) (Hendrycks & Gimpel).
at::Tensor groupNorm(const at::Tensor& x, int64_t groups, const at::Tensor& weight,
                     const at::Tensor& bias, double eps, bool silu);

/// silu(norm(x)) — the fused kernel when supported, else at::silu(norm->forward(x)).
at::Tensor groupNormSilu(GroupNormImpl& norm, const at::Tensor& x);

}  // namespace cpu
}  // namespace lienzo
