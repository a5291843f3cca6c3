#include "core/sampling/diffusers_dpmsolver.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/sampling/discrete_common.h"

namespace lienzo {
namespace {

class DiffusersDpmSolver final : public DiffusersScheduler {
 public:
  DiffusersDpmSolver(const DiffusersConfig& config, bool sde) : m_config(config), m_sde(sde) {}

  void setTimesteps(int64_t n) override {
    const DiffusersSigmaSchedule s = multistepSigmaSchedule(m_config, n);
    m_timesteps = s.timesteps;
    m_sigmas = s.sigmas;
    m_s = discrete::floatValues(s.sigmas);
    m_outputs[0] = at::Tensor();
    m_outputs[1] = at::Tensor();
    m_lowerOrderNums = 0;
  }

  double sigmaAt(int64_t index) const override { return m_s.at(index); }

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& noise) override {
    if (m_s.empty()) {
      throw std::invalid_argument("DPMSolverMultistepScheduler: step() before setTimesteps()");
    }
    const int64_t count = static_cast<int64_t>(m_s.size()) - 1;
    // lower_order_final: final_sigmas_type "zero" makes the last step first order (with
    // solver_order 2, lower_order_second changes nothing).
    const bool lowerOrderFinal = index == count - 1;

    // convert_model_output: x0 prediction (dpmsolver++)
    const discrete::AlphaSigma s0 = discrete::vpAlphaSigma(m_s.at(index));
    at::Tensor x0;
    if (m_config.prediction == Prediction::Epsilon) {
      x0 = (sample - modelOutput * s0.sigma) / s0.alpha;  // [B,C,H,W]
    } else {
      x0 = sample * s0.alpha - modelOutput * s0.sigma;
    }
    m_outputs[0] = m_outputs[1];
    m_outputs[1] = x0;

    at::Tensor n;
    if (m_sde) n = discrete::drawNoise(noise, modelOutput, "DPMSolverMultistepScheduler (SDE)");

    DiffusersStepOutput out;
    out.predOriginal = x0;
    if (m_lowerOrderNums < 1 || lowerOrderFinal) {
      out.prevSample = firstOrder(index, sample, n);
    } else {
      out.prevSample = secondOrder(index, sample, n);
    }
    if (m_lowerOrderNums < 2) ++m_lowerOrderNums;
    return out;
  }

 private:
  // Ref: DPMSolverMultistepScheduler.dpm_solver_first_order_update
  at::Tensor firstOrder(int64_t index, const at::Tensor& sample, const at::Tensor& noise) const {
    const discrete::AlphaSigma t = discrete::vpAlphaSigma(m_s.at(index + 1));
    const discrete::AlphaSigma s = discrete::vpAlphaSigma(m_s.at(index));
    const float h = t.lambda - s.lambda;
    const at::Tensor& m0 = m_outputs[1];
    if (!m_sde) {
      return sample * (t.sigma / s.sigma) - m0 * (t.alpha * (discrete::torchExp(-h) - 1.0f));
    }
    const float c1 = t.sigma / s.sigma * discrete::torchExp(-h);
    const float c2 = t.alpha * (1.0f - discrete::torchExp(-2.0f * h));
    const float c3 = t.sigma * std::sqrt(1.0f - discrete::torchExp(-2.0f * h));
    return sample * c1 + m0 * c2 + noise * c3;
  }

  // Ref: DPMSolverMultistepScheduler.multistep_dpm_solver_second_order_update (midpoint)
  at::Tensor secondOrder(int64_t index, const at::Tensor& sample, const at::Tensor& noise) const {
    const discrete::AlphaSigma t = discrete::vpAlphaSigma(m_s.at(index + 1));
    const discrete::AlphaSigma s0 = discrete::vpAlphaSigma(m_s.at(index));
    const discrete::AlphaSigma s1 = discrete::vpAlphaSigma(m_s.at(index - 1));
    const at::Tensor& m0 = m_outputs[1];
    const at::Tensor& m1 = m_outputs[0];
    const float h = t.lambda - s0.lambda;
    const float h0 = s0.lambda - s1.lambda;
    const float r0 = h0 / h;
    const at::Tensor& d0 = m0;
    const at::Tensor d1 = (m0 - m1) * (1.0f / r0);  // [B,C,H,W]
    if (!m_sde) {
      const float c2 = t.alpha * (discrete::torchExp(-h) - 1.0f);
      return sample * (t.sigma / s0.sigma) - d0 * c2 - d1 * (0.5f * c2);
    }
    const float c1 = t.sigma / s0.sigma * discrete::torchExp(-h);
    const float c2 = t.alpha * (1.0f - discrete::torchExp(-2.0f * h));
    const float c3 = t.sigma * std::sqrt(1.0f - discrete::torchExp(-2.0f * h));
    return sample * c1 + d0 * c2 + d1 * (0.5f * c2) + noise * c3;
  }

  DiffusersConfig m_config;
  bool m_sde;
  std::vector<float> m_s;   // sigmas [n+1]
  at::Tensor m_outputs[2];  // x0 predictions: [0] previous, [1] current
  int m_lowerOrderNums = 0;
};

}  // namespace

std::unique_ptr<DiffusersScheduler> makeDiffusersDpmSolver(const DiffusersConfig& config,
                                                           bool sde) {
  return std::make_unique<DiffusersDpmSolver>(config, sde);
}

}  // namespace lienzo
