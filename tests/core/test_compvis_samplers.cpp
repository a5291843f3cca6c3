// Golden tests of the CompVis samplers (DDIM eta 0 / 1, PLMS): every case of samplers/compvis.json
// is re-run with the analytic model, replaying the recorded noise, and compared tensor by tensor
// (timesteps and model_t exactly; DDIM tables, x, pred_x0, model_x, model_eps at the case's
// tolerance; noise draw count and order). Also the cv/ddim/n* schedules of
// samplers/schedules.safetensors, the out-of-range step counts of the reference, and the Sampler
// objects (DDIM, PLMS) through SamplingContext and the registry.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analytic_model.h"
#include "core/io/safetensors.h"
#include "core/sampling/ddim.h"
#include "core/sampling/plms.h"
#include "core/sampling/rng.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

namespace lienzo {
namespace {

using testing::AnalyticModel;
using testing::FixtureSet;

// Schedules: float32 arrays within rtol 2e-6, integer arrays exact (fixtures README).
constexpr double kScheduleRtol = 2e-6;

// Worst |a - e| / (atol + rtol |e|) seen so far (reported, not asserted: expectAllClose asserts).
double g_worstRatio = 0.0;
std::string g_worstWhat;

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
}

// expectAllClose + trackRatio
void expectClose(const at::Tensor& actual, const at::Tensor& expected, double atol, double rtol,
                 const std::string& what, const std::string& id) {
  testing::expectAllClose(actual, expected, atol, rtol, what);
  trackRatio(actual, expected, atol, rtol, id + " " + what);
}

class CompVisGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_model = new AnalyticModel();
    s_set = new FixtureSet("samplers/compvis");
    s_alphas = new at::Tensor(s_model->tensor("alphas_cumprod").to(at::kFloat));
    s_schedule = new DiscreteSchedule(DiscreteSchedule::fromAlphasCumprod(*s_alphas));
  }
  static void TearDownTestSuite() {
    delete s_model;
    delete s_set;
    delete s_alphas;
    delete s_schedule;
  }

  void runCase(const nlohmann::json& c);

  static AnalyticModel* s_model;
  static FixtureSet* s_set;
  static at::Tensor* s_alphas;
  static DiscreteSchedule* s_schedule;
};
AnalyticModel* CompVisGolden::s_model = nullptr;
FixtureSet* CompVisGolden::s_set = nullptr;
at::Tensor* CompVisGolden::s_alphas = nullptr;
DiscreteSchedule* CompVisGolden::s_schedule = nullptr;

bool isPlms(const nlohmann::json& c) {
  return c.at("function").get<std::string>().find("PLMS") != std::string::npos;
}

