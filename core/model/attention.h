// Multi-head scaled dot-product attention shared by the text encoders, U-Net and VAE.
//
// Contract: q [B, Nq, H*D], k and v [B, Nk, H*D] (same dtype and device) → [B, Nq, H*D] with
// softmax(q kᵀ · scale) v per head, scale = D^-0.5 unless given. `causal` masks key j > query i
// (text encoders). Memory: never materialises more than a bounded slice of the [B,H,Nq,Nk] score
// tensor (queries are processed in chunks), so 4096-token U-Net attention stays small.
// Softmax runs in float32 for half inputs. Pure function; thread-safe.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>

namespace lienzo {

struct AttentionOptions {
  int64_t heads = 1;
  bool causal = false;
  std::optional<double> scale;          ///< default D^-0.5
  int64_t maxScoreBytes = 256ll << 20;  ///< chunk queries so scores stay under this
};

at::Tensor multiHeadAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                              const AttentionOptions& options);

}  // namespace lienzo
