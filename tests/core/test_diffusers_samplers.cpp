// Golden tests of the diffusers-style schedulers: every df/ and df_cfg/ case of
// samplers/diffusers.json is re-run through the StableDiffusionPipeline loop with the analytic
// model, replaying the recorded noise, and compared tensor by tensor (timesteps, scheduler sigmas,
// init_noise_sigma, x, model_in, model_t, model_out, pred_original_sample, noise order, LCM's
// out) at the case's tolerance; the df/* schedules of samplers/schedules.safetensors; diffusers'
// own float32 tables; LCM's step limit; and the UniPC / LCM Sampler objects.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "analytic_model.h"
#include "core/io/safetensors.h"
#include "core/sampling/diffusers_euler.h"
#include "core/sampling/diffusers_schedule.h"
#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/lcm.h"
#include "core/sampling/rng.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"
#include "core/sampling/unipc.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

namespace lienzo {
namespace {

using testing::AnalyticModel;
using testing::FixtureSet;

constexpr double kScheduleRtol = 2e-6;  // fixtures README: schedules within rtol 2e-6

// A fixture's effective diffusers config -> our options. Settings we do not implement make the
// test fail instead of being ignored.
DiffusersSchedulerOptions optionsFrom(const nlohmann::json& config, const nlohmann::json& kwargs) {
  DiffusersSchedulerOptions o;
  DiffusersConfig& cfg = o.config;
  cfg.numTrainTimesteps = config.at("num_train_timesteps").get<int64_t>();
  cfg.betaStart = config.at("beta_start").get<double>();
  cfg.betaEnd = config.at("beta_end").get<double>();
  const std::string betas = config.at("beta_schedule").get<std::string>();
  EXPECT_TRUE(betas == "scaled_linear" || betas == "linear") << betas;
  cfg.betaSchedule = betas == "linear" ? BetaSchedule::Linear : BetaSchedule::ScaledLinear;
  cfg.stepsOffset = config.value("steps_offset", int64_t{0});
  if (config.contains("set_alpha_to_one")) {
    cfg.setAlphaToOne = config.at("set_alpha_to_one").get<bool>();
  }
  const std::string pred = config.at("prediction_type").get<std::string>();
  EXPECT_TRUE(pred == "epsilon" || pred == "v_prediction") << pred;
  cfg.prediction = pred == "v_prediction" ? Prediction::V : Prediction::Epsilon;
  cfg.spacing = timestepSpacingFromName(config.at("timestep_spacing").get<std::string>());
  cfg.useKarrasSigmas = config.value("use_karras_sigmas", false);
  o.sde = config.value("algorithm_type", std::string("dpmsolver++")) == "sde-dpmsolver++";
  if (kwargs.contains("eta")) o.eta = kwargs.at("eta").get<double>();
  if (config.contains("original_inference_steps")) {
    o.lcm.originalInferenceSteps = config.at("original_inference_steps").get<int64_t>();
  }
  if (config.contains("timestep_scaling")) {
    o.lcm.timestepScaling = config.at("timestep_scaling").get<double>();
  }
  if (config.contains("solver_order")) o.unipc.solverOrder = config.at("solver_order").get<int>();
  // Features outside this port must be off.
  EXPECT_FALSE(config.value("clip_sample", false));
  EXPECT_FALSE(config.value("thresholding", false));
  EXPECT_FALSE(config.value("rescale_betas_zero_snr", false));
  EXPECT_EQ(config.value("final_sigmas_type", std::string("zero")), "zero");
  EXPECT_EQ(config.value("interpolation_type", std::string("linear")), "linear");
  EXPECT_EQ(config.value("timestep_type", std::string("discrete")), "discrete");
  EXPECT_TRUE(config.value("skip_prk_steps", true));
  EXPECT_TRUE(config.value("lower_order_final", true));
  EXPECT_FALSE(config.value("euler_at_final", false));
  if (config.contains("solver_type")) {
    const std::string st = config.at("solver_type").get<std::string>();
    EXPECT_TRUE(st == "midpoint" || st == "bh2") << st;
  }
  if (config.contains("algorithm_type")) {
    const std::string at = config.at("algorithm_type").get<std::string>();
    EXPECT_TRUE(at == "dpmsolver++" || at == "sde-dpmsolver++") << at;
  }
  if (config.contains("variance_type") && !config.at("variance_type").is_null()) {
    EXPECT_EQ(config.at("variance_type").get<std::string>(), "fixed_small");
  }
  if (config.contains("predict_x0")) {
    EXPECT_TRUE(config.at("predict_x0").get<bool>());
  }
  if (config.contains("disable_corrector")) {
    EXPECT_TRUE(config.at("disable_corrector").empty());
  }
  if (config.contains("algorithm_type")) {
    EXPECT_EQ(config.value("solver_order", 2), 2);  // DPM-Solver++ 2M only
  }
  return o;
}

// Compares a schedule tensor of ours with a reference one: integers exactly, floats at rtol 2e-6.
void expectSchedule(const at::Tensor& ours, const at::Tensor& ref, const std::string& what) {
  if (ref.scalar_type() == at::kLong) {
    EXPECT_EQ(ours.scalar_type(), at::kLong) << what;
    testing::expectTensorEqual(ours, ref, what);
  } else {
    EXPECT_EQ(ours.scalar_type(), at::kFloat) << what;
    testing::expectAllClose(ours, ref, 0.0, kScheduleRtol, what);
  }
}

// Worst |a - e| / (atol + rtol |e|) seen so far (reported, not asserted: expectAllClose asserts).
double g_worstRatio = 0.0;
std::string g_worstWhat;
std::map<std::string, double> g_worstByScheduler;  // "df/<id>" -> worst ratio

void trackRatio(const at::Tensor& actual, const at::Tensor& expected, double atol, double rtol,
                const std::string& what) {
  if (actual.sizes() != expected.sizes() || expected.numel() == 0) return;
  const at::Tensor a = actual.to(at::kDouble);
  const at::Tensor e = expected.to(at::kDouble);
  const double r = ((a - e).abs() / (atol + rtol * e.abs())).max().item<double>();
  if (r > g_worstRatio) {
    g_worstRatio = r;
    g_worstWhat = what;
  }
  const std::string key = what.substr(0, what.find("/n"));
  g_worstByScheduler[key] = std::max(g_worstByScheduler[key], r);
}

// expectAllClose + trackRatio
void expectClose(const at::Tensor& actual, const at::Tensor& expected, double atol, double rtol,
                 const std::string& what, const std::string& id) {
  testing::expectAllClose(actual, expected, atol, rtol, what);
  trackRatio(actual, expected, atol, rtol, id + " " + what);
}

class DiffusersGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_model = new AnalyticModel();
    s_set = new FixtureSet("samplers/diffusers");
  }
  static void TearDownTestSuite() {
    delete s_model;
    delete s_set;
  }

