// Ref: k-diffusion sampling.py sample_euler_ancestral
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleEulerAncestral(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                                const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleEulerAncestral");
  const int total = static_cast<int>(sigmas.numel() - 1);
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    auto [sigmaDown, sigmaUp] = ancestralStep(sigma, sigmaNext, opt.eta);
    at::Tensor d = toD(x, sigma, denoised);
    at::Tensor dt = sigmaDown - sigma;
    x = x + d * dt;  // Euler method
    if (value(sigmaNext) > 0.0) {
      x = x + drawNoise(cb, sigma, sigmaNext, "sampleEulerAncestral") * opt.sNoise * sigmaUp;
    }
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
