#include "core/library/family_guess.h"

#include <array>

namespace lienzo {

std::string FamilyGuess::label() const {
  if (family == ModelFamily::Unknown) return "unknown";
  return std::string(familyName(family)) + (assumed ? " (assumed)" : "");
}

std::optional<ModelFamily> familyFromName(const std::string& name) {
  constexpr std::array<ModelFamily, 8> all{
      ModelFamily::Unknown,     ModelFamily::SD1, ModelFamily::SD2,  ModelFamily::SDXL,
      ModelFamily::SDXLRefiner, ModelFamily::SD3, ModelFamily::Flux, ModelFamily::LienzoBuiltin};
  for (const auto f : all)
    if (name == familyName(f)) return f;
  return std::nullopt;
}

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool anyKeyContains(const TensorShapes& t, const std::string& needle) {
  for (const auto& [name, shape] : t)
    if (name.find(needle) != std::string::npos) return true;
  return false;
}

/// The last dimension of the first key under `prefix` that contains `needle` and ends with
/// `suffix` (0 when none).
int64_t widthOf(const TensorShapes& t, const std::string& prefix, const std::string& needle,
                const std::string& suffix, std::size_t dim = 1) {
  for (auto it = t.lower_bound(prefix); it != t.end() && startsWith(it->first, prefix); ++it) {
    const auto& n = it->first;
    if (n.find(needle) == std::string::npos) continue;
    if (n.size() < suffix.size() || n.compare(n.size() - suffix.size(), suffix.size(), suffix))
      continue;
    if (it->second.size() > dim) return it->second[dim];
  }
  return 0;
}

FamilyGuess fromWidth(int64_t width, const std::string& what) {
  FamilyGuess g;
  if (width == 768) g.family = ModelFamily::SD1;
  if (width == 1024) g.family = ModelFamily::SD2;
  if (width == 2048) g.family = ModelFamily::SDXL;
  if (g.family != ModelFamily::Unknown) g.basis = what + " " + std::to_string(width);
  return g;
}

FamilyGuess fromKohyaMetadata(const std::map<std::string, std::string>& meta) {
  FamilyGuess g;
  const auto version = meta.find("ss_base_model_version");
  if (version != meta.end()) {
    const std::string& v = version->second;
    if (startsWith(v, "sdxl_")) g.family = ModelFamily::SDXL;
    if (startsWith(v, "sd_v1")) g.family = ModelFamily::SD1;
    if (startsWith(v, "sd_v2")) g.family = ModelFamily::SD2;
    if (startsWith(v, "sd3")) g.family = ModelFamily::SD3;
    if (startsWith(v, "flux")) g.family = ModelFamily::Flux;
    if (g.family != ModelFamily::Unknown) g.basis = "metadata ss_base_model_version=" + v;
    return g;
  }
  const auto v2 = meta.find("ss_v2");
  if (v2 != meta.end()) {
    g.family = v2->second == "True" ? ModelFamily::SD2 : ModelFamily::SD1;
    g.basis = "metadata ss_v2=" + v2->second;
  }
  return g;
}

FamilyGuess assumedSd1(int64_t width, const std::string& layout) {
  FamilyGuess g;
  g.family = ModelFamily::SD1;
  g.assumed = true;
  g.basis = layout + (width > 0 ? ", width " + std::to_string(width) + " is neither 768 nor 1024"
                                : ", no width to tell 1.x from 2.x");
  return g;
}

FamilyGuess guessLora(const SafetensorsHeader& header) {
  const TensorShapes t = header.shapes();
  FamilyGuess g;
  if (anyKeyStartsWith(t, "lora_te1_") || anyKeyStartsWith(t, "lora_te2_") ||
      anyKeyStartsWith(t, "text_encoder_2.")) {
    g.family = ModelFamily::SDXL;
    g.basis = "keys of two text encoders (lora_te1_/lora_te2_)";
    return g;
  }
  if (anyKeyStartsWith(t, "lora_unet_input_blocks") ||
      anyKeyStartsWith(t, "lora_unet_output_blocks") ||
      anyKeyStartsWith(t, "lora_unet_middle_block")) {
    g.family = ModelFamily::SDXL;
    g.basis = "SDXL U-Net names (lora_unet_input_blocks)";
    return g;
  }
  if (anyKeyContains(t, "double_blocks") || anyKeyContains(t, "single_blocks") ||
      anyKeyContains(t, "single_transformer_blocks")) {
    g.family = ModelFamily::Flux;
    g.basis = "Flux blocks (double_blocks/single_blocks)";
    return g;
  }
  if (anyKeyContains(t, "joint_blocks")) {
    g.family = ModelFamily::SD3;
    g.basis = "MMDiT joint_blocks";
    return g;
  }
  // Cross-attention key/value projections take the context: their input width tells the family.
  // kohya: lora_unet_..._attn2_to_k.lora_down.weight [r, ctx]; PEFT: unet....attn2.to_k.lora_A.
  int64_t width = widthOf(t, "lora_unet_", "attn2_to_k", ".lora_down.weight");
  if (width == 0) width = widthOf(t, "unet.", "attn2.to_k", ".lora_A.weight");
  if (width == 0) width = widthOf(t, "lora_unet_", "attn2_to_k", ".hada_w1_b");
  const std::string ctxWhat = "cross-attention context width";
  if (auto w = fromWidth(width, ctxWhat); w.family != ModelFamily::Unknown) return w;
  // Text-encoder widths: the q projection's input is the hidden width.
  int64_t teWidth = widthOf(t, "lora_te_", "self_attn_q_proj", ".lora_down.weight");
  if (teWidth == 0) teWidth = widthOf(t, "text_encoder.", "self_attn.q_proj", ".lora_A.weight");
  if (auto w = fromWidth(teWidth, "text-encoder width");
      w.family == ModelFamily::SD1 || w.family == ModelFamily::SD2)
    return w;
  if (auto m = fromKohyaMetadata(header.metadata); m.family != ModelFamily::Unknown) return m;
  const bool sdLayout =
      anyKeyStartsWith(t, "lora_te_") || anyKeyStartsWith(t, "text_encoder.") ||
      anyKeyStartsWith(t, "lora_unet_down_blocks") || anyKeyStartsWith(t, "lora_unet_up_blocks") ||
      anyKeyStartsWith(t, "unet.down_blocks") || anyKeyStartsWith(t, "unet.up_blocks");
  if (sdLayout) return assumedSd1(width > 0 ? width : teWidth, "SD 1.x/2.x key layout");
  g.basis = "no known LoRA key layout";
  return g;
}

FamilyGuess guessEmbedding(const SafetensorsHeader& header) {
  const TensorShapes t = header.shapes();
  FamilyGuess g;
  if (t.count("clip_l") && t.count("clip_g")) {
    g.family = ModelFamily::SDXL;
    g.basis = "clip_l + clip_g vectors";
    return g;
  }
  // A1111 saves `emb_params`; converted .pt files keep `string_to_param.*`; some have one tensor.
  const std::vector<int64_t>* shape = nullptr;
  if (t.count("emb_params")) shape = &t.at("emb_params");
  if (!shape && t.size() == 1) shape = &t.begin()->second;
  if (!shape)
    for (const auto& [name, s] : t)
      if (startsWith(name, "string_to_param")) shape = &s;
  if (!shape || shape->empty()) {
    g.basis = "no embedding vectors (emb_params, clip_l/clip_g)";
    return g;
  }
  const int64_t width = shape->back();
  if (auto w = fromWidth(width, "vector width");
      w.family == ModelFamily::SD1 || w.family == ModelFamily::SD2)
    return w;
  return assumedSd1(width, "single-encoder embedding");
}

FamilyGuess guessVae(const SafetensorsHeader& header) {
  const TensorShapes t = header.shapes();
  FamilyGuess g;
  for (const char* key : {"decoder.conv_in.weight", "first_stage_model.decoder.conv_in.weight",
                          "vae.decoder.conv_in.weight"}) {
    const auto it = t.find(key);
    if (it == t.end() || it->second.size() != 4) continue;
    const int64_t z = it->second[1];
    g.basis = std::to_string(z) + "-channel latent VAE";
    if (z == 4) g.basis += " (SD 1.x, 2.x and SDXL VAEs share this layout)";
    if (z == 16) g.basis += " (SD3 / Flux)";
    return g;
  }
  g.basis = "no decoder.conv_in";
  return g;
}

/// TAESD (core/model/taesd.h layouts): the latent width from the decoder's first conv or the
/// encoder's last. taesd and taesdxl files have the same shapes: the family is not knowable.
FamilyGuess guessVaeApprox(const SafetensorsHeader& header) {
  const TensorShapes t = header.shapes();
  FamilyGuess g;
  for (const char* key : {"decoder.layers.0.weight", "decoder.1.weight", "1.weight"}) {
    const auto it = t.find(key);
    if (it == t.end() || it->second.size() != 4) continue;
    g.basis = "TAESD decoder, " + std::to_string(it->second[1]) + "-channel latent";
    return g;
  }
  for (const char* key : {"encoder.layers.14.weight", "encoder.14.weight", "14.weight"}) {
    const auto it = t.find(key);
    if (it == t.end() || it->second.size() != 4) continue;
    g.basis = "TAESD encoder, " + std::to_string(it->second[0]) + "-channel latent";
    return g;
  }
  g.basis = "no TAESD keys";
  return g;
}

FamilyGuess guessControlNet(const SafetensorsHeader& header) {
  const TensorShapes t = header.shapes();
  FamilyGuess g;
  if (anyKeyStartsWith(t, "control_model.label_emb") || anyKeyStartsWith(t, "add_embedding.")) {
    g.family = ModelFamily::SDXL;
    g.basis = "vector conditioning (label_emb / add_embedding)";
    return g;
  }
  int64_t width = widthOf(t, "control_model.", "attn2.to_k", ".weight");
  if (width == 0) width = widthOf(t, "down_blocks.", "attn2.to_k", ".weight");
  if (width == 0) width = widthOf(t, "input_blocks.", "attn2.to_k", ".weight");
  if (auto w = fromWidth(width, "cross-attention context width"); w.family != ModelFamily::Unknown)
    return w;
  if (anyKeyStartsWith(t, "control_model.") || anyKeyStartsWith(t, "controlnet_cond_embedding."))
    return assumedSd1(width, "SD ControlNet layout");
  g.basis = "no known ControlNet key layout";
  return g;
}

}  // namespace