  void runCase(const nlohmann::json& c);

  static AnalyticModel* s_model;
  static FixtureSet* s_set;
};
AnalyticModel* DiffusersGolden::s_model = nullptr;
FixtureSet* DiffusersGolden::s_set = nullptr;

ModelFn caseModel(const AnalyticModel& model, const nlohmann::json& c, Prediction pred) {
  if (!c.contains("cfg_mode")) return model.modelFn(model.byReference(c.at("mu")), pred);
  EXPECT_EQ(c.at("cfg_mode").get<std::string>(), "cfg_eps");
  return model.cfgModelFn(model.byReference(c.at("mu_uncond")), model.byReference(c.at("mu_cond")),
                          c.at("cfg_scale").get<double>(), pred);
}

void DiffusersGolden::runCase(const nlohmann::json& c) {
  const std::string id = c.at("id").get<std::string>();
  SCOPED_TRACE(id);
  const double atol = c.at("tolerance").at("atol").get<double>();
  const double rtol = c.at("tolerance").at("rtol").get<double>();
  const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
  const DiffusersSchedulerOptions opts = optionsFrom(c.at("config"), c.at("step_kwargs"));
  EXPECT_EQ(opts.config.prediction, pred);
  std::unique_ptr<DiffusersScheduler> scheduler =
      makeDiffusersScheduler(c.at("scheduler").get<std::string>(), opts);
  const int64_t steps = c.at("steps").get<int64_t>();
  const int64_t iterations = c.at("n_iterations").get<int64_t>();

  const ModelFn inner = caseModel(*s_model, c, pred);
  std::vector<at::Tensor> modelIn, modelT, modelOut;
  const ModelFn model = [&](const at::Tensor& xIn, const at::Tensor& t) {
    EXPECT_EQ(t.scalar_type(), at::kFloat);
    EXPECT_EQ(t.numel(), xIn.size(0));
    modelIn.push_back(xIn.clone());
    modelT.push_back(t[0].clone());
    at::Tensor out = inner(xIn, t);
    modelOut.push_back(out.clone());
    return out;
  };
  const int64_t nNoise = c.at("n_noise").get<int64_t>();
  const at::Tensor noise = nNoise > 0 ? s_set->load(id, "noise") : at::Tensor();
  int64_t noiseUsed = 0;
  const NoiseFn noiseFn = [&](at::IntArrayRef shape) {
    if (noiseUsed >= nNoise) throw std::runtime_error("more noise drawn than recorded");
    EXPECT_EQ(shape, noise[noiseUsed].sizes());
    return noise[noiseUsed++].clone();
  };
  std::vector<at::Tensor> xs, preds;
  const StepFn onStep = [&](const SamplerStep& s) {
    EXPECT_EQ(s.index, static_cast<int>(xs.size()));
    EXPECT_EQ(s.total, static_cast<int>(iterations));
    xs.push_back(s.x.clone());
    if (s.denoised.defined()) preds.push_back(s.denoised.clone());
    return true;
  };

  const at::Tensor unit = s_set->load(id, "x_T_unit_noise");
  const at::Tensor result = runDiffusersPipeline(*scheduler, steps, unit, model, noiseFn, onStep);

  // Schedule.
  expectSchedule(scheduler->timesteps(), s_set->load(id, "timesteps"), "timesteps");
  if (s_set->has(id, "scheduler_sigmas")) {
    ASSERT_TRUE(scheduler->sigmas().defined());
    expectSchedule(scheduler->sigmas(), s_set->load(id, "scheduler_sigmas"), "scheduler_sigmas");
  }
  const double init = c.at("init_noise_sigma").get<double>();
  EXPECT_NEAR(scheduler->initNoiseSigma(), init, kScheduleRtol * std::fabs(init))
      << "init_noise_sigma";

  // Trajectory.
  ASSERT_EQ(scheduler->iterations(), iterations);
  ASSERT_EQ(static_cast<int64_t>(xs.size()), iterations);
  const at::Tensor x = s_set->load(id, "x");  // [I+1, *shape]
  const at::Tensor x0 = unit * static_cast<float>(scheduler->initNoiseSigma());
  expectClose(x0, x[0], atol, rtol, "x[0]", id);
  expectClose(at::stack(xs), x.slice(0, 1), atol, rtol, "x", id);
  if (s_set->has(id, "out")) {
    expectClose(result, s_set->load(id, "out"), atol, rtol, "out", id);
  } else {
    expectClose(result, x[iterations], atol, rtol, "result", id);
  }
  if (s_set->has(id, "pred_original_sample")) {
    ASSERT_EQ(static_cast<int64_t>(preds.size()), iterations);
    expectClose(at::stack(preds), s_set->load(id, "pred_original_sample"), atol, rtol,
                "pred_original_sample", id);
  }

  // Model calls.
  ASSERT_EQ(static_cast<int64_t>(modelT.size()), iterations);
  testing::expectAllClose(at::stack(modelT), s_set->load(id, "model_t"), 0.0, kScheduleRtol,
                          "model_t");
  expectClose(at::stack(modelOut), s_set->load(id, "model_out"), atol, rtol, "model_out", id);
  if (s_set->has(id, "model_in")) {
    expectClose(at::stack(modelIn), s_set->load(id, "model_in"), atol, rtol, "model_in", id);
  }
  EXPECT_EQ(noiseUsed, nNoise) << "noise draws";
}

