// LCM: diffusers' LCMScheduler (latent consistency models, multistep consistency sampling).
//
// Timesteps come from the distillation schedule k = T // original_inference_steps:
// [k-1, 2k-1, ..., T-1] (reversed), of which n are taken at evenly spaced indices. Each step
// predicts x0, applies the consistency boundary scalings (c_skip, c_out at timestep_scaling 10)
// to get `denoised`, and re-noises it to the next timestep with fresh noise (not after the last
// step). The pipeline's result is the last `denoised`. The LCM pipeline does not scale the model
// input. n > original_inference_steps (50) is impossible for the reference; Lienzo throws
// std::invalid_argument.
//
// Threads/ownership: as diffusers_scheduler.h.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/sampler.h"

namespace lienzo {

/// LCMScheduler.set_timesteps(n) timesteps (descending). Throws std::invalid_argument for
/// n < 1 or n > originalInferenceSteps (or originalInferenceSteps > T).
// Ref: diffusers schedulers/scheduling_lcm.py LCMScheduler.set_timesteps
std::vector<int64_t> lcmTimesteps(int64_t n, int64_t numTrainTimesteps,
                                  int64_t originalInferenceSteps);

// Ref: diffusers schedulers/scheduling_lcm.py LCMScheduler (default spacing "leading" is unused
// by the LCM timestep schedule)
std::unique_ptr<DiffusersScheduler> makeDiffusersLcm(const DiffusersConfig& config,
                                                     const LcmOptions& options = {});

/// "LCM": the LCM scheduler on the model's table (ctx.schedule), prediction ctx.prediction;
/// schedule type and eta are ignored. Needs ctx.noise for steps > 1.
std::unique_ptr<Sampler> makeLcmSampler();

}  // namespace lienzo
