// SD3 / SD3.5 text conditioning as the reference builds it (Stability-AI/sd3.5 sd3_infer.py
// SD3Inferencer.get_cond, other_impls.py SD3Tokenizer / SDTokenizer / SDClipModel / SDXLClipG):
//
//   prompt ── sd3PromptWords ── CLIP BPE per word ── sd3ClipIds ──┬─ CLIP-L (pad 49407) ─┐
//                                                                 └─ CLIP-G (pad 0) ─────┤
//   T5 last hidden state [B, L_t5, W_t5] (an input here: the T5 encoder is its own part) ─┤
//                                                                    buildSd3Conditioning ┘
//   context = cat(pad(cat(L.hidden, G.hidden, -1), to W_t5 with zeros), t5, dim -2)
//             → [B, 77 + L_t5, W_t5]  (real models: [1, 154, 4096])
//   pooled  = cat(L.pooled, G.pooled, -1) → [B, W_L + E_G]  (real: 2048)
//
// Encoders (both HF CLIPTextModelWithProjection files: `text_model.*` + `text_projection.weight`):
// - CLIP-L: hidden = output of the penultimate layer (HF hidden_states[-2]) WITHOUT the final
//   LayerNorm; pooled = final_layer_norm(last layer) at the first EOS, UNPROJECTED (the
//   reference's return_projected_pooled=False; diffusers projects it — a known disagreement).
//   QuickGELU.
// - CLIP-G (bigG): hidden the same (penultimate, no final LN); pooled PROJECTED:
//   pooled · text_projectionᵀ. Exact GELU.
//
// Tokens (SDTokenizer.tokenize_with_weights): `\(` / `\)` are literal parentheses, `(…)` and
// `(…:w)` groups lose their parentheses and weight (SD3's reference ignores weights), each
// segment has '\n' turned into ' ' and is split on ' ', every non-empty word is BPE-encoded
// separately; [BOS] + ids + [EOS] padded to 77 with 49407 (CLIP-L) or 0 (CLIP-G). Only the first
// 77-token chunk is encoded: words are packed whole into it (a word of 8+ tokens is split to fill
// it), the rest of the prompt is dropped.
//
// Contract: Sd3ClipEncoder is immutable after load(); encode() only reads the weights, so any
// number of threads may call it at once (under the caller's c10::InferenceMode). Failure:
// std::invalid_argument for bad ids / shapes / a file without the expected tensors (the message
// names the file and key); loadModuleWeights' std::runtime_error for shape mismatches.
#pragma once

#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "core/text/sd3_prompt.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lienzo {

class SafetensorsFile;

/// 77 CLIP ids of `prompt` for SD3: PadStyle::Sd1 for CLIP-L (pad 49407), PadStyle::Sd2 for
/// CLIP-G (pad 0). See the file comment for the packing of long prompts.
std::vector<int64_t> sd3ClipIds(const ClipTokenizer& tokenizer, std::string_view prompt,
                                PadStyle style);

enum class Sd3ClipRole {
  ClipL,  ///< CLIP ViT-L/14: QuickGELU, pooled unprojected, ids padded with EOS
  ClipG,  ///< OpenCLIP bigG/14 in HF layout: GELU, pooled projected, ids padded with 0
};

/// The PadStyle of a role's token ids.
PadStyle sd3PadStyle(Sd3ClipRole role);

struct Sd3ClipOutput {
  at::Tensor hidden;  ///< [B,77,W] penultimate layer, no final LayerNorm
  at::Tensor pooled;  ///< [B,W] (CLIP-L) or [B,E] projected (CLIP-G)
};

class Sd3ClipEncoder {
 public:
  /// Loads `root + "text_model.*"` (ClipTextConfig::fromWeights; `heads` overrides width/64) and,
  /// for CLIP-G, `root + "text_projection.weight"` [E,W], in `dtype` on `device`. `root` is ""
  /// for clip_l.safetensors / clip_g.safetensors and "text_encoders.clip_l.transformer." (…
  /// clip_g …) in all-in-one SD3.5 files.
  static Sd3ClipEncoder load(const SafetensorsFile& file, const std::string& root, Sd3ClipRole role,
                             c10::ScalarType dtype, c10::Device device = c10::Device(c10::kCPU),
                             std::optional<int64_t> heads = std::nullopt);

  /// ids [B,77] (sd3ClipIds of this role) → hidden and pooled in the model's dtype/device.
  Sd3ClipOutput encode(const at::Tensor& ids) const;
  /// sd3ClipIds(tokenizer, prompt, sd3PadStyle(role)) as a [1,77] int64 tensor, encoded.
  Sd3ClipOutput encodePrompt(const ClipTokenizer& tokenizer, std::string_view prompt) const;

  Sd3ClipRole role() const { return m_role; }
  const ClipTextModel& model() const { return m_model; }

 private:
  Sd3ClipEncoder(ClipTextModel model, at::Tensor projection, Sd3ClipRole role);
  ClipTextModel m_model;
  at::Tensor m_projection;  ///< [E,W] (CLIP-G only)
  Sd3ClipRole m_role;
};

struct Sd3TextConditioning {
  at::Tensor context;  ///< [B, 77 + L_t5, W_t5]
  at::Tensor pooled;   ///< [B, W_L + E_G]
};

/// Assembles context and pooled (file comment) from the two CLIP outputs and the T5 last hidden
/// state [B,L_t5,W_t5], in t5Hidden's dtype on its device. Throws std::invalid_argument when the
/// batches or CLIP lengths differ or W_L + W_G > W_t5.
Sd3TextConditioning buildSd3Conditioning(const Sd3ClipOutput& clipL, const Sd3ClipOutput& clipG,
                                         const at::Tensor& t5Hidden);

}  // namespace lienzo
