// diffusers DPMSolverMultistepScheduler: DPM-Solver++(2M) ("DPM++ 2M") and its SDE variant
// ("DPM++ 2M SDE", algorithm_type "sde-dpmsolver++"), solver_order 2, midpoint.
//
// The sigmas come from multistepSigmaSchedule() (int64 timesteps, final sigma 0); the solver
// works in VP terms (alpha_t = 1/sqrt(sigma^2+1), sigma_t = sigma alpha_t, lambda = log alpha_t -
// log sigma_t) on the x0 prediction, first order on the first and the last step
// (lower_order_final, final_sigmas_type "zero"). The SDE variant draws one noise tensor per step.
// exp/log of the scalars go through torch's kernels, as the reference's 0-d tensor arithmetic.
//
// Threads/ownership: as diffusers_scheduler.h.
#pragma once

#include <memory>

#include "core/sampling/diffusers_scheduler.h"

namespace lienzo {

// Ref: diffusers schedulers/scheduling_dpmsolver_multistep.py DPMSolverMultistepScheduler
std::unique_ptr<DiffusersScheduler> makeDiffusersDpmSolver(const DiffusersConfig& config, bool sde);

}  // namespace lienzo
