// The k-diffusion samplers, one function per algorithm (one .cpp each), mirroring
// k-diffusion's sampling.py: each takes a denoiser D(x, sigma), the initial latent
// x = unit_noise * sigmas[0], the sigma schedule [S+1] (decreasing, ending with 0), a noise
// source and a per-step callback, and returns the final latent.
//
// Arithmetic mirrors the reference's float32 torch ops (0-d tensors for the per-step scalars), so
// ill-conditioned steps (ancestral sigma_down for sigma_to << sigma_from) round like the reference.
//
// Differences from the reference, on purpose:
// - The callback is called after each step (with the updated x and that step's denoised) and may
//   stop the run by returning false; k-diffusion calls it before the update.
// - Euler / Heun / DPM2 draw churn noise only when s_churn makes it matter (k-diffusion calls
//   torch.randn_like every step and throws the value away).
// - DPM++ 2M SDE / 3M SDE with a single step (the reference raises UnboundLocalError) return the
//   denoised output of that step, like every other sampler's final step to sigma = 0.
//
// Failure: std::invalid_argument for malformed sigmas (not 1-D, < 2 entries); exceptions from the
// callbacks propagate.
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <limits>
#include <string>

namespace lienzo::kdiffusion {

/// D(x, sigma): x [B,C,H,W] VE latent, sigma [B] float32 -> denoised [B,C,H,W].
using DenoiserFn = std::function<at::Tensor(const at::Tensor& x, const at::Tensor& sigma)>;
/// Standard-normal noise shaped like the latent for the transition sigma -> sigmaNext (0-d).
using NoiseSamplerFn =
    std::function<at::Tensor(const at::Tensor& sigma, const at::Tensor& sigmaNext)>;

struct StepInfo {
  int index = 0;         ///< step i (0-based)
  int total = 0;         ///< number of steps = sigmas.size(0) - 1
  at::Tensor sigma;      ///< 0-d, sigmas[i] (sigma_hat for churned steps)
  at::Tensor sigmaNext;  ///< 0-d, sigmas[i+1]
  at::Tensor x;          ///< latent after the step
  at::Tensor denoised;   ///< D(x_i, sigma_i) of this step
};
/// Called after every step; return false to stop (the sampler returns the current x).
using StepCallback = std::function<bool(const StepInfo&)>;

enum class SolverType { Midpoint, Heun };

struct Options {
  double eta = 1.0;     ///< ancestral / SDE noise amount (k-diffusion default 1)
  double sNoise = 1.0;  ///< noise multiplier
  double sChurn = 0.0;  ///< Euler / Heun / DPM2 churn (Karras et al. Algorithm 2)
  double sTmin = 0.0;
  double sTmax = std::numeric_limits<double>::infinity();
  double r = 0.5;                            ///< DPM++ SDE substep ratio
  int lmsOrder = 4;                          ///< LMS order
  SolverType solver = SolverType::Midpoint;  ///< DPM++ 2M SDE
};

/// Everything one sampler run needs besides x and sigmas. `noise` may be empty for the
/// deterministic samplers; `callback` may be empty.
struct Callbacks {
  DenoiserFn denoiser;
  NoiseSamplerFn noise;
  StepCallback callback;
};

// Ref: k-diffusion sampling.py sample_euler
at::Tensor sampleEuler(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                       const Options& opt = {});
// Ref: k-diffusion sampling.py sample_euler_ancestral
at::Tensor sampleEulerAncestral(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                                const Options& opt = {});
// Ref: k-diffusion sampling.py sample_heun
at::Tensor sampleHeun(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                      const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpm_2
at::Tensor sampleDpm2(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                      const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpm_2_ancestral
at::Tensor sampleDpm2Ancestral(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                               const Options& opt = {});
// Ref: k-diffusion sampling.py sample_lms
at::Tensor sampleLms(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                     const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpmpp_2s_ancestral
at::Tensor sampleDpmpp2sAncestral(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                                  const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpmpp_2m
at::Tensor sampleDpmpp2m(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                         const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpmpp_sde
at::Tensor sampleDpmppSde(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                          const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpmpp_2m_sde (opt.solver: midpoint or heun)
at::Tensor sampleDpmpp2mSde(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                            const Options& opt = {});
// Ref: k-diffusion sampling.py sample_dpmpp_3m_sde
at::Tensor sampleDpmpp3mSde(const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                            const Options& opt = {});

/// The k-diffusion algorithms by their sampling.py names.
enum class Algorithm {
  Euler,
  EulerAncestral,
  Heun,
  Dpm2,
  Dpm2Ancestral,
  Lms,
  Dpmpp2sAncestral,
  Dpmpp2m,
  DpmppSde,
  Dpmpp2mSde,
  Dpmpp3mSde,
};
/// "euler", "euler_ancestral", "heun", "dpm_2", "dpm_2_ancestral", "lms", "dpmpp_2s_ancestral",
/// "dpmpp_2m", "dpmpp_sde", "dpmpp_2m_sde", "dpmpp_3m_sde"; throws std::invalid_argument.
Algorithm algorithmFromName(const std::string& name);
/// Runs `algorithm`.
at::Tensor sample(Algorithm algorithm, const Callbacks& cb, at::Tensor x, const at::Tensor& sigmas,
                  const Options& opt = {});
/// Model calls a run over `sigmas` makes (second-order samplers call twice per non-final step).
int modelCalls(Algorithm algorithm, const at::Tensor& sigmas, const Options& opt = {});
/// Whether the algorithm draws noise (ancestral / SDE) with these options.
bool drawsNoise(Algorithm algorithm, const Options& opt = {});

namespace detail {
/// Checks sigmas (1-D float, >= 2 entries) and returns the float32 contiguous version.
at::Tensor checkSigmas(const at::Tensor& sigmas, const char* who);
/// sigmas[i] * ones[B] (k-diffusion `sigmas[i] * s_in`).
at::Tensor batchSigma(const at::Tensor& sigma0d, const at::Tensor& x);
/// (x - denoised) / sigma (sigma 0-d). Ref: k-diffusion to_d
at::Tensor toD(const at::Tensor& x, const at::Tensor& sigma, const at::Tensor& denoised);
/// (sigma_down, sigma_up) for an ancestral step. Ref: k-diffusion get_ancestral_step
std::pair<at::Tensor, at::Tensor> ancestralStep(const at::Tensor& sigmaFrom,
                                                const at::Tensor& sigmaTo, double eta);
/// Calls cb.callback if set; returns false when the run must stop.
bool report(const Callbacks& cb, int index, int total, const at::Tensor& sigma,
            const at::Tensor& sigmaNext, const at::Tensor& x, const at::Tensor& denoised);
/// Draws noise via cb.noise; throws std::invalid_argument when no noise source is set.
at::Tensor drawNoise(const Callbacks& cb, const at::Tensor& sigma, const at::Tensor& sigmaNext,
                     const char* who);
/// gamma of Karras Algorithm 2: min(s_churn / steps, sqrt(2) - 1) inside [s_tmin, s_tmax], else 0.
double churnGamma(const Options& opt, double sigma, int64_t steps);
/// Raises x from sigma to sigma_hat = sigma (gamma + 1) with fresh noise (only when gamma > 0);
/// returns sigma_hat (0-d).
at::Tensor churn(const Callbacks& cb, const Options& opt, at::Tensor& x, const at::Tensor& sigma,
                 const at::Tensor& sigmaNext, double gamma, const char* who);
/// Scalar value of a 0-d tensor.
double value(const at::Tensor& t);
}  // namespace detail

}  // namespace lienzo::kdiffusion
