// Golden tests of the k-diffusion samplers: every kd/ and kd_cfg/ trajectory of
// samplers/kdiffusion.json is re-run with the analytic model, replaying the recorded noise, and
// compared tensor by tensor (x, model_x, model_sigma, model_t, model_denoised, noise order) at the
// case's tolerance.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analytic_model.h"
#include "core/sampling/denoiser.h"
#include "core/sampling/kdiffusion.h"
#include "core/sampling/rng.h"
#include "core/sampling/schedule.h"
#include "support/tensor_compare.h"

namespace lienzo {
namespace {

using testing::AnalyticModel;
using testing::FixtureSet;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) out.push_back(part);
  return out;
}

kdiffusion::Algorithm algorithmOf(const nlohmann::json& c) {
  const std::string fn = c.at("function").get<std::string>();
  const std::string marker = "sample_";
  return kdiffusion::algorithmFromName(fn.substr(fn.rfind(marker) + marker.size()));
}

kdiffusion::Options optionsOf(const nlohmann::json& c) {
  kdiffusion::Options opt;  // all fixtures use the sampler defaults
  if (c.contains("kwargs") && c.at("kwargs").is_object() &&
      c.at("kwargs").contains("solver_type")) {
    opt.solver = c.at("kwargs").at("solver_type").get<std::string>() == "heun"
                     ? kdiffusion::SolverType::Heun
                     : kdiffusion::SolverType::Midpoint;
  }
  return opt;
}

// "normal", "karras", "normal_discard_penultimate", ... -> our schedule for `steps`.
at::Tensor ourSigmas(const DiscreteSchedule& schedule, const std::string& name, int64_t steps) {
  const std::string discardSuffix = "_discard_penultimate";
  bool discard = false;
  std::string base = name;
  if (base.size() > discardSuffix.size() &&
      base.compare(base.size() - discardSuffix.size(), discardSuffix.size(), discardSuffix) == 0) {
    discard = true;
    base = base.substr(0, base.size() - discardSuffix.size());
  }
  return makeSigmas(schedule, sigmaScheduleKindFromName(base), steps, discard);
}

// Worst |T - R| / (atol + rtol |R|) over the elements (<= 1 passes).
double tolRatio(const at::Tensor& actual, const at::Tensor& expected, double atol, double rtol) {
  at::Tensor a = actual.to(at::kDouble);
  at::Tensor e = expected.to(at::kDouble);
  return ((a - e).abs() / (e.abs() * rtol + atol)).max().item<double>();
}

struct Worst {
  double ratio = 0.0;
  std::string where;
  void update(double r, const std::string& id, const std::string& what) {
    if (r > ratio) {
      ratio = r;
      where = id + " " + what;
    }
  }
};

class KDiffusionGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_model = new AnalyticModel();
    s_set = new FixtureSet("samplers/kdiffusion");
    s_schedule = new DiscreteSchedule(
        DiscreteSchedule::fromAlphasCumprod(s_model->tensor("alphas_cumprod")));
  }
  static void TearDownTestSuite() {
    delete s_model;
    delete s_set;
    delete s_schedule;
  }
  // Runs one case and compares everything recorded.
  void runCase(const nlohmann::json& c);

  static AnalyticModel* s_model;
  static FixtureSet* s_set;
  static DiscreteSchedule* s_schedule;
  Worst m_worst;        // against each case's tolerance
  Worst m_worstStrict;  // ill-conditioned cases against the default atol 1e-6 max(1, max|x_T|)
};
AnalyticModel* KDiffusionGolden::s_model = nullptr;
FixtureSet* KDiffusionGolden::s_set = nullptr;
DiscreteSchedule* KDiffusionGolden::s_schedule = nullptr;

