#include "core/sampling/ddpm.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/sampling/discrete_common.h"

namespace lienzo {
namespace {

// Ref: diffusers schedulers/scheduling_ddpm.py DDPMScheduler.set_timesteps / step
class DiffusersDdpm final : public DiffusersScheduler {
 public:
  explicit DiffusersDdpm(const DiffusersConfig& config)
      : m_config(config), m_ac(discrete::floatValues(diffusersAlphasCumprod(config))) {}

  void setTimesteps(int64_t n) override {
    const TimestepSpacing spacing = m_config.spacing.value_or(TimestepSpacing::Leading);
    m_ts = discrete::longValues(discrete::longTensor(
        diffusersTimesteps(spacing, m_config.numTrainTimesteps, n, m_config.stepsOffset)));
    m_timesteps = discrete::longTensor(m_ts);
  }

  double sigmaAt(int64_t index) const override { return discrete::veSigma(m_ac[m_ts.at(index)]); }

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& noise) override {
    if (m_ts.empty()) throw std::invalid_argument("DDPMScheduler: step() before setTimesteps()");
    const int64_t t = m_ts.at(index);
    // previous_timestep: the next entry of the schedule, -1 after the last
    const int64_t prevT = index + 1 < static_cast<int64_t>(m_ts.size()) ? m_ts[index + 1] : -1;
    const float a = m_ac[t];
    const float aPrev = prevT >= 0 ? m_ac[prevT] : 1.0f;  // self.one
    const float b = 1.0f - a;
    const float bPrev = 1.0f - aPrev;
    const float curAlpha = a / aPrev;
    const float curBeta = 1.0f - curAlpha;

    DiffusersStepOutput out;
    if (m_config.prediction == Prediction::Epsilon) {
      out.predOriginal = (sample - modelOutput * std::sqrt(b)) / std::sqrt(a);  // [B,C,H,W]
    } else {
      out.predOriginal = sample * std::sqrt(a) - modelOutput * std::sqrt(b);
    }
    // formula (7) of the DDPM paper
    const float x0Coeff = (std::sqrt(aPrev) * curBeta) / b;
    const float sampleCoeff = std::sqrt(curAlpha) * bPrev / b;
    out.prevSample = out.predOriginal * x0Coeff + sample * sampleCoeff;
    if (t > 0) {
      const at::Tensor n = discrete::drawNoise(noise, modelOutput, "DDPMScheduler");
      // _get_variance ("fixed_small"): (1 - a_prev) / (1 - a) * (1 - a / a_prev), >= 1e-20
      const float variance = std::max((1.0f - aPrev) / (1.0f - a) * (1.0f - a / aPrev), 1e-20f);
      out.prevSample = out.prevSample + n * std::sqrt(variance);
    }
    return out;
  }

 private:
  DiffusersConfig m_config;
  std::vector<float> m_ac;
  std::vector<int64_t> m_ts;
};

}  // namespace

std::unique_ptr<DiffusersScheduler> makeDiffusersDdpm(const DiffusersConfig& config) {
  return std::make_unique<DiffusersDdpm>(config);
}

}  // namespace lienzo
