// Flux.1's CLIP-L conditioning: the pooled vector `y` of the transformer (core/model/flux.h).
// Flux uses only CLIP-L's `pooler_output` (the final-LayerNorm feature at the first end token,
// *unprojected*: text_projection is not applied) of one 77-token window
// [49406] + bpe[:75] + [49407], padded with 49407 (HF CLIPTokenizer, max_length 77, truncation;
// no A1111 prompt syntax, no chunking, no CLIP skip).
//
// Ref: black-forest-labs/flux src/flux/modules/conditioner.py HFEmbedder (is_clip: max_length 77,
// output_key "pooler_output"), src/flux/util.py load_clip; HF CLIPTextTransformer pooled output.
//
// Contract: the tokenizer and model are the project's (core/text/clip_tokenizer.h,
// clip_text_model.h) and are only read, so calls may run concurrently on one model (under
// c10::InferenceMode). Failure: as ClipTextModelImpl::forward (std::invalid_argument for ids the
// model cannot take, e.g. a model with fewer than 77 positions).
#pragma once

#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"

#include <ATen/core/Tensor.h>

#include <string>

namespace lienzo {

/// The prompt's 77 CLIP ids [1, 77] int64 on the CPU (layout above).
at::Tensor fluxClipIds(const ClipTokenizer& tokenizer, const std::string& prompt);

/// pooler_output of ids [B, 77] → [B, width] in the model's dtype on its device.
at::Tensor fluxClipPooled(ClipTextModel& model, const at::Tensor& ids);

/// fluxClipPooled(model, fluxClipIds(tokenizer, prompt)) → [1, width].
at::Tensor fluxClipPooled(const ClipTokenizer& tokenizer, ClipTextModel& model,
                          const std::string& prompt);

}  // namespace lienzo
