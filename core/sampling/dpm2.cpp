// Ref: k-diffusion sampling.py sample_dpm_2 (DPM-Solver-2 midpoint in log sigma + Algorithm 2)
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {
at::Tensor sampleDpm2(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                      const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpm2");
  const int total = static_cast<int>(sigmas.numel() - 1);
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    const double gamma = churnGamma(opt, value(sigma), total);
    const at::Tensor sigmaHat = churn(cb, opt, x, sigma, sigmaNext, gamma, "sampleDpm2");
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigmaHat, x));  // [B,C,H,W]
    at::Tensor d = toD(x, sigmaHat, denoised);
    if (value(sigmaNext) == 0.0) {
      at::Tensor dt = sigmaNext - sigmaHat;
      x = x + d * dt;  // Euler method
    } else {
      // DPM-Solver-2: midpoint = geometric mean of sigma_hat and sigma_next
      at::Tensor sigmaMid = at::lerp(sigmaHat.log(), sigmaNext.log(), 0.5).exp();
      at::Tensor dt1 = sigmaMid - sigmaHat;
      at::Tensor dt2 = sigmaNext - sigmaHat;
      at::Tensor x2 = x + d * dt1;
      at::Tensor denoised2 = cb.denoiser(x2, batchSigma(sigmaMid, x));
      at::Tensor d2 = toD(x2, sigmaMid, denoised2);
      x = x + d2 * dt2;
    }
    if (!report(cb, i, total, sigmaHat, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
