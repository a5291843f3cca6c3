// Tensors of a chunked prompt and A1111's emphasis (prompt weighting) on text-encoder output.
//
// Ref: A1111 modules/sd_emphasis.py EmphasisOriginal / EmphasisOriginalNoNorm, called from
// sd_hijack_clip.py process_tokens once per chunk.
// Thread-safe (pure functions). Failure: std::invalid_argument for mismatched shapes.
#pragma once

#include <ATen/core/Tensor.h>

#include "core/text/prompt_chunks.h"

namespace lienzo {

enum class EmphasisMode {
  Original,  ///< z * w, then rescale so the mean equals the unweighted mean (A1111 default)
  NoNorm,    ///< z * w only (A1111 "No norm")
  Ignore,    ///< weights ignored (A1111 "Ignore")
};

/// Token ids of all chunks: int64 [chunks, 77] (CPU).
at::Tensor chunkIds(const ChunkedPrompt& prompt);
/// Per-token weights of all chunks: float32 [chunks, 77] (CPU).
at::Tensor chunkWeights(const ChunkedPrompt& prompt);

/// Applies the weights to the encoder output of one prompt's chunks.
/// hidden [chunks, 77, D] (any floating dtype/device), weights [chunks, 77].
/// Original: per chunk c (A1111 normalises each chunk on its own):
///   mean0 = hidden[c].mean(); z = hidden[c] * weights[c].unsqueeze(-1); z *= mean0 / z.mean()
/// (skipped when z.mean() is exactly 0, where A1111 would produce NaN).
/// Computed in float32 on hidden's device; returned in hidden's dtype.
at::Tensor applyPromptWeights(const at::Tensor& hidden, const at::Tensor& weights,
                              EmphasisMode mode = EmphasisMode::Original);

}  // namespace lienzo
