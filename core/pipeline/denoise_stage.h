// Stage 3 of a generation: the sampler run from an initial latent (pure noise, or an encoded
// picture noised to the start of a denoising window), with per-step progress, previews and
// cancellation. Shared by txt2img, img2img, inpainting and the hires pass.
//
// Contract: runs on the calling thread under the caller's inference mode; calls the observer
// from that thread. Failure: GenerationError (InvalidParams for a sampler the model cannot run);
// exceptions of the ModelFn propagate.
#pragma once

#include "core/pipeline/model_bundle.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/sampler.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace lienzo {

class StepPreviewer;  // step_preview.h

/// The sampler for `name`: a catalog sampler, or the model folder's own diffusers scheduler
/// ("Model scheduler"). Throws GenerationError(InvalidParams / UnsupportedModel).
std::unique_ptr<Sampler> samplerFor(const ModelBundle& bundle, const std::string& name);

/// One sampler run.
struct DenoiseRequest {
  std::string sampler;
  std::string schedule = "Automatic";
  int steps = 20;
  int64_t seed = 0;  ///< x_T / ε and the sampler's own noise: a generator seeded here
  int64_t latentH = 0, latentW = 0;
  at::Tensor initLatent;    ///< [1,C,h,w] clean start (img2img); undefined = txt2img
  double strength = 1.0;    ///< with initLatent
  bool fixedSteps = false;  ///< with initLatent
  int imageIndex = 0;       ///< for progress reports
  bool previews = true;
  /// Called after every step before the observer (ActiveControl::Run::afterStep); optional.
  std::function<void(const SamplerStep&)> afterStep;
  /// Makes each step's preview (its run clock is restarted here); null: the linear projection.
  StepPreviewer* previewer = nullptr;
};

/// Runs the sampler over `model`; returns the final latent [1,C,h,w], or an undefined tensor when
/// the cancel token asked to stop now.
at::Tensor runDenoise(const ModelBundle& bundle, const DenoiseRequest& request,
                      const ModelFn& model, GenerationObserver* observer,
                      const CancelToken* cancel);

}  // namespace lienzo
