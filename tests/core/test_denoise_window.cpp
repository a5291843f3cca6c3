// Denoising strength semantics (core/sampling/denoise_window.h) and img2img starts of every
// sampler family: the window's arithmetic, the first noise level a run starts from, strength 0
// returning the init latent, and every catalog sampler running from an init latent.
#include "core/sampling/denoise_window.h"
#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/kdiffusion_sampler.h"
#include "core/sampling/rng.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace lienzo {
namespace {

TEST(DenoiseWindow, A1111AndFixedSteps) {
  // Ref: next-wave.md §1.4: 20 steps at 0.75 run 16 of 20 (A1111) or 20 of 26 (fixed).
  EXPECT_EQ(denoiseWindow(20, 0.75, false).scheduleSteps, 20);
  EXPECT_EQ(denoiseWindow(20, 0.75, false).runSteps, 16);
  EXPECT_EQ(denoiseWindow(20, 0.75, true).scheduleSteps, 26);
  EXPECT_EQ(denoiseWindow(20, 0.75, true).runSteps, 20);
  // Strength 1 runs the whole schedule in both semantics (min(s, 0.999)).
  EXPECT_EQ(denoiseWindow(10, 1.0, false).runSteps, 10);
  EXPECT_EQ(denoiseWindow(10, 1.0, true).scheduleSteps, 10);
  // Strength 0 runs nothing.
  EXPECT_EQ(denoiseWindow(10, 0.0, false).runSteps, 0);
  EXPECT_EQ(denoiseWindow(10, 0.0, true).runSteps, 0);
  for (double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()})
    EXPECT_THROW(denoiseWindow(10, bad, false), std::invalid_argument);
  EXPECT_THROW(denoiseWindow(0, 0.5, false), std::invalid_argument);
}

TEST(DenoiseWindow, KDiffusionStartsAtTheWorkedSigmas) {
  // next-wave.md §1.4 (SD 1.x schedule, "normal", 20 steps, 0.75): A1111 starts at 4.8557,
  // fixed steps at 4.2650.
  const DiscreteSchedule schedule = DiscreteSchedule::scaledLinear();
  SamplingContext ctx;
  ctx.schedule = &schedule;
  ctx.steps = 20;
  ctx.scheduleType = "Uniform";
  ctx.initLatent = at::zeros({1, 4, 2, 2});
  ctx.strength = 0.75;
  const auto sampler = makeSampler("Euler");
  const auto* k = dynamic_cast<const KDiffusionSampler*>(sampler.get());
  ASSERT_NE(k, nullptr);
  at::Tensor s = k->sigmasFor(ctx);
  EXPECT_EQ(s.numel(), 17);
  EXPECT_NEAR(s[0].item<double>(), 4.8557, 1e-3);
  EXPECT_NEAR(s[1].item<double>(), 3.8654, 1e-3);
  ctx.fixedSteps = true;
  s = k->sigmasFor(ctx);
  EXPECT_EQ(s.numel(), 21);
  EXPECT_NEAR(s[0].item<double>(), 4.2650, 1e-3);
  EXPECT_NEAR(s[1].item<double>(), 3.6051, 1e-3);
}

/// A model whose x0 prediction is always `target`: ε = (x_in − √ā·target)/√(1−ā). Records the
/// timesteps it is called with.
ModelFn towards(const DiscreteSchedule& schedule, const at::Tensor& target,
                std::vector<double>* calls) {
  return [&schedule, target, calls](const at::Tensor& xIn, const at::Tensor& t) {
    calls->push_back(t[0].item<double>());
    const auto sigma = schedule.tToSigma(t.to(at::kFloat));
    const auto abar = (1.0 / (1.0 + sigma * sigma)).view({-1, 1, 1, 1});
    return (xIn - abar.sqrt() * target) / (1.0 - abar).sqrt();
  };
}

TEST(DenoiseWindow, EverySamplerRunsFromAnInitLatent) {
  c10::InferenceMode guard;
  const DiscreteSchedule schedule = DiscreteSchedule::scaledLinear();
  const at::Tensor init = at::full({1, 4, 4, 4}, 0.5f);
  for (const SamplerInfo& info : samplerCatalog()) {
    SCOPED_TRACE(info.name);
    for (bool fixed : {false, true}) {
      std::vector<double> calls;
      Generator gen(7);
      SamplingContext ctx;
      ctx.schedule = &schedule;
      ctx.steps = 8;
      ctx.unitNoise = randn(gen, init.sizes());
      ctx.noise = makeNoiseFn(gen);
      ctx.initLatent = init;
      ctx.strength = 0.5;
      ctx.fixedSteps = fixed;
      ctx.model = towards(schedule, init, &calls);
      int reported = 0;
      ctx.onStep = [&](const SamplerStep&) { return ++reported > 0; };
      at::Tensor out;
      try {
        out = makeSampler(info.name)->sample(ctx);
      } catch (const std::invalid_argument& e) {
        ADD_FAILURE() << e.what();
        continue;
      }
      // A model that always predicts the init latent brings every sampler back near it (CompVis
      // samplers end at ᾱ[0] < 1, so within a few hundredths).
      EXPECT_LT((out - init).abs().max().item<double>(), 0.15);
      ASSERT_FALSE(calls.empty());
      // The window's steps run (CompVis samplers run one fewer: they encode at index t_enc and
      // step the t_enc timesteps below it).
      const DenoiseWindow window = denoiseWindow(ctx.steps, ctx.strength, fixed);
      const bool compvis = info.name == "DDIM" || info.name == "PLMS";
      EXPECT_EQ(reported, window.runSteps - (compvis ? 1 : 0));
      // Strength 0.5 starts well below where txt2img starts (the top of the schedule).
      const double first = calls.front();
      std::vector<double> fromNoise;
      SamplingContext txt2img = ctx;
      txt2img.initLatent = at::Tensor();
      txt2img.model = towards(schedule, init, &fromNoise);
      (void)makeSampler(info.name)->sample(txt2img);
      ASSERT_FALSE(fromNoise.empty());
      EXPECT_LT(first, fromNoise.front() - 100.0);
      EXPECT_GT(first, 20.0);

      // Strength 0: nothing runs, the init latent comes back.
      calls.clear();
      ctx.strength = 0.0;
      EXPECT_TRUE(at::equal(makeSampler(info.name)->sample(ctx), init));
      EXPECT_TRUE(calls.empty());
    }
  }
}

TEST(DenoiseWindow, DiffusersAddNoiseForms) {
  // VP classes noise as √ā·x0 + √(1−ā)·ε; Euler-family (VE samples) as x0 + σ·ε.
  DiffusersSchedulerOptions opts;
  opts.config.alphasCumprod = DiscreteSchedule::scaledLinear().alphasCumprod();
  const at::Tensor x0 = at::full({1, 1, 1, 1}, 2.0f), eps = at::full({1, 1, 1, 1}, 1.0f);
  auto ddim = makeDiffusersScheduler("DDIMScheduler", opts);
  ddim->setTimesteps(10);
  const double s = ddim->sigmaAt(3), a = 1.0 / std::sqrt(s * s + 1);
  EXPECT_NEAR(ddim->addNoise(x0, eps, 3).item<double>(), 2 * a + s * a, 1e-5);
  auto euler = makeDiffusersScheduler("EulerDiscreteScheduler", opts);
  euler->setTimesteps(10);
  EXPECT_NEAR(euler->addNoise(x0, eps, 3).item<double>(), 2 + euler->sigmaAt(3), 1e-5);
}

}  // namespace
}  // namespace lienzo
