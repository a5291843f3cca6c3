// Which model family a LoRA, embedding, VAE, ControlNet or checkpoint file is for — and, for
// folders without a category, what kind of file it is — from the safetensors header alone.
//
// Rules, strongest evidence first (the `basis` says which one decided):
//   1. key names that only one family has (checkpoints: core/io/checkpoint_family.h; LoRA:
//      `lora_te1_`/`lora_te2_`, `text_encoder_2.`, SDXL LDM U-Net names `lora_unet_input_blocks`
//      → SDXL; `double_blocks`/`single_blocks` → Flux; `joint_blocks` → SD3; embeddings:
//      `clip_l` + `clip_g` → SDXL);
//   2. widths: cross-attention context / text width 768 → SD 1.x, 1024 → SD 2.x, 2048 → SDXL
//      (embedding vectors: 768 → SD 1.x, 1024 → SD 2.x);
//   3. kohya metadata (`ss_base_model_version` sd_v1 / sd_v2 / sdxl_*, `ss_v2`);
//   4. an SD 1.x/2.x key layout whose width says neither (tiny test models): SD 1.x, with
//      `assumed` set and the width named in `basis`.
// VAEs of SD 1.x, 2.x and SDXL share one layout: the guess stays Unknown with a basis naming the
// latent channels (4 or 16).
// Thread-safe (pure functions).
#pragma once

#include "core/io/checkpoint_family.h"
#include "core/io/safetensors_header.h"
#include "core/library/library_layout.h"

#include <optional>
#include <string>

namespace lienzo {

struct FamilyGuess {
  ModelFamily family = ModelFamily::Unknown;
  std::string basis;     ///< why, for people: "keys lora_te1_/lora_te2_", "context width 768"
  bool assumed = false;  ///< rule 4: a default, not evidence
  /// familyName(), with " (assumed)" when assumed; "unknown" for Unknown.
  std::string label() const;
};

/// The family of a file of `category`.
FamilyGuess guessFamily(ModelCategory category, const SafetensorsHeader& header);

/// The kind of file a header describes (for folders without a category); std::nullopt when the
/// keys match none of the six.
std::optional<ModelCategory> classifyHeader(const SafetensorsHeader& header);

/// familyName() back to the enum ("SD 1.x" → SD1); std::nullopt for unknown text.
std::optional<ModelFamily> familyFromName(const std::string& name);

}  // namespace lienzo