TEST_F(DiffusersGolden, EveryTrajectoryCase) {
  int run = 0;
  for (const auto& c : s_set->cases()) {
    runCase(c);
    ++run;
  }
  std::cout << "[ INFO     ] diffusers cases run: " << run
            << "; worst |diff| / (atol + rtol |ref|) = " << g_worstRatio << " (" << g_worstWhat
            << ")\n";
  for (const auto& [key, ratio] : g_worstByScheduler) {
    std::cout << "[ INFO     ]   " << key << ": " << ratio << "\n";
  }
  EXPECT_GT(run, 0);
}

TEST_F(DiffusersGolden, ScheduleTables) {
  const nlohmann::json manifest = testing::readJsonFixture("samplers/schedules.json");
  const SafetensorsFile file =
      SafetensorsFile::open(testing::fixturePath("samplers/schedules.safetensors"));
  int checked = 0, refused = 0;
  for (const auto& [sid, entry] : manifest.at("diffusers").items()) {
    const DiffusersSchedulerOptions opts =
        optionsFrom(entry.at("config"), nlohmann::json::object());
    for (const auto& nJson : manifest.at("ns")) {
      const int64_t n = nJson.get<int64_t>();
      const std::string key = "df/" + sid + "/n" + std::to_string(n) + "/";
      SCOPED_TRACE(key);
      std::unique_ptr<DiffusersScheduler> s =
          makeDiffusersScheduler(entry.at("scheduler").get<std::string>(), opts);
      if (!file.contains(key + "timesteps")) {
        // The reference refused this step count (e.g. LCM with more steps than its original
        // schedule), so the set has no table for it: Lienzo must refuse it too.
        EXPECT_THROW(s->setTimesteps(n), std::invalid_argument);
        ++refused;
        continue;
      }
      s->setTimesteps(n);
      const at::Tensor refTs = file.load(
          key + "timesteps",
          toScalarType(file.info(key + "timesteps").dtype) == at::kLong ? at::kLong : at::kFloat);
      expectSchedule(s->timesteps(), refTs, "timesteps");
      if (file.contains(key + "sigmas")) {
        ASSERT_TRUE(s->sigmas().defined());
        expectSchedule(s->sigmas(), file.load(key + "sigmas", at::kFloat), "sigmas");
      } else {
        EXPECT_FALSE(s->sigmas().defined());
      }
      const double init = entry.at("init_noise_sigma").at(std::to_string(n)).get<double>();
      EXPECT_NEAR(s->initNoiseSigma(), init, kScheduleRtol * std::fabs(init));
      ++checked;
    }
  }
  std::cout << "[ INFO     ] diffusers schedules checked: " << checked << ", refused as the "
            << "reference did: " << refused << "\n";
  EXPECT_GT(checked, 0);
}

