#include "core/sampling/lcm.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/sampling/discrete_common.h"

namespace lienzo {

std::vector<int64_t> lcmTimesteps(int64_t n, int64_t T, int64_t originalSteps) {
  if (originalSteps < 1 || originalSteps > T) {
    throw std::invalid_argument("LCM: original_inference_steps must be in [1, " +
                                std::to_string(T) + "], got " + std::to_string(originalSteps));
  }
  if (n < 1 || n > originalSteps) {
    throw std::invalid_argument("LCM: steps must be in [1, " + std::to_string(originalSteps) +
                                "], got " + std::to_string(n) +
                                " (the LCM schedule is a subset of the " +
                                std::to_string(originalSteps) + "-step distillation schedule)");
  }
  // lcm_origin_timesteps = np.asarray(list(range(1, original_steps + 1))) * k - 1, reversed
  const int64_t k = T / originalSteps;
  std::vector<int64_t> origin;
  for (int64_t i = originalSteps; i >= 1; --i) origin.push_back(i * k - 1);
  // inference_indices = floor(np.linspace(0, len, num=n, endpoint=False))
  std::vector<int64_t> ts;
  const double len = static_cast<double>(origin.size());
  const double step = len / static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t idx = static_cast<int64_t>(std::floor(static_cast<double>(i) * step));
    ts.push_back(origin.at(idx));
  }
  return ts;
}

namespace {

// Ref: diffusers schedulers/scheduling_lcm.py LCMScheduler.step
class DiffusersLcm final : public DiffusersScheduler {
 public:
  DiffusersLcm(const DiffusersConfig& config, const LcmOptions& options)
      : m_config(config),
        m_options(options),
        m_ac(discrete::floatValues(diffusersAlphasCumprod(config))) {
    m_final = config.setAlphaToOne ? 1.0f : m_ac[0];
  }

  void setTimesteps(int64_t n) override {
    m_ts = lcmTimesteps(n, m_config.numTrainTimesteps, m_options.originalInferenceSteps);
    m_timesteps = discrete::longTensor(m_ts);
  }

  bool usesScaleModelInput() const override { return false; }
  bool returnsDenoised() const override { return true; }
  double sigmaAt(int64_t index) const override { return discrete::veSigma(m_ac[m_ts.at(index)]); }

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& noise) override {
    if (m_ts.empty()) throw std::invalid_argument("LCMScheduler: step() before setTimesteps()");
    const int64_t last = static_cast<int64_t>(m_ts.size()) - 1;
    const int64_t t = m_ts.at(index);
    const int64_t prevT = index < last ? m_ts[index + 1] : t;
    const float a = m_ac[t];
    const float aPrev = prevT >= 0 ? m_ac[prevT] : m_final;
    const float b = 1.0f - a;
    const float bPrev = 1.0f - aPrev;
    // get_scalings_for_boundary_condition_discrete (sigma_data = 0.5), float32
    const float scaled = static_cast<float>(t) * static_cast<float>(m_options.timestepScaling);
    const float cSkip = 0.25f / (scaled * scaled + 0.25f);
    const float cOut = scaled / std::sqrt(scaled * scaled + 0.25f);

    at::Tensor predX0;
    if (m_config.prediction == Prediction::Epsilon) {
      predX0 = (sample - modelOutput * std::sqrt(b)) / std::sqrt(a);  // [B,C,H,W]
    } else {
      predX0 = sample * std::sqrt(a) - modelOutput * std::sqrt(b);
    }
    DiffusersStepOutput out;
    out.predOriginal = predX0 * cOut + sample * cSkip;  // denoised
    if (index != last) {
      const at::Tensor n = discrete::drawNoise(noise, modelOutput, "LCMScheduler");
      out.prevSample = out.predOriginal * std::sqrt(aPrev) + n * std::sqrt(bPrev);
    } else {
      out.prevSample = out.predOriginal;
    }
    return out;
  }

 private:
  DiffusersConfig m_config;
  LcmOptions m_options;
  std::vector<float> m_ac;
  float m_final = 1.0f;
  std::vector<int64_t> m_ts;
};

}  // namespace

std::unique_ptr<DiffusersScheduler> makeDiffusersLcm(const DiffusersConfig& config,
                                                     const LcmOptions& options) {
  return std::make_unique<DiffusersLcm>(config, options);
}

std::unique_ptr<Sampler> makeLcmSampler() {
  return std::make_unique<DiffusersSampler>("LCMScheduler", DiffusersSchedulerOptions{},
                                            /*supportsKarras=*/false);
}

}  // namespace lienzo
