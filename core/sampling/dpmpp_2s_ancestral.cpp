// Ref: k-diffusion sampling.py sample_dpmpp_2s_ancestral (DPM-Solver++(2S) + ancestral noise)
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleDpmpp2sAncestral(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                                  const Options& opt) {
  using namespace detail;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpmpp2sAncestral");
  const int total = static_cast<int>(sigmas.numel() - 1);
  auto sigmaFn = [](const at::Tensor& t) { return t.neg().exp(); };
  auto tFn = [](const at::Tensor& s) { return s.log().neg(); };
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    auto [sigmaDown, sigmaUp] = ancestralStep(sigma, sigmaNext, opt.eta);
    if (value(sigmaDown) == 0.0) {
      at::Tensor d = toD(x, sigma, denoised);
      at::Tensor dt = sigmaDown - sigma;
      x = x + d * dt;  // Euler method
    } else {
      // DPM-Solver++(2S) in t = -log(sigma), midpoint r = 1/2
      at::Tensor t = tFn(sigma);
      at::Tensor tNext = tFn(sigmaDown);
      const double r = 0.5;
      at::Tensor h = tNext - t;
      at::Tensor s = t + h * r;
      at::Tensor x2 = (sigmaFn(s) / sigmaFn(t)) * x - ((-h) * r).expm1() * denoised;
      at::Tensor denoised2 = cb.denoiser(x2, batchSigma(sigmaFn(s), x));
      x = (sigmaFn(tNext) / sigmaFn(t)) * x - (-h).expm1() * denoised2;
    }
    if (value(sigmaNext) > 0.0) {
      x = x + drawNoise(cb, sigma, sigmaNext, "sampleDpmpp2sAncestral") * opt.sNoise * sigmaUp;
    }
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