// diffusers computes its own float32 tables from the config.
TEST_F(DiffusersGolden, DiffusersTables) {
  const nlohmann::json& config = s_set->cases().at(0).at("config");
  const DiffusersSchedulerOptions opts = optionsFrom(config, nlohmann::json::object());
  testing::expectAllClose(diffusersBetas(opts.config), s_model->tensor("diffusers_betas"), 0.0,
                          kScheduleRtol, "diffusers_betas");
  testing::expectAllClose(diffusersAlphasCumprod(opts.config),
                          s_model->tensor("diffusers_alphas_cumprod"), 0.0, kScheduleRtol,
                          "diffusers_alphas_cumprod");
  // A table given in the config replaces the computed one.
  DiffusersConfig own = opts.config;
  own.alphasCumprod = s_model->tensor("alphas_cumprod");
  testing::expectTensorEqual(diffusersAlphasCumprod(own).eq(own.alphasCumprod.to(at::kFloat)),
                             at::ones({own.numTrainTimesteps}, at::kLong), "override");
  EXPECT_THROW(diffusersTimesteps(TimestepSpacing::Leading, 1000, 0, 1), std::invalid_argument);
  EXPECT_THROW(timestepSpacingFromName("cosine"), std::invalid_argument);
  EXPECT_THROW(makeDiffusersScheduler("HeunDiscreteScheduler", opts), std::invalid_argument);
}

// LMS coefficients integrate the Lagrange basis exactly: they sum to the step length.
TEST(DiffusersLms, CoefficientsSumToStep) {
  const std::vector<double> sigmas = {14.6, 9.1, 5.2, 2.5, 1.1, 0.0};
  for (int64_t i = 0; i + 1 < static_cast<int64_t>(sigmas.size()); ++i) {
    const int order = static_cast<int>(std::min<int64_t>(i + 1, 4));
    double sum = 0.0;
    for (int k = 0; k < order; ++k) sum += lmsCoefficient(sigmas, i, order, k);
    EXPECT_NEAR(sum, sigmas[i + 1] - sigmas[i], 1e-12);
  }
  // Order 1: the whole step on the current derivative.
  EXPECT_NEAR(lmsCoefficient(sigmas, 0, 1, 0), sigmas[1] - sigmas[0], 1e-12);
}

