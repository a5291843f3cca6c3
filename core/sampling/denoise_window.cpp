#include "core/sampling/denoise_window.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace lienzo {

DenoiseWindow denoiseWindow(int steps, double strength, bool fixedSteps) {
  if (steps < 1) throw std::invalid_argument("denoising: steps must be >= 1");
  if (!(strength >= 0.0 && strength <= 1.0))
    throw std::invalid_argument("denoising strength must be in [0, 1] (got " +
                                std::to_string(strength) + ")");
  if (strength == 0.0) return {steps, 0};
  const double s = std::min(strength, 0.999);
  if (fixedSteps) {
    // Ref: A1111 sd_samplers_common.setup_img2img_steps (img2img_fix_steps or a given `steps`):
    // steps = int(steps / min(s, 0.999)), t_enc = requested - 1, so `requested` steps run.
    const int total = static_cast<int>(steps / s);
    return {std::max(total, steps), steps};
  }
  // Ref: A1111 setup_img2img_steps: t_enc = int(min(s, 0.999) * steps); sigma_sched =
  // sigmas[steps - t_enc - 1:] holds t_enc + 2 sigmas, i.e. t_enc + 1 steps.
  const int tEnc = static_cast<int>(s * steps);
  return {steps, std::min(tEnc + 1, steps)};
}

}  // namespace lienzo
