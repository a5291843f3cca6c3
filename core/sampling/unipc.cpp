#include "core/sampling/unipc.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/sampling/discrete_common.h"

namespace lienzo {

std::vector<float> solveSmallSystem(std::vector<float> a, std::vector<float> b) {
  const int64_t n = static_cast<int64_t>(b.size());
  if (n == 0 || n > 8 || a.size() != static_cast<size_t>(n * n)) {
    throw std::invalid_argument("solveSmallSystem: need an n x n matrix, 1 <= n <= 8");
  }
  const at::Tensor A = at::from_blob(a.data(), {n, n}, at::kFloat);  // [n,n]
  const at::Tensor B = at::from_blob(b.data(), {n}, at::kFloat);     // [n]
  at::Tensor x;
  try {
    x = at::linalg_solve(A, B).contiguous();  // torch.linalg.solve: LAPACK getrf + getrs
  } catch (const c10::Error& e) {
    throw std::invalid_argument(std::string("solveSmallSystem: ") + e.what_without_backtrace());
  }
  return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + n);
}

namespace {

// The B(h) quantities shared by UniP and UniC (predict_x0: hh = -h).
struct PhiTerms {
  float hh;
  float hPhi1;
  float bh;
  std::vector<float> r;  // R = [rks^0; rks^1; ...] row-major [order x order]
  std::vector<float> b;  // [order]
};

PhiTerms phiTerms(float h, const std::vector<float>& rksWithOne, bool bh2) {
  PhiTerms p;
  const int order = static_cast<int>(rksWithOne.size());
  p.hh = -h;
  p.hPhi1 = discrete::torchExpm1(p.hh);  // h phi_1(h) = e^h - 1
  float hPhiK = p.hPhi1 / p.hh - 1.0f;
  p.bh = bh2 ? discrete::torchExpm1(p.hh) : p.hh;
  double factorial = 1.0;
  for (int i = 1; i <= order; ++i) {
    for (int k = 0; k < order; ++k) {
      // torch.pow(rks, i - 1)
      float v = 1.0f;
      for (int e = 0; e < i - 1; ++e) v = e == 0 ? rksWithOne[k] : v * rksWithOne[k];
      p.r.push_back(v);
    }
    p.b.push_back(hPhiK * static_cast<float>(factorial) / p.bh);
    factorial *= i + 1;
    hPhiK = hPhiK / p.hh - static_cast<float>(1.0 / factorial);
  }
  return p;
}

// sum_k rhos[k] * d[k] (torch.einsum("k,bkc...->bc...")) for k < count
at::Tensor weightedSum(const std::vector<float>& rhos, const std::vector<at::Tensor>& d,
                       size_t count) {
  at::Tensor acc = d[0] * rhos[0];
  for (size_t k = 1; k < count; ++k) acc = acc + d[k] * rhos[k];
  return acc;
}

class DiffusersUniPc final : public DiffusersScheduler {
 public:
  DiffusersUniPc(const DiffusersConfig& config, const UniPcOptions& options)
      : m_config(config), m_options(options) {
    if (options.solverOrder < 1 || options.solverOrder > 3) {
      throw std::invalid_argument("UniPC: solver_order must be 1, 2 or 3");
    }
  }

  void setTimesteps(int64_t n) override {
    const DiffusersSigmaSchedule s = multistepSigmaSchedule(m_config, n);
    m_timesteps = s.timesteps;
    m_sigmas = s.sigmas;
    m_s = discrete::floatValues(s.sigmas);
    m_outputs.assign(static_cast<size_t>(m_options.solverOrder), at::Tensor());
    m_lowerOrderNums = 0;
    m_lastSample = at::Tensor();
    m_thisOrder = 0;
  }

  double sigmaAt(int64_t index) const override { return m_s.at(index); }

  // Ref: UniPCMultistepScheduler.step
  DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index, const at::Tensor& sample,
                           const NoiseFn& /*noise*/) override {
    if (m_s.empty()) throw std::invalid_argument("UniPC: step() before setTimesteps()");
    const int64_t count = static_cast<int64_t>(m_s.size()) - 1;
    const bool useCorrector = index > 0 && m_lastSample.defined();

    // convert_model_output (predict_x0)
    const discrete::AlphaSigma s = discrete::vpAlphaSigma(m_s.at(index));
    at::Tensor x0;
    if (m_config.prediction == Prediction::Epsilon) {
      x0 = (sample - modelOutput * s.sigma) / s.alpha;  // [B,C,H,W]
    } else {
      x0 = sample * s.alpha - modelOutput * s.sigma;
    }

    at::Tensor x = sample;
    if (useCorrector) x = corrector(x0, m_lastSample, sample, m_thisOrder, index);

    for (size_t k = 0; k + 1 < m_outputs.size(); ++k) m_outputs[k] = m_outputs[k + 1];
    m_outputs.back() = x0;

    int thisOrder = m_options.solverOrder;
    if (m_options.lowerOrderFinal) {
      thisOrder = static_cast<int>(std::min<int64_t>(m_options.solverOrder, count - index));
    }
    m_thisOrder = std::min(thisOrder, m_lowerOrderNums + 1);
    m_lastSample = x;
    DiffusersStepOutput out;
    out.prevSample = predictor(x, m_thisOrder, index);
    out.predOriginal = x0;
    if (m_lowerOrderNums < m_options.solverOrder) ++m_lowerOrderNums;
    return out;
  }

