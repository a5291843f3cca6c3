#include "core/sampling/ddim.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/sampling/compvis_step.h"
#include "core/sampling/discrete_common.h"
#include "core/sampling/schedule.h"

namespace lienzo {

std::vector<int64_t> compvisDdimTimesteps(int64_t n, int64_t T, DdimRangePolicy policy) {
  if (n < 1 || n > T) {
    throw std::invalid_argument("DDIM: steps must be in [1, " + std::to_string(T) + "], got " +
                                std::to_string(n));
  }
  // Ref: CompVis make_ddim_timesteps('uniform'): np.asarray(list(range(0, T, T // n))) + 1
  const int64_t c = T / n;
  std::vector<int64_t> ts;
  for (int64_t v = 0; v < T; v += c) ts.push_back(v + 1);
  if (ts.back() >= T) {
    if (policy == DdimRangePolicy::Throw) {
      throw std::invalid_argument(
          "DDIM: " + std::to_string(n) + " steps give the timestep " + std::to_string(ts.back()) +
          ", outside the model's " + std::to_string(T) +
          " training steps (CompVis make_ddim_timesteps fails here); choose another step count");
    }
    ts.back() = T - 1;  // A1111: torch.clip(..., 0, 999)
    if (ts.size() >= 2 && ts[ts.size() - 2] == ts.back()) ts.pop_back();
  }
  return ts;
}

CompVisDdimTables compvisDdimTables(const at::Tensor& alphasCumprod,
                                    const std::vector<int64_t>& timesteps, double eta) {
  const std::vector<float> ac = discrete::floatValues(alphasCumprod);
  const int64_t T = static_cast<int64_t>(ac.size());
  if (timesteps.empty()) throw std::invalid_argument("DDIM tables: no timesteps");
  for (const int64_t t : timesteps) {
    if (t < 0 || t >= T) {
      throw std::invalid_argument("DDIM tables: timestep " + std::to_string(t) +
                                  " outside the table of " + std::to_string(T));
    }
  }
  const size_t S = timesteps.size();
  std::vector<double> alphas(S), alphasPrev(S), sigmas(S), sqrtOneMinus(S);
  for (size_t i = 0; i < S; ++i) {
    const float a = ac[timesteps[i]];
    // alphas_prev = np.asarray([alphacums[0]] + alphacums[ddim_timesteps[:-1]].tolist())
    const double ap =
        i == 0 ? static_cast<double>(ac[0]) : static_cast<double>(ac[timesteps[i - 1]]);
    // (1 - alphas_prev) / (1 - alphas): ndarray / Tensor is Tensor.__rtruediv__, i.e. a float32
    // reciprocal times the array; alphas / alphas_prev is float64. With a single timestep the
    // list [alphacums[0]] holds only a float32 scalar, np.asarray makes it a float32 array and
    // the whole computation (eta included) stays in float32.
    if (S == 1) {
      const float apF = static_cast<float>(ap);
      const float varF = ((1.0f / (1.0f - a)) * (1.0f - apF)) * (1.0f - a / apF);
      sigmas[i] = static_cast<float>(eta) * std::sqrt(varF);
    } else {
      const double recip = static_cast<double>(1.0f / (1.0f - a));
      const double var = (recip * (1.0 - ap)) * (1.0 - static_cast<double>(a) / ap);
      sigmas[i] = eta * std::sqrt(var);
    }
    alphas[i] = a;
    alphasPrev[i] = ap;
    sqrtOneMinus[i] = std::sqrt(1.0f - a);  // np.sqrt(1. - ddim_alphas), float32
  }
  CompVisDdimTables out;
  out.timesteps = discrete::longTensor(timesteps);
  out.alphas = discrete::floatTensor(alphas);
  out.alphasPrev = discrete::floatTensor(alphasPrev);
  out.sigmas = discrete::floatTensor(sigmas);
  out.sqrtOneMinusAlphas = discrete::floatTensor(sqrtOneMinus);
  return out;
}

namespace compvis {

CompVisUpdate update(const at::Tensor& x, const at::Tensor& eps, const at::Tensor& x0Override,
                     const Coefficients& c, const NoiseFn& noise) {
  // Ref: CompVis ddim.py p_sample_ddim / plms.py get_x_prev_and_pred_x0 ([B,1,1,1] float32
  // coefficients; the scalar arithmetic below is the same float32 arithmetic).
  CompVisUpdate out;
  out.predX0 = x0Override.defined() ? x0Override
                                    : (x - eps * c.sqrtOneMinusAT) / std::sqrt(c.aT);  // [B,C,H,W]
  const float dirCoeff = std::sqrt(1.0f - c.aPrev - c.sigmaT * c.sigmaT);
  const at::Tensor dir = eps * dirCoeff;
  out.xPrev = out.predX0 * std::sqrt(c.aPrev) + dir;
  // noise_like is drawn for every x_prev, also when it is multiplied by sigma_t = 0.
  if (noise || c.sigmaT != 0.0f) {
    const at::Tensor n = discrete::drawNoise(noise, x, "CompVis DDIM/PLMS");
    if (c.sigmaT != 0.0f) out.xPrev = out.xPrev + n * c.sigmaT;
  }
  return out;
}

Coefficients coefficients(const CompVisDdimTables& tables, int64_t index) {
  Coefficients c;
  c.aT = tables.alphas[index].item<float>();
  c.aPrev = tables.alphasPrev[index].item<float>();
  c.sigmaT = tables.sigmas[index].item<float>();
  c.sqrtOneMinusAT = tables.sqrtOneMinusAlphas[index].item<float>();
  return c;
}

EpsAndX0 epsFromOutput(const at::Tensor& output, const at::Tensor& x, float alphaBar,
                       Prediction prediction) {
  EpsAndX0 r;
  if (prediction == Prediction::Epsilon) {
    r.eps = output;
    return r;
  }
  // Ref: CompVis (SD 2) ddpm.py predict_eps_from_z_and_v / predict_start_from_z_and_v
  const float sa = std::sqrt(alphaBar);
  const float s1 = std::sqrt(1.0f - alphaBar);
  r.eps = output * sa + x * s1;
  r.x0 = x * sa - output * s1;
  return r;
}

}  // namespace compvis

at::Tensor sampleCompVisDdim(const CompVisDdimTables& tables, const at::Tensor& alphasCumprod,
                             Prediction prediction, const at::Tensor& xT, const ModelFn& model,
                             const NoiseFn& noise, const StepFn& onStep) {
  const std::vector<int64_t> ts = discrete::longValues(tables.timesteps);
  const std::vector<float> ac = discrete::floatValues(alphasCumprod);
  const int64_t S = static_cast<int64_t>(ts.size());
  at::Tensor x = xT;  // [B,C,H,W] VP latent
  // Ref: CompVis ddim.py DDIMSampler.ddim_sampling (time_range = flip(ddim_timesteps))
  for (int64_t i = 0; i < S; ++i) {
    const int64_t index = S - i - 1;
    const int64_t t = ts[index];
    const at::Tensor out = model(x, discrete::timestepBatch(static_cast<double>(t), x));
    const compvis::EpsAndX0 e = compvis::epsFromOutput(out, x, ac[t], prediction);
    const compvis::CompVisUpdate u =
        compvis::update(x, e.eps, e.x0, compvis::coefficients(tables, index), noise);
    x = u.xPrev;
    if (!discrete::reportStep(onStep, i, S, discrete::veSigma(ac[t]), x, u.predX0)) break;
  }
  return x;
}

CompVisStart compvisStart(const CompVisDdimTables& tables, const SamplingContext& ctx) {
  if (!ctx.initLatent.defined()) return {tables, ctx.unitNoise};
  const DenoiseWindow window = denoiseWindow(ctx.steps, ctx.strength, ctx.fixedSteps);
  const int64_t S = tables.timesteps.numel();
  const auto x0 = ctx.initLatent.to(ctx.unitNoise.device(), at::kFloat);  // [B,C,H,W]
  auto head = [&](int64_t n) {
    CompVisDdimTables t;
    t.timesteps = tables.timesteps.narrow(0, 0, n);
    t.alphas = tables.alphas.narrow(0, 0, n);
    t.alphasPrev = tables.alphasPrev.narrow(0, 0, n);
    t.sigmas = tables.sigmas.narrow(0, 0, n);
    t.sqrtOneMinusAlphas = tables.sqrtOneMinusAlphas.narrow(0, 0, n);
    return t;
  };
  if (window.runSteps == 0) return {head(0), x0};
  // The table may hold fewer entries than steps (duplicates dropped by the range clamp).
  const int64_t tEnc = std::min<int64_t>(window.runSteps - 1, S - 1);
  // Ref: CompVis DDIMSampler.stochastic_encode: sqrt(ddim_alphas)[t] * x0 +
  // ddim_sqrt_one_minus_alphas[t] * noise (float32 tensors)
  const at::Tensor sqrtAlpha = tables.alphas[tEnc].sqrt().to(x0.device());
  const at::Tensor sqrtOneMinus = tables.sqrtOneMinusAlphas[tEnc].to(x0.device());
  at::Tensor x = sqrtAlpha * x0 + sqrtOneMinus * ctx.unitNoise.to(at::kFloat);
  return {head(tEnc), x};
}

namespace {

class CompVisDdimSampler final : public Sampler {
 public:
  at::Tensor sample(const SamplingContext& ctx) override {
    discrete::checkContext(ctx, "DDIM");
    // The schedule type is ignored: DDIM runs on its own timesteps (as in A1111).
    const double eta = ctx.eta < 0.0 ? 0.0 : ctx.eta;
    const at::Tensor& ac = ctx.schedule->alphasCumprod();
    const std::vector<int64_t> ts =
        compvisDdimTimesteps(discrete::scheduleSteps(ctx), ac.numel(), DdimRangePolicy::Clamp);
    const CompVisStart start = compvisStart(compvisDdimTables(ac, ts, eta), ctx);
    if (start.tables.timesteps.numel() == 0) return start.x;
    return sampleCompVisDdim(start.tables, ac, ctx.prediction, start.x, ctx.model, ctx.noise,
                             ctx.onStep);
  }

