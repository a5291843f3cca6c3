// Prompt → cross-attention context (and SDXL pooled vector), per model family.
// Ref: A1111 modules/sd_hijack_clip.py (chunks of 75 tokens, emphasis with mean restoration,
// CLIP skip), sgm/modules/encoders/modules.py GeneralConditioner (SDXL: CLIP-L penultimate ‖
// bigG penultimate, bigG pooled), ldm FrozenOpenCLIPEmbedder (SD2: ln_final(penultimate)).
#include "core/pipeline/conditioner.h"

#include "core/model/unet_blocks.h"
#include "core/pipeline/builtin_model.h"
#include "core/text/prompt_chunks.h"
#include "core/text/prompt_weights.h"

#include <ATen/ATen.h>

namespace lienzo {
namespace {

/// [chunks,77,D] weighted, then flattened to one sequence [1, chunks*77, D].
at::Tensor weightAndFlatten(const at::Tensor& hidden, const at::Tensor& weights) {
  const auto weighted = applyPromptWeights(hidden.to(at::kFloat), weights);  // [n,77,D] float32
  return weighted.reshape({1, -1, weighted.size(-1)});
}

}  // namespace

Conditioning encodeSdxlTokens(const ModelBundle& bundle, const at::Tensor& idsL,
                              const at::Tensor& idsG, int clipSkip) {
  if (bundle.family != ModelFamily::SDXL || bundle.clip.is_empty() || bundle.openClip.is_empty())
    throw GenerationError(GenerationError::Code::UnsupportedModel,
                          "SDXL conditioning needs both SDXL text encoders");
  ClipTextModel clip = bundle.clip;
  OpenClipTextModel openClip = bundle.openClip;
  const int64_t fromEnd = 1 + clipSkip;  // SDXL: penultimate layer, no final norm
  const auto l = clip->forward(idsL.to(bundle.device)).fromEnd(fromEnd);  // [n,77,dimL]
  const auto g = openClip->forward(idsG.to(bundle.device));               // full pass (pooled)
  Conditioning out;
  out.context = at::cat({l.to(at::kFloat), g.fromEnd(fromEnd).to(at::kFloat)}, -1);  // [n,77,L+G]
  out.pooled = g.pooled.to(at::kFloat);  // [n,embedG] = ln_final(last)[eot] @ text_projection
  return out;
}

Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt, int clipSkip) {
  Conditioning out;
  const auto& tok = *bundle.tokenizer;
  // Module holders share the (read-only) networks; forward() is not const in libtorch.
  ClipTextModel clip = bundle.clip;
  OpenClipTextModel openClip = bundle.openClip;
  switch (bundle.family) {
    case ModelFamily::SD1: {
      const ChunkedPrompt chunks = tokenizePrompt(tok, prompt, {PadStyle::Sd1});
      const auto ids = chunkIds(chunks).to(bundle.device);          // [n,77]
      const auto hidden = clip->encodeWithClipSkip(ids, clipSkip);  // [n,77,D]
      out.context = weightAndFlatten(hidden, chunkWeights(chunks)).to(bundle.dtype);
      break;
    }
    case ModelFamily::SD2: {
      const ChunkedPrompt chunks = tokenizePrompt(tok, prompt, {PadStyle::Sd2});
      const auto ids = chunkIds(chunks).to(bundle.device);
      auto& model = *openClip;
      // SD2 uses the penultimate layer; CLIP skip N moves N-1 layers further up. A diffusers
      // folder's tower already lacks the last layer (textLayersDropped).
      const int64_t fromEnd = 1 + clipSkip - bundle.textLayersDropped;
      const auto result = model.forward(ids, model.config().layers - fromEnd + 1);
      const auto hidden = model.lnFinal(result.hiddenStates.back());  // [n,77,D]
      out.context = weightAndFlatten(hidden, chunkWeights(chunks)).to(bundle.dtype);
      break;
    }
    case ModelFamily::SDXL: {
      const ChunkedPrompt chunksL = tokenizePrompt(tok, prompt, {PadStyle::Sd1});
      const ChunkedPrompt chunksG = tokenizePrompt(tok, prompt, {PadStyle::Sd2});
      const Conditioning raw =
          encodeSdxlTokens(bundle, chunkIds(chunksL), chunkIds(chunksG), clipSkip);
      const int64_t dimL = clip->config().width;
      const auto l = raw.context.narrow(-1, 0, dimL);                            // [n,77,dimL]
      const auto g = raw.context.narrow(-1, dimL, raw.context.size(-1) - dimL);  // [n,77,dimG]
      out.context = at::cat({weightAndFlatten(l, chunkWeights(chunksL)),
                             weightAndFlatten(g, chunkWeights(chunksG))},
                            -1)
                        .to(bundle.dtype);      // [1,n*77,dimL+dimG]
      out.pooled = raw.pooled.narrow(0, 0, 1);  // first chunk's pooled output [1,embedG]
      break;
    }
    case ModelFamily::LienzoBuiltin:  // SentencePiece + own text encoder (builtin_model.h)
      return encodeBuiltinPrompt(bundle, prompt);
    default:
      throw GenerationError(GenerationError::Code::UnsupportedModel,
                            "no text conditioner for this model family");
  }
  return out;
}

at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, const SdxlSizes& sizes) {
  // Ref: sgm/modules/encoders/modules.py ConcatTimestepEmbedderND (outdim 256 per number, the
  // U-Net's cos-first sinusoidal embedding), in the GeneralConditioner's embedder order.
  const auto opts = at::TensorOptions().dtype(at::kFloat);
  const auto numbers =
      at::tensor({static_cast<float>(sizes.originalHeight), static_cast<float>(sizes.originalWidth),
                  static_cast<float>(sizes.cropTop), static_cast<float>(sizes.cropLeft),
                  static_cast<float>(sizes.targetHeight), static_cast<float>(sizes.targetWidth)},
                 opts);                                                    // [6]
  const auto emb = timestepEmbedding(numbers, 256).reshape({1, 6 * 256});  // [1,1536]
  const auto p = pooled.to(at::kCPU, at::kFloat);                          // [n,embedG]
  return at::cat({p, emb.expand({p.size(0), emb.size(1)})}, 1)             // [n,embedG+1536]
      .to(bundle.device, bundle.dtype);
}

at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, int64_t height,
                      int64_t width) {
  SdxlSizes sizes;  // txt2img: no resize, no crop
  sizes.originalHeight = sizes.targetHeight = height;
  sizes.originalWidth = sizes.targetWidth = width;
  return sdxlVector(bundle, pooled, sizes);
}

}  // namespace lienzo
