// Shared helpers of the k-diffusion samplers and the dispatch by algorithm.
#include "core/sampling/kdiffusion.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <utility>

namespace lienzo::kdiffusion {
namespace detail {

at::Tensor checkSigmas(const at::Tensor& sigmas, const char* who) {
  if (!sigmas.defined() || sigmas.dim() != 1 || sigmas.numel() < 2) {
    throw std::invalid_argument(std::string(who) + ": sigmas must be 1-D with >= 2 entries");
  }
  return sigmas.to(at::kFloat).contiguous();
}

at::Tensor batchSigma(const at::Tensor& sigma0d, const at::Tensor& x) {
  // Ref: k-diffusion `sigmas[i] * s_in`, s_in = x.new_ones([x.shape[0]])
  return sigma0d * at::ones({x.size(0)}, x.options());
}

at::Tensor toD(const at::Tensor& x, const at::Tensor& sigma, const at::Tensor& denoised) {
  return (x - denoised) / sigma;
}

std::pair<at::Tensor, at::Tensor> ancestralStep(const at::Tensor& sigmaFrom,
                                                const at::Tensor& sigmaTo, double eta) {
  if (eta == 0.0) return {sigmaTo, at::zeros_like(sigmaTo)};
  // sigma_up = min(sigma_to, eta * (sigma_to^2 (sigma_from^2 - sigma_to^2) / sigma_from^2)^0.5)
  at::Tensor to2 = sigmaTo * sigmaTo;
  at::Tensor from2 = sigmaFrom * sigmaFrom;
  at::Tensor up = at::sqrt(to2 * (from2 - to2) / from2) * eta;
  // python min(a, b) keeps a unless b < a
  at::Tensor sigmaUp = value(up) < value(sigmaTo) ? up : sigmaTo;
  at::Tensor sigmaDown = at::sqrt(to2 - sigmaUp * sigmaUp);
  return {sigmaDown, sigmaUp};
}

bool report(const Callbacks& cb, int index, int total, const at::Tensor& sigma,
            const at::Tensor& sigmaNext, const at::Tensor& x, const at::Tensor& denoised) {
  if (!cb.callback) return true;
  StepInfo info;
  info.index = index;
  info.total = total;
  info.sigma = sigma;
  info.sigmaNext = sigmaNext;
  info.x = x;
  info.denoised = denoised;
  return cb.callback(info);
}

at::Tensor drawNoise(const Callbacks& cb, const at::Tensor& sigma, const at::Tensor& sigmaNext,
                     const char* who) {
  if (!cb.noise) throw std::invalid_argument(std::string(who) + ": needs a noise source");
  return cb.noise(sigma, sigmaNext);
}

double value(const at::Tensor& t) {
  return t.item<double>();
}

}  // namespace detail

Algorithm algorithmFromName(const std::string& name) {
  if (name == "euler") return Algorithm::Euler;
  if (name == "euler_ancestral") return Algorithm::EulerAncestral;
  if (name == "heun") return Algorithm::Heun;
  if (name == "dpm_2") return Algorithm::Dpm2;
  if (name == "dpm_2_ancestral") return Algorithm::Dpm2Ancestral;
  if (name == "lms") return Algorithm::Lms;
  if (name == "dpmpp_2s_ancestral") return Algorithm::Dpmpp2sAncestral;
  if (name == "dpmpp_2m") return Algorithm::Dpmpp2m;
  if (name == "dpmpp_sde") return Algorithm::DpmppSde;
  if (name == "dpmpp_2m_sde") return Algorithm::Dpmpp2mSde;
  if (name == "dpmpp_3m_sde") return Algorithm::Dpmpp3mSde;
  throw std::invalid_argument("unknown k-diffusion sampler '" + name + "'");
}

at::Tensor sample(Algorithm algorithm, const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                  const Options& opt) {
  switch (algorithm) {
    case Algorithm::Euler:
      return sampleEuler(cb, std::move(x), sigmas, opt);
    case Algorithm::EulerAncestral:
      return sampleEulerAncestral(cb, std::move(x), sigmas, opt);
    case Algorithm::Heun:
      return sampleHeun(cb, std::move(x), sigmas, opt);
    case Algorithm::Dpm2:
      return sampleDpm2(cb, std::move(x), sigmas, opt);
    case Algorithm::Dpm2Ancestral:
      return sampleDpm2Ancestral(cb, std::move(x), sigmas, opt);
    case Algorithm::Lms:
      return sampleLms(cb, std::move(x), sigmas, opt);
    case Algorithm::Dpmpp2sAncestral:
      return sampleDpmpp2sAncestral(cb, std::move(x), sigmas, opt);
    case Algorithm::Dpmpp2m:
      return sampleDpmpp2m(cb, std::move(x), sigmas, opt);
    case Algorithm::DpmppSde:
      return sampleDpmppSde(cb, std::move(x), sigmas, opt);
    case Algorithm::Dpmpp2mSde:
      return sampleDpmpp2mSde(cb, std::move(x), sigmas, opt);
    case Algorithm::Dpmpp3mSde:
      return sampleDpmpp3mSde(cb, std::move(x), sigmas, opt);
  }
  throw std::invalid_argument("kdiffusion::sample: bad algorithm");
}

int modelCalls(Algorithm algorithm, const at::Tensor& sigmas, const Options& opt) {
  (void)opt;
  at::Tensor s = detail::checkSigmas(sigmas, "kdiffusion::modelCalls");
  const int64_t steps = s.numel() - 1;
  int64_t nonFinal = 0;  // steps whose target sigma is > 0
  for (int64_t i = 0; i < steps; ++i) {
    if (s[i + 1].item<double>() > 0.0) ++nonFinal;
  }
  switch (algorithm) {
    case Algorithm::Heun:
    case Algorithm::Dpm2:
    case Algorithm::DpmppSde:
      return static_cast<int>(steps + nonFinal);
    case Algorithm::Dpm2Ancestral:
    case Algorithm::Dpmpp2sAncestral:
      // second call when sigma_down > 0, i.e. on every non-final step (eta <= 1)
      return static_cast<int>(steps + nonFinal);
    default:
      return static_cast<int>(steps);
  }
}

bool drawsNoise(Algorithm algorithm, const Options& opt) {
  switch (algorithm) {
    case Algorithm::EulerAncestral:
    case Algorithm::Dpm2Ancestral:
    case Algorithm::Dpmpp2sAncestral:
    case Algorithm::DpmppSde:
      return true;
    case Algorithm::Dpmpp2mSde:
    case Algorithm::Dpmpp3mSde:
      return opt.eta != 0.0;
    case Algorithm::Euler:
    case Algorithm::Heun:
    case Algorithm::Dpm2:
      return opt.sChurn > 0.0;
    default:
      return false;
  }
}

}  // namespace lienzo::kdiffusion