 private:
  float lambdaAt(int64_t i) const { return discrete::vpAlphaSigma(m_s.at(i)).lambda; }

  // Ref: UniPCMultistepScheduler.multistep_uni_p_bh_update (predict_x0)
  at::Tensor predictor(const at::Tensor& x, int order, int64_t index) const {
    const at::Tensor& m0 = m_outputs.back();
    const discrete::AlphaSigma t = discrete::vpAlphaSigma(m_s.at(index + 1));
    const discrete::AlphaSigma s0 = discrete::vpAlphaSigma(m_s.at(index));
    const float h = t.lambda - s0.lambda;
    std::vector<float> rks;
    std::vector<at::Tensor> d1s;
    for (int i = 1; i < order; ++i) {
      const at::Tensor& mi = m_outputs[m_outputs.size() - 1 - i];
      const float rk = (lambdaAt(index - i) - s0.lambda) / h;
      rks.push_back(rk);
      d1s.push_back((mi - m0) / rk);  // [B,C,H,W]
    }
    rks.push_back(1.0f);
    const PhiTerms p = phiTerms(h, rks, m_options.bh2);
    const at::Tensor xt = x * (t.sigma / s0.sigma) - m0 * (t.alpha * p.hPhi1);
    if (d1s.empty()) return xt;
    std::vector<float> rhos;
    if (order == 2) {
      rhos = {0.5f};
    } else {
      // torch.linalg.solve(R[:-1, :-1], b[:-1])
      const size_t k = static_cast<size_t>(order) - 1;
      std::vector<float> r;
      for (size_t i = 0; i < k; ++i) {
        for (size_t j = 0; j < k; ++j) r.push_back(p.r[i * order + j]);
      }
      rhos = solveSmallSystem(r, std::vector<float>(p.b.begin(), p.b.begin() + k));
    }
    return xt - weightedSum(rhos, d1s, d1s.size()) * (t.alpha * p.bh);
  }

  // Ref: UniPCMultistepScheduler.multistep_uni_c_bh_update (predict_x0)
  at::Tensor corrector(const at::Tensor& modelT, const at::Tensor& last, const at::Tensor& /*xt*/,
                       int order, int64_t index) const {
    const at::Tensor& m0 = m_outputs.back();
    const discrete::AlphaSigma t = discrete::vpAlphaSigma(m_s.at(index));
    const discrete::AlphaSigma s0 = discrete::vpAlphaSigma(m_s.at(index - 1));
    const float h = t.lambda - s0.lambda;
    std::vector<float> rks;
    std::vector<at::Tensor> d1s;
    for (int i = 1; i < order; ++i) {
      const at::Tensor& mi = m_outputs[m_outputs.size() - 1 - i];
      const float rk = (lambdaAt(index - (i + 1)) - s0.lambda) / h;
      rks.push_back(rk);
      d1s.push_back((mi - m0) / rk);  // [B,C,H,W]
    }
    rks.push_back(1.0f);
    const PhiTerms p = phiTerms(h, rks, m_options.bh2);
    const std::vector<float> rhos =
        order == 1 ? std::vector<float>{0.5f} : solveSmallSystem(p.r, p.b);
    const at::Tensor xt = last * (t.sigma / s0.sigma) - m0 * (t.alpha * p.hPhi1);
    const at::Tensor d1t = modelT - m0;
    at::Tensor inner = d1t * rhos.back();
    if (!d1s.empty()) inner = weightedSum(rhos, d1s, d1s.size()) + inner;
    return xt - inner * (t.alpha * p.bh);
  }

  DiffusersConfig m_config;
  UniPcOptions m_options;
  std::vector<float> m_s;             // sigmas [n+1]
  std::vector<at::Tensor> m_outputs;  // converted model outputs, oldest first
  int m_lowerOrderNums = 0;
  at::Tensor m_lastSample;
  int m_thisOrder = 0;
};

}  // namespace

std::unique_ptr<DiffusersScheduler> makeDiffusersUniPc(const DiffusersConfig& config,
                                                       const UniPcOptions& options) {
  return std::make_unique<DiffusersUniPc>(config, options);
}

std::unique_ptr<Sampler> makeUniPcSampler() {
  return std::make_unique<DiffusersSampler>("UniPCMultistepScheduler", DiffusersSchedulerOptions{},
                                            /*supportsKarras=*/true);
}

}  // namespace lienzo
