#include "core/sampling/plms.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>
#include <vector>

#include "core/sampling/compvis_step.h"
#include "core/sampling/discrete_common.h"
#include "core/sampling/schedule.h"

namespace lienzo {

at::Tensor sampleCompVisPlms(const CompVisDdimTables& tables, const at::Tensor& alphasCumprod,
                             Prediction prediction, const at::Tensor& xT, const ModelFn& model,
                             const NoiseFn& noise, const StepFn& onStep) {
  const std::vector<int64_t> ts = discrete::longValues(tables.timesteps);
  const std::vector<float> ac = discrete::floatValues(alphasCumprod);
  const int64_t S = static_cast<int64_t>(ts.size());
  const auto modelEps = [&](const at::Tensor& x, int64_t t) {
    const at::Tensor out = model(x, discrete::timestepBatch(static_cast<double>(t), x));
    return compvis::epsFromOutput(out, x, ac[t], prediction).eps;  // [B,C,H,W]
  };

  at::Tensor x = xT;  // [B,C,H,W] VP latent
  std::deque<at::Tensor> oldEps;
  // Ref: CompVis plms.py PLMSSampler.plms_sampling / p_sample_plms
  for (int64_t i = 0; i < S; ++i) {
    const int64_t index = S - i - 1;
    const int64_t t = ts[index];
    const int64_t tNext = ts[S - 1 - std::min(i + 1, S - 1)];  // time_range[min(i+1, len-1)]
    const compvis::Coefficients c = compvis::coefficients(tables, index);
    const at::Tensor eT = modelEps(x, t);
    at::Tensor ePrime;
    const size_t k = oldEps.size();
    if (k == 0) {
      // Pseudo improved Euler (2nd order)
      const compvis::CompVisUpdate first = compvis::update(x, eT, at::Tensor(), c, noise);
      const at::Tensor eNext = modelEps(first.xPrev, tNext);
      ePrime = (eT + eNext) / 2;
    } else if (k == 1) {
      // 2nd order pseudo linear multistep (Adams-Bashforth)
      ePrime = (eT * 3 - oldEps[k - 1]) / 2;
    } else if (k == 2) {
      ePrime = (eT * 23 - oldEps[k - 1] * 16 + oldEps[k - 2] * 5) / 12;
    } else {
      ePrime = (eT * 55 - oldEps[k - 1] * 59 + oldEps[k - 2] * 37 - oldEps[k - 3] * 9) / 24;
    }
    const compvis::CompVisUpdate u = compvis::update(x, ePrime, at::Tensor(), c, noise);
    x = u.xPrev;
    oldEps.push_back(eT);
    if (oldEps.size() >= 4) oldEps.pop_front();
    if (!discrete::reportStep(onStep, i, S, discrete::veSigma(ac[t]), x, u.predX0)) break;
  }
  return x;
}

namespace {

class CompVisPlmsSampler final : public Sampler {
 public:
  at::Tensor sample(const SamplingContext& ctx) override {
    discrete::checkContext(ctx, "PLMS");
    if (ctx.eta > 0.0) {
      throw std::invalid_argument("PLMS: eta must be 0 (PLMS is deterministic)");
    }
    const at::Tensor& ac = ctx.schedule->alphasCumprod();
    const std::vector<int64_t> ts =
        compvisDdimTimesteps(discrete::scheduleSteps(ctx), ac.numel(), DdimRangePolicy::Clamp);
    const CompVisStart start = compvisStart(compvisDdimTables(ac, ts, 0.0), ctx);
    if (start.tables.timesteps.numel() == 0) return start.x;
    return sampleCompVisPlms(start.tables, ac, ctx.prediction, start.x, ctx.model, ctx.noise,
                             ctx.onStep);
  }

  int modelCalls(int steps) const override {
    const int64_t n = std::clamp<int64_t>(steps, 1, 1000);
    return static_cast<int>(compvisDdimTimesteps(n, 1000, DdimRangePolicy::Clamp).size()) + 1;
  }
};

// Ref: diffusers schedulers/scheduling_pndm.py PNDMScheduler (skip_prk_steps=True)
class DiffusersPndm final : public DiffusersScheduler {
 public:
  explicit DiffusersPndm(const DiffusersConfig& config)
      : m_config(config), m_ac(discrete::floatValues(diffusersAlphasCumprod(config))) {
    m_final = config.setAlphaToOne ? 1.0f : m_ac[0];
  }

