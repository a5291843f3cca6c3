// Ref: k-diffusion sampling.py sample_dpmpp_3m_sde (DPM-Solver++(3M) SDE).
// The reference defaults to a torchsde Brownian tree; here the noise comes from cb.noise.
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleDpmpp3mSde(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                            const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpmpp3mSde");
  const int total = static_cast<int>(sigmas.numel() - 1);
  at::Tensor denoised1, denoised2;  // previous two denoised outputs
  at::Tensor h1, h2;                // previous two step sizes
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    at::Tensor h = h1;  // the reference keeps the previous h on the final step
    if (value(sigmaNext) == 0.0) {
      // Denoising step (also the whole run for a single step, where the reference raises)
      x = denoised;
    } else {
      at::Tensor t = -sigma.log();
      at::Tensor s = -sigmaNext.log();
      h = s - t;
      at::Tensor hEta = h * (opt.eta + 1.0);
      x = at::exp(-hEta) * x + (-hEta).expm1().neg() * denoised;
      if (h2.defined()) {
        at::Tensor r0 = h1 / h;
        at::Tensor r1 = h2 / h;
        at::Tensor d1_0 = (denoised - denoised1) / r0;
        at::Tensor d1_1 = (denoised1 - denoised2) / r1;
        at::Tensor d1 = d1_0 + (d1_0 - d1_1) * r0 / (r0 + r1);
        at::Tensor d2 = (d1_0 - d1_1) / (r0 + r1);
        at::Tensor phi2 = hEta.neg().expm1() / hEta + 1;
        at::Tensor phi3 = phi2 / hEta - 0.5;
        x = x + phi2 * d1 - phi3 * d2;
      } else if (h1.defined()) {
        at::Tensor r = h1 / h;
        at::Tensor d = (denoised - denoised1) / r;
        at::Tensor phi2 = hEta.neg().expm1() / hEta + 1;
        x = x + phi2 * d;
      }
      if (opt.eta != 0.0) {
        x = x + drawNoise(cb, sigma, sigmaNext, "sampleDpmpp3mSde") * sigmaNext *
                    (h * -2 * opt.eta).expm1().neg().sqrt() * opt.sNoise;
      }
    }
    denoised2 = denoised1;
    denoised1 = denoised;
    h2 = h1;
    h1 = h;
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
