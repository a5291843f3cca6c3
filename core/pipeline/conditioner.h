// Stage 1 of a generation: the prompt → text conditioning of a loaded model, per family (CLIP-L
// for SD 1.x, OpenCLIP-H for SD 2.x, both towers + size vector for SDXL, the built-in model's
// own encoder).
//
// Contract: the functions run on the calling thread under the caller's inference mode; they
// mutate nothing in the bundle, so any number of threads may encode at once. Failure:
// GenerationError(UnsupportedModel) for a bundle without the encoders the family needs; torch
// errors propagate.
#pragma once

#include "core/pipeline/model_bundle.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace lienzo {

/// Text conditioning of one prompt: cross-attention context and (SDXL) the vector `y`.
struct Conditioning {
  at::Tensor context;  ///< [1, 77*chunks, contextDim] in the bundle dtype
  at::Tensor pooled;   ///< [1, pooledDim] (SDXL bigG pooled), undefined otherwise
};

/// Tokenizes (A1111 prompt syntax, 75-token chunks, BREAK), encodes and weights one prompt.
/// clipSkip >= 1. Runs under inference mode.
Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt, int clipSkip);

/// SDXL text conditioning of token ids (no prompt parsing, no weights): idsL [n,77] (SD1 layout)
/// for CLIP-L, idsG [n,77] (SD2 layout) for bigG. context = [CLIP-L ‖ bigG] hidden states of
/// layer `clipSkip` + 1 from the end (1 = penultimate), no final norm → [n,77,dimL+dimG] float32;
/// pooled = bigG pooled output [n,embedG] float32. Ref: sgm GeneralConditioner.
Conditioning encodeSdxlTokens(const ModelBundle& bundle, const at::Tensor& idsL,
                              const at::Tensor& idsG, int clipSkip = 1);

/// SDXL micro-conditioning sizes in image pixels (sgm `original_size_as_tuple`,
/// `crop_coords_top_left`, `target_size_as_tuple`).
struct SdxlSizes {
  int64_t originalHeight = 1024, originalWidth = 1024;
  int64_t cropTop = 0, cropLeft = 0;
  int64_t targetHeight = 1024, targetWidth = 1024;
};

/// SDXL `y` = [pooled, emb(original h, w), emb(crop top, left), emb(target h, w)] → [n, adm],
/// each number through the 256-wide sinusoidal timestep embedding. pooled [n, embedG].
at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, const SdxlSizes& sizes);
/// txt2img defaults: original = target = (height, width) image pixels, crop (0, 0).
at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, int64_t height,
                      int64_t width);

}  // namespace lienzo
