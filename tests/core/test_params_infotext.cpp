#include "core/pipeline/params_infotext.h"

#include <gtest/gtest.h>

namespace lienzo {
namespace {

TEST(ParamsInfotext, RoundTrip) {
  GenerationParams p;
  p.prompt = "una estrella, (roja:1.2)\nsegunda línea";
  p.negativePrompt = "borroso";
  p.seed = 1234567890;
  p.steps = 28;
  p.cfgScale = 6.5;
  p.sampler = "DPM++ 2M";
  p.schedule = "Karras";
  p.width = 640;
  p.height = 448;
  p.clipSkip = 2;
  ModelDescription model;
  model.name = "v1-5";
  model.hash = "6ce0161689";
  const std::string text = formatInfotext(toInfotext(p, &model));
  EXPECT_NE(text.find("Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, "
                      "Seed: 1234567890, Size: 640x448, Model hash: 6ce0161689, Model: v1-5, "
                      "Clip skip: 2, RNG: CPU"),
            std::string::npos)
      << text;
  const auto restored = applyInfotext(parseInfotext(text), GenerationParams{});
  EXPECT_EQ(restored.params.prompt, p.prompt);
  EXPECT_EQ(restored.params.negativePrompt, p.negativePrompt);
  EXPECT_EQ(restored.params.seed, p.seed);
  EXPECT_EQ(restored.params.steps, p.steps);
  EXPECT_DOUBLE_EQ(restored.params.cfgScale, p.cfgScale);
  EXPECT_EQ(restored.params.sampler, p.sampler);
  EXPECT_EQ(restored.params.schedule, p.schedule);
  EXPECT_EQ(restored.params.width, p.width);
  EXPECT_EQ(restored.params.height, p.height);
  EXPECT_EQ(restored.params.clipSkip, p.clipSkip);
  EXPECT_EQ(restored.modelName, "v1-5");
  EXPECT_EQ(restored.modelHash, "6ce0161689");
  EXPECT_TRUE(restored.skipped.empty());
}

TEST(ParamsInfotext, OldSamplerNamesSplitTheSchedule) {
  const auto restored = applyInfotext(
      parseInfotext(
          "cat\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1, Size: 512x768"),
      GenerationParams{});
  EXPECT_EQ(restored.params.sampler, "DPM++ 2M");
  EXPECT_EQ(restored.params.schedule, "Karras");
  EXPECT_EQ(restored.params.height, 768);
}

TEST(ParamsInfotext, EverySamplerAndScheduleRoundTripsAndLegacyNamesSplit) {
  for (const auto& sampler : samplerCatalog()) {
    for (const auto& schedule : scheduleTypes()) {
      SCOPED_TRACE(sampler.name + " / " + schedule);
      GenerationParams p;
      p.sampler = sampler.name;
      p.schedule = schedule;
      GenerationParams base;
      base.schedule = "Automatic";
      const auto back = applyInfotext(parseInfotext(formatInfotext(toInfotext(p))), base);
      EXPECT_EQ(back.params.sampler, sampler.name);
      EXPECT_EQ(back.params.schedule, schedule);
      if (schedule == "Automatic") continue;
      // Older A1111: "Sampler: DPM++ 2M Polyexponential", no Schedule type.
      const auto legacy = applyInfotext(
          parseInfotext("p\nSteps: 20, Sampler: " + sampler.name + " " + schedule + ", Seed: 1"),
          base);
      EXPECT_EQ(legacy.params.sampler, sampler.name);
      EXPECT_EQ(legacy.params.schedule, schedule);
    }
  }
  // Aliases become canonical names; an explicit Schedule type wins over a legacy suffix; unknown
  // names are kept as written.
  const auto aliases = applyInfotext(
      parseInfotext("p\nSteps: 20, Sampler: k_euler_a, Schedule type: Normal, Seed: 1"), {});
  EXPECT_EQ(aliases.params.sampler, "Euler a");
  EXPECT_EQ(aliases.params.schedule, "Uniform");
  const auto explicitType = applyInfotext(
      parseInfotext("p\nSteps: 20, Sampler: DPM++ 2M Karras, Schedule type: Exponential, Seed: 1"),
      {});
  EXPECT_EQ(explicitType.params.sampler, "DPM++ 2M");
  EXPECT_EQ(explicitType.params.schedule, "Exponential");
  const auto unknown = applyInfotext(
      parseInfotext("p\nSteps: 20, Sampler: DPM fast, Schedule type: Beta, Seed: 1"), {});
  EXPECT_EQ(unknown.params.sampler, "DPM fast");
  EXPECT_EQ(unknown.params.schedule, "Beta");
}

TEST(ParamsInfotext, BadValuesAreSkippedNotFatal) {
  GenerationParams base;
  base.steps = 33;
  const auto restored = applyInfotext(
      parseInfotext("dog\nSteps: many, Sampler: Euler, CFG scale: 7, Size: huge"), base);
  EXPECT_EQ(restored.params.steps, 33);
  EXPECT_EQ(restored.params.sampler, "Euler");
  EXPECT_EQ(restored.skipped.size(), 2u);
}

}  // namespace
}  // namespace lienzo
