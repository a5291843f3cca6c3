// Ref: k-diffusion sampling.py sample_euler (Karras et al. 2022, Algorithm 2 with Euler steps)
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

namespace detail {
double churnGamma(const Options& opt, double sigma, int64_t steps) {
  if (!(opt.sChurn > 0.0) || sigma < opt.sTmin || sigma > opt.sTmax) return 0.0;
  return std::min(opt.sChurn / static_cast<double>(steps), std::sqrt(2.0) - 1.0);
}
at::Tensor churn(const Callbacks& cb, const Options& opt, at::Tensor& x, const at::Tensor& sigma,
                 const at::Tensor& sigmaNext, double gamma, const char* who) {
  at::Tensor sigmaHat = sigma * (gamma + 1.0);
  if (gamma > 0.0) {
    at::Tensor eps = drawNoise(cb, sigma, sigmaNext, who) * opt.sNoise;
    x = x + eps * at::sqrt(sigmaHat * sigmaHat - sigma * sigma);
  }
  return sigmaHat;
}
}  // namespace detail

at::Tensor sampleEuler(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                       const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleEuler");
  const int total = static_cast<int>(sigmas.numel() - 1);
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    const double gamma = churnGamma(opt, value(sigma), total);
    const at::Tensor sigmaHat = churn(cb, opt, x, sigma, sigmaNext, gamma, "sampleEuler");
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigmaHat, x));  // [B,C,H,W]
    at::Tensor d = toD(x, sigmaHat, denoised);
    at::Tensor dt = sigmaNext - sigmaHat;
    x = x + d * dt;  // Euler method
    if (!report(cb, i, total, sigmaHat, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
