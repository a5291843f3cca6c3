// Training noise schedules of discrete-time SD models and the sampling schedules derived from them.
//
// DiscreteSchedule holds the model's alphas_cumprod table (T entries, float32, usually read from
// the checkpoint buffer) and the k-diffusion view of it: sigmas = sqrt((1 - abar) / abar) and
// log_sigmas, both float32 and increasing with t. It converts between VE sigma and (fractional)
// timestep exactly as k-diffusion's DiscreteSchedule (float32 log-sigma interpolation).
//
// The free functions build the sigma sequences the k-diffusion samplers run on (n + 1 entries,
// decreasing, ending with 0) and the CompVis DDIM timestep/alpha tables.
//
// Contract: all returned tensors are new float32 (int64 for timesteps) CPU tensors owned by the
// caller. A DiscreteSchedule is immutable after construction; its const methods may be called from
// any thread. Impossible requests (n < 1, empty/invalid tables, unknown names) throw
// std::invalid_argument.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

class DiscreteSchedule {
 public:
  /// From an alphas_cumprod table [T] (any floating dtype; converted to float32, T >= 2, values in
  /// (0, 1)). sigmas/log_sigmas are computed from it in float32 as k-diffusion does.
  // Ref: k-diffusion external.py DiscreteEpsDDPMDenoiser.__init__
  static DiscreteSchedule fromAlphasCumprod(const at::Tensor& alphasCumprod);

  /// SD's "scaled_linear" schedule as CompVis register_schedule computes it: betas =
  /// linspace(sqrt(betaStart), sqrt(betaEnd), T, float64)^2, alphas_cumprod = cumprod(1 - betas)
  /// in float64, then cast to float32. Defaults are SD 1.x/2.x/XL's.
  static DiscreteSchedule scaledLinear(int64_t numTimesteps = 1000, double betaStart = 0.00085,
                                       double betaEnd = 0.012);
  /// Float64 betas of the scaled_linear schedule ([T], float64), as CompVis register_schedule.
  static at::Tensor scaledLinearBetas(int64_t numTimesteps = 1000, double betaStart = 0.00085,
                                      double betaEnd = 0.012);

  int64_t numTimesteps() const { return m_numTimesteps; }
  /// [T] float32.
  const at::Tensor& alphasCumprod() const { return m_alphasCumprod; }
  /// [T] float32, increasing: sigmas[t] = sqrt((1 - abar_t) / abar_t).
  const at::Tensor& sigmas() const { return m_sigmas; }
  /// [T] float32 = log(sigmas).
  const at::Tensor& logSigmas() const { return m_logSigmas; }
  /// sigmas[0] and sigmas[T-1] as doubles (the float32 values, as python `.item()`).
  double sigmaMin() const { return m_sigmaMin; }
  double sigmaMax() const { return m_sigmaMax; }

  /// Fractional timestep of each sigma (float32 tensor of the same shape and device, sigma > 0).
  /// lo = last j with log_sigmas[j] <= log(sigma) (0 if none), at most T-2; hi = lo + 1;
  /// w = clamp((ls[lo] - log sigma) / (ls[lo] - ls[hi]), 0, 1); t = (1 - w) lo + w hi.
  // Ref: k-diffusion external.py DiscreteSchedule.sigma_to_t (quantize=False)
  at::Tensor sigmaToT(const at::Tensor& sigma) const;
  /// sigma(t) = exp((1 - w) ls[floor t] + w ls[ceil t]), w = frac(t); t in [0, T-1], any shape.
  // Ref: k-diffusion external.py DiscreteSchedule.t_to_sigma
  at::Tensor tToSigma(const at::Tensor& t) const;

 private:
  DiscreteSchedule() = default;
  int64_t m_numTimesteps = 0;
  at::Tensor m_alphasCumprod;  // [T] float32
  at::Tensor m_sigmas;         // [T] float32
  at::Tensor m_logSigmas;      // [T] float32
  double m_sigmaMin = 0.0;
  double m_sigmaMax = 0.0;
};

// ---- k-diffusion sigma schedules: [n+1] float32, decreasing, last entry 0 -------------------

