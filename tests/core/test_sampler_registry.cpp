// The A1111-named registry and the Sampler objects it makes, driven through SamplingContext the
// way the pipeline drives them (raw eps/v ModelFn, unit noise, NoiseFn, onStep), checked against
// samplers/kdiffusion.json trajectories with the schedules computed by Lienzo itself.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "analytic_model.h"
#include "core/sampling/kdiffusion_sampler.h"
#include "core/sampling/rng.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"
#include "support/tensor_compare.h"

namespace lienzo {
namespace {

using testing::AnalyticModel;
using testing::FixtureSet;

class SamplerRegistry : public ::testing::Test {
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

  // The first plain kd/ case with this function/schedule/prediction and >= minSteps steps.
  static const nlohmann::json& kdCase(const std::string& function, const std::string& schedule,
                                      const std::string& prediction, int minSteps = 2,
                                      const std::string& solver = "") {
    return s_set->findCase([&](const nlohmann::json& c) {
      const bool solverOk = solver.empty() ? !(c.contains("kwargs") && c.at("kwargs").is_object() &&
                                               c.at("kwargs").contains("solver_type"))
                                           : (c.contains("kwargs") && c.at("kwargs").is_object() &&
                                              c.at("kwargs").value("solver_type", "") == solver);
      return c.at("id").get<std::string>().rfind("kd/", 0) == 0 &&
             c.at("function") == "k_diffusion.sampling.sample_" + function &&
             c.at("schedule") == schedule && c.at("prediction") == prediction &&
             c.at("steps").get<int>() >= minSteps && solverOk;
    });
  }

  // Runs `samplerName` through SamplingContext on case `c` (replaying its noise) and compares the
  // per-step latents, the result and the number of model calls.
  static void expectReproduces(const std::string& samplerName, const nlohmann::json& c,
                               const std::string& scheduleType, ModelFn model = nullptr) {
    const std::string id = c.at("id").get<std::string>();
    SCOPED_TRACE(samplerName + " on " + id);
    const double atol = c.at("tolerance").at("atol").get<double>();
    const double rtol = c.at("tolerance").at("rtol").get<double>();
    const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
    auto sampler = makeSampler(samplerName);

    SamplingContext ctx;
    ctx.schedule = s_schedule;
    ctx.prediction = pred;
    ctx.steps = c.at("steps").get<int>();
    ctx.scheduleType = scheduleType;
    ctx.unitNoise = s_set->load(id, "x_T_unit_noise");
    int calls = 0;
    ModelFn inner = model ? model : s_model->modelFn(s_model->byReference(c.at("mu")), pred);
    ctx.model = [&](const at::Tensor& xIn, const at::Tensor& t) {
      ++calls;
      EXPECT_EQ(t.dim(), 1);
      EXPECT_EQ(t.size(0), xIn.size(0));
      EXPECT_EQ(t.scalar_type(), at::kFloat);
      return inner(xIn, t);
    };
    const int64_t nNoise = c.at("n_noise").get<int64_t>();
    at::Tensor noise = nNoise > 0 ? s_set->load(id, "noise") : at::Tensor();
    int64_t used = 0;
    ctx.noise = [&](at::IntArrayRef shape) -> at::Tensor {
      if (used >= nNoise) throw std::runtime_error("more noise drawn than recorded");
      EXPECT_EQ(shape, noise[used].sizes());
      return noise[used++].clone();
    };
    std::vector<at::Tensor> xs;
    std::vector<at::Tensor> denoised;
    ctx.onStep = [&](const SamplerStep& step) {
      EXPECT_EQ(step.index, static_cast<int>(xs.size()));
      EXPECT_EQ(step.total, ctx.steps);
      xs.push_back(step.x.clone());
      denoised.push_back(step.denoised.clone());
      return true;
    };
    at::Tensor out = sampler->sample(ctx);

    at::Tensor expected = s_set->load(id, "x");
    ASSERT_EQ(static_cast<int>(xs.size()), ctx.steps);
    testing::expectAllClose(at::stack(xs), expected.slice(0, 1), atol, rtol, "x");
    testing::expectAllClose(out, expected[ctx.steps], atol, rtol, "result");
    EXPECT_EQ(calls, c.at("n_model_calls").get<int>());
    EXPECT_EQ(sampler->modelCalls(ctx.steps), c.at("n_model_calls").get<int>());
    EXPECT_EQ(used, nNoise);
    // onStep's denoised is the first model evaluation of each step.
    at::Tensor md = s_set->load(id, "model_denoised");
    EXPECT_EQ(md.size(0), calls);
  }

