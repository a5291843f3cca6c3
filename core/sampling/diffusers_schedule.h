// diffusers-style training tables, timestep spacings and sigma schedules.
//
// diffusers schedulers do not use the checkpoint's alphas_cumprod buffer: each class computes its
// own float32 table from its config (betas = linspace(sqrt(b0), sqrt(b1), T, float32)^2,
// alphas_cumprod = cumprod(1 - betas)), picks inference timesteps with one of three spacings
// ("linspace", "leading", "trailing", plus steps_offset) and, for the sigma-based classes,
// interpolates VE sigmas in float64 from that table (np.interp) or replaces them with Karras
// sigmas, mapping those back to (fractional) timesteps. The functions here reproduce those tables
// so that a diffusers-style sampler run matches diffusers from the same seed.
//
// Contract: pure functions; returned tensors are new CPU tensors owned by the caller (float32
// unless stated). Impossible requests (n < 1, n > T, empty tables) throw std::invalid_argument.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sampling/sampler.h"

namespace lienzo {

/// diffusers `timestep_spacing` (Table 2 of "Common Diffusion Noise Schedules and Sample Steps
/// are Flawed").
enum class TimestepSpacing { Linspace, Leading, Trailing };
/// "linspace" | "leading" | "trailing" (case-insensitive); throws std::invalid_argument otherwise.
TimestepSpacing timestepSpacingFromName(const std::string& name);
const char* timestepSpacingName(TimestepSpacing spacing);

enum class BetaSchedule { Linear, ScaledLinear };

/// The part of a diffusers scheduler config that shapes its tables. Defaults: SD 1.x/2.x
/// scheduler_config.json (scaled_linear 0.00085..0.012, T = 1000, steps_offset = 1,
/// set_alpha_to_one = false).
struct DiffusersConfig {
  int64_t numTrainTimesteps = 1000;
  double betaStart = 0.00085;
  double betaEnd = 0.012;
  BetaSchedule betaSchedule = BetaSchedule::ScaledLinear;
  int64_t stepsOffset = 1;
  bool setAlphaToOne = false;
  Prediction prediction = Prediction::Epsilon;
  /// Unset: the scheduler class' own default spacing.
  std::optional<TimestepSpacing> spacing;
  /// Euler / LMS / DPM-Solver / UniPC: Karras sigmas (rho 7) between the table's extremes.
  bool useKarrasSigmas = false;
  /// Optional [T] table that replaces the one computed from the betas (e.g. the checkpoint's
  /// own buffer); converted to float32.
  at::Tensor alphasCumprod;
};

/// [T] float32 betas of the config (torch.linspace in float32, squared for scaled_linear).
// Ref: diffusers scheduling_ddim.py DDIMScheduler.__init__ (beta_schedule)
at::Tensor diffusersBetas(const DiffusersConfig& config);
/// [T] float32 alphas_cumprod: config.alphasCumprod when set, else cumprod(1 - betas).
at::Tensor diffusersAlphasCumprod(const DiffusersConfig& config);
/// [T] float32 VE sigmas of a table: ((1 - abar) / abar) ** 0.5, computed in float32.
at::Tensor diffusersSigmaTable(const at::Tensor& alphasCumprod);

/// DDIM / DDPM / Euler timesteps: n values, descending.
///   linspace: round(linspace(0, T-1, n)); leading: arange(n) * (T // n) + offset;
///   trailing: round(arange(T, 0, -T/n)) - 1.
/// `roundLinspace` = false keeps linspace values fractional (Euler / LMS, which use float32
/// timesteps: linspace(0, T-1, n, dtype=float32)).
// Ref: diffusers scheduling_ddim.py / scheduling_euler_discrete.py set_timesteps
std::vector<double> diffusersTimesteps(TimestepSpacing spacing, int64_t numTrainTimesteps,
                                       int64_t n, int64_t stepsOffset, bool roundLinspace = true);
/// DPM-Solver / UniPC timesteps: computed for n + 1 points and the last (lowest) dropped
/// (linspace and leading); trailing as diffusersTimesteps. n values, descending, integers.
// Ref: diffusers scheduling_dpmsolver_multistep.py set_timesteps
std::vector<double> diffusersMultistepTimesteps(TimestepSpacing spacing, int64_t numTrainTimesteps,
                                                int64_t n, int64_t stepsOffset);

/// np.interp(x, arange(T), table) in float64 (table: [T] float32 sigmas).
std::vector<double> interpSigmas(const at::Tensor& sigmaTable, const std::vector<double>& x);
/// Karras et al. (2022) sigmas in float64: (max^(1/rho) + ramp (min^(1/rho) - max^(1/rho)))^rho,
/// ramp = linspace(0, 1, n).
// Ref: diffusers scheduling_euler_discrete.py _convert_to_karras
std::vector<double> karrasSigmas(int64_t n, double sigmaMin, double sigmaMax, double rho = 7.0);
/// diffusers _sigma_to_t: log-sigma interpolation over the float32 log table (fractional t),
/// with numpy 1.x value-based casting (distances and the weight in float32, t in float64).
// Ref: diffusers scheduling_euler_discrete.py _sigma_to_t
double diffusersSigmaToT(double sigma, const at::Tensor& logSigmaTable);

/// Timesteps and sigmas of a sigma-based diffusers scheduler after set_timesteps(n).
struct DiffusersSigmaSchedule {
  at::Tensor timesteps;   ///< [n] float32 (Euler/LMS) or int64 (DPM-Solver/UniPC), descending
  at::Tensor sigmas;      ///< [n+1] float32, last entry 0 (final_sigmas_type "zero")
  double initNoiseSigma;  ///< the float32 value diffusers multiplies the unit noise with
};

/// EulerDiscrete / EulerAncestralDiscrete / LMSDiscrete (default spacing linspace): float32
/// timesteps, sigmas = interp(table) or Karras; init_noise_sigma = max sigma for
/// linspace/trailing, sqrt(max^2 + 1) otherwise.
// Ref: diffusers scheduling_euler_discrete.py set_timesteps, init_noise_sigma
DiffusersSigmaSchedule eulerSigmaSchedule(const DiffusersConfig& config, int64_t n);
/// DPMSolverMultistep / UniPCMultistep (default spacing linspace): int64 timesteps (Karras:
/// rounded sigma_to_t), init_noise_sigma = 1.
// Ref: diffusers scheduling_dpmsolver_multistep.py set_timesteps
DiffusersSigmaSchedule multistepSigmaSchedule(const DiffusersConfig& config, int64_t n);

/// Throws std::invalid_argument unless 1 <= n <= numTrainTimesteps.
void checkInferenceSteps(int64_t n, int64_t numTrainTimesteps, const char* who);

}  // namespace lienzo
