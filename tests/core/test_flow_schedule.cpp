// Flow-matching schedules (core/sampling/flow_schedule.h) against sd3/golden_schedule and
// flux/golden_schedule (every combination listed in their metadata), and the k-diffusion samplers
// on flow sigmas: the velocity denoiser, which samplers accept flow, the initial latents.
// Tolerances: the READMEs' (schedules 1e-6 absolute).
#include "core/io/safetensors.h"
#include "core/sampling/denoiser.h"
#include "core/sampling/flow_schedule.h"
#include "core/sampling/kdiffusion_sampler.h"
#include "core/sampling/sampler.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace lienzo {
namespace {

constexpr double kScheduleTol = 1e-6;  // both READMEs: schedules, absolute

/// Within kScheduleTol absolute of the golden; prints the measured error.
void checkSchedule(const at::Tensor& actual, const at::Tensor& golden, const std::string& what) {
  if (actual.sizes() == golden.sizes())
    std::cout << "  " << what << ": max abs err "
              << (actual.to(at::kDouble) - golden.to(at::kDouble)).abs().max().item<double>()
              << "\n";
  testing::expectAllClose(actual, golden, kScheduleTol, 0, what);
}

/// "3.0" / "1.0" as the fixtures spell a float shift in tensor names (python str(float)).
std::string pyFloat(double v) {
  std::ostringstream out;
  out << v;
  std::string s = out.str();
  if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
  return s;
}

TEST(FlowSchedule, Sd3MatchesGoldenSchedule) {
  const auto file = SafetensorsFile::open(testing::fixturePath("sd3/golden_schedule.safetensors"));
  const auto combos = nlohmann::json::parse(file.metadata().at("combos"));
  ASSERT_FALSE(combos.empty());
  for (const auto& combo : combos) {
    const double shift = combo[0].get<double>();
    const int64_t steps = combo[1].get<int64_t>();
    const std::string key = "shift" + pyFloat(shift);
    const at::Tensor table = file.load(key + ".sigmas1000", at::kFloat);
    checkSchedule(sd3FlowSigmaTable(shift, table.size(0)), table, key + ".sigmas1000");
    const std::string name = key + ".steps" + std::to_string(steps);
    const at::Tensor golden = file.load(name, at::kFloat);
    checkSchedule(sd3FlowSigmas(shift, steps, table.size(0)), golden, name);
    const FlowSchedule schedule = FlowSchedule::sd3(shift, table.size(0));
    checkSchedule(schedule.sigmas(steps, 8, 8), golden, name + " (FlowSchedule)");
    // The network sees σ·T; the inverse gives σ back.
    const at::Tensor sigma = golden.narrow(0, 0, steps);
    testing::expectAllClose(schedule.timestep(sigma), sigma * double(table.size(0)), 0, 1e-7,
                            name + " timestep");
    testing::expectAllClose(schedule.sigmaOfTimestep(schedule.timestep(sigma)), sigma, 1e-7, 0,
                            name + " sigmaOfTimestep");
  }
}

TEST(FlowSchedule, FluxMatchesGoldenSchedule) {
  const auto file = SafetensorsFile::open(testing::fixturePath("flux/golden_schedule.safetensors"));
  const auto& meta = file.metadata();
  const auto seqLens = nlohmann::json::parse(meta.at("seq_lens"));
  const auto stepsList = nlohmann::json::parse(meta.at("steps"));
  const double base = std::stod(meta.at("base_shift"));
  const double max = std::stod(meta.at("max_shift"));
  ASSERT_FALSE(seqLens.empty());
  ASSERT_FALSE(stepsList.empty());
  for (const auto& l : seqLens) {
    const int64_t seq = l.get<int64_t>();
    const std::string s = "seq" + std::to_string(seq);
    const double mu = file.load("mu." + s, at::kDouble).item<double>();
    EXPECT_NEAR(fluxMu(seq, base, max), mu, 1e-12) << s;
  }
  for (const auto& n : stepsList) {
    const int64_t steps = n.get<int64_t>();
    const std::string p = "steps" + std::to_string(steps);
    checkSchedule(fluxSigmas(steps, 1, false, base, max), file.load(p + ".noshift", at::kFloat),
                  p + ".noshift");
    checkSchedule(FlowSchedule::flux(false, base, max).sigmas(steps, 8, 12),
                  file.load(p + ".noshift", at::kFloat), p + ".noshift (FlowSchedule)");
    for (const auto& l : seqLens) {
      const int64_t seq = l.get<int64_t>();
      const std::string name = p + ".seq" + std::to_string(seq) + ".shift";
      checkSchedule(fluxSigmas(steps, seq, true, base, max), file.load(name, at::kFloat), name);
    }
  }
}

TEST(FlowSchedule, FluxSequenceLengthAndTimestep) {
  // The packed sequence of a latent h × w: 2×2 patches.
  EXPECT_EQ(fluxImageSeqLen(128, 128), 4096);
  EXPECT_EQ(fluxImageSeqLen(8, 12), 24);
  EXPECT_EQ(fluxImageSeqLen(9, 5), 15);
  const FlowSchedule flux = FlowSchedule::flux();
  // The resolution decides the shift: a 1024² latent (128×128) is L = 4096.
  testing::expectAllClose(flux.sigmas(4, 128, 128), fluxSigmas(4, 4096, true), 0, 0, "1024²");
  const at::Tensor sigma = at::tensor({0.75f, 0.25f});
  testing::expectTensorEqual(flux.timestep(sigma), sigma, "Flux timestep is σ");
  EXPECT_THROW(FlowSchedule::sd3(0.0), std::invalid_argument);
  EXPECT_THROW(sd3FlowSigmas(3.0, 0), std::invalid_argument);
  EXPECT_THROW(fluxSigmas(0, 24, true), std::invalid_argument);
}

TEST(FlowSchedule, DenoiserIsLatentMinusSigmaVelocity) {
  const FlowSchedule sd3 = FlowSchedule::sd3(3.0);
  const KDenoiser denoiser(sd3);
  EXPECT_EQ(denoiser.prediction(), Prediction::Flow);
  EXPECT_EQ(denoiser.schedule(), nullptr);
  const at::Tensor x = at::randn({2, 16, 3, 4});
  const at::Tensor v = at::randn({2, 16, 3, 4});
  const at::Tensor sigma = at::tensor({0.8f, 0.3f});
  at::Tensor seenX, seenT;
  const ModelFn model = [&](const at::Tensor& xIn, const at::Tensor& t) {
    seenX = xIn;
    seenT = t;
    return v;
  };
  const at::Tensor d = denoiser(model, x, sigma);
  testing::expectTensorEqual(seenX, x, "the flow latent goes in unscaled");
  testing::expectAllClose(seenT, sigma * 1000.0, 0, 1e-7, "SD3 timestep σ·1000");
  testing::expectAllClose(d, x - v * sigma.view({2, 1, 1, 1}), 1e-6, 1e-6, "x − σ·v");
}

/// A flow model whose clean image is the constant x0: v = (x − x0)/σ. Every consistent ODE step
/// then lands on the flow path x_σ = σ·ε + (1 − σ)·x0 exactly (up to float rounding).
struct ConstantX0 {
  at::Tensor x0;
  const FlowSchedule* flow;
  std::vector<double> timesteps;
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& t) {
    timesteps.push_back(t[0].item<double>());
    const at::Tensor sigma = flow->sigmaOfTimestep(t).view({-1, 1, 1, 1});
    return (x - x0) / sigma;
  }
};