  static AnalyticModel* s_model;
  static FixtureSet* s_set;
  static DiscreteSchedule* s_schedule;
};
AnalyticModel* SamplerRegistry::s_model = nullptr;
FixtureSet* SamplerRegistry::s_set = nullptr;
DiscreteSchedule* SamplerRegistry::s_schedule = nullptr;

TEST(SamplerCatalog, ListsA1111NamesAndScheduleTypes) {
  const std::vector<std::string> required = {"Euler",
                                             "Euler a",
                                             "Heun",
                                             "DPM2",
                                             "DPM2 a",
                                             "LMS",
                                             "DPM++ 2S a",
                                             "DPM++ 2M",
                                             "DPM++ SDE",
                                             "DPM++ 2M SDE",
                                             "DPM++ 2M SDE Heun",
                                             "DPM++ 3M SDE"};
  std::set<std::string> names;
  for (const auto& info : samplerCatalog()) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate " << info.name;
    const auto& types = scheduleTypes();
    EXPECT_NE(std::find(types.begin(), types.end(), info.defaultSchedule), types.end())
        << info.name << " default " << info.defaultSchedule;
    EXPECT_NE(makeSampler(info.name), nullptr) << info.name;
    for (const auto& alias : info.aliases) EXPECT_NE(makeSampler(alias), nullptr) << alias;
  }
  for (const auto& name : required) EXPECT_TRUE(names.count(name)) << name;
  const auto& types = scheduleTypes();
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.front(), "Automatic");
  for (const char* t : {"Uniform", "Karras", "Exponential", "Polyexponential", "SGM Uniform"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
  }
  // Case-insensitive, aliases.
  EXPECT_NE(makeSampler("euler A"), nullptr);
  EXPECT_NE(makeSampler("k_dpmpp_2m"), nullptr);
  EXPECT_NE(makeSampler("DPM++ 2M Karras"), nullptr);
}

TEST(SamplerCatalog, UnknownNamesThrowListingValidNames) {
  try {
    makeSampler("Euler b");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("Euler b"), std::string::npos) << what;
    for (const auto& info : samplerCatalog()) {
      EXPECT_NE(what.find(info.name), std::string::npos) << info.name << " missing in: " << what;
    }
  }
  EXPECT_THROW(makeSampler(""), std::invalid_argument);
  EXPECT_THROW(makeSampler("Karras"), std::invalid_argument);
}

TEST_F(SamplerRegistry, EulerThroughSamplingContextReproducesFixture) {
  expectReproduces("Euler", kdCase("euler", "normal", "eps"), "Automatic");
  expectReproduces("Euler", kdCase("euler", "normal", "eps"), "Uniform");
  expectReproduces("Euler", kdCase("euler", "karras", "eps"), "Karras");
  expectReproduces("Euler", kdCase("euler", "normal", "v"), "Uniform");
}