  void setTimesteps(int64_t n) override {
    const TimestepSpacing spacing = m_config.spacing.value_or(TimestepSpacing::Leading);
    std::vector<double> base =
        diffusersTimesteps(spacing, m_config.numTrainTimesteps, n, m_config.stepsOffset);
    std::reverse(base.begin(), base.end());  // _timesteps, ascending
    // plms_timesteps = concat([_timesteps[:-1], _timesteps[-2:-1], _timesteps[-1:]])[::-1]
    std::vector<int64_t> plms;
    for (size_t i = 0; i + 1 < base.size(); ++i) plms.push_back(static_cast<int64_t>(base[i]));
    if (base.size() >= 2) plms.push_back(static_cast<int64_t>(base[base.size() - 2]));
    plms.push_back(static_cast<int64_t>(base.back()));
    std::reverse(plms.begin(), plms.end());
    m_ts = plms;
    m_timesteps = discrete::longTensor(m_ts);
    m_n = n;
    m_ets.clear();
    m_counter = 0;
    m_curSample = at::Tensor();
  }

  double sigmaAt(int64_t index) const override { return discrete::veSigma(m_ac[m_ts.at(index)]); }

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& /*noise*/) override {
    if (m_n == 0) throw std::invalid_argument("PNDMScheduler: step() before setTimesteps()");
    // Ref: PNDMScheduler.step_plms
    int64_t t = m_ts.at(index);
    const int64_t ratio = m_config.numTrainTimesteps / m_n;
    int64_t prevT = t - ratio;
    if (m_counter != 1) {
      while (m_ets.size() > 3) m_ets.pop_front();
      m_ets.push_back(modelOutput);
    } else {
      prevT = t;
      t = t + ratio;
    }
    at::Tensor mo;
    at::Tensor x = sample;
    const size_t k = m_ets.size();
    if (k == 1 && m_counter == 0) {
      mo = modelOutput;
      m_curSample = sample;
    } else if (k == 1 && m_counter == 1) {
      mo = (modelOutput + m_ets.back()) / 2;
      x = m_curSample;
      m_curSample = at::Tensor();
    } else if (k == 2) {
      mo = (m_ets[1] * 3 - m_ets[0]) / 2;
    } else if (k == 3) {
      mo = (m_ets[2] * 23 - m_ets[1] * 16 + m_ets[0] * 5) / 12;
    } else {
      mo = (m_ets[3] * 55 - m_ets[2] * 59 + m_ets[1] * 37 - m_ets[0] * 9) *
           static_cast<float>(1.0 / 24.0);
    }
    DiffusersStepOutput out = prevSample(x, t, prevT, mo);
    ++m_counter;
    return out;
  }

 private:
  // Ref: PNDMScheduler._get_prev_sample (formula (9) of the PNDM paper)
  DiffusersStepOutput prevSample(const at::Tensor& sample, int64_t t, int64_t prevT,
                                 at::Tensor mo) const {
    const float a = m_ac.at(t);
    const float aPrev = prevT >= 0 ? m_ac.at(prevT) : m_final;
    const float b = 1.0f - a;
    const float bPrev = 1.0f - aPrev;
    if (m_config.prediction == Prediction::V) mo = mo * std::sqrt(a) + sample * std::sqrt(b);
    const float sampleCoeff = std::sqrt(aPrev / a);
    const float denom = a * std::sqrt(bPrev) + std::sqrt(a * b * aPrev);
    DiffusersStepOutput out;
    out.prevSample = sample * sampleCoeff - mo * (aPrev - a) / denom;  // [B,C,H,W]
    out.predOriginal = (sample - mo * std::sqrt(b)) / std::sqrt(a);
    return out;
  }

  DiffusersConfig m_config;
  std::vector<float> m_ac;
  float m_final = 1.0f;
  std::vector<int64_t> m_ts;
  int64_t m_n = 0;
  std::deque<at::Tensor> m_ets;
  int64_t m_counter = 0;
  at::Tensor m_curSample;
};

}  // namespace

std::unique_ptr<Sampler> makePlmsSampler() {
  return std::make_unique<CompVisPlmsSampler>();
}

std::unique_ptr<DiffusersScheduler> makeDiffusersPndm(const DiffusersConfig& config) {
  return std::make_unique<DiffusersPndm>(config);
}

}  // namespace lienzo