void checkOnFlowPath(const std::string& samplerName, const FlowSchedule& flow) {
  SCOPED_TRACE(samplerName + " on " + flow.describe());
  const auto sampler = makeSampler(samplerName);
  ASSERT_TRUE(sampler->runsFlow());
  const at::Tensor eps = at::randn({1, 16, 6, 8});
  auto model = std::make_shared<ConstantX0>();
  model->x0 = at::randn({1, 16, 6, 8}) * 0.5;
  model->flow = &flow;
  SamplingContext ctx;
  ctx.flow = &flow;
  ctx.steps = 6;
  ctx.unitNoise = eps;
  ctx.model = [model](const at::Tensor& x, const at::Tensor& t) { return (*model)(x, t); };
  std::vector<at::Tensor> xs;
  ctx.onStep = [&](const SamplerStep& s) {
    xs.push_back(s.x.clone());
    return true;
  };
  const at::Tensor sigmas = flow.sigmas(ctx.steps, 6, 8);
  const at::Tensor out = sampler->sample(ctx);
  ASSERT_EQ(static_cast<int64_t>(xs.size()), ctx.steps);
  for (int i = 0; i < ctx.steps; ++i) {
    const double s = sigmas[i + 1].item<double>();
    testing::expectAllClose(xs[i], eps * s + model->x0 * (1.0 - s), 1e-5, 1e-5,
                            "x after step " + std::to_string(i));
  }
  testing::expectAllClose(out, model->x0, 1e-5, 1e-5, "final latent");
  ASSERT_FALSE(model->timesteps.empty());
  const at::Tensor firstT = flow.timestep(sigmas.narrow(0, 0, 1));
  EXPECT_NEAR(model->timesteps.front(), firstT.item<double>(), 1e-6) << "network timestep";
}