void KDiffusionGolden::runCase(const nlohmann::json& c) {
  const std::string id = c.at("id").get<std::string>();
  SCOPED_TRACE(id);
  const double atol = c.at("tolerance").at("atol").get<double>();
  const double rtol = c.at("tolerance").at("rtol").get<double>();
  const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
  const auto algorithm = algorithmOf(c);
  const kdiffusion::Options opt = optionsOf(c);
  const bool isCfg = c.contains("cfg_mode");

  at::Tensor sigmas = s_set->load(id, "sigmas");  // [S+1]
  at::Tensor unit = s_set->load(id, "x_T_unit_noise");
  at::Tensor xs = s_set->load(id, "x");  // [S+1, *shape]
  const int64_t steps = sigmas.numel() - 1;

  // Our own schedule reproduces the sigmas the reference passed to the sampler.
  testing::expectAllClose(
      ourSigmas(*s_schedule, c.at("schedule").get<std::string>(), c.at("steps").get<int64_t>()),
      sigmas, 0.0, 2e-6, "schedule");

  // Denoiser: plain, CFG on denoised (one batched call) or CFG on eps (inside the model call).
  const KDenoiser denoiser(*s_schedule, pred);
  std::vector<at::Tensor> modelX, modelSigma, modelT, modelDenoised;
  ModelFn plainModel;
  kdiffusion::DenoiserFn denoise;
  auto recordingModel = [&](ModelFn inner) {
    return [&modelT, inner](const at::Tensor& xIn, const at::Tensor& t) {
      modelT.push_back(t.reshape({-1})[0].clone());
      return inner(xIn, t);
    };
  };
  if (!isCfg) {
    plainModel = recordingModel(s_model->modelFn(s_model->byReference(c.at("mu")), pred));
    denoise = [&](const at::Tensor& x, const at::Tensor& sigma) {
      return denoiser(plainModel, x, sigma);
    };
  } else {
    const at::Tensor muU = s_model->byReference(c.at("mu_uncond"));
    const at::Tensor muC = s_model->byReference(c.at("mu_cond"));
    const double scale = c.at("cfg_scale").get<double>();
    const std::string mode = c.at("cfg_mode").get<std::string>();
    if (mode == "cfg_denoised") {
      plainModel = recordingModel(s_model->modelFn(at::cat({muU, muC}), pred));
      denoise = [&, scale](const at::Tensor& x, const at::Tensor& sigma) {
        at::Tensor d = denoiser(plainModel, at::cat({x, x}), at::cat({sigma, sigma}));
        auto parts = d.chunk(2);
        return cfgCombine(parts[0], parts[1], scale);
      };
    } else {
      ASSERT_EQ(mode, "cfg_eps");
      plainModel = recordingModel(s_model->cfgModelFn(muU, muC, scale, pred));
      denoise = [&](const at::Tensor& x, const at::Tensor& sigma) {
        return denoiser(plainModel, x, sigma);
      };
    }
  }

  kdiffusion::Callbacks cb;
  cb.denoiser = [&](const at::Tensor& x, const at::Tensor& sigma) {
    modelX.push_back(x.clone());
    modelSigma.push_back(sigma[0].clone());
    at::Tensor d = denoise(x, sigma);
    modelDenoised.push_back(d.clone());
    return d;
  };
  const int64_t nNoise = c.at("n_noise").get<int64_t>();
  at::Tensor noise = nNoise > 0 ? s_set->load(id, "noise") : at::Tensor();
  at::Tensor noiseSigmas = nNoise > 0 ? s_set->load(id, "noise_sigmas") : at::Tensor();
  int64_t noiseUsed = 0;
  std::vector<at::Tensor> noiseArgs;
  cb.noise = [&](const at::Tensor& sigma, const at::Tensor& sigmaNext) {
    if (noiseUsed >= nNoise) throw std::runtime_error("more noise drawn than recorded");
    noiseArgs.push_back(at::stack({sigma.reshape({}), sigmaNext.reshape({})}));
    return noise[noiseUsed++].clone();
  };
  std::vector<at::Tensor> trajectory;
  cb.callback = [&](const kdiffusion::StepInfo& info) {
    EXPECT_EQ(info.index, static_cast<int>(trajectory.size()));
    EXPECT_EQ(info.total, static_cast<int>(steps));
    trajectory.push_back(info.x.clone());
    return true;
  };

  at::Tensor x0 = unit * sigmas[0];
  testing::expectAllClose(x0, xs[0], atol, rtol, "x[0]");
  at::Tensor result = kdiffusion::sample(algorithm, cb, x0, sigmas, opt);

  // Trajectory and result.
  ASSERT_EQ(static_cast<int64_t>(trajectory.size()), steps);
  testing::expectAllClose(at::stack(trajectory), xs.slice(0, 1), atol, rtol, "x");
  testing::expectAllClose(result, xs[steps], atol, rtol, "result");
  // Model calls.
  const int64_t calls = c.at("n_model_calls").get<int64_t>();
  ASSERT_EQ(static_cast<int64_t>(modelSigma.size()), calls);
  EXPECT_EQ(kdiffusion::modelCalls(algorithm, sigmas, opt), calls);
  testing::expectAllClose(at::stack(modelSigma), s_set->load(id, "model_sigma"), atol, rtol,
                          "model_sigma");
  testing::expectAllClose(at::stack(modelT), s_set->load(id, "model_t"), atol, rtol, "model_t");
  testing::expectAllClose(at::stack(modelDenoised), s_set->load(id, "model_denoised"), atol, rtol,
                          "model_denoised");
  if (s_set->has(id, "model_x")) {
    testing::expectAllClose(at::stack(modelX), s_set->load(id, "model_x"), atol, rtol, "model_x");
  }
  const double strictAtol = 1e-6 * std::max(1.0, c.at("x_T_max_abs").get<double>()) *
                            (isCfg ? c.at("cfg_scale").get<double>() : 1.0);
  const std::pair<at::Tensor, at::Tensor> compared[] = {
      {at::stack(trajectory), xs.slice(0, 1)},
      {at::stack(modelDenoised), s_set->load(id, "model_denoised")}};
  for (const auto& [a, e] : compared) {
    m_worst.update(tolRatio(a, e, atol, rtol), id, "x/denoised");
    if (c.value("float32_ill_conditioned", false)) {
      m_worstStrict.update(tolRatio(a, e, strictAtol, rtol), id, "x/denoised");
    }
  }
  // Noise: every recorded tensor consumed, in order, for the recorded (sigma, sigma_next).
  EXPECT_EQ(noiseUsed, nNoise);
  if (nNoise > 0) EXPECT_TRUE(kdiffusion::drawsNoise(algorithm, opt));
  if (nNoise > 0 && static_cast<int64_t>(noiseArgs.size()) == nNoise) {
    testing::expectAllClose(at::stack(noiseArgs), noiseSigmas, 1e-7, 1e-5, "noise_sigmas");
  }
}

