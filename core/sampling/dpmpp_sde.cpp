// Ref: k-diffusion sampling.py sample_dpmpp_sde (DPM-Solver++ SDE, two noise draws per step).
// The reference defaults to a torchsde Brownian tree; here the noise comes from cb.noise.
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleDpmppSde(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                          const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpmppSde");
  const int total = static_cast<int>(sigmas.numel() - 1);
  auto sigmaFn = [](const at::Tensor& t) { return t.neg().exp(); };
  auto tFn = [](const at::Tensor& s) { return s.log().neg(); };
  const double r = opt.r;
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    if (value(sigmaNext) == 0.0) {
      at::Tensor d = toD(x, sigma, denoised);
      at::Tensor dt = sigmaNext - sigma;
      x = x + d * dt;  // Euler method
    } else {
      at::Tensor t = tFn(sigma);
      at::Tensor tNext = tFn(sigmaNext);
      at::Tensor h = tNext - t;
      at::Tensor s = t + h * r;
      const double fac = 1.0 / (2.0 * r);

      // Step 1: to the intermediate time s
      auto [sd, su] = ancestralStep(sigmaFn(t), sigmaFn(s), opt.eta);
      at::Tensor s_ = tFn(sd);
      at::Tensor x2 = (sigmaFn(s_) / sigmaFn(t)) * x - (t - s_).expm1() * denoised;
      x2 = x2 + drawNoise(cb, sigmaFn(t), sigmaFn(s), "sampleDpmppSde") * opt.sNoise * su;
      at::Tensor denoised2 = cb.denoiser(x2, batchSigma(sigmaFn(s), x));

      // Step 2: to t_next with the blended denoised
      auto [sd2, su2] = ancestralStep(sigmaFn(t), sigmaFn(tNext), opt.eta);
      at::Tensor tNext_ = tFn(sd2);
      at::Tensor denoisedD = denoised * (1.0 - fac) + denoised2 * fac;
      x = (sigmaFn(tNext_) / sigmaFn(t)) * x - (t - tNext_).expm1() * denoisedD;
      x = x + drawNoise(cb, sigmaFn(t), sigmaFn(tNext), "sampleDpmppSde") * opt.sNoise * su2;
    }
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
