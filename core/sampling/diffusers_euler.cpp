#include "core/sampling/diffusers_euler.h"

#include <ATen/ATen.h>

#include <cmath>
#include <deque>
#include <stdexcept>
#include <vector>

#include "core/sampling/discrete_common.h"

namespace lienzo {
namespace {

// Common part: the sigma schedule, init_noise_sigma and scale_model_input.
class SigmaScheduler : public DiffusersScheduler {
 public:
  explicit SigmaScheduler(const DiffusersConfig& config) : m_config(config) {}

  void setTimesteps(int64_t n) override {
    const DiffusersSigmaSchedule s = eulerSigmaSchedule(m_config, n);
    m_timesteps = s.timesteps;
    m_sigmas = s.sigmas;
    m_s = discrete::floatValues(s.sigmas);
    m_init = s.initNoiseSigma;
    reset();
  }

  double initNoiseSigma() const override { return m_init; }
  double sigmaAt(int64_t index) const override { return m_s.at(index); }

  at::Tensor scaleModelInput(const at::Tensor& sample, int64_t index) const override {
    const float sigma = m_s.at(index);
    return sample / std::sqrt(sigma * sigma + 1.0f);  // [B,C,H,W]
  }

  // Ref: diffusers EulerDiscreteScheduler.add_noise: original + noise * sigma
  at::Tensor addNoise(const at::Tensor& x0, const at::Tensor& noise, int64_t index) const override {
    return x0 + noise * m_s.at(index);
  }

 protected:
  virtual void reset() {}

  void checkReady() const {
    if (m_s.empty())
      throw std::invalid_argument("diffusers scheduler: step() before setTimesteps()");
  }

  // pred_original_sample for eps / v (c_out, c_skip of the VE parameterisation)
  at::Tensor predOriginal(const at::Tensor& modelOutput, const at::Tensor& sample,
                          float sigma) const {
    if (m_config.prediction == Prediction::Epsilon) return sample - modelOutput * sigma;
    const float s2 = sigma * sigma + 1.0f;
    return modelOutput * (-sigma / std::sqrt(s2)) + sample / s2;
  }

  DiffusersConfig m_config;
  std::vector<float> m_s;  // sigmas [n+1]
  double m_init = 1.0;
};

// Ref: EulerDiscreteScheduler.step (s_churn = 0: gamma = 0, sigma_hat = sigma, no noise)
class DiffusersEuler final : public SigmaScheduler {
 public:
  using SigmaScheduler::SigmaScheduler;

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& /*noise*/) override {
    checkReady();
    const float sigmaHat = m_s.at(index) * (0.0f + 1.0f);
    DiffusersStepOutput out;
    out.predOriginal = predOriginal(modelOutput, sample, m_s.at(index));
    const at::Tensor derivative = (sample - out.predOriginal) / sigmaHat;  // [B,C,H,W]
    const float dt = m_s.at(index + 1) - sigmaHat;
    out.prevSample = sample + derivative * dt;
    return out;
  }
};

// Ref: EulerAncestralDiscreteScheduler.step
class DiffusersEulerAncestral final : public SigmaScheduler {
 public:
  using SigmaScheduler::SigmaScheduler;

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& noise) override {
    checkReady();
    const float sigma = m_s.at(index);
    const float sigmaTo = m_s.at(index + 1);
    DiffusersStepOutput out;
    out.predOriginal = predOriginal(modelOutput, sample, sigma);
    const float st2 = sigmaTo * sigmaTo;
    const float sf2 = sigma * sigma;
    const float sigmaUp = std::sqrt(st2 * (sf2 - st2) / sf2);
    const float sigmaDown = std::sqrt(st2 - sigmaUp * sigmaUp);
    const at::Tensor derivative = (sample - out.predOriginal) / sigma;  // [B,C,H,W]
    const float dt = sigmaDown - sigma;
    out.prevSample = sample + derivative * dt;
    const at::Tensor n = discrete::drawNoise(noise, modelOutput, "EulerAncestralDiscreteScheduler");
    out.prevSample = out.prevSample + n * sigmaUp;
    return out;
  }
};

// Ref: LMSDiscreteScheduler.step (order = 4)
class DiffusersLms final : public SigmaScheduler {
 public:
  using SigmaScheduler::SigmaScheduler;

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& /*noise*/) override {
    checkReady();
    constexpr int kOrder = 4;
    const float sigma = m_s.at(index);
    DiffusersStepOutput out;
    out.predOriginal = predOriginal(modelOutput, sample, sigma);
    m_derivatives.push_back((sample - out.predOriginal) / sigma);  // [B,C,H,W]
    if (m_derivatives.size() > static_cast<size_t>(kOrder)) m_derivatives.pop_front();
    const int order = static_cast<int>(std::min<int64_t>(index + 1, kOrder));
    const std::vector<double> sigmas(m_s.begin(), m_s.end());
    // prev = sample + sum(coeff * derivative for coeff, derivative in zip(coeffs, reversed(ds)));
    // zip stops at the shorter list when an img2img run began past index 0.
    const int terms = std::min<int>(order, static_cast<int>(m_derivatives.size()));
    at::Tensor acc;
    for (int k = 0; k < terms; ++k) {
      const float coeff = static_cast<float>(lmsCoefficient(sigmas, index, order, k));
      const at::Tensor& d = m_derivatives[m_derivatives.size() - 1 - k];
      acc = k == 0 ? d * coeff : acc + d * coeff;
    }
    out.prevSample = sample + acc;
    return out;
  }

 protected:
  void reset() override { m_derivatives.clear(); }

 private:
  std::deque<at::Tensor> m_derivatives;
};

}  // namespace

double lmsCoefficient(const std::vector<double>& sigmas, int64_t i, int order, int current) {
  if (i < order - 1 || i + 1 >= static_cast<int64_t>(sigmas.size())) {
    throw std::invalid_argument("lmsCoefficient: index out of range");
  }
  // Ref: LMSDiscreteScheduler.get_lms_coefficient (scipy quad of a polynomial of degree
  // order - 1 <= 3); 3-point Gauss-Legendre integrates it exactly.
  const auto basis = [&](double tau) {
    double prod = 1.0;
    for (int k = 0; k < order; ++k) {
      if (k == current) continue;
      prod *= (tau - sigmas[i - k]) / (sigmas[i - current] - sigmas[i - k]);
    }
    return prod;
  };
  const double a = sigmas[i];
  const double b = sigmas[i + 1];
  const double mid = 0.5 * (a + b);
  const double half = 0.5 * (b - a);
  const double node = std::sqrt(3.0 / 5.0);
  return half * (5.0 / 9.0 * basis(mid - half * node) + 8.0 / 9.0 * basis(mid) +
                 5.0 / 9.0 * basis(mid + half * node));
}

std::unique_ptr<DiffusersScheduler> makeDiffusersEuler(const DiffusersConfig& config) {
  return std::make_unique<DiffusersEuler>(config);
}

std::unique_ptr<DiffusersScheduler> makeDiffusersEulerAncestral(const DiffusersConfig& config) {
  return std::make_unique<DiffusersEulerAncestral>(config);
}

std::unique_ptr<DiffusersScheduler> makeDiffusersLms(const DiffusersConfig& config) {
  return std::make_unique<DiffusersLms>(config);
}

}  // namespace lienzo