TEST_F(KDiffusionGolden, AnalyticModelSelftest) {
  // The test helper reproduces the reference analytic UNet and the denoiser wrapper.
  at::Tensor xIn = s_model->tensor("selftest/x_in");
  at::Tensor mu = s_model->tensor("selftest/mu");
  at::Tensor t = s_model->tensor("selftest/t");
  at::Tensor eps = s_model->tensor("selftest/eps");
  at::Tensor v = s_model->tensor("selftest/v");
  for (int64_t k = 0; k < t.numel(); ++k) {
    at::Tensor tk = t[k].repeat({xIn.size(0)});
    testing::expectTensorNear(
        testing::analyticUnet(xIn, tk, mu, s_model->logSigmas(), Prediction::Epsilon), eps[k], 1e-6,
        "selftest eps");
    testing::expectTensorNear(
        testing::analyticUnet(xIn, tk, mu, s_model->logSigmas(), Prediction::V), v[k], 1e-6,
        "selftest v");
  }
  at::Tensor kdX = s_model->tensor("selftest/kd_x");
  at::Tensor kdSigma = s_model->tensor("selftest/kd_sigma");
  for (auto [pred, key] : {std::pair{Prediction::Epsilon, "selftest/kd_denoised_eps"},
                           std::pair{Prediction::V, "selftest/kd_denoised_v"}}) {
    const KDenoiser den(*s_schedule, pred);
    at::Tensor expected = s_model->tensor(key);
    ModelFn model = s_model->modelFn(mu, pred);
    for (int64_t k = 0; k < kdSigma.numel(); ++k) {
      at::Tensor sigma = kdSigma[k].repeat({kdX.size(0)});
      testing::expectTensorNear(den(model, kdX, sigma), expected[k], 1e-6, key);
    }
  }
}

TEST_F(KDiffusionGolden, EveryTrajectoryCase) {
  int run = 0;
  for (const auto& c : s_set->cases()) {
    const std::string id = c.at("id").get<std::string>();
    if (id.rfind("kd/", 0) != 0 && id.rfind("kd_cfg/", 0) != 0) continue;
    runCase(c);
    ++run;
  }
  std::cout << "[ INFO     ] k-diffusion cases run: " << run
            << "; worst |T-R|/(atol+rtol|R|) = " << m_worst.ratio << " (" << m_worst.where << ")\n";
  std::cout << "[ INFO     ] float32-ill-conditioned cases against the default atol: worst ratio "
            << m_worstStrict.ratio << " (" << m_worstStrict.where << ")\n";
  EXPECT_GT(run, 0);
}