TEST(DiffusersUniPc, SolveSmallSystem) {
  // [[2, 1], [4, 3]] x = [3, 7] -> x = [1, 1] (needs a row swap under partial pivoting)
  const std::vector<float> x = solveSmallSystem({2.0f, 1.0f, 4.0f, 3.0f}, {3.0f, 7.0f});
  ASSERT_EQ(x.size(), 2u);
  EXPECT_FLOAT_EQ(x[0], 1.0f);
  EXPECT_FLOAT_EQ(x[1], 1.0f);
  EXPECT_THROW(solveSmallSystem({1.0f, 2.0f, 2.0f, 4.0f}, {1.0f, 1.0f}), std::invalid_argument);
}

// diffusers' LCMScheduler raises for more steps than its distillation schedule has; Lienzo throws
// std::invalid_argument (also through the Sampler), and accepts the limit itself.
TEST_F(DiffusersGolden, LcmRefusesMoreStepsThanTheDistillationSchedule) {
  const nlohmann::json& c = s_set->findCase([](const nlohmann::json& k) {
    return k.at("scheduler").get<std::string>() == "LCMScheduler";
  });
  const DiffusersSchedulerOptions opts = optionsFrom(c.at("config"), c.at("step_kwargs"));
  const int64_t limit = opts.lcm.originalInferenceSteps;
  std::unique_ptr<DiffusersScheduler> s = makeDiffusersScheduler("LCMScheduler", opts);
  EXPECT_THROW(s->setTimesteps(limit + 1), std::invalid_argument);
  EXPECT_THROW(s->setTimesteps(0), std::invalid_argument);
  ASSERT_NO_THROW(s->setTimesteps(limit));
  EXPECT_EQ(s->iterations(), limit);
  const std::vector<int64_t> ts = lcmTimesteps(limit, opts.config.numTrainTimesteps, limit);
  for (size_t i = 1; i < ts.size(); ++i) EXPECT_GT(ts[i - 1], ts[i]);

  const DiscreteSchedule schedule =
      DiscreteSchedule::fromAlphasCumprod(s_model->tensor("diffusers_alphas_cumprod"));
  const at::Tensor mu = s_model->tensor("mu_A");
  SamplingContext ctx;
  ctx.schedule = &schedule;
  ctx.steps = static_cast<int>(limit + 1);
  ctx.unitNoise = at::zeros(mu.sizes(), at::kFloat);
  ctx.model = s_model->modelFn(mu, Prediction::Epsilon);
  ctx.noise = [](at::IntArrayRef shape) { return at::zeros(shape, at::kFloat); };
  EXPECT_THROW(makeLcmSampler()->sample(ctx), std::invalid_argument);
  EXPECT_EQ(makeLcmSampler()->modelCalls(static_cast<int>(limit + 1)), 0);
  EXPECT_EQ(makeLcmSampler()->modelCalls(static_cast<int>(limit)), limit);
}

