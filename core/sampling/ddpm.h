// diffusers DDPMScheduler (ancestral sampling of the DDPM paper, variance "fixed_small").
//
// Each step predicts x0, forms the posterior mean of x_{t-1} and adds sqrt(posterior variance)
// times fresh noise whenever t > 0 (also on the last step, where the variance is clamped to
// 1e-20). Default spacing "leading".
//
// Threads/ownership: as diffusers_scheduler.h.
#pragma once

#include <memory>

#include "core/sampling/diffusers_scheduler.h"

namespace lienzo {

// Ref: diffusers schedulers/scheduling_ddpm.py DDPMScheduler (clip_sample = false)
std::unique_ptr<DiffusersScheduler> makeDiffusersDdpm(const DiffusersConfig& config);

}  // namespace lienzo