FamilyGuess guessFamily(ModelCategory category, const SafetensorsHeader& header) {
  switch (category) {
    case ModelCategory::Checkpoint: {
      FamilyGuess g;
      bool unetOnly = false;
      g.family = detectCheckpointFamily(header.shapes(), header.metadata, &unetOnly);
      g.basis = unetOnly ? "U-Net layout (no text encoder inside)" : "checkpoint key layout";
      return g;
    }
    case ModelCategory::Lora:
      return guessLora(header);
    case ModelCategory::Embedding:
      return guessEmbedding(header);
    case ModelCategory::Vae:
      return guessVae(header);
    case ModelCategory::ControlNet:
      return guessControlNet(header);
    case ModelCategory::VaeApprox:
      return guessVaeApprox(header);
  }
  return {};
}

std::optional<ModelCategory> classifyHeader(const SafetensorsHeader& header) {
  const TensorShapes t = header.shapes();
  if (anyKeyStartsWith(t, "model.diffusion_model.") || anyKeyStartsWith(t, "double_blocks.") ||
      header.metadata.count("lienzo.model"))
    return ModelCategory::Checkpoint;
  if (anyKeyStartsWith(t, "control_model.") || anyKeyStartsWith(t, "controlnet_cond_embedding."))
    return ModelCategory::ControlNet;
  for (const auto& [name, shape] : t)
    if (startsWith(name, "lora_") || name.find(".lora_down.") != std::string::npos ||
        name.find(".lora_A.") != std::string::npos ||
        name.find(".hada_w1_a") != std::string::npos || name.find(".lokr_w1") != std::string::npos)
      return ModelCategory::Lora;
  if (t.count("emb_params") || (t.count("clip_l") && t.count("clip_g")) ||
      anyKeyStartsWith(t, "string_to_param"))
    return ModelCategory::Embedding;
  if (anyKeyStartsWith(t, "decoder.conv_in.") || anyKeyStartsWith(t, "encoder.conv_in."))
    return ModelCategory::Vae;
  // TAESD: diffusers AutoencoderTiny, the reference module, or a one-part original file.
  if (t.count("decoder.layers.0.weight") || t.count("encoder.layers.0.weight") ||
      (t.count("decoder.1.weight") && t.count("decoder.3.conv.0.weight")) ||
      (t.count("1.weight") && t.count("3.conv.0.weight")) ||
      (t.count("0.weight") && t.count("1.conv.0.weight")))
    return ModelCategory::VaeApprox;
  return std::nullopt;
}

}  // namespace lienzo
