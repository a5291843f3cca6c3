#include "core/text/flux_clip.h"

#include <ATen/ATen.h>

#include <vector>

namespace lienzo {

// Ref: flux/modules/conditioner.py HFEmbedder.forward (padding "max_length", max_length 77,
// truncation): the same layout as SD1's CLIP-L window, padded with the end token.
at::Tensor fluxClipIds(const ClipTokenizer& tokenizer, const std::string& prompt) {
  std::vector<int64_t> ids =
      tokenizer.encodePadded(prompt, PadStyle::Sd1, ClipTokenizer::kContextLength);
  const auto n = static_cast<int64_t>(ids.size());
  return at::tensor(ids, at::kLong).reshape({1, n});
}

at::Tensor fluxClipPooled(ClipTextModel& model, const at::Tensor& ids) {
  // pooled = final_layer_norm(last layer) at the first end token (ClipTextOutput::pooled)
  return model->forward(ids).pooled;
}

at::Tensor fluxClipPooled(const ClipTokenizer& tokenizer, ClipTextModel& model,
                          const std::string& prompt) {
  return fluxClipPooled(model, fluxClipIds(tokenizer, prompt));
}

}  // namespace lienzo
