#include "core/model/attention.h"

#include <ATen/ATen.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace lienzo {

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
  const at::Tensor qh = split(q, nq);
  const at::Tensor kh = split(k, nk);
  const at::Tensor vh = split(v, nk);
  const bool half = q.scalar_type() == at::kHalf || q.scalar_type() == at::kBFloat16;

  // Chunk the queries so that one [B*H, chunk, Nk] float32 score block stays under the budget.
  const int64_t bytesPerRow = batch * heads * nk * 4;
  const int64_t chunk =
      std::clamp<int64_t>(options.maxScoreBytes / std::max<int64_t>(bytesPerRow, 1), 1, nq);

  at::Tensor out = at::empty({batch * heads, nq, dim}, q.options());
  const at::Tensor khT = kh.transpose(1, 2);  // [B*H, D, Nk]
  for (int64_t start = 0; start < nq; start += chunk) {
    const int64_t len = std::min(chunk, nq - start);
    const at::Tensor qc = qh.narrow(1, start, len);  // [B*H, len, D]
    at::Tensor scores = at::matmul(qc, khT);         // [B*H, len, Nk]
    if (half) scores = scores.to(at::kFloat);
    scores.mul_(scale);
    if (options.causal) {
      // Mask key j > query i (absolute positions start + row).
      const auto idx = at::TensorOptions().dtype(at::kLong).device(scores.device());
      const auto rows = at::arange(start, start + len, idx).unsqueeze(1);
      const auto cols = at::arange(nk, idx).unsqueeze(0);
      scores.masked_fill_(cols.gt(rows), -std::numeric_limits<float>::infinity());
    }
    at::Tensor probs = at::softmax(scores, -1);
    if (half) probs = probs.to(q.scalar_type());
    out.narrow(1, start, len).copy_(at::matmul(probs, vh));  // [B*H, len, D]
  }
  // [B*H,N,D] -> [B,N,H*D]
  return out.reshape({batch, heads, nq, dim}).permute({0, 2, 1, 3}).reshape({batch, nq, inner});
}

}  // namespace lienzo