void CompVisGolden::runCase(const nlohmann::json& c) {
  const std::string id = c.at("id").get<std::string>();
  SCOPED_TRACE(id);
  const double atol = c.at("tolerance").at("atol").get<double>();
  const double rtol = c.at("tolerance").at("rtol").get<double>();
  const double eta = c.at("eta").get<double>();
  ASSERT_EQ(c.at("ddim_discretize").get<std::string>(), "uniform");
  const Prediction pred = testing::predictionFromName(c.at("prediction").get<std::string>());
  const int64_t requested = c.at("requested_steps").get<int64_t>();
  const int64_t actual = c.at("actual_steps").get<int64_t>();
  const bool plms = isPlms(c);

  // Tables: timesteps (fixture: sampling order, descending) and the DDIMSampler buffers.
  const std::vector<int64_t> ts =
      compvisDdimTimesteps(requested, s_alphas->numel(), DdimRangePolicy::Throw);
  ASSERT_EQ(static_cast<int64_t>(ts.size()), actual);
  const CompVisDdimTables tables = compvisDdimTables(*s_alphas, ts, eta);
  testing::expectTensorEqual(tables.timesteps.flip(0), s_set->load(id, "timesteps"), "timesteps");
  testing::expectAllClose(tables.alphas, s_set->load(id, "ddim_alphas"), 0.0, kScheduleRtol,
                          "ddim_alphas");
  testing::expectAllClose(tables.alphasPrev, s_set->load(id, "ddim_alphas_prev"), 0.0,
                          kScheduleRtol, "ddim_alphas_prev");
  testing::expectAllClose(tables.sigmas, s_set->load(id, "ddim_sigmas"), 0.0, kScheduleRtol,
                          "ddim_sigmas");

  // Recording model, noise replay and step callback.
  const ModelFn inner = s_model->modelFn(s_model->byReference(c.at("mu")), pred);
  std::vector<at::Tensor> modelX, modelT, modelEps;
  const ModelFn model = [&](const at::Tensor& x, const at::Tensor& t) {
    EXPECT_EQ(t.scalar_type(), at::kFloat);
    EXPECT_EQ(t.numel(), x.size(0));
    modelX.push_back(x.clone());
    modelT.push_back(t[0].clone());
    at::Tensor out = inner(x, t);
    modelEps.push_back(out.clone());
    return out;
  };
  const int64_t nNoise = c.at("n_noise").get<int64_t>();
  const at::Tensor noise = s_set->load(id, "noise");  // [K, *shape]
  int64_t noiseUsed = 0;
  const NoiseFn noiseFn = [&](at::IntArrayRef shape) {
    if (noiseUsed >= nNoise) throw std::runtime_error("more noise drawn than recorded");
    EXPECT_EQ(shape, noise[noiseUsed].sizes());
    return noise[noiseUsed++].clone();
  };
  std::vector<at::Tensor> xs, predX0;
  const StepFn onStep = [&](const SamplerStep& s) {
    EXPECT_EQ(s.index, static_cast<int>(xs.size()));
    EXPECT_EQ(s.total, static_cast<int>(actual));
    xs.push_back(s.x.clone());
    predX0.push_back(s.denoised.clone());
    return true;
  };

  const at::Tensor x = s_set->load(id, "x");  // [S+1, *shape]
  const at::Tensor result =
      plms ? sampleCompVisPlms(tables, *s_alphas, pred, x[0], model, noiseFn, onStep)
           : sampleCompVisDdim(tables, *s_alphas, pred, x[0], model, noiseFn, onStep);

  ASSERT_EQ(static_cast<int64_t>(xs.size()), actual);
  expectClose(at::stack(xs), x.slice(0, 1), atol, rtol, "x", id);
  expectClose(result, x[actual], atol, rtol, "result", id);
  expectClose(at::stack(predX0), s_set->load(id, "pred_x0"), atol, rtol, "pred_x0", id);
  ASSERT_EQ(static_cast<int64_t>(modelT.size()), c.at("n_model_calls").get<int64_t>());
  testing::expectTensorEqual(at::stack(modelT), s_set->load(id, "model_t"), "model_t");
  EXPECT_TRUE(at::stack(modelT).equal(at::stack(modelT).round())) << "integer timesteps";
  expectClose(at::stack(modelEps), s_set->load(id, "model_eps"), atol, rtol, "model_eps", id);
  if (s_set->has(id, "model_x")) {
    expectClose(at::stack(modelX), s_set->load(id, "model_x"), atol, rtol, "model_x", id);
  }
  EXPECT_EQ(noiseUsed, nNoise) << "noise draws (one per x_prev, as CompVis' noise_like)";

  // The same run through the Sampler interface (and the A1111-named registry).
  for (const char* name : {"factory", "registry"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<Sampler> sampler;
    if (std::string(name) == "factory") {
      sampler = plms ? makePlmsSampler() : makeDdimSampler();
    } else {
      sampler = makeSampler(plms ? "PLMS" : "DDIM");
    }
    ASSERT_NE(sampler, nullptr);
    EXPECT_EQ(sampler->modelCalls(static_cast<int>(requested)), c.at("n_model_calls").get<int>());
    noiseUsed = 0;
    xs.clear();
    predX0.clear();
    SamplingContext ctx;
    ctx.schedule = s_schedule;
    ctx.prediction = pred;
    ctx.steps = static_cast<int>(requested);
    ctx.eta = eta;
    ctx.unitNoise = x[0];
    ctx.model = inner;
    ctx.noise = noiseFn;
    ctx.onStep = onStep;
    const at::Tensor viaSampler = sampler->sample(ctx);
    expectClose(viaSampler, x[actual], atol, rtol, "Sampler result", id);
    ASSERT_EQ(static_cast<int64_t>(predX0.size()), actual);
    expectClose(at::stack(predX0), s_set->load(id, "pred_x0"), atol, rtol, "Sampler denoised", id);
    EXPECT_EQ(noiseUsed, nNoise);
  }
}

TEST_F(CompVisGolden, EveryTrajectoryCase) {
  int run = 0;
  for (const auto& c : s_set->cases()) {
    runCase(c);
    ++run;
  }
  std::cout << "[ INFO     ] CompVis cases run: " << run
            << "; worst |diff| / (atol + rtol |ref|) = " << g_worstRatio << " (" << g_worstWhat
            << ")\n";
  EXPECT_GT(run, 0);
}

// CompVis seeds the global generator: the start code and every noise_like draw are successive
// torch.randn calls, so the cases are reproduced from the seed alone (eta 1 uses the noise).
TEST_F(CompVisGolden, SeedChainReproducesTheCases) {
  constexpr double kRngAtol = 4e-6;  // fixtures README: RNG kernels differ by <= 4e-6
  int checked = 0;
  for (const auto& c : s_set->cases()) {
    const std::string id = c.at("id").get<std::string>();
    SCOPED_TRACE(id);
    const double atol = c.at("tolerance").at("atol").get<double>();
    const double rtol = c.at("tolerance").at("rtol").get<double>();
    const at::Tensor x = s_set->load(id, "x");
    Generator gen(c.at("seed").get<uint64_t>());
    SamplingContext ctx;
    ctx.schedule = s_schedule;
    ctx.prediction = testing::predictionFromName(c.at("prediction").get<std::string>());
    ctx.steps = c.at("requested_steps").get<int>();
    ctx.eta = c.at("eta").get<double>();
    ctx.unitNoise = randn(gen, testing::shapeFromJson(c.at("shape")));
    testing::expectAllClose(ctx.unitNoise, x[0], kRngAtol, 0.0, "start code");
    ctx.model = s_model->modelFn(s_model->byReference(c.at("mu")), ctx.prediction);
    ctx.noise = makeNoiseFn(gen);
    std::unique_ptr<Sampler> sampler = isPlms(c) ? makePlmsSampler() : makeDdimSampler();
    const at::Tensor result = sampler->sample(ctx);
    expectClose(result, x[c.at("actual_steps").get<int64_t>()], atol, rtol, "result from the seed",
                id);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(CompVisGolden, DdimScheduleTables) {
  const nlohmann::json manifest = testing::readJsonFixture("samplers/schedules.json");
  const SafetensorsFile file =
      SafetensorsFile::open(testing::fixturePath("samplers/schedules.safetensors"));
  int checked = 0;
  for (const auto& nJson : manifest.at("ns")) {
    const int64_t n = nJson.get<int64_t>();
    const std::string key = "cv/ddim/n" + std::to_string(n) + "/";
    SCOPED_TRACE(key);
    if (!file.contains(key + "timesteps")) {
      // The reference fails for this n (make_ddim_timesteps indexes past T): refused here too.
      EXPECT_THROW(compvisDdimTimesteps(n, s_alphas->numel(), DdimRangePolicy::Throw),
                   std::invalid_argument);
      continue;
    }
    const std::vector<int64_t> ts =
        compvisDdimTimesteps(n, s_alphas->numel(), DdimRangePolicy::Throw);
    const CompVisDdimTables tables = compvisDdimTables(*s_alphas, ts, 1.0);
    testing::expectTensorEqual(tables.timesteps, file.load(key + "timesteps", at::kLong),
                               "timesteps");
    testing::expectAllClose(tables.alphas, file.load(key + "alphas", at::kFloat), 0.0,
                            kScheduleRtol, "alphas");
    testing::expectAllClose(tables.alphasPrev, file.load(key + "alphas_prev", at::kFloat), 0.0,
                            kScheduleRtol, "alphas_prev");
    testing::expectAllClose(tables.sigmas, file.load(key + "sigmas_eta1", at::kFloat), 0.0,
                            kScheduleRtol, "sigmas_eta1");
    // eta scales the sigmas linearly
    const CompVisDdimTables half = compvisDdimTables(*s_alphas, ts, 0.5);
    testing::expectAllClose(half.sigmas * 2, tables.sigmas, 0.0, kScheduleRtol, "sigmas eta 0.5");
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// CompVis' make_ddim_timesteps indexes out of range when T // n divides T - 1 (the last timestep
// becomes T). Lienzo refuses those with std::invalid_argument (Throw) or clamps the timestep to
// T - 1 (Clamp, A1111's behaviour, used by the samplers), and the samplers run.
TEST_F(CompVisGolden, OutOfRangeStepCountsAreClampedOrRefused) {
  const int64_t T = s_alphas->numel();
  std::vector<int64_t> failing;
  for (int64_t n = 1; n <= T; ++n) {
    if ((T - 1) % (T / n) == 0) failing.push_back(n);
  }
  ASSERT_FALSE(failing.empty());
  for (const int64_t n : failing) {
    SCOPED_TRACE(n);
    EXPECT_THROW(compvisDdimTimesteps(n, T, DdimRangePolicy::Throw), std::invalid_argument);
    const std::vector<int64_t> ts = compvisDdimTimesteps(n, T, DdimRangePolicy::Clamp);
    ASSERT_FALSE(ts.empty());
    EXPECT_EQ(ts.back(), T - 1);
    for (size_t i = 1; i < ts.size(); ++i) EXPECT_LT(ts[i - 1], ts[i]);
    EXPECT_NO_THROW(compvisDdimTables(*s_alphas, ts, 1.0));
  }
  // A valid count is not changed by the policy.
  EXPECT_EQ(compvisDdimTimesteps(4, T, DdimRangePolicy::Clamp),
            compvisDdimTimesteps(4, T, DdimRangePolicy::Throw));
  EXPECT_THROW(compvisDdimTimesteps(0, T, DdimRangePolicy::Clamp), std::invalid_argument);
  EXPECT_THROW(compvisDdimTimesteps(T + 1, T, DdimRangePolicy::Clamp), std::invalid_argument);

  // The samplers run a failing count end to end (eta 1 draws its noise from ctx.noise).
  const at::Tensor mu = s_model->tensor("mu_A");
  const int64_t n = failing.front() == 1 ? failing.at(1) : failing.front();
  for (const char* name : {"DDIM", "PLMS"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<Sampler> sampler = makeSampler(name);
    SamplingContext ctx;
    ctx.schedule = s_schedule;
    ctx.steps = static_cast<int>(n);
    ctx.eta = std::string(name) == "DDIM" ? 1.0 : 0.0;
    ctx.unitNoise = at::randn(mu.sizes(), at::kFloat);
    ctx.model = s_model->modelFn(mu, Prediction::Epsilon);
    int draws = 0;
    ctx.noise = [&](at::IntArrayRef shape) {
      ++draws;
      return at::randn(shape, at::kFloat);
    };
    int steps = 0;
    std::vector<double> sigmas;
    ctx.onStep = [&](const SamplerStep& s) {
      ++steps;
      sigmas.push_back(s.sigma);
      return true;
    };
    const at::Tensor out = sampler->sample(ctx);
    EXPECT_TRUE(out.isfinite().all().item<bool>());
    const int64_t expected =
        static_cast<int64_t>(compvisDdimTimesteps(n, T, DdimRangePolicy::Clamp).size());
    EXPECT_EQ(steps, expected);
    const int extra = std::string(name) == "PLMS" ? 1 : 0;
    EXPECT_EQ(sampler->modelCalls(static_cast<int>(n)), expected + extra);
    EXPECT_EQ(draws, expected + extra);  // one per x_prev, as CompVis' noise_like
    // The first step starts from the clamped top timestep.
    ASSERT_FALSE(sigmas.empty());
    EXPECT_FLOAT_EQ(static_cast<float>(sigmas.front()), s_schedule->sigmas()[T - 1].item<float>());
    // The result approaches the data mean (the analytic model's x0 distribution).
    EXPECT_LT((out - mu).abs().mean().item<double>(), 1.0);
  }
}

TEST_F(CompVisGolden, PlmsRefusesEta) {
  std::unique_ptr<Sampler> sampler = makePlmsSampler();
  const at::Tensor mu = s_model->tensor("mu_A");
  SamplingContext ctx;
  ctx.schedule = s_schedule;
  ctx.steps = 4;
  ctx.eta = 1.0;
  ctx.unitNoise = at::randn(mu.sizes(), at::kFloat);
  ctx.model = s_model->modelFn(mu, Prediction::Epsilon);
  EXPECT_THROW(sampler->sample(ctx), std::invalid_argument);
  ctx.schedule = nullptr;
  ctx.eta = -1.0;
  EXPECT_THROW(sampler->sample(ctx), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
