// The public generation API (pipeline.h) on the tiny SD1 fixture: the end-to-end golden image
// through generate(), per-step observer calls, batch seeds, both cancel modes, parameter
// validation and clear errors for bad models.
#include "core/io/safetensors.h"
#include "core/pipeline/pipeline.h"

#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace lienzo {
namespace {

std::shared_ptr<const ModelBundle> tinySd1() {
  return testing::tinySd1Bundle();
}

/// The golden txt2img request, read from the fixture metadata.
GenerationParams goldenParams() {
  return testing::goldenTxt2imgParams();
}

struct Recorder : GenerationObserver {
  std::vector<StepProgress> steps;
  std::vector<Stage> stages;
  int images = 0;
  std::function<void(const StepProgress&)> hook;
  void onStage(int, Stage s) override { stages.push_back(s); }
  void onStep(const StepProgress& p) override {
    steps.push_back(p);
    if (hook) hook(p);
  }
  void onImage(const GeneratedImage&) override { ++images; }
};

TEST(Pipeline, GenerateMatchesGoldenPixels) {
  const auto golden = SafetensorsFile::open(testing::fixturePath("sd1/golden_txt2img.safetensors"));
  const GenerationParams params = goldenParams();
  Recorder rec;
  const auto result = generate(*tinySd1(), params, &rec);
  ASSERT_EQ(result.images.size(), 1u);
  const auto& img = result.images[0];
  const auto expected = golden.load("image_u8").to(at::kInt)[0];  // [H,W,3]
  ASSERT_EQ(img.image.height, expected.size(0));
  ASSERT_EQ(img.image.width, expected.size(1));
  const auto ours = at::from_blob(const_cast<uint8_t*>(img.image.pixels.data()),
                                  {img.image.height, img.image.width, 3}, at::kByte)
                        .to(at::kInt);
  EXPECT_LE((ours - expected).abs().max().item<int>(), 1);
  // One observer call per step with a latent-resolution preview.
  ASSERT_EQ(static_cast<int>(rec.steps.size()), params.steps);
  for (int i = 0; i < params.steps; ++i) {
    EXPECT_EQ(rec.steps[i].step, i);
    EXPECT_EQ(rec.steps[i].totalSteps, params.steps);
    EXPECT_EQ(rec.steps[i].preview.width, params.width / 8);
    EXPECT_EQ(rec.steps[i].preview.pixels.size(), size_t(params.width / 8 * params.height / 8 * 3));
  }
  EXPECT_EQ(rec.images, 1);
  EXPECT_EQ(img.seed, params.seed);
  EXPECT_NE(img.infotext.find("Seed: " + std::to_string(params.seed)), std::string::npos);
  EXPECT_NE(img.infotext.find("Model: tiny-sd1"), std::string::npos);
  EXPECT_NE(img.infotext.find("Negative prompt: " + params.negativePrompt), std::string::npos);
}

TEST(Pipeline, BatchImageIUsesSeedPlusI) {
  GenerationParams params = goldenParams();
  params.steps = 3;
  params.batchSize = 2;
  const auto batch = generate(*tinySd1(), params);
  ASSERT_EQ(batch.images.size(), 2u);
  EXPECT_EQ(batch.images[1].seed, params.seed + 1);
  params.batchSize = 1;
  params.seed += 1;
  const auto single = generate(*tinySd1(), params);
  EXPECT_EQ(single.images[0].image.pixels, batch.images[1].image.pixels);
  EXPECT_NE(batch.images[0].image.pixels, batch.images[1].image.pixels);
}

TEST(Pipeline, RandomSeedIsReported) {
  GenerationParams params = goldenParams();
  params.steps = 1;
  params.seed = -1;
  const auto result = generate(*tinySd1(), params);
  ASSERT_EQ(result.images.size(), 1u);
  EXPECT_GE(result.images[0].seed, 0);
  EXPECT_NE(result.images[0].infotext.find("Seed: " + std::to_string(result.images[0].seed)),
            std::string::npos);
}

TEST(Pipeline, StopNowCancelsAtTheNextStep) {
  GenerationParams params = goldenParams();
  params.batchSize = 2;
  CancelToken cancel;
  Recorder rec;
  rec.hook = [&](const StepProgress& p) {
    if (p.step == 1) cancel.request(CancelMode::StopNow);
  };
  const auto result = generate(*tinySd1(), params, &rec, &cancel);
  EXPECT_TRUE(result.cancelled);
  EXPECT_TRUE(result.images.empty());
  EXPECT_EQ(rec.steps.size(), 2u);
}

TEST(Pipeline, FinishImageCompletesTheCurrentImageOnly) {
  GenerationParams params = goldenParams();
  params.batchSize = 3;
  CancelToken cancel;
  Recorder rec;
  rec.hook = [&](const StepProgress& p) {
    if (p.step == 1) cancel.request(CancelMode::FinishImage);
  };
  const auto result = generate(*tinySd1(), params, &rec, &cancel);
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(result.images.size(), 1u);
  EXPECT_EQ(static_cast<int>(rec.steps.size()), params.steps);
}

GenerationError::Code errorCode(const GenerationParams& params) {
  try {
    generate(*tinySd1(), params);
  } catch (const GenerationError& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return GenerationError::Code::Internal;
}

TEST(Pipeline, InvalidParamsAreClearErrors) {
  GenerationParams p = goldenParams();
  p.steps = 0;
  EXPECT_EQ(errorCode(p), GenerationError::Code::InvalidParams);
  p = goldenParams();
  p.steps = -3;
  EXPECT_EQ(errorCode(p), GenerationError::Code::InvalidParams);
  p = goldenParams();
  p.width = 65;
  EXPECT_EQ(errorCode(p), GenerationError::Code::InvalidParams);
  p = goldenParams();
  p.sampler = "No Such Sampler";
  try {
    validateParams(p);
    FAIL();
  } catch (const GenerationError& e) {
    EXPECT_NE(std::string(e.what()).find("DPM++ 2M"), std::string::npos) << e.what();
  }
}

TEST(Pipeline, AbsurdSizeIsRefusedBeforeAllocating) {
  GenerationParams p = goldenParams();
  p.width = p.height = 16384;
  EXPECT_EQ(errorCode(p), GenerationError::Code::OutOfMemory);
}

TEST(Pipeline, BadModelsAreClearErrors) {
  const auto dir = testing::makeTempDir("models");
  auto loadCode = [](const std::filesystem::path& path) {
    try {
      loadModelBundle(path);
    } catch (const GenerationError& e) {
      EXPECT_FALSE(std::string(e.what()).empty());
      return e.code();
    }
    ADD_FAILURE() << path << " loaded";
    return GenerationError::Code::Internal;
  };
  std::ofstream(dir / "model.ckpt") << "pickle";
  EXPECT_EQ(loadCode(dir / "model.ckpt"), GenerationError::Code::ModelLoad);
  std::ofstream(dir / "truncated.safetensors") << "abc";
  EXPECT_EQ(loadCode(dir / "truncated.safetensors"), GenerationError::Code::ModelLoad);
  // A family Lienzo does not run (SDXL refiner): unsupported, naming it.
  writeSafetensors(dir / "refiner.safetensors",
                   {{"conditioner.embedders.0.model.ln_final.weight", at::zeros({4})}});
  EXPECT_EQ(loadCode(dir / "refiner.safetensors"), GenerationError::Code::UnsupportedModel);
  // Flux keys without a whole transformer: a load error naming what is missing.
  writeSafetensors(dir / "flux.safetensors",
                   {{"double_blocks.0.img_attn.qkv.weight", at::zeros({3, 1})}});
  EXPECT_EQ(loadCode(dir / "flux.safetensors"), GenerationError::Code::ModelLoad);
  // The right keys with a wrong shape: a clear load error naming the tensor.
  const auto sd1 = SafetensorsFile::open(testing::fixturePath("sd1/tiny-sd1.safetensors"));
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& name : sd1.names()) tensors.emplace_back(name, sd1.view(name));
  for (auto& [name, t] : tensors)
    if (name == "model.diffusion_model.out.2.weight") t = at::zeros({4, 16, 3, 3}, at::kHalf);
  writeSafetensors(dir / "wrong.safetensors", tensors);
  try {
    loadModelBundle(dir / "wrong.safetensors");
    FAIL();
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad);
    EXPECT_NE(std::string(e.what()).find("out.2.weight"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lienzo
