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
