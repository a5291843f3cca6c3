// diffusers' sigma-space schedulers: EulerDiscrete, EulerAncestralDiscrete and LMSDiscrete.
//
// They share eulerSigmaSchedule() (float32 timesteps, float64-interpolated sigmas or Karras
// sigmas, init_noise_sigma by spacing) and scale the UNet input by 1 / sqrt(sigma^2 + 1). The
// step math is k-diffusion's Euler / Euler ancestral / LMS, computed in diffusers' float32
// order of operations. Euler ancestral draws one noise tensor per step (also on the last);
// Euler (s_churn = 0) and LMS are deterministic.
//
// Threads/ownership: as diffusers_scheduler.h.
#pragma once

#include <memory>

#include "core/sampling/diffusers_scheduler.h"

namespace lienzo {

// Ref: diffusers schedulers/scheduling_euler_discrete.py EulerDiscreteScheduler
std::unique_ptr<DiffusersScheduler> makeDiffusersEuler(const DiffusersConfig& config);
// Ref: diffusers schedulers/scheduling_euler_ancestral_discrete.py
std::unique_ptr<DiffusersScheduler> makeDiffusersEulerAncestral(const DiffusersConfig& config);
/// order 4 (the step function's default), coefficients integrated exactly in float64.
// Ref: diffusers schedulers/scheduling_lms_discrete.py LMSDiscreteScheduler
std::unique_ptr<DiffusersScheduler> makeDiffusersLms(const DiffusersConfig& config);

/// The LMS coefficient: integral over [sigmas[i], sigmas[i+1]] of the Lagrange basis
/// polynomial `current` through sigmas[i], sigmas[i-1], ..., sigmas[i-order+1].
double lmsCoefficient(const std::vector<double>& sigmas, int64_t i, int order, int current);

}  // namespace lienzo
