// Training schedules and sigma schedules. The float32 arithmetic mirrors the reference python
// (torch ops on float32 tensors) op for op, so the tables reproduce k-diffusion's bit for bit or
// within a few ulps.
#include "core/sampling/schedule.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/sampling/sampler_names.h"

namespace lienzo {
namespace {

void requireSteps(int64_t n, const char* what) {
  if (n < 1) {
    throw std::invalid_argument(std::string(what) + ": the number of steps must be >= 1, got " +
                                std::to_string(n));
  }
}

void requireSigmaRange(double sigmaMin, double sigmaMax, const char* what) {
  if (!(sigmaMin > 0.0) || !(sigmaMax >= sigmaMin) || !std::isfinite(sigmaMax)) {
    throw std::invalid_argument(std::string(what) + ": need 0 < sigma_min <= sigma_max, got " +
                                std::to_string(sigmaMin) + ", " + std::to_string(sigmaMax));
  }
}

// Ref: k-diffusion sampling.py append_zero
at::Tensor appendZero(const at::Tensor& x) {
  return at::cat({x, at::zeros({1}, x.options())});
}

}  // namespace

DiscreteSchedule DiscreteSchedule::fromAlphasCumprod(const at::Tensor& alphasCumprod) {
  if (!alphasCumprod.defined() || alphasCumprod.dim() != 1 || alphasCumprod.numel() < 2) {
    throw std::invalid_argument(
        "DiscreteSchedule: alphas_cumprod must be a 1-D table of >= 2 values");
  }
  at::Tensor ac = alphasCumprod.detach().to(at::kCPU, at::kFloat).contiguous().clone();  // [T]
  const bool valid = (ac > 0).all().item<bool>() && (ac < 1).all().item<bool>();
  if (!valid)
    throw std::invalid_argument("DiscreteSchedule: alphas_cumprod values must lie in (0, 1)");

  DiscreteSchedule s;
  s.m_numTimesteps = ac.numel();
  s.m_alphasCumprod = ac;
  // Ref: k-diffusion external.py DiscreteEpsDDPMDenoiser: ((1 - ac) / ac) ** 0.5, then .log()
  s.m_sigmas = at::sqrt(at::rsub(ac, 1.0) / ac);  // [T] float32
  s.m_logSigmas = s.m_sigmas.log();               // [T] float32
  s.m_sigmaMin = s.m_sigmas[0].item<double>();
  s.m_sigmaMax = s.m_sigmas[s.m_numTimesteps - 1].item<double>();
  return s;
}

at::Tensor DiscreteSchedule::scaledLinearBetas(int64_t numTimesteps, double betaStart,
                                               double betaEnd) {
  if (numTimesteps < 2) throw std::invalid_argument("scaledLinearBetas: need >= 2 timesteps");
  if (!(betaStart > 0.0) || !(betaEnd < 1.0) || !(betaStart <= betaEnd)) {
    throw std::invalid_argument("scaledLinearBetas: need 0 < beta_start <= beta_end < 1");
  }
  // Ref: CompVis ldm/models/diffusion/ddpm.py register_schedule ("linear" = SD's scaled_linear)
  at::Tensor root = at::linspace(std::sqrt(betaStart), std::sqrt(betaEnd), numTimesteps,
                                 at::TensorOptions().dtype(at::kDouble));  // [T] float64
  return root * root;
}

DiscreteSchedule DiscreteSchedule::scaledLinear(int64_t numTimesteps, double betaStart,
                                                double betaEnd) {
  at::Tensor betas = scaledLinearBetas(numTimesteps, betaStart, betaEnd);  // [T] float64
  at::Tensor alphasCumprod = at::cumprod(at::rsub(betas, 1.0), 0);         // [T] float64
  return fromAlphasCumprod(alphasCumprod.to(at::kFloat));
}

at::Tensor DiscreteSchedule::sigmaToT(const at::Tensor& sigma) const {
  // Ref: k-diffusion external.py DiscreteSchedule.sigma_to_t (quantize=False)
  // The table lives on the CPU; [B] sigmas of another device come back on that device.
  at::Tensor logSigma = sigma.to(at::kCPU, at::kFloat).log();                         // [...]
  at::Tensor dists = logSigma.reshape({1, -1}) - m_logSigmas.reshape({-1, 1});        // [T, N]
  at::Tensor lowIdx = dists.ge(0).cumsum(0).argmax(0).clamp_max(m_numTimesteps - 2);  // [N] int64
  at::Tensor highIdx = lowIdx + 1;
  at::Tensor low = m_logSigmas.index_select(0, lowIdx);    // [N]
  at::Tensor high = m_logSigmas.index_select(0, highIdx);  // [N]
  at::Tensor w = (low - logSigma.reshape({-1})) / (low - high);
  w = w.clamp(0, 1);
  at::Tensor t = at::rsub(w, 1.0) * lowIdx + w * highIdx;  // float32
  return t.view(sigma.sizes()).to(sigma.device());
}

at::Tensor DiscreteSchedule::tToSigma(const at::Tensor& t) const {
  // Ref: k-diffusion external.py DiscreteSchedule.t_to_sigma
  at::Tensor tf = t.to(at::kCPU, at::kFloat);
  at::Tensor lowIdx = tf.floor().to(at::kLong).reshape({-1});
  at::Tensor highIdx = tf.ceil().to(at::kLong).reshape({-1});
  if (tf.numel() > 0) {
    const int64_t lo = lowIdx.min().item<int64_t>();
    const int64_t hi = highIdx.max().item<int64_t>();
    if (lo < 0 || hi >= m_numTimesteps) {
      throw std::invalid_argument("DiscreteSchedule::tToSigma: t outside [0, T-1]");
    }
  }
  at::Tensor w = tf.frac().reshape({-1});
  at::Tensor logSigma = at::rsub(w, 1.0) * m_logSigmas.index_select(0, lowIdx) +
                        w * m_logSigmas.index_select(0, highIdx);
  return logSigma.exp().view(t.sizes()).to(t.device());
}

at::Tensor sigmasNormal(const DiscreteSchedule& schedule, int64_t n) {
  requireSteps(n, "sigmasNormal");
  // Ref: k-diffusion external.py DiscreteSchedule.get_sigmas
  const int64_t tMax = schedule.numTimesteps() - 1;
  at::Tensor t = at::linspace(static_cast<double>(tMax), 0.0, n, at::kFloat);  // [n]
  return appendZero(schedule.tToSigma(t));
}

at::Tensor sigmasKarras(int64_t n, double sigmaMin, double sigmaMax, double rho) {
  requireSteps(n, "sigmasKarras");
  requireSigmaRange(sigmaMin, sigmaMax, "sigmasKarras");
  // Ref: k-diffusion sampling.py get_sigmas_karras (python-float constants, float32 tensors)
  at::Tensor ramp = at::linspace(0.0, 1.0, n, at::kFloat);  // [n]
  const double minInvRho = std::pow(sigmaMin, 1.0 / rho);
  const double maxInvRho = std::pow(sigmaMax, 1.0 / rho);
  at::Tensor sigmas = at::pow(ramp * (minInvRho - maxInvRho) + maxInvRho, rho);
  return appendZero(sigmas);
}

at::Tensor sigmasExponential(int64_t n, double sigmaMin, double sigmaMax) {
  requireSteps(n, "sigmasExponential");
  requireSigmaRange(sigmaMin, sigmaMax, "sigmasExponential");
  // Ref: k-diffusion sampling.py get_sigmas_exponential
  at::Tensor sigmas = at::linspace(std::log(sigmaMax), std::log(sigmaMin), n, at::kFloat).exp();
  return appendZero(sigmas);
}

at::Tensor sigmasPolyExponential(int64_t n, double sigmaMin, double sigmaMax, double rho) {
  requireSteps(n, "sigmasPolyExponential");
  requireSigmaRange(sigmaMin, sigmaMax, "sigmasPolyExponential");
  // Ref: k-diffusion sampling.py get_sigmas_polyexponential
  at::Tensor ramp = at::pow(at::linspace(1.0, 0.0, n, at::kFloat), rho);
  at::Tensor sigmas =
      at::exp(ramp * (std::log(sigmaMax) - std::log(sigmaMin)) + std::log(sigmaMin));
  return appendZero(sigmas);
}

at::Tensor sigmasSgmUniform(const DiscreteSchedule& schedule, int64_t n) {
  requireSteps(n, "sigmasSgmUniform");
  // Ref: A1111 modules/sd_schedulers.py sgm_uniform
  at::Tensor range = at::tensor(
      {static_cast<float>(schedule.sigmaMax()), static_cast<float>(schedule.sigmaMin())});
  at::Tensor ts = schedule.sigmaToT(range);  // [2]: start, end
  at::Tensor t = at::linspace(ts[0].item<double>(), ts[1].item<double>(), n + 1, at::kFloat)
                     .slice(0, 0, n);  // [n]
  return appendZero(schedule.tToSigma(t));
}

at::Tensor sigmasSimple(const DiscreteSchedule& schedule, int64_t n) {
  requireSteps(n, "sigmasSimple");
  // Ref: A1111 modules/sd_schedulers.py simple_scheduler
  const int64_t count = schedule.numTimesteps();
  const double stride = static_cast<double>(count) / static_cast<double>(n);
  std::vector<int64_t> idx;
  for (int64_t x = 0; x < n; ++x) {
    idx.push_back(count - 1 - static_cast<int64_t>(static_cast<double>(x) * stride));
  }
  at::Tensor sel = schedule.sigmas().index_select(0, at::tensor(idx, at::kLong));
  return appendZero(sel);
}

at::Tensor discardPenultimate(const at::Tensor& sigmas) {
  if (sigmas.dim() != 1 || sigmas.numel() < 3) {
    throw std::invalid_argument("discardPenultimate: need a 1-D schedule of >= 3 sigmas");
  }
  const int64_t n = sigmas.numel();
  return at::cat({sigmas.slice(0, 0, n - 2), sigmas.slice(0, n - 1, n)});
}

SigmaScheduleKind sigmaScheduleKindFromName(const std::string& name) {
  const std::string canonical = requireScheduleName(name);  // throws listing the valid names
  for (SigmaScheduleKind kind : {SigmaScheduleKind::Uniform, SigmaScheduleKind::Karras,
                                 SigmaScheduleKind::Exponential, SigmaScheduleKind::PolyExponential,
                                 SigmaScheduleKind::SgmUniform, SigmaScheduleKind::Simple}) {
    if (canonical == sigmaScheduleKindName(kind)) return kind;
  }
  throw std::invalid_argument("schedule type '" + canonical + "' has no sigma schedule (\"" +
                              kAutomaticSchedule + "\" means the sampler's default)");
}

const char* sigmaScheduleKindName(SigmaScheduleKind kind) {
  switch (kind) {
    case SigmaScheduleKind::Uniform:
      return "Uniform";
    case SigmaScheduleKind::Karras:
      return "Karras";
    case SigmaScheduleKind::Exponential:
      return "Exponential";
    case SigmaScheduleKind::PolyExponential:
      return "Polyexponential";
    case SigmaScheduleKind::SgmUniform:
      return "SGM Uniform";
    case SigmaScheduleKind::Simple:
      return "Simple";
  }
  return "?";
}

at::Tensor makeSigmas(const DiscreteSchedule& schedule, SigmaScheduleKind kind, int64_t steps,
                      bool discard) {
  requireSteps(steps, "makeSigmas");
  const int64_t n = discard ? steps + 1 : steps;
  at::Tensor sigmas;
  switch (kind) {
    case SigmaScheduleKind::Uniform:
      sigmas = sigmasNormal(schedule, n);
      break;
    case SigmaScheduleKind::Karras:
      sigmas = sigmasKarras(n, schedule.sigmaMin(), schedule.sigmaMax(), 7.0);
      break;
    case SigmaScheduleKind::Exponential:
      sigmas = sigmasExponential(n, schedule.sigmaMin(), schedule.sigmaMax());
      break;
    case SigmaScheduleKind::PolyExponential:
      sigmas = sigmasPolyExponential(n, schedule.sigmaMin(), schedule.sigmaMax(), 1.0);
      break;
    case SigmaScheduleKind::SgmUniform:
      sigmas = sigmasSgmUniform(schedule, n);
      break;
    case SigmaScheduleKind::Simple:
      sigmas = sigmasSimple(schedule, n);
      break;
  }
  return discard ? discardPenultimate(sigmas) : sigmas;
}

at::Tensor ddimTimesteps(int64_t n, int64_t numTimesteps) {
  requireSteps(n, "ddimTimesteps");
  if (n > numTimesteps) {
    throw std::invalid_argument("ddimTimesteps: " + std::to_string(n) +
                                " steps exceed the model's " + std::to_string(numTimesteps) +
                                " training timesteps");
  }
  // Ref: CompVis util.py make_ddim_timesteps('uniform'): range(0, T, T // n) + 1
  const int64_t stride = numTimesteps / n;
  std::vector<int64_t> steps;
  for (int64_t t = 0; t < numTimesteps; t += stride) steps.push_back(t + 1);
  if (steps.back() >= numTimesteps) {
    throw std::invalid_argument("ddimTimesteps: " + std::to_string(n) + " steps give timestep " +
                                std::to_string(steps.back()) +
                                " outside the table (CompVis 'uniform' discretisation fails "
                                "when T / n divides T - 1); choose another step count");
  }
  return at::tensor(steps, at::kLong);
}

DdimParameters ddimParameters(const DiscreteSchedule& schedule, int64_t n, double eta) {
  DdimParameters p;
  p.timesteps = ddimTimesteps(n, schedule.numTimesteps());  // [S] int64
  const at::Tensor& ac = schedule.alphasCumprod();          // [T] float32
  p.alphas = ac.index_select(0, p.timesteps);               // [S] float32
  const int64_t s = p.timesteps.numel();
  p.alphasPrev = at::cat({ac.slice(0, 0, 1), p.alphas.slice(0, 0, s - 1)});  // [S] float32
  // Ref: CompVis util.py make_ddim_sampling_parameters. The reference mixes numpy and torch:
  // alphas_prev = np.asarray([abar[0]] + alphas[:-1].tolist()) is float64 when S > 1 but float32
  // when S == 1 (a single 0-d tensor); (1 - a_prev) / (1 - a) is torch's reciprocal of the float32
  // (1 - a) times (1 - a_prev); the rest follows a_prev's dtype. The sampler then rounds the
  // result to float32 (torch.full). The cancellation in (1 - a / a_prev) makes the dtype visible.
  const at::ScalarType prevType = s > 1 ? at::kDouble : at::kFloat;
  at::Tensor aPrev = p.alphasPrev.to(prevType);
  at::Tensor invOneMinusA =
      at::reciprocal(at::rsub(p.alphas, 1.0)).to(prevType);  // float32 1/(1-a)
  at::Tensor ratio = p.alphas.to(prevType) / aPrev;
  at::Tensor sigmas = at::sqrt(at::rsub(aPrev, 1.0) * invOneMinusA * at::rsub(ratio, 1.0));
  p.sigmas = (sigmas * eta).to(at::kFloat);
  return p;
}

}  // namespace lienzo