// The reference raises for single-step DPM++ 2M SDE / 3M SDE; Lienzo returns the denoised output
// of that single model call (what every other k-diffusion sampler's last step to 0 does) and
// draws no noise.
TEST_F(KDiffusionGolden, ReferenceFailuresBehaveSensibly) {
  int checked = 0;
  for (const auto& f : s_set->manifest().at("failures")) {
    const std::string id = f.at("id").get<std::string>();
    SCOPED_TRACE(id);
    const auto parts = split(id, '/');  // kd/<sampler>/<schedule>/<pred>/n<steps>/<A|B>
    ASSERT_EQ(parts.size(), 6u);
    const auto algorithm = algorithmOf(f);
    kdiffusion::Options opt;
    if (parts[1].find("heun") != std::string::npos) opt.solver = kdiffusion::SolverType::Heun;
    const int64_t steps = std::stoll(parts[4].substr(1));
    const Prediction pred = testing::predictionFromName(parts[3]);
    at::Tensor mu = s_model->tensor("mu_" + parts[5]);
    at::Tensor sigmas = ourSigmas(*s_schedule, parts[2], steps);
    Generator gen(static_cast<uint64_t>(checked) + 1);
    at::Tensor x = randn(gen, mu.sizes()) * sigmas[0];

    const KDenoiser den(*s_schedule, pred);
    ModelFn model = s_model->modelFn(mu, pred);
    kdiffusion::Callbacks cb;
    int calls = 0;
    int reports = 0;
    cb.denoiser = [&](const at::Tensor& xi, const at::Tensor& sigma) {
      ++calls;
      return den(model, xi, sigma);
    };
    cb.noise = [&](const at::Tensor&, const at::Tensor&) -> at::Tensor {
      ADD_FAILURE() << "noise drawn";
      return at::zeros_like(x);
    };
    cb.callback = [&](const kdiffusion::StepInfo&) {
      ++reports;
      return true;
    };
    at::Tensor out = kdiffusion::sample(algorithm, cb, x, sigmas, opt);
    at::Tensor expected = den(model, x, kdiffusion::detail::batchSigma(sigmas[0], x));
    EXPECT_TRUE(at::equal(out, expected)) << "result is not D(x_T, sigma_max)";
    EXPECT_EQ(calls, steps);
    EXPECT_EQ(reports, steps);
    EXPECT_TRUE(at::isfinite(out).all().item<bool>());
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(KDiffusionGolden, CallbackStopsEarly) {
  const auto& c = s_set->findCase([](const nlohmann::json& j) {
    return j.at("id").get<std::string>().rfind("kd/euler/", 0) == 0 &&
           j.at("prediction") == "eps" && j.at("steps").get<int>() >= 3 && j.contains("mu");
  });
  const std::string id = c.at("id").get<std::string>();
  at::Tensor sigmas = s_set->load(id, "sigmas");
  at::Tensor xs = s_set->load(id, "x");
  const KDenoiser den(*s_schedule, Prediction::Epsilon);
  ModelFn model = s_model->modelFn(s_model->byReference(c.at("mu")), Prediction::Epsilon);
  int calls = 0;
  kdiffusion::Callbacks cb;
  cb.denoiser = [&](const at::Tensor& x, const at::Tensor& sigma) {
    ++calls;
    return den(model, x, sigma);
  };
  cb.callback = [](const kdiffusion::StepInfo& info) { return info.index < 1; };
  at::Tensor out =
      kdiffusion::sampleEuler(cb, s_set->load(id, "x_T_unit_noise") * sigmas[0], sigmas);
  EXPECT_EQ(calls, 2);
  testing::expectAllClose(out, xs[2], c.at("tolerance").at("atol").get<double>(),
                          c.at("tolerance").at("rtol").get<double>(), "x after 2 steps");
}

TEST(KDiffusion, Errors) {
  kdiffusion::Callbacks cb;
  cb.denoiser = [](const at::Tensor& x, const at::Tensor&) { return x; };
  at::Tensor x = at::zeros({1, 4, 2, 2});
  EXPECT_THROW(kdiffusion::sampleEuler(cb, x, at::ones({1})), std::invalid_argument);
  EXPECT_THROW(kdiffusion::sampleEuler(cb, x, at::ones({2, 2})), std::invalid_argument);
  // Ancestral samplers need a noise source.
  EXPECT_THROW(kdiffusion::sampleEulerAncestral(cb, x, at::tensor({2.0f, 1.0f, 0.0f})),
               std::invalid_argument);
  EXPECT_THROW(kdiffusion::algorithmFromName("euler_b"), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
