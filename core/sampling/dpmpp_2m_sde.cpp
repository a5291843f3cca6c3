// Ref: k-diffusion sampling.py sample_dpmpp_2m_sde (DPM-Solver++(2M) SDE, midpoint or Heun).
// The reference defaults to a torchsde Brownian tree; here the noise comes from cb.noise.
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleDpmpp2mSde(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                            const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpmpp2mSde");
  const int total = static_cast<int>(sigmas.numel() - 1);
  at::Tensor oldDenoised;
  at::Tensor hLast;
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    if (value(sigmaNext) == 0.0) {
      // Denoising step (also the whole run for a single step, where the reference raises)
      x = denoised;
    } else {
      at::Tensor t = -sigma.log();
      at::Tensor s = -sigmaNext.log();
      at::Tensor h = s - t;
      at::Tensor etaH = h * opt.eta;
      x = sigmaNext / sigma * (-etaH).exp() * x + (-h - etaH).expm1().neg() * denoised;
      if (oldDenoised.defined()) {
        at::Tensor r = hLast / h;
        if (opt.solver == SolverType::Heun) {
          x = x + ((-h - etaH).expm1().neg() / (-h - etaH) + 1) * at::reciprocal(r) *
                      (denoised - oldDenoised);
        } else {
          x = x + (-h - etaH).expm1().neg() * 0.5 * at::reciprocal(r) * (denoised - oldDenoised);
        }
      }
      if (opt.eta != 0.0) {
        x = x + drawNoise(cb, sigma, sigmaNext, "sampleDpmpp2mSde") * sigmaNext *
                    (etaH * -2).expm1().neg().sqrt() * opt.sNoise;
      }
      hLast = h;
    }
    oldDenoised = denoised;
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
