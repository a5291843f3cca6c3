// Stage 2 of the built-in model: the text encoder and the U-Net, trained jointly on cached VAE
// latents with the ε- or v-prediction L2 loss (config.prediction), optional min-SNR weighting,
// caption dropout for classifier-free guidance, AdamW and EMA weights; plus the evaluation sampler
// it reports with. Ref: Ho et al. 2020 (DDPM ε loss); Rombach et al. 2022 (LDM, cross-attention
// conditioning);
//      Hang et al. 2023 (min-SNR-γ: weight min(SNR, γ)/SNR for ε); Ho & Salimans 2022 (CFG);
//      Song et al. 2021 (DDIM, η = 0); Salimans & Ho 2022 (v-prediction).
//
// Contract: trainDiffusion() needs paths.tokenizer() and paths.vaeWeights(); it builds
// paths.latents() once (reused when present and of the configured size), resumes from
// paths.diffusionCheckpoint() when options.resume, checkpoints every options.checkpointEvery
// steps and on stop. Progress and evaluation lines go to stderr; evaluations are appended to
// <root>/eval.jsonl and a sample grid is written to <root>/samples/step_<N>.ppm.
#pragma once

#include "core/pipeline/builtin_config.h"
#include "core/train/train_data.h"
#include "core/train/train_utils.h"

#include <filesystem>
#include <optional>

namespace lienzo::train {

struct DiffusionOptions {
  double captionDropout = 0.1;
  double minSnrGamma = 5.0;   ///< 0 = plain ε MSE
  int64_t cacheSize = 30000;  ///< scenes in the latent cache
  int64_t evalEvery = 0;      ///< 0 = never during training
  int64_t evalCount = 64;     ///< held-out scenes per language
  double evalCfg = 4.0;
  int64_t evalSteps = 20;
  /// The text encoder stays at its (random) initialisation for this many steps while the U-Net
  /// learns to read its features; trained jointly afterwards. Trained from step 0 alongside an
  /// untrained U-Net, the text encoder collapsed towards one output for every caption (run 3:
  /// caption-to-caption variation of the last position 32 % → 5 % of its RMS in 3 k steps).
  int64_t textFreezeSteps = 0;
  double textLrScale = 1.0;  ///< text encoder learning rate = lr × this (after the freeze)
  /// The U-Net's position map (BuiltinModelConfig::unetPositional) learns at lr × this.
  double positionLrScale = 1.0;
  /// Training batches draw cached scenes with these weights per SceneKind (KindWeightedSampler);
  /// unset = uniformly, i.e. the kinds in the proportions sampleScene made them.
  std::optional<std::array<double, kSceneKindCount>> kindWeights;
  /// Exported built-in model (`lienzo train export`) whose U-Net and text-encoder weights start a
  /// new run instead of the random initialisation (continuing a run whose checkpoint is not at
  /// hand, e.g. one trained on a lent GPU). Its architecture, prediction and pooled-text setting
  /// must equal the run's config (std::runtime_error otherwise), except that a run with
  /// `unetPositional` may start from a model without it (its position map then starts at zero).
  /// Ignored when resuming from a checkpoint; its training steps are added to the exported model's
  /// count.
  std::filesystem::path initFrom;
};

struct EvalSummary {
  double overallEnglish = 0.0, overallSpanish = 0.0;
  std::string reportEnglish, reportSpanish;
};

struct DiffusionTrainResult {
  int64_t steps = 0;
  bool finished = false;
  double firstLoss = 0.0;  ///< loss of the first step of this call
  double loss = 0.0;
  std::optional<EvalSummary> eval;  ///< the last evaluation
};

DiffusionTrainResult trainDiffusion(const BuiltinModelConfig& config, const TrainOptions& options,
                                    const DiffusionOptions& diffusion, const TrainPaths& paths);

/// Batched DDIM (η = 0) with CFG and the config's x0 clamp: captions → images [B,3,S,S] in
/// about [-1,1]. Inference only; `seed` fixes the initial noise.
at::Tensor sampleImages(UNet& unet, ClipTextModel& text, AutoencoderKL& vae,
                        const SpTokenizer& tokenizer, const BuiltinModelConfig& config,
                        const std::vector<std::string>& captions, double cfg, int64_t steps,
                        uint64_t seed);

/// How much the networks read the caption, per noise band: the MSE of the predicted x0 (what the
/// sampler builds the picture from; from ε or v per the config) on held-out scenes with the
/// scene's own caption (`matched`), another scene's caption (`shuffled`) and the empty caption,
/// with the same t and noise in all three. A model that follows prompts has matched < shuffled;
/// `gain()` = shuffled / matched − 1 (0 = captions ignored).
struct CaptionProbe {
  struct Band {
    int64_t tBegin = 0, tEnd = 0;  ///< t in [tBegin, tEnd)
    double matched = 0.0, shuffled = 0.0, empty = 0.0;
    double gain() const { return matched > 0 ? shuffled / matched - 1.0 : 0.0; }
  };
  std::vector<Band> bands;
  std::string report() const;  ///< one line per band
};

/// Runs the probe on `count` held-out scenes (languages alternating), `bands` equal t ranges;
/// inference only; deterministic given `seed`.
CaptionProbe probeCaptionUse(UNet& unet, ClipTextModel& text, AutoencoderKL& vae,
                             const SpTokenizer& tokenizer, const BuiltinModelConfig& config,
                             int64_t count, int64_t bands = 4, uint64_t seed = 5);

/// Loads the EMA networks of a diffusion checkpoint (`paths.diffusionCheckpoint()`) and the
/// VAE of a training folder and probes them (`lienzo train probe`). Throws std::runtime_error
/// when a file is missing.
CaptionProbe probeCheckpoint(const BuiltinModelConfig& config, const TrainPaths& paths,
                             int64_t count);

/// Generates `count` held-out scenes per language and scores them with the evaluator. When
/// `grid` is not empty, writes the first images as a PPM grid there.
EvalSummary evaluateNetworks(UNet& unet, ClipTextModel& text, AutoencoderKL& vae,
                             const SpTokenizer& tokenizer, const BuiltinModelConfig& config,
                             int64_t count, double cfg, int64_t steps,
                             const std::filesystem::path& grid = {});

}  // namespace lienzo::train
