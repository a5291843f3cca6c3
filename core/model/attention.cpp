#include "core/model/attention.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lienzo {

namespace {

/// Largest score block of the CPU path (see multiHeadAttention): big enough for efficient batched
/// matrix products, small enough to be reused from the heap and to stay mostly in cache.
constexpr int64_t kCpuScoreBlockBytes = 16ll << 20;

/// Masks key j > query i in scores [B*H, len, Nk] whose first row is query `start`.
void applyCausalMask(at::Tensor& scores, int64_t start, bool causal) {
  if (!causal) return;
  const int64_t len = scores.size(1), nk = scores.size(2);
  const auto idx = at::TensorOptions().dtype(at::kLong).device(scores.device());
  const auto rows = at::arange(start, start + len, idx).unsqueeze(1);
  const auto cols = at::arange(nk, idx).unsqueeze(0);
  scores.masked_fill_(cols.gt(rows), -std::numeric_limits<float>::infinity());
}

}  // namespace

// Ref: "Attention Is All You Need" (scaled dot-product attention); query chunking as in
// Rabe & Staats, "Self-attention Does Not Need O(n²) Memory" (sub-quadratic attention used by
// A1111/ComfyUI on CPU).
at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              const AttentionOptions& options) {
  TORCH_CHECK(q.dim() == 3 && k.dim() == 3 && v.dim() == 3,
              "multiHeadAttention: q, k, v must be [B, N, H*D]");
  const int64_t heads = options.heads;
  const int64_t batch = q.size(0);
  const int64_t nq = q.size(1);
  const int64_t nk = k.size(1);
  const int64_t inner = q.size(2);
  TORCH_CHECK(heads > 0 && inner % heads == 0, "multiHeadAttention: width ", inner,
              " is not divisible by ", heads, " heads");
  const int64_t dim = inner / heads;
  const double scale = options.scale ? *options.scale : 1.0 / std::sqrt(static_cast<double>(dim));

#if TORCH_VERSION_MAJOR >= 2 && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 1)
  // libtorch ≥ 2.1 has fused attention (flash / memory-efficient kernels on CUDA): no score
  // tensor at all. Used on CUDA only; the CPU path below is what the goldens were checked with.
  // Ref: PyTorch torch.nn.functional.scaled_dot_product_attention.
  if (q.is_cuda()) {
    auto heads4 = [&](const at::Tensor& t, int64_t n) {  // [B,N,H*D] -> [B,H,N,D]
      return t.reshape({batch, n, heads, dim}).transpose(1, 2);
    };
    const at::Tensor fused = at::scaled_dot_product_attention(
        heads4(q, nq), heads4(k, nk), heads4(v, nk), std::nullopt, 0.0, options.causal, scale);
    return fused.transpose(1, 2).reshape({batch, nq, inner});  // [B,Nq,H*D]
  }
#endif

  // [B,N,H*D] -> [B*H,N,D]
  auto split = [&](const at::Tensor& t, int64_t n) {
    return t.reshape({batch, n, heads, dim}).permute({0, 2, 1, 3}).reshape({batch * heads, n, dim});
  };
  const at::Tensor kh = split(k, nk);
  const at::Tensor vh = split(v, nk);
  const at::Tensor khT = kh.transpose(1, 2);  // [B*H, D, Nk]
  at::Tensor out = at::empty({batch * heads, nq, dim}, q.options());

  if (q.is_cpu() && q.scalar_type() != at::kHalf) {
    // CPU (float32 / bfloat16): the scale is folded into q (one rounding of q; the scores are not
    // rounded twice) and the softmax runs in the compute dtype (ATen's CPU softmax accumulates
    // bfloat16 in float32). Score and probability blocks are allocated once per call and reused,
    // and stay small (kCpuScoreBlockBytes): a fresh multi-hundred-MiB block per chunk costs more
    // in page faults (the kernel zero-fills every page of a new mmap) than the softmax itself.
    const at::Tensor qh = split(q * scale, nq);
    const int64_t rowBytes = batch * heads * nk * q.element_size();
    const int64_t budget = std::min<int64_t>(options.maxScoreBytes, kCpuScoreBlockBytes);
    const int64_t chunk = std::clamp<int64_t>(budget / std::max<int64_t>(rowBytes, 1), 1, nq);
    // Autograd cannot record out= calls: with gradients (training) the blocks are per chunk.
    const bool reuse = !c10::GradMode::is_enabled() ||
                       !(q.requires_grad() || k.requires_grad() || v.requires_grad());
    at::Tensor scores, probs, block;
    for (int64_t start = 0; start < nq; start += chunk) {
      const int64_t len = std::min(chunk, nq - start);
      const at::Tensor qc = qh.narrow(1, start, len);  // [B*H, len, D]
      if (!reuse) {
        scores = at::bmm(qc, khT);  // [B*H, len, Nk]
        applyCausalMask(scores, start, options.causal);
        out.narrow(1, start, len).copy_(at::bmm(at::softmax(scores, -1), vh));  // [B*H, len, D]
        continue;
      }
      if (!scores.defined() || scores.size(1) != len) {  // first and last (shorter) chunk
        scores = at::empty({batch * heads, len, nk}, q.options());  // [B*H, len, Nk]
        probs = at::empty_like(scores);
        block = at::empty({batch * heads, len, dim}, q.options());  // [B*H, len, D]
      }
      at::bmm_out(scores, qc, khT);
      applyCausalMask(scores, start, options.causal);
      at::_softmax_out(probs, scores, -1, /*half_to_float=*/false);
      at::bmm_out(block, probs, vh);
      out.narrow(1, start, len).copy_(block);
    }
  } else {
    // Other devices (and CPU float16): float32 softmax over chunks of at most maxScoreBytes.
    const at::Tensor qh = split(q, nq);
    const bool half = q.scalar_type() == at::kHalf || q.scalar_type() == at::kBFloat16;
    const int64_t bytesPerRow = batch * heads * nk * 4;
    const int64_t chunk =
        std::clamp<int64_t>(options.maxScoreBytes / std::max<int64_t>(bytesPerRow, 1), 1, nq);
    for (int64_t start = 0; start < nq; start += chunk) {
      const int64_t len = std::min(chunk, nq - start);
      at::Tensor scores = at::matmul(qh.narrow(1, start, len), khT);  // [B*H, len, Nk]
      if (half) scores = scores.to(at::kFloat);
      scores.mul_(scale);
      applyCausalMask(scores, start, options.causal);
      at::Tensor probs = at::softmax(scores, -1);
      if (half) probs = probs.to(q.scalar_type());
      out.narrow(1, start, len).copy_(at::matmul(probs, vh));  // [B*H, len, D]
    }
  }
  // [B*H,N,D] -> [B,N,H*D]
  return out.reshape({batch, heads, nq, dim}).permute({0, 2, 1, 3}).reshape({batch, nq, inner});
}

}  // namespace lienzo
