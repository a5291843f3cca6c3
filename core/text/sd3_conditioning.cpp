#include "core/text/sd3_conditioning.h"

#include "core/io/safetensors.h"
#include "core/model/layers.h"

#include <ATen/ATen.h>

#include <locale>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {

namespace {

constexpr int kContextLength = ClipTokenizer::kContextLength;  // 77
constexpr std::size_t kMaxWordLength = 8;  // SDTokenizer.max_word_length: longer words split

}  // namespace

// Ref: sd3.5 other_impls.py SDTokenizer.tokenize_with_weights (its first batch, the one
// ClipTokenWeightEncoder.encode_token_weights encodes).
std::vector<int64_t> sd3ClipIds(const ClipTokenizer& tokenizer, std::string_view prompt,
                                PadStyle style) {
  std::vector<int32_t> body;  // between BOS and EOS
  const std::size_t room = kContextLength - 2;
  for (const Sd3PromptSegment& word : sd3PromptWords(prompt)) {
    const std::vector<int32_t> group = tokenizer.encode(word.text);
    if (body.size() + group.size() > room) {
      // A long word fills the chunk; a short one moves whole to the next chunk (not encoded).
      if (group.size() >= kMaxWordLength)
        body.insert(body.end(), group.begin(), group.begin() + (room - body.size()));
      break;
    }
    body.insert(body.end(), group.begin(), group.end());
  }
  return tokenizer.layout(body, style, kContextLength);
}

PadStyle sd3PadStyle(Sd3ClipRole role) {
  return role == Sd3ClipRole::ClipL ? PadStyle::Sd1 : PadStyle::Sd2;
}

// ---- encoders -------------------------------------------------------------------------------

Sd3ClipEncoder::Sd3ClipEncoder(ClipTextModel model, at::Tensor projection, Sd3ClipRole role)
    : m_model(std::move(model)), m_projection(std::move(projection)), m_role(role) {}

// Ref: sd3.5 sd3_infer.py ClipL / ClipG (CLIPTextModel with projection, HF key names).
Sd3ClipEncoder Sd3ClipEncoder::load(const SafetensorsFile& file, const std::string& root,
                                    Sd3ClipRole role, c10::ScalarType dtype, c10::Device device,
                                    std::optional<int64_t> heads) {
  const std::string prefix = root + "text_model.";
  ClipTextConfig config = ClipTextConfig::fromWeights(file, prefix, heads);
  // HF files do not record the activation: ViT-L uses QuickGELU, OpenCLIP bigG the exact GELU.
  config.activation = role == Sd3ClipRole::ClipL ? ClipActivation::QuickGelu : ClipActivation::Gelu;
  ClipTextModel model(config);
  loadModuleWeights(*model, file, prefix, dtype, device);
  model->eval();
  at::Tensor projection;
  if (role == Sd3ClipRole::ClipG) {
    const std::string key = root + "text_projection.weight";
    if (!file.contains(key))
      throw std::invalid_argument(file.path().string() + ": CLIP-G without '" + key +
                                  "' (SD3 projects the CLIP-G pooled vector)");
    const auto& shape = file.info(key).shape;
    if (shape.size() != 2 || shape[1] != config.width)
      throw std::invalid_argument(file.path().string() + ": '" + key + "' must be [E, " +
                                  std::to_string(config.width) + "]");
    projection = file.load(key, dtype, device);  // [E,W]
  }
  return Sd3ClipEncoder(std::move(model), std::move(projection), role);
}

// Ref: sd3.5 other_impls.py SDClipModel.forward (layer "hidden", layer_idx -2,
// layer_norm_hidden_state False; CLIP-L return_projected_pooled False, CLIP-G True).
Sd3ClipOutput Sd3ClipEncoder::encode(const at::Tensor& ids) const {
  ClipTextModel model = m_model;  // the holder shares the module; forward only reads it
  const ClipTextOutput out = model->forward(ids);
  Sd3ClipOutput result;
  result.hidden = out.fromEnd(2);  // [B,N,W] penultimate layer, no final LayerNorm
  result.pooled = out.pooled;      // [B,W] final LN at the first EOS
  if (m_role == Sd3ClipRole::ClipG) result.pooled = at::linear(result.pooled, m_projection);
  return result;
}

Sd3ClipOutput Sd3ClipEncoder::encodePrompt(const ClipTokenizer& tokenizer,
                                           std::string_view prompt) const {
  const std::vector<int64_t> ids = sd3ClipIds(tokenizer, prompt, sd3PadStyle(m_role));
  return encode(at::tensor(ids, at::kLong).unsqueeze(0));  // [1,77]
}

// ---- assembly -------------------------------------------------------------------------------

// Ref: sd3.5 sd3_infer.py SD3Inferencer.get_cond.
Sd3TextConditioning buildSd3Conditioning(const Sd3ClipOutput& clipL, const Sd3ClipOutput& clipG,
                                         const at::Tensor& t5Hidden) {
  auto fail = [](const std::string& why) {
    throw std::invalid_argument("buildSd3Conditioning: " + why);
  };
  for (const auto* part : {&clipL, &clipG})
    if (!part->hidden.defined() || part->hidden.dim() != 3 || !part->pooled.defined() ||
        part->pooled.dim() != 2)
      fail("CLIP outputs must be hidden [B,N,W] and pooled [B,E]");
  if (!t5Hidden.defined() || t5Hidden.dim() != 3) fail("the T5 hidden state must be [B,L,W]");
  const int64_t batch = t5Hidden.size(0);
  if (clipL.hidden.size(0) != batch || clipG.hidden.size(0) != batch ||
      clipL.pooled.size(0) != batch || clipG.pooled.size(0) != batch)
    fail("CLIP-L, CLIP-G and T5 batches differ");
  if (clipL.hidden.size(1) != clipG.hidden.size(1)) fail("CLIP-L and CLIP-G lengths differ");
  const auto options = t5Hidden.options();
  const at::Tensor clip = at::cat({clipL.hidden.to(options), clipG.hidden.to(options)}, -1);
  const int64_t pad = t5Hidden.size(2) - clip.size(2);
  if (pad < 0)
    fail("CLIP-L + CLIP-G width " + std::to_string(clip.size(2)) + " exceeds the T5 width " +
         std::to_string(t5Hidden.size(2)));
  Sd3TextConditioning out;
  out.context = at::cat({at::constant_pad_nd(clip, {0, pad}), t5Hidden}, -2);  // [B,N+L,W_t5]
  out.pooled = at::cat({clipL.pooled.to(options), clipG.pooled.to(options)}, -1);
  return out;
}

}  // namespace lienzo
