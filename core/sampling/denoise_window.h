// Which part of a sampling schedule an img2img / inpainting / hires run covers, for the two
// "denoising strength" semantics users meet (Ref: ../shared/specs/next-wave.md §1.2):
// - A1111's default (sd_samplers_common.setup_img2img_steps, img2img_fix_steps off; sd.cpp):
//   t_enc = int(min(s, 0.999) · steps); the schedule has `steps` steps and the run takes its last
//   t_enc + 1.
// - Fixed steps (ComfyUI KSampler.set_steps, A1111 img2img_fix_steps and every hires pass): the
//   schedule has int(steps / min(s, 0.999)) steps and the run takes exactly its last `steps`.
// Strength 0 runs no step in either semantics (the init latent comes back unchanged); A1111's
// default would run one step at the lowest noise level, its fixed-steps mode divides by zero.
//
// Pure functions, any thread. Failure: std::invalid_argument for steps < 1 or a strength outside
// [0, 1] (NaN included).
#pragma once

namespace lienzo {

struct DenoiseWindow {
  int scheduleSteps = 0;  ///< steps of the schedule the sampler builds
  int runSteps = 0;       ///< the run takes the last runSteps of them (≤ scheduleSteps)
};

DenoiseWindow denoiseWindow(int steps, double strength, bool fixedSteps);

}  // namespace lienzo
