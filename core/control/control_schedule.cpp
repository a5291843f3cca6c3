// ControlNet scales and window rules (control_schedule.h).
#include "core/control/control_schedule.h"

#include "core/sampling/schedule.h"

#include <ATen/ATen.h>

#include <cmath>

namespace lienzo {

std::vector<float> controlScales(int64_t count, double weight, bool soft) {
  std::vector<float> s(static_cast<std::size_t>(count > 0 ? count : 0));
  for (int64_t i = 0; i < count; ++i)  // Ref: [strength * (0.825 ** float(12 - i)) ...]
    s[i] = static_cast<float>(soft ? weight * std::pow(0.825, double(count - 1 - i)) : weight);
  return s;
}

bool a1111ControlActive(int samplingStep, int steps, double start, double end) {
  // Ref: sd-webui-controlnet hook.py: current_sampling_percent = sampling_step / total steps;
  // skip when percent < guidance_start or percent > guidance_end.
  const double pct = steps > 0 ? double(samplingStep) / double(steps) : 0.0;
  return !(pct < start || pct > end);
}

double comfyPercentToSigma(const DiscreteSchedule& schedule, double percent) {
  // Ref: comfy/model_sampling.py ModelSamplingDiscrete.percent_to_sigma.
  if (percent <= 0.0) return 999999999.9;
  if (percent >= 1.0) return 0.0;
  const double t = (1.0 - percent) * 999.0;
  return schedule.tToSigma(at::tensor({static_cast<float>(t)}, at::kFloat))
      .item<double>();  // float32 t, as torch.tensor(p * 999.0)
}

bool comfyControlActive(double sigma, double sigmaStart, double sigmaEnd) {
  // Ref: comfy/controlnet.py ControlBase.get_control: skip when sigma > start or sigma < end.
  return !(sigma > sigmaStart || sigma < sigmaEnd);
}

}  // namespace lienzo
