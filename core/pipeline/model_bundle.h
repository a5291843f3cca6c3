// ModelBundle: one loaded checkpoint, immutable after loading (core-internal; the UI sees only
// pipeline.h). It holds four component interfaces, made by one factory per family:
//   text       TextConditioner  (text_conditioner.h)  prompt → context [, pooled → y]
//   diffusion  DiffusionModel   (diffusion_model.h)   the denoising network
//   schedule   NoiseSchedule    (noise_schedule.h)    table, prediction, sampling decorations
//   vae        VaeCodec         (vae_codec.h)         picture ↔ diffusion-space latent
// Factories: SD 1.x / 2.x / SDXL single files and diffusers folders (sd_factory.h, called by
// model_loader.cpp), the built-in model (builtin_model.h). A new family is a new factory and new
// component implementations; the stages only talk to the interfaces.
//
// The one place where the architecture is decided from the weights: family from checkpoint.h,
// every network's config from its own fromWeights(), the family's facts from family_facts.h, and
// — for what shapes cannot tell (attention heads of tiny models, ε vs v) — an optional sidecar
// `<stem>.config.json` in the CompVis/ldm config vocabulary (parameterization, scale_factor,
// unet.num_heads / num_head_channels, text_encoder heads).
//
// A diffusers model folder (model_index.json, core/io/diffusers_folder.h) loads through the same
// factory: its components are renamed to the single-file layout (core/io/diffusers_keys.h), the
// facts come from its config.json files and scheduler_config.json (diffusers_config.h), the
// tokenizer from its tokenizer/ folder. Families Lienzo does not run (SD3, Flux, SDXL refiner,
// instruct-pix2pix U-Nets, other pipeline classes) throw GenerationError(UnsupportedModel)
// naming what was found. Inpainting U-Nets (9 input channels) load: the diffusion model's
// latentChannels() is its output width and the other inputs are the conditioning of
// edit_stage.h.
//
// Threads: all members are read-only after loading and the components are immutable; forward
// passes do not mutate the modules, so one bundle serves any number of sequential or concurrent
// requests. Copying a bundle shares the components (tests swap one, e.g. the U-Net).
#pragma once

#include "core/io/checkpoint.h"
#include "core/pipeline/diffusion_model.h"
#include "core/pipeline/noise_schedule.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/text_conditioner.h"
#include "core/pipeline/vae_codec.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace lienzo {

/// Facts a sidecar `<stem>.config.json` may state (everything optional).
struct ModelOverrides {
  std::optional<Prediction> prediction;
  std::optional<double> scaleFactor;
  std::optional<int64_t> unetNumHeads;
  std::optional<int64_t> unetNumHeadChannels;
  std::optional<int64_t> textHeads;   ///< SD1/SD2 text encoder, SDXL CLIP-L
  std::optional<int64_t> text2Heads;  ///< SDXL OpenCLIP bigG
};

/// Reads `<stem>.config.json` beside `checkpoint` when present; throws GenerationError on a
/// malformed file (a silent misread would produce garbage images).
ModelOverrides readSidecarConfig(const std::filesystem::path& checkpoint);

/// `<stem>.config.json` beside `checkpoint`: the sidecar's path (whether or not it exists).
std::filesystem::path sidecarPath(const std::filesystem::path& checkpoint);

/// The JSON of the sidecar `<stem>.config.json` beside `checkpoint` (the one place every family's
/// sidecar reader opens it: SD here, sd3_factory.h, flux_factory.h); nullopt when there is none.
/// Throws GenerationError(ModelLoad) naming the file when it is not valid JSON.
std::optional<nlohmann::json> readSidecarJson(const std::filesystem::path& checkpoint);

/// Where the CLIP BPE vocabulary is looked for: LoadOptions-independent defaults
/// ($LIENZO_CLIP_VOCAB, the model's folder, its parent and parent/clip, the installed data dir).
std::vector<std::filesystem::path> clipVocabSearchDirs(const std::filesystem::path& checkpoint);

class WeightPatcher;  // core/adapters/weight_patcher.h

class ModelBundle {
 public:
  ModelDescription description;
  ModelFamily family = ModelFamily::Unknown;
  c10::ScalarType dtype = c10::kFloat;  ///< compute dtype of the diffusion model and the VAE
  c10::Device device{c10::kCPU};

  std::shared_ptr<const TextConditioner> text;
  std::shared_ptr<const DiffusionModel> diffusion;
  std::shared_ptr<const NoiseSchedule> schedule;
  /// Set by every factory; without a decoder when the checkpoint has no VAE (see hasVae()).
  std::shared_ptr<const VaeCodec> vae;

  /// The weights LoRA-family adapters may patch, by checkpoint key (core/adapters/
  /// weight_patcher.h); null for models that take no adapters (the built-in model). The one
  /// mutable part of a bundle: generate() patches and restores it under its own lock.
  std::shared_ptr<WeightPatcher> weights;

  bool hasVae() const { return vae && vae->hasDecoder(); }
};

}  // namespace lienzo