// UniPC and LCM through the Sampler interface (factory and registry) on diffusers' own table
// reproduce the diffusers pipeline runs.
TEST_F(DiffusersGolden, SamplerObjectsReproduceThePipeline) {
  const DiscreteSchedule schedule =
      DiscreteSchedule::fromAlphasCumprod(s_model->tensor("diffusers_alphas_cumprod"));
  int checked = 0;
  for (const auto& c : s_set->cases()) {
    const std::string cls = c.at("scheduler").get<std::string>();
    if (cls != "UniPCMultistepScheduler" && cls != "LCMScheduler") continue;
    if (c.contains("cfg_mode")) continue;
    const std::string id = c.at("id").get<std::string>();
    SCOPED_TRACE(id);
    const double atol = c.at("tolerance").at("atol").get<double>();
    const double rtol = c.at("tolerance").at("rtol").get<double>();
    const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
    const nlohmann::json& config = c.at("config");
    // The Sampler uses the class defaults; only Karras is selectable (schedule type).
    EXPECT_EQ(config.at("timestep_spacing").get<std::string>(),
              cls == "LCMScheduler" ? "leading" : "linspace");
    const bool karras = config.value("use_karras_sigmas", false);
    const int64_t nNoise = c.at("n_noise").get<int64_t>();
    const at::Tensor noise = nNoise > 0 ? s_set->load(id, "noise") : at::Tensor();
    for (const char* how : {"factory", "registry"}) {
      SCOPED_TRACE(how);
      std::unique_ptr<Sampler> sampler;
      if (std::string(how) == "factory") {
        sampler = cls == "LCMScheduler" ? makeLcmSampler() : makeUniPcSampler();
      } else {
        sampler = makeSampler(cls == "LCMScheduler" ? "LCM" : "UniPC");
      }
      ASSERT_NE(sampler, nullptr);
      const int steps = c.at("steps").get<int>();
      EXPECT_EQ(sampler->modelCalls(steps), c.at("n_iterations").get<int>());
      int64_t noiseUsed = 0;
      int callbacks = 0;
      SamplingContext ctx;
      ctx.schedule = &schedule;
      ctx.prediction = pred;
      ctx.steps = steps;
      ctx.scheduleType = karras ? "Karras" : "Automatic";
      ctx.unitNoise = s_set->load(id, "x_T_unit_noise");
      ctx.model = caseModel(*s_model, c, pred);
      ctx.noise = [&](at::IntArrayRef shape) {
        if (noiseUsed >= nNoise) throw std::runtime_error("more noise drawn than recorded");
        return noise[noiseUsed++].clone();
      };
      ctx.onStep = [&](const SamplerStep& s) {
        EXPECT_EQ(s.index, callbacks);
        EXPECT_TRUE(s.denoised.defined());
        EXPECT_GT(s.sigma, 0.0);
        ++callbacks;
        return true;
      };
      const at::Tensor result = sampler->sample(ctx);
      const at::Tensor expected = s_set->has(id, "out")
                                      ? s_set->load(id, "out")
                                      : s_set->load(id, "x")[c.at("n_iterations").get<int64_t>()];
      expectClose(result, expected, atol, rtol, "Sampler result", id);
      EXPECT_EQ(callbacks, c.at("n_iterations").get<int>());
      EXPECT_EQ(noiseUsed, nNoise);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// The fixtures' seed chain: unit noise and every scheduler noise tensor are successive
// torch.randn draws of one generator seeded with the case's seed, so the stochastic cases are
// reproduced from the seed alone with the torch-compatible RNG.
TEST_F(DiffusersGolden, SeedChainReproducesStochasticCases) {
  constexpr double kRngAtol = 4e-6;  // fixtures README: RNG kernels differ by <= 4e-6
  int checked = 0;
  for (const auto& c : s_set->cases()) {
    if (c.at("n_noise").get<int64_t>() == 0) continue;
    const std::string id = c.at("id").get<std::string>();
    SCOPED_TRACE(id);
    const double atol = c.at("tolerance").at("atol").get<double>();
    const double rtol = c.at("tolerance").at("rtol").get<double>();
    const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
    const DiffusersSchedulerOptions opts = optionsFrom(c.at("config"), c.at("step_kwargs"));
    std::unique_ptr<DiffusersScheduler> scheduler =
        makeDiffusersScheduler(c.at("scheduler").get<std::string>(), opts);
    Generator gen(c.at("seed").get<uint64_t>());
    const at::Tensor unit = randn(gen, testing::shapeFromJson(c.at("shape")));
    testing::expectAllClose(unit, s_set->load(id, "x_T_unit_noise"), kRngAtol, 0.0, "unit noise");
    const at::Tensor result =
        runDiffusersPipeline(*scheduler, c.at("steps").get<int64_t>(), unit,
                             caseModel(*s_model, c, pred), makeNoiseFn(gen), StepFn());
    const at::Tensor expected = s_set->has(id, "out")
                                    ? s_set->load(id, "out")
                                    : s_set->load(id, "x")[c.at("n_iterations").get<int64_t>()];
    expectClose(result, expected, atol, rtol, "result from the seed", id);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// onStep returning false stops the run after that step.
TEST_F(DiffusersGolden, StepCallbackCancels) {
  const at::Tensor mu = s_model->tensor("mu_A");
  DiffusersSchedulerOptions opts;
  std::unique_ptr<DiffusersScheduler> s = makeDiffusersScheduler("EulerDiscreteScheduler", opts);
  int calls = 0;
  int steps = 0;
  const ModelFn model = [&](const at::Tensor& x, const at::Tensor& t) {
    ++calls;
    return s_model->modelFn(mu, Prediction::Epsilon)(x, t);
  };
  const at::Tensor out = runDiffusersPipeline(*s, 10, at::randn(mu.sizes(), at::kFloat), model,
                                              NoiseFn(), [&](const SamplerStep& st) {
                                                ++steps;
                                                return st.index < 2;
                                              });
  EXPECT_EQ(steps, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(out.isfinite().all().item<bool>());
}

}  // namespace
}  // namespace lienzo