TEST_F(SamplerRegistry, NamedSamplersReproduceTheirFixtures) {
  expectReproduces("Euler a", kdCase("euler_ancestral", "normal", "eps", 4), "Automatic");
  expectReproduces("Heun", kdCase("heun", "karras", "eps"), "Karras");
  expectReproduces("DPM2", kdCase("dpm_2", "normal_discard_penultimate", "eps"), "Automatic");
  expectReproduces("DPM2 a", kdCase("dpm_2_ancestral", "karras_discard_penultimate", "eps", 4),
                   "Karras");
  expectReproduces("LMS", kdCase("lms", "normal", "eps", 4), "Automatic");
  expectReproduces("DPM++ 2S a", kdCase("dpmpp_2s_ancestral", "karras", "eps", 4), "Automatic");
  expectReproduces("DPM++ 2M", kdCase("dpmpp_2m", "karras", "eps", 4), "Automatic");
  expectReproduces("DPM++ 2M Karras", kdCase("dpmpp_2m", "karras", "eps", 4), "Automatic");
  expectReproduces("DPM++ 2M", kdCase("dpmpp_2m", "normal", "v", 4), "Uniform");
  expectReproduces("DPM++ SDE", kdCase("dpmpp_sde", "karras", "eps", 4), "Automatic");
  expectReproduces("DPM++ 2M SDE", kdCase("dpmpp_2m_sde", "karras", "eps", 4), "Karras");
  expectReproduces("DPM++ 2M SDE Heun", kdCase("dpmpp_2m_sde", "normal", "eps", 4, "heun"),
                   "Uniform");
  // DPM++ 3M SDE discards the penultimate sigma in A1111 (checked below); the plain k-diffusion
  // function is covered by test_kdiffusion.
}

TEST_F(SamplerRegistry, A1111DiscardsThePenultimateSigmaWhereItDoes) {
  // A1111 runs DPM2, DPM2 a and DPM++ 3M SDE on a schedule computed for steps + 1 with the
  // next-to-last sigma dropped; the others on the plain schedule.
  SamplingContext ctx;
  ctx.schedule = s_schedule;
  ctx.steps = 5;
  for (const auto& info : samplerCatalog()) {
    auto sampler = makeSampler(info.name);
    auto* k = dynamic_cast<KDiffusionSampler*>(sampler.get());
    if (k == nullptr) continue;  // CompVis/diffusers-style samplers
    SCOPED_TRACE(info.name);
    for (const std::string type : {"Automatic", "Karras", "Uniform", "Exponential"}) {
      ctx.scheduleType = type;
      const SigmaScheduleKind kind =
          sigmaScheduleKindFromName(type == "Automatic" ? info.defaultSchedule : type);
      const bool discard =
          info.name == "DPM2" || info.name == "DPM2 a" || info.name == "DPM++ 3M SDE";
      testing::expectTensorEqual(k->sigmasFor(ctx),
                                 makeSigmas(*s_schedule, kind, ctx.steps, discard), type);
    }
  }
}

TEST_F(SamplerRegistry, LegacyNamesForceTheirScheduleOverAutomatic) {
  // "<sampler> <schedule>" (sampler_names.h) runs the schedule the suffix names where the context
  // says "Automatic", and the context's explicit schedule otherwise.
  SamplingContext ctx;
  ctx.schedule = s_schedule;
  ctx.steps = 6;
  for (const auto& info : samplerCatalog()) {
    auto plain = makeSampler(info.name);
    auto* k = dynamic_cast<KDiffusionSampler*>(plain.get());
    for (const std::string& type : scheduleTypes()) {
      if (type == "Automatic") continue;
      const std::string legacy = info.name + " " + type;
      SCOPED_TRACE(legacy);
      if (k == nullptr) {  // DDIM, PLMS, UniPC, LCM take the schedule separately
        EXPECT_THROW(makeSampler(legacy), std::invalid_argument);
        continue;
      }
      auto forced = makeSampler(legacy);
      auto* kf = dynamic_cast<KDiffusionSampler*>(forced.get());
      ASSERT_NE(kf, nullptr);
      ctx.scheduleType = type;
      const at::Tensor expected = k->sigmasFor(ctx);
      ctx.scheduleType = "Automatic";
      testing::expectTensorEqual(kf->sigmasFor(ctx), expected, "forced");
      ctx.scheduleType = "Uniform";
      testing::expectTensorEqual(kf->sigmasFor(ctx), k->sigmasFor(ctx), "explicit wins");
    }
  }
  EXPECT_THROW(makeSampler(kModelSchedulerName), std::invalid_argument);
}

