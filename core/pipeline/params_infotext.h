// GenerationParams <-> A1111 infotext (the `parameters` text every saved image carries).
//
// Contract: toInfotext() writes A1111's key order (Steps, Sampler, Schedule type, CFG scale,
// Seed, Size, Model hash, Model, [Denoising strength, Conditional mask weight], Clip skip, RNG,
// [edit, hires keys, Lora hashes, TI hashes, tiling], Version) with the params' *actual* seed. A
// txt2img request without hires fix or explicit VAE tiling gets exactly the keys it always had.
// applyInfotext() restores what the text carries onto `base` and leaves the other fields as they
// are; unknown keys are ignored and unparsable values are skipped (listed in `skipped`), never
// fatal — a PNG from another tool restores what it can. Sampler and schedule names are resolved to
// their canonical spelling (core/sampling/sampler_names.h): aliases ("k_euler_a" -> "Euler a",
// "Normal" -> "Uniform"), and old A1111 names such as "DPM++ 2M Karras" are split into sampler
// "DPM++ 2M" + schedule "Karras"; names Lienzo does not know are kept as written. Thread-safe.
//
// Edit and hires keys (A1111 spelling and values where A1111 has the key; written only when
// they apply). Pictures (init image, mask) are never in the text: a caller that restores an
// img2img text supplies the picture itself.
//   Denoising strength       edit.strength for an edit, else hires.denoise for a hires request
//   Conditional mask weight  edit.maskWeight, inpainting with a weight other than 1
//   Mask mode                "Inpaint not masked" when a mask is inverted
//   Mask blur                inpainting (also 0, which A1111 leaves out)
//   Inpaint area             "Only masked", with Masked area padding (px); A1111 writes nothing
//                            for "Whole picture"
//   Masked content           "fill" | "latent noise" | "latent nothing" (nothing = "original")
//   Hires sampler / Hires prompt / Hires negative prompt   when set and unlike the first pass's
//   Hires upscale | Hires resize ("WxH", wins when both are set)   Hires steps (> 0)
//   Hires upscaler           always with hires; names outside hiresUpscalers() are skipped on
//                            reading (e.g. A1111's "R-ESRGAN 4x+"), the base's kept
// Lienzo's own keys (A1111 ignores them):
//   Resize mode              "Crop and resize" | "Resize and fill" (not for "Just resize")
//   Img2img steps            "fixed" when edit.fixedSteps (ComfyUI / A1111 img2img_fix_steps)
//   Outpaint                 "L,T,R,B" margins in px, with Outpaint fill ("stretch" | "neutral")
//                            and Outpaint feather (px)
//   Hires denoising strength hires.denoise when an edit request also has a hires pass
//   VAE tiling               "on" | "off" (nothing for "auto")
//   VAE Decoder              "TAESD" for a fast decode (A1111's sd_vae_decode_method infotext;
//                            nothing for the full VAE, "Full" reads back as such)
// Flow-model keys (written when the model has the fact; Forge's spelling where it has one):
//   Distilled CFG Scale      GenerationParams::guidance, else the model's default, for models
//                            with a guidance input (Flux dev; Forge's key). Also read: "Distilled
//                            CFG", "Flux guidance" (not a bare "Guidance": a CFG scale elsewhere).
//                            Absent on reading: unset (the model's default).
//   Shift                    SD3's constant flow shift (Forge's key for SD3)
//   Base shift, Max shift    Flux dev's resolution-dependent shift (ComfyUI ModelSamplingFlux's
//                            base_shift / max_shift)
//   T5 length                the T5 token length the prompt was encoded at (Flux dev 512,
//                            schnell 256); also read: "T5 max length", "Max sequence length"
//   The last three are facts of the model, not parameters: they are read back into
//   RestoredParams for the caller to compare with the loaded model.
// ControlNet units: "ControlNet 0", "ControlNet 1", … after "TI hashes" in sd-webui-controlnet's
// format (control_infotext.h). On reading, the text's units replace the base's (keeping a base
// unit's picture at the same index); without such keys the base's units stay.
// Absence on reading: no hires key (Hires upscale/resize/upscaler/steps) turns hires off; with
// one, unset hires sampler/prompts mean "same as the first pass" and scale defaults to A1111's 2.
// An img2img text (a Denoising strength that is not the hires pass's) resets the edit options A1111
// leaves out to their defaults: not inverted, whole picture, original content, mask weight 1,
// Just resize, A1111 (not fixed) steps, no outpaint margins. Mask blur, padding and VAE tiling
// keep the base's value when absent; no VAE Decoder means the full VAE (fastDecode off).
#pragma once

#include "core/io/infotext.h"
#include "core/pipeline/pipeline.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

/// The networks a request used, as A1111 writes them: "Lora hashes" and "TI hashes" are
/// `"name: shorthash, name: shorthash"` (name = file stem, shorthash = A1111's: the first 12 hex
/// digits of a LoRA's addnet hash (adapter_file.h) or of an embedding file's SHA-256), in the
/// order the networks were applied.
struct NetworkHashes {
  std::vector<std::pair<std::string, std::string>> loras;       ///< (name, shorthash)
  std::vector<std::pair<std::string, std::string>> embeddings;  ///< (name, shorthash)
  bool empty() const { return loras.empty() && embeddings.empty(); }
};

/// `networks`: written after the edit and hires keys, as A1111 does ("Lora hashes", then "TI
/// hashes").
Infotext toInfotext(const GenerationParams& params, const ModelDescription* model = nullptr,
                    const NetworkHashes* networks = nullptr);

/// Parses one "Lora hashes" / "TI hashes" value; malformed entries are left out.
std::vector<std::pair<std::string, std::string>> parseNetworkHashes(const std::string& value);

struct RestoredParams {
  GenerationParams params;
  std::string modelName;             ///< "Model" field, if any
  std::string modelHash;             ///< "Model hash" field, if any
  std::vector<std::string> skipped;  ///< "Key: value" pairs that could not be applied
  /// "Lora hashes" / "TI hashes": a restorer finds each file by hash when its name changed.
  NetworkHashes networks;
  /// The flow-model facts the picture was made with ("Shift", "Base shift" + "Max shift", "T5
  /// length"), as ModelDescription states them; unset when the text has none.
  std::optional<double> flowShift;
  std::optional<std::pair<double, double>> flowResolutionShift;
  std::optional<int> t5Length;
};
RestoredParams applyInfotext(const Infotext& info, const GenerationParams& base);

}  // namespace lienzo
