// The forward (noising) process of a loaded model, for the studio's forward-process view
// (pipeline.h includes this header; no torch types).
#pragma once

#include "core/edit/pixels.h"
#include "core/pipeline/model_loader.h"

#include <cstdint>
#include <vector>

namespace lienzo {

/// The model's own noise schedule ᾱ_t for t = 0..T-1 (the forward process the sampler inverts).
/// Throws GenerationError(UnsupportedModel) for a model without a discrete schedule (flow-matching
/// models, SD3 / Flux, included: the message says so).
std::vector<double> alphasCumprod(const ModelBundle& bundle);

/// The forward (noising) process on a picture: encodes `image` (cropped to a multiple of the VAE
/// factor) with the model's VAE to x_0 (the latent mean, scaled to diffusion space),
/// draws ε from `seed` with the torch-CPU generator, forms
/// x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε and decodes it. `t` in [0, T-1]; t < 0 returns the plain VAE
/// round trip. Runs on the calling thread under inference mode; throws GenerationError
/// (InvalidParams for an empty image or t ≥ T, UnsupportedModel without a VAE encoder).
RgbImage forwardProcess(const ModelBundle& bundle, const RgbImage& image, int t, int64_t seed);

}  // namespace lienzo