  int modelCalls(int steps) const override {
    const int64_t n = std::clamp<int64_t>(steps, 1, 1000);
    return static_cast<int>(compvisDdimTimesteps(n, 1000, DdimRangePolicy::Clamp).size());
  }
};

// Ref: diffusers schedulers/scheduling_ddim.py DDIMScheduler.set_timesteps / step
class DiffusersDdim final : public DiffusersScheduler {
 public:
  DiffusersDdim(const DiffusersConfig& config, double eta)
      : m_config(config), m_eta(eta), m_ac(discrete::floatValues(diffusersAlphasCumprod(config))) {
    m_final = config.setAlphaToOne ? 1.0f : m_ac[0];
  }

  void setTimesteps(int64_t n) override {
    const TimestepSpacing spacing = m_config.spacing.value_or(TimestepSpacing::Leading);
    m_ts = discrete::longValues(discrete::longTensor(
        diffusersTimesteps(spacing, m_config.numTrainTimesteps, n, m_config.stepsOffset)));
    m_timesteps = discrete::longTensor(m_ts);
    m_n = n;
  }

  double sigmaAt(int64_t index) const override { return discrete::veSigma(m_ac[m_ts.at(index)]); }

  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& noise) override {
    if (m_n == 0) throw std::invalid_argument("DDIMScheduler: step() before setTimesteps()");
    const int64_t t = m_ts.at(index);
    const int64_t prevT = t - m_config.numTrainTimesteps / m_n;
    const float a = m_ac[t];
    const float aPrev = prevT >= 0 ? m_ac[prevT] : m_final;
    const float b = 1.0f - a;
    DiffusersStepOutput out;
    at::Tensor predEps;
    if (m_config.prediction == Prediction::Epsilon) {
      out.predOriginal = (sample - modelOutput * std::sqrt(b)) / std::sqrt(a);  // [B,C,H,W]
      predEps = modelOutput;
    } else {
      out.predOriginal = sample * std::sqrt(a) - modelOutput * std::sqrt(b);
      predEps = modelOutput * std::sqrt(a) + sample * std::sqrt(b);
    }
    // _get_variance: (beta_prod_t_prev / beta_prod_t) * (1 - alpha_prod_t / alpha_prod_t_prev)
    const float variance = ((1.0f - aPrev) / b) * (1.0f - a / aPrev);
    const float stdDev = static_cast<float>(m_eta) * std::sqrt(variance);
    const at::Tensor direction = predEps * std::sqrt(1.0f - aPrev - stdDev * stdDev);
    out.prevSample = out.predOriginal * std::sqrt(aPrev) + direction;
    if (m_eta > 0.0) {
      const at::Tensor n = discrete::drawNoise(noise, modelOutput, "DDIMScheduler");
      out.prevSample = out.prevSample + n * stdDev;
    }
    return out;
  }

 private:
  DiffusersConfig m_config;
  double m_eta;
  std::vector<float> m_ac;
  float m_final = 1.0f;
  std::vector<int64_t> m_ts;
  int64_t m_n = 0;
};

}  // namespace

std::unique_ptr<Sampler> makeDdimSampler() {
  return std::make_unique<CompVisDdimSampler>();
}

std::unique_ptr<DiffusersScheduler> makeDiffusersDdim(const DiffusersConfig& config, double eta) {
  return std::make_unique<DiffusersDdim>(config, eta);
}

}  // namespace lienzo
