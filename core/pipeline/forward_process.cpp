// The forward (noising) process of a loaded model, for the studio's forward-process view.
// Ref: Ho et al. 2020, "Denoising Diffusion Probabilistic Models", eq. 4:
//      q(x_t | x_0) = N(√ᾱ_t·x_0, (1−ᾱ_t)·I).
#include "core/pipeline/forward_process.h"

#include "core/pipeline/model_calls.h"
#include "core/sampling/rng.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>

namespace lienzo {

std::vector<double> alphasCumprod(const ModelBundle& bundle) {
  if (bundle.schedule && bundle.schedule->flow())
    throw GenerationError(GenerationError::Code::UnsupportedModel,
                          bundle.description.name +
                              " is a flow-matching model (SD3 / Flux): the forward-process view "
                              "shows the discrete ᾱ schedule of SD 1.x / 2.x / SDXL models");
  const DiscreteSchedule* table = bundle.schedule ? bundle.schedule->discrete() : nullptr;
  if (!table)
    throw GenerationError(GenerationError::Code::UnsupportedModel,
                          bundle.description.name + " has no discrete noise schedule");
  const auto ac = table->alphasCumprod().to(at::kDouble).contiguous();  // [T]
  const double* p = ac.data_ptr<double>();
  return std::vector<double>(p, p + ac.numel());
}

RgbImage forwardProcess(const ModelBundle& bundle, const RgbImage& image, int t, int64_t seed) {
  if (image.empty() || image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * size_t(image.height) * 3)
    throw GenerationError(GenerationError::Code::InvalidParams, "the image is empty or malformed");
  if (!bundle.hasVae() || !bundle.vae->hasEncoder())
    throw GenerationError(GenerationError::Code::UnsupportedModel,
                          bundle.description.name + " has no VAE encoder to noise an image with");
  const auto ac = alphasCumprod(bundle);
  if (t >= static_cast<int>(ac.size()))
    throw GenerationError(GenerationError::Code::InvalidParams,
                          "t = " + std::to_string(t) + " is past the schedule's last step " +
                              std::to_string(ac.size() - 1));
  const int64_t f = bundle.vae->factor();
  const int64_t w = image.width / f * f, h = image.height / f * f;
  if (w == 0 || h == 0)
    throw GenerationError(GenerationError::Code::InvalidParams,
                          "the image is smaller than one latent pixel");

  c10::InferenceMode guard;
  // HWC uint8 → [1,3,h,w] in [-1,1], cropped to a multiple of the VAE factor.
  auto pixels = at::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                              {image.height, image.width, 3}, at::kByte);
  auto x = pixels.narrow(0, 0, h).narrow(1, 0, w).permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);
  x = x / 127.5 - 1.0;                    // the codec moves it to the VAE's device and dtype
  const auto x0 = bundle.vae->encode(x);  // [1,C,h/f,w/f] posterior mean, diffusion space
  if (t < 0) return imageToRgb(decodeLatent(bundle, x0));

  Generator gen(static_cast<uint64_t>(seed));
  const auto eps = randn(gen, x0.sizes()).to(x0.device());  // [1,C,h/f,w/f]
  const double a = ac[static_cast<size_t>(t)];
  const auto xt = x0 * std::sqrt(a) + eps * std::sqrt(1.0 - a);
  return imageToRgb(decodeLatent(bundle, xt));
}

}  // namespace lienzo
