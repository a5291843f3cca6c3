// Ref: k-diffusion sampling.py sample_dpmpp_2m (DPM-Solver++(2M))
#include <ATen/ATen.h>

#include "core/sampling/kdiffusion.h"

namespace lienzo::kdiffusion {

at::Tensor sampleDpmpp2m(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmasIn,
                         const Options& opt) {
  using namespace detail;
  (void)opt;
  const at::Tensor sigmas = checkSigmas(sigmasIn, "sampleDpmpp2m");
  const int total = static_cast<int>(sigmas.numel() - 1);
  auto sigmaFn = [](const at::Tensor& t) { return t.neg().exp(); };
  auto tFn = [](const at::Tensor& s) { return s.log().neg(); };
  at::Tensor oldDenoised;
  for (int i = 0; i < total; ++i) {
    const at::Tensor sigma = sigmas[i];
    const at::Tensor sigmaNext = sigmas[i + 1];
    at::Tensor denoised = cb.denoiser(x, batchSigma(sigma, x));  // [B,C,H,W]
    at::Tensor t = tFn(sigma);
    at::Tensor tNext = tFn(sigmaNext);  // +inf for the final sigma 0: x becomes denoised
    at::Tensor h = tNext - t;
    if (!oldDenoised.defined() || value(sigmaNext) == 0.0) {
      x = (sigmaFn(tNext) / sigmaFn(t)) * x - (-h).expm1() * denoised;
    } else {
      at::Tensor hLast = t - tFn(sigmas[i - 1]);
      at::Tensor r = hLast / h;
      at::Tensor inv2r = at::reciprocal(r * 2);  // python 1 / (2 * r)
      at::Tensor denoisedD = (inv2r + 1) * denoised - inv2r * oldDenoised;
      x = (sigmaFn(tNext) / sigmaFn(t)) * x - (-h).expm1() * denoisedD;
    }
    oldDenoised = denoised;
    if (!report(cb, i, total, sigma, sigmaNext, x, denoised)) break;
  }
  return x;
}

}  // namespace lienzo::kdiffusion