/// k-diffusion get_sigmas(n): t = linspace(T-1, 0, n), sigma = t_to_sigma(t), then 0 appended.
/// (A1111 "Uniform".)
at::Tensor sigmasNormal(const DiscreteSchedule& schedule, int64_t n);
/// Karras et al. (2022): (max^(1/rho) + ramp (min^(1/rho) - max^(1/rho)))^rho, ramp =
/// linspace(0,1,n).
// Ref: k-diffusion sampling.py get_sigmas_karras
at::Tensor sigmasKarras(int64_t n, double sigmaMin, double sigmaMax, double rho = 7.0);
/// exp(linspace(log max, log min, n)).
// Ref: k-diffusion sampling.py get_sigmas_exponential
at::Tensor sigmasExponential(int64_t n, double sigmaMin, double sigmaMax);
/// exp(linspace(1, 0, n)^rho (log max - log min) + log min).
// Ref: k-diffusion sampling.py get_sigmas_polyexponential
at::Tensor sigmasPolyExponential(int64_t n, double sigmaMin, double sigmaMax, double rho = 1.0);
/// A1111 "SGM Uniform": t evenly spaced from sigma_to_t(max) to sigma_to_t(min) (n of n+1 points).
// Ref: A1111 modules/sd_schedulers.py sgm_uniform
at::Tensor sigmasSgmUniform(const DiscreteSchedule& schedule, int64_t n);
/// A1111 "Simple": every (T/n)-th training sigma from the top.
// Ref: A1111 modules/sd_schedulers.py simple_scheduler
at::Tensor sigmasSimple(const DiscreteSchedule& schedule, int64_t n);
/// cat([s[:-2], s[-1:]]): A1111's DPM2 / DPM2 a schedule is computed for n + 1 steps and then
/// loses its next-to-last sigma. Requires >= 3 entries.
at::Tensor discardPenultimate(const at::Tensor& sigmas);

/// Sigma schedule kinds by A1111 "Schedule type" name.
enum class SigmaScheduleKind { Uniform, Karras, Exponential, PolyExponential, SgmUniform, Simple };
/// Any spelling resolveScheduleName() (core/sampling/sampler_names.h) accepts of "Uniform" (alias
/// "Normal"), "Karras", "Exponential", "Polyexponential", "SGM Uniform", "Simple". Throws
/// std::invalid_argument listing valid names for others, "Automatic" included.
SigmaScheduleKind sigmaScheduleKindFromName(const std::string& name);
/// The canonical A1111 name of a kind.
const char* sigmaScheduleKindName(SigmaScheduleKind kind);
/// [steps+1] sigmas of `kind` for `schedule` (Karras rho 7, Polyexponential rho 1, sigma range of
/// the table). discardPenultimate: computed for steps + 1 and the next-to-last sigma dropped.
at::Tensor makeSigmas(const DiscreteSchedule& schedule, SigmaScheduleKind kind, int64_t steps,
                      bool discardPenultimate = false);

// ---- CompVis DDIM ----------------------------------------------------------------------------

/// CompVis make_ddim_timesteps('uniform', n, T): range(0, T, T / n) + 1, ascending int64 [S]
/// (S may exceed n, e.g. n = 7 gives 8). Throws std::invalid_argument where the reference would
/// index out of range (the last timestep reaching T, e.g. T / n dividing T - 1).
// Ref: CompVis ldm/modules/diffusionmodules/util.py make_ddim_timesteps
at::Tensor ddimTimesteps(int64_t n, int64_t numTimesteps = 1000);

struct DdimParameters {
  at::Tensor timesteps;   ///< [S] int64, ascending
  at::Tensor alphas;      ///< [S] float32 alphas_cumprod[timesteps]
  at::Tensor alphasPrev;  ///< [S] float32 [abar[0], alphas[:-1]...]
  /// [S] float32 eta * sqrt((1-a_prev)/(1-a) * (1 - a/a_prev)), computed with the reference's
  /// dtypes (float64 for S > 1, float32 for S == 1, float32 reciprocal of 1 - a) then rounded.
  at::Tensor sigmas;
};
/// make_ddim_sampling_parameters over ddimTimesteps(n) of the schedule's float32 table.
// Ref: CompVis ldm/modules/diffusionmodules/util.py make_ddim_sampling_parameters
DdimParameters ddimParameters(const DiscreteSchedule& schedule, int64_t n, double eta);

}  // namespace lienzo