TEST_F(SamplerRegistry, CfgOnEpsThroughSamplingContext) {
  const auto& c = s_set->findCase([](const nlohmann::json& j) {
    return j.at("id").get<std::string>().rfind("kd_cfg/", 0) == 0 &&
           j.at("cfg_mode") == "cfg_eps" && j.at("schedule") == "karras";
  });
  const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
  ModelFn cfg = s_model->cfgModelFn(s_model->byReference(c.at("mu_uncond")),
                                    s_model->byReference(c.at("mu_cond")),
                                    c.at("cfg_scale").get<double>(), pred);
  const std::string fn = c.at("function").get<std::string>();
  const std::string name = fn.find("dpmpp_2m") != std::string::npos ? "DPM++ 2M" : "Euler";
  expectReproduces(name, c, "Karras", cfg);
}

TEST_F(SamplerRegistry, SeededNoiseReproducesTheSeedChain) {
  // Seed chain of the fixtures: x_T and then every ancestral noise tensor are consecutive
  // randn(shape) draws of one generator seeded with the case's seed.
  const auto& c = kdCase("euler_ancestral", "normal", "eps", 4);
  const std::string id = c.at("id").get<std::string>();
  Generator gen(c.at("seed").get<uint64_t>());
  const auto shape = testing::shapeFromJson(c.at("shape"));
  at::Tensor unit = randn(gen, shape);
  testing::expectTensorEqual(unit, s_set->load(id, "x_T_unit_noise"), "x_T_unit_noise");
  auto sampler = makeSampler("Euler a");
  SamplingContext ctx;
  ctx.schedule = s_schedule;
  ctx.steps = c.at("steps").get<int>();
  ctx.unitNoise = unit;
  ctx.model = s_model->modelFn(s_model->byReference(c.at("mu")), Prediction::Epsilon);
  ctx.noise = makeNoiseFn(gen);
  at::Tensor out = sampler->sample(ctx);
  testing::expectAllClose(out, s_set->load(id, "x")[ctx.steps],
                          c.at("tolerance").at("atol").get<double>(),
                          c.at("tolerance").at("rtol").get<double>(), "seeded result");
}

TEST_F(SamplerRegistry, OnStepFalseStopsAndErrorsAreReported) {
  const auto& c = kdCase("euler", "normal", "eps", 3);
  const std::string id = c.at("id").get<std::string>();
  auto sampler = makeSampler("Euler");
  SamplingContext ctx;
  ctx.schedule = s_schedule;
  ctx.steps = c.at("steps").get<int>();
  ctx.unitNoise = s_set->load(id, "x_T_unit_noise");
  int calls = 0;
  ModelFn inner = s_model->modelFn(s_model->byReference(c.at("mu")), Prediction::Epsilon);
  ctx.model = [&](const at::Tensor& x, const at::Tensor& t) {
    ++calls;
    return inner(x, t);
  };
  ctx.onStep = [](const SamplerStep& s) { return s.index == 0; };
  at::Tensor out = sampler->sample(ctx);
  EXPECT_EQ(calls, 2);
  testing::expectAllClose(out, s_set->load(id, "x")[2], c.at("tolerance").at("atol").get<double>(),
                          c.at("tolerance").at("rtol").get<double>(), "stopped after 2 steps");

  SamplingContext bad = ctx;
  bad.onStep = nullptr;
  bad.steps = 0;
  EXPECT_THROW(sampler->sample(bad), std::invalid_argument);
  bad = ctx;
  bad.schedule = nullptr;
  EXPECT_THROW(sampler->sample(bad), std::invalid_argument);
  bad = ctx;
  bad.scheduleType = "Bogus";
  EXPECT_THROW(sampler->sample(bad), std::invalid_argument);
  bad = ctx;
  bad.onStep = nullptr;
  auto ancestral = makeSampler("Euler a");
  EXPECT_THROW(ancestral->sample(bad), std::invalid_argument);  // no ctx.noise
  // Exceptions from the model propagate unchanged.
  bad = ctx;
  bad.model = [](const at::Tensor&, const at::Tensor&) -> at::Tensor {
    throw std::runtime_error("model failed");
  };
  EXPECT_THROW(sampler->sample(bad), std::runtime_error);
}

}  // namespace
}  // namespace lienzo
