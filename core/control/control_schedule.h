// When and how strongly a ControlNet acts: its 13 (SD 1.x/2.x) or 10 (SDXL) residual scales and
// the two start/end window rules users meet in the wild.
//
// Scales (cldm.py ControlLDM.apply_model `c_i * s_i`): plain = [weight] * N; soft ("My prompt is
// more important", "ControlNet is more important", the reference's guess mode) =
// weight * 0.825^(N-1-i), so the middle residual (i = N-1) keeps the full weight and the first
// skip gets 0.825^(N-1) of it (SD 1.x: 0.0994). Ref: lllyasviel/ControlNet gradio_canny2image.py,
// sd-webui-controlnet scripts/hook.py (soft weights).
//
// Windows, start/end as fractions in [0, 1]:
// - A1111 (sd-webui-controlnet guidance_schedule_handler): off when sampling_step / steps < start
//   or > end. A1111's sampling_step during the model calls of step i is max(i - 1, 0): the
//   sampler callback sets it to i only after step i's model calls (so 8 steps with end 0.5 keep
//   control for steps 0..5).
// - ComfyUI (comfy/controlnet.py get_control, model_sampling.percent_to_sigma): off when
//   sigma > sigma(start) or sigma < sigma(end), with percent_to_sigma(p) = 999999999.9 for
//   p <= 0, 0 for p >= 1, else sigma(t = (1 - p) * 999) (log-sigma interpolation).
//
// Contract: pure functions, thread-safe; no failure modes beyond those stated.
#pragma once

#include <cstdint>
#include <vector>

namespace lienzo {

class DiscreteSchedule;  // core/sampling/schedule.h

/// The N residual factors (float32 values, as the reference multiplies float32 tensors).
std::vector<float> controlScales(int64_t count, double weight, bool soft);

/// A1111's sampling_step seen by the model calls of 0-based step `stepIndex`.
inline int a1111SamplingStep(int stepIndex) {
  return stepIndex > 0 ? stepIndex - 1 : 0;
}
/// A1111 window rule; steps > 0.
bool a1111ControlActive(int samplingStep, int steps, double start, double end);

/// ComfyUI percent_to_sigma on the model's schedule.
double comfyPercentToSigma(const DiscreteSchedule& schedule, double percent);
/// ComfyUI window rule for a model call at `sigma`.
bool comfyControlActive(double sigma, double sigmaStart, double sigmaEnd);

}  // namespace lienzo
