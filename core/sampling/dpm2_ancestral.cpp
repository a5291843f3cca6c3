// Ref: k-diffusion sampling.py sample_dpm_2_ancestral
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleDpm2Ancestral(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                               const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpm2Ancestral");
  const int total = static_cast<int>(sigmas.numel() - 1);
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    auto [sigmaDown, sigmaUp] = ancestralStep(sigma, sigmaNext, opt.eta);
    at::Tensor d = toD(x, sigma, denoised);
    if (value(sigmaDown) == 0.0) {
      at::Tensor dt = sigmaDown - sigma;
      x = x + d * dt;  // Euler method
    } else {
      // DPM-Solver-2 towards sigma_down, then the ancestral noise
      at::Tensor sigmaMid = at::lerp(sigma.log(), sigmaDown.log(), 0.5).exp();
      at::Tensor dt1 = sigmaMid - sigma;
      at::Tensor dt2 = sigmaDown - sigma;
      at::Tensor x2 = x + d * dt1;
      at::Tensor denoised2 = cb.denoiser(x2, batchSigma(sigmaMid, x));
      at::Tensor d2 = toD(x2, sigmaMid, denoised2);
      x = x + d2 * dt2;
      x = x + drawNoise(cb, sigma, sigmaNext, "sampleDpm2Ancestral") * opt.sNoise * sigmaUp;
    }
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
