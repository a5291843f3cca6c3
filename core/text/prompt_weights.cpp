#include "core/text/prompt_weights.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace lienzo {
namespace {

constexpr int64_t kTokens = ClipTokenizer::kContextLength;

std::string shapeString(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? "," : "") + std::to_string(t.size(d));
  return s + "]";
}

}  // namespace

at::Tensor chunkIds(const ChunkedPrompt& prompt) {
  const auto n = static_cast<int64_t>(prompt.chunks.size());
  at::Tensor ids = at::empty({n, kTokens}, at::TensorOptions().dtype(at::kLong));  // [chunks,77]
  int64_t* data = ids.data_ptr<int64_t>();
  for (int64_t c = 0; c < n; ++c) {
    std::copy(prompt.chunks[c].ids.begin(), prompt.chunks[c].ids.end(), data + c * kTokens);
  }
  return ids;
}

at::Tensor chunkWeights(const ChunkedPrompt& prompt) {
  const auto n = static_cast<int64_t>(prompt.chunks.size());
  at::Tensor w = at::empty({n, kTokens}, at::TensorOptions().dtype(at::kFloat));  // [chunks,77]
  float* data = w.data_ptr<float>();
  for (int64_t c = 0; c < n; ++c) {
    std::copy(prompt.chunks[c].weights.begin(), prompt.chunks[c].weights.end(), data + c * kTokens);
  }
  return w;
}

// Ref: A1111 modules/sd_emphasis.py EmphasisOriginal.after_transformers.
at::Tensor applyPromptWeights(const at::Tensor& hidden, const at::Tensor& weights,
                              EmphasisMode mode) {
  if (hidden.dim() != 3 || weights.dim() != 2 || hidden.size(0) != weights.size(0) ||
      hidden.size(1) != weights.size(1)) {
    throw std::invalid_argument(
        "applyPromptWeights: expected hidden [chunks,T,D] and weights "
        "[chunks,T], got " +
        shapeString(hidden) + " and " + shapeString(weights));
  }
  if (mode == EmphasisMode::Ignore) return hidden;
  const at::Tensor z0 = hidden.to(at::kFloat);                                 // [N,T,D]
  const at::Tensor w = weights.to(hidden.device(), at::kFloat).unsqueeze(-1);  // [N,T,1]
  at::Tensor z = z0 * w;                                                       // [N,T,D]
  if (mode == EmphasisMode::Original) {
    const at::Tensor originalMean = z0.mean({1, 2}, /*keepdim=*/true);  // [N,1,1]
    const at::Tensor newMean = z.mean({1, 2}, /*keepdim=*/true);        // [N,1,1]
    const at::Tensor scale =
        at::where(newMean == 0, at::ones_like(newMean), originalMean / newMean);
    z = z * scale;
  }
  return z.to(hidden.scalar_type());
}

}  // namespace lienzo
