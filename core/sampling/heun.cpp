// Ref: k-diffusion sampling.py sample_heun (Karras et al. 2022, Algorithm 2)
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {
at::Tensor sampleHeun(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                      const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleHeun");
  const int total = static_cast<int>(sigmas.numel() - 1);
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    const double gamma = churnGamma(opt, value(sigma), total);
    const at::Tensor sigmaHat = churn(cb, opt, x, sigma, sigmaNext, gamma, "sampleHeun");
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigmaHat, x));  // [B,C,H,W]
    at::Tensor d = toD(x, sigmaHat, denoised);
    at::Tensor dt = sigmaNext - sigmaHat;
    if (value(sigmaNext) == 0.0) {
      x = x + d * dt;  // Euler method for the last step
    } else {
      at::Tensor x2 = x + d * dt;
      at::Tensor denoised2 = cb.denoiser(x2, batchSigma(sigmaNext, x));
      at::Tensor d2 = toD(x2, sigmaNext, denoised2);
      at::Tensor dPrime = (d + d2) / 2;
      x = x + dPrime * dt;  // Heun's method
    }
    if (!report(cb, i, total, sigmaHat, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