TEST(FlowSampling, EulerAndDpmpp2mFollowTheFlowPath) {
  at::manual_seed(7);
  const FlowSchedule sd3 = FlowSchedule::sd3(3.0);
  const FlowSchedule flux = FlowSchedule::flux(true);
  for (const char* name : {"Euler", "DPM++ 2M", "Heun", "LMS"}) {
    checkOnFlowPath(name, sd3);
    checkOnFlowPath(name, flux);
  }
}

TEST(FlowSampling, Img2imgStartsOnTheFlowPath) {
  // x = σ0·ε + (1 − σ0)·x0 at the window's first sigma; strength 0 returns x0.
  const FlowSchedule flow = FlowSchedule::sd3(3.0);
  const auto sampler = makeSampler("Euler");
  SamplingContext ctx;
  ctx.flow = &flow;
  ctx.steps = 10;
  ctx.strength = 0.5;
  ctx.unitNoise = at::randn({1, 16, 4, 4});
  ctx.initLatent = at::randn({1, 16, 4, 4});
  at::Tensor firstX;
  ctx.model = [&](const at::Tensor& x, const at::Tensor&) {
    if (!firstX.defined()) firstX = x.clone();
    return at::zeros_like(x);
  };
  auto* k = dynamic_cast<KDiffusionSampler*>(sampler.get());
  ASSERT_NE(k, nullptr);
  const at::Tensor sigmas = k->sigmasFor(ctx);
  const DenoiseWindow window = denoiseWindow(ctx.steps, ctx.strength, ctx.fixedSteps);
  const at::Tensor full = flow.sigmas(window.scheduleSteps, 4, 4);
  testing::expectAllClose(sigmas,
                          full.narrow(0, full.size(0) - 1 - window.runSteps, window.runSteps + 1),
                          0, 0, "the window's sigmas");
  ASSERT_LT(sigmas[0].item<double>(), 1.0);
  (void)sampler->sample(ctx);
  const double s0 = sigmas[0].item<double>();
  testing::expectAllClose(firstX, ctx.unitNoise * s0 + ctx.initLatent * (1.0 - s0), 1e-6, 1e-6,
                          "img2img start");
  ctx.strength = 0.0;
  testing::expectTensorEqual(sampler->sample(ctx), ctx.initLatent, "strength 0");
}

TEST(FlowSampling, SamplersThatNeedTheVpTableOrVeNoiseRefuse) {
  const std::vector<std::string> names = flowSamplerNames();
  for (const char* expected : {"Euler", "DPM++ 2M"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  for (const char* refused : {"Euler a", "DPM++ 2M SDE", "DPM++ SDE", "DPM2", "DDIM", "PLMS",
                              "UniPC", "LCM", "DPM++ 2S a"}) {
    EXPECT_EQ(std::find(names.begin(), names.end(), refused), names.end()) << refused;
    EXPECT_FALSE(makeSampler(refused)->runsFlow()) << refused;
  }
  // A k-diffusion sampler that draws noise refuses the flow context itself, too.
  const FlowSchedule flow = FlowSchedule::sd3(3.0);
  SamplingContext ctx;
  ctx.flow = &flow;
  ctx.steps = 2;
  ctx.unitNoise = at::randn({1, 16, 2, 2});
  ctx.model = [](const at::Tensor& x, const at::Tensor&) { return at::zeros_like(x); };
  ctx.noise = [](at::IntArrayRef shape) { return at::randn(shape); };
  EXPECT_THROW(makeSampler("Euler a")->sample(ctx), std::invalid_argument);
  // VP schedule types need the discrete table.
  ctx.scheduleType = "Karras";
  EXPECT_THROW(makeSampler("Euler")->sample(ctx), std::invalid_argument);
  ctx.scheduleType = "Automatic";
  EXPECT_THROW(makeSampler("DPM++ 2M Karras")->sample(ctx), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
