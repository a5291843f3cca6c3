// ModelBundle: one loaded checkpoint, immutable after loading (core-internal; the UI sees only
// pipeline.h). The one place where the architecture is decided from the weights: family from
// checkpoint.h, every network's config from its own fromWeights(), and — for what shapes cannot
// tell (attention heads of tiny models, ε vs v) — an optional sidecar `<stem>.config.json` in
// the CompVis/ldm config vocabulary (parameterization, scale_factor, unet.num_heads /
// num_head_channels, text_encoder heads).
//
// Threads: all members are read-only after loadModelBundle(); forward passes do not mutate the
// modules, so one bundle serves any number of sequential or concurrent requests.
#pragma once

#include "core/io/checkpoint.h"
#include "core/model/latent_preview.h"
#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"
#include "core/text/clip_text_model.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/openclip_text_model.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <memory>
#include <optional>

namespace lienzo {

class SpTokenizer;  // core/text/sp_tokenizer.h (built-in model; trainer area)

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

/// Where the CLIP BPE vocabulary is looked for: LoadOptions-independent defaults
/// ($LIENZO_CLIP_VOCAB, the model's folder, its parent and parent/clip, the installed data dir).
std::vector<std::filesystem::path> clipVocabSearchDirs(const std::filesystem::path& checkpoint);

class ModelBundle {
 public:
  ModelDescription description;
  ModelFamily family = ModelFamily::Unknown;
  Prediction prediction = Prediction::Epsilon;
  c10::ScalarType dtype = c10::kFloat;
  c10::Device device{c10::kCPU};

  std::optional<DiscreteSchedule> schedule;
  LatentScaling latentScaling;
  LatentFormat latentFormat = LatentFormat::SD15;
  int64_t latentChannels = 4;
  int64_t vaeFactor = 8;  ///< image pixels per latent pixel

  std::shared_ptr<ClipTokenizer> tokenizer;
  ClipTextModel clip{nullptr};          ///< SD1 / SDXL CLIP-L
  OpenClipTextModel openClip{nullptr};  ///< SD2 / SDXL bigG
  UNet unet{nullptr};
  AutoencoderKL vae{nullptr};
  // Built-in model (family LienzoBuiltin, core/pipeline/builtin_model.h; trainer area): its
  // SentencePiece tokenizer (text encoder in `clip`) and the predicted-x0 clamp its sampling needs.
  std::shared_ptr<const SpTokenizer> spTokenizer;
  double x0Clamp = 0.0;  ///< 0 = off; see clampPredictedX0()

  bool hasVae() const { return !vae.is_empty(); }
};

/// Text conditioning of one prompt: cross-attention context and (SDXL) the vector `y`.
struct Conditioning {
  at::Tensor context;  ///< [1, 77*chunks, contextDim] in the bundle dtype
  at::Tensor pooled;   ///< [1, pooledDim] (SDXL bigG pooled), undefined otherwise
};

/// Tokenizes (A1111 prompt syntax, 75-token chunks, BREAK), encodes and weights one prompt.
/// clipSkip >= 1. Runs under inference mode.
Conditioning encodePrompt(const ModelBundle& bundle, const std::string& prompt, int clipSkip);

/// SDXL `y` = [pooled, emb(original size), emb(crop top-left), emb(target size)] → [1, adm].
at::Tensor sdxlVector(const ModelBundle& bundle, const at::Tensor& pooled, int64_t height,
                      int64_t width);

/// Raw U-Net prediction with classifier-free guidance, cond and uncond as one batch of 2.
/// x_in [1,C,h,w] float32, t [1] float32 → guided eps/v [1,C,h,w] float32.
ModelFn makeGuidedModel(const ModelBundle& bundle, const Conditioning& cond,
                        const Conditioning& uncond, double cfgScale, int64_t height, int64_t width);

/// Decodes a diffusion-space latent [1,C,h,w] → image [1,3,H,W] float32 (about [-1,1]).
/// Throws GenerationError(NumericalError) when the decode produced NaN/Inf.
at::Tensor decodeLatent(const ModelBundle& bundle, const at::Tensor& latent);

/// Image [1,3,H,W] in [-1,1] → 8-bit RGB: round-half-even of clamp((x+1)/2, 0, 1) * 255.
RgbImage imageToRgb(const at::Tensor& image);

}  // namespace lienzo
