// SDXL conditioner (fixtures README §5) through the loaded bundle: sdxl/tiny-sdxl.safetensors via
// loadModelBundle (F32), token ids of sdxl/golden_conditioner.safetensors -> crossattn (CLIP-L
// penultimate ‖ bigG penultimate) and vector (bigG pooled ‖ size/crop/size embeddings), with the
// sizes read from the golden file. Tolerance: the README's 1e-4 (relative to max-abs) for the
// SDXL conditioner outputs.
#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/text_conditioner.h"

#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace lienzo {
namespace {

constexpr double kTol = 1e-4;  // README §1: SDXL conditioner outputs

std::shared_ptr<const ModelBundle> tinySdxl() {
  return testing::tinySdxlBundle();
}

SafetensorsFile golden() {
  return SafetensorsFile::open(testing::fixturePath("sdxl/golden_conditioner.safetensors"));
}

/// Row b of a golden [B,2] size tensor as two integers.
std::pair<int64_t, int64_t> pairAt(const SafetensorsFile& g, const std::string& name, int64_t b) {
  const auto t = g.load(name, at::kFloat)[b];
  return {static_cast<int64_t>(t[0].item<float>()), static_cast<int64_t>(t[1].item<float>())};
}

SdxlSizes sizesAt(const SafetensorsFile& g, int64_t b) {
  SdxlSizes s;
  std::tie(s.originalHeight, s.originalWidth) = pairAt(g, "original_size_as_tuple", b);
  std::tie(s.cropTop, s.cropLeft) = pairAt(g, "crop_coords_top_left", b);
  std::tie(s.targetHeight, s.targetWidth) = pairAt(g, "target_size_as_tuple", b);
  return s;
}

TEST(SdxlConditioner, GoldenCrossattnAndVector) {
  c10::InferenceMode guard;
  const auto bundle = tinySdxl();
  ASSERT_EQ(bundle->family, ModelFamily::SDXL);
  const auto g = golden();
  const auto idsL = g.load("clip_l.input_ids");  // [B,77] SD1 layout
  const auto idsG = g.load("clip_g.input_ids");  // [B,77] SD2 layout

  const auto* text = dynamic_cast<const SdxlTextConditioner*>(bundle->text.get());
  ASSERT_NE(text, nullptr);
  // The golden prompts tokenise (literally, README §2) to the golden ids.
  const auto prompts = nlohmann::json::parse(g.metadata().at("prompts"));
  ASSERT_EQ(static_cast<int64_t>(prompts.size()), idsL.size(0));
  for (int64_t b = 0; b < idsL.size(0); ++b) {
    const std::string p = prompts[b].get<std::string>();
    testing::expectTensorEqual(at::tensor(text->tokenizer().encodePadded(p, PadStyle::Sd1)),
                               idsL[b], "clip_l ids " + std::to_string(b));
    testing::expectTensorEqual(at::tensor(text->tokenizer().encodePadded(p, PadStyle::Sd2)),
                               idsG[b], "clip_g ids " + std::to_string(b));
  }

  const Conditioning cond = encodeSdxlTokens(*bundle, idsL, idsG, 1);
  const auto crossattn = g.load("crossattn", at::kFloat);  // [B,77,80]
  testing::expectTensorNear(cond.context, crossattn, kTol, "crossattn");
  testing::expectTensorNear(cond.pooled, g.load("clip_g.pooled", at::kFloat), kTol, "pooled");

  const auto vector = g.load("vector", at::kFloat);  // [B,1584]
  const int64_t pooledDim = cond.pooled.size(1);
  double worstVector = 0.0;
  for (int64_t b = 0; b < vector.size(0); ++b) {
    const auto y = sdxlVector(*bundle, cond.pooled.narrow(0, b, 1), sizesAt(g, b));  // [1,adm]
    testing::expectTensorNear(y[0], vector[b], kTol, "vector " + std::to_string(b));
    worstVector = std::max(worstVector, testing::relativeMaxError(y[0], vector[b]));
    // Each size embedding on its own (512 = two 256-wide embeddings).
    int64_t offset = pooledDim;
    for (const char* key :
         {"original_size_as_tuple", "crop_coords_top_left", "target_size_as_tuple"}) {
      const auto expected = g.load(std::string(key) + ".emb", at::kFloat)[b];
      testing::expectTensorNear(y[0].narrow(0, offset, expected.size(0)), expected, kTol,
                                std::string(key) + ".emb " + std::to_string(b));
      offset += expected.size(0);
    }
    EXPECT_EQ(offset, y.size(1));
  }
  std::cout << "[ INFO     ] max rel error: crossattn "
            << testing::relativeMaxError(cond.context, crossattn) << ", pooled "
            << testing::relativeMaxError(cond.pooled, g.load("clip_g.pooled", at::kFloat))
            << ", vector " << worstVector << "\n";
}

TEST(SdxlConditioner, TxtToImgVectorIsImageSizeWithoutCrop) {
  c10::InferenceMode guard;
  const auto bundle = tinySdxl();
  const auto g = golden();
  const auto pooled = g.load("clip_g.pooled", at::kFloat).narrow(0, 0, 1);
  SdxlSizes sizes;
  sizes.originalHeight = sizes.targetHeight = 640;
  sizes.originalWidth = sizes.targetWidth = 1536;
  const auto full = sdxlVector(*bundle, pooled, sizes);
  EXPECT_TRUE(at::equal(sdxlVector(*bundle, pooled, 640, 1536), full));
  // Batched pooled vectors get the same size embedding on every row.
  const auto both = sdxlVector(*bundle, g.load("clip_g.pooled", at::kFloat), sizes);
  ASSERT_EQ(both.size(0), 2);
  EXPECT_TRUE(at::equal(both[0], full[0]));
}

TEST(SdxlConditioner, EncodePromptMatchesTheGoldenForAPlainPrompt) {
  c10::InferenceMode guard;
  const auto bundle = tinySdxl();
  const auto g = golden();
  const auto prompts = nlohmann::json::parse(g.metadata().at("prompts"));
  // Prompt 0 has no A1111 weighting syntax, so the prompt path equals the token path.
  const Conditioning c = encodePrompt(*bundle, prompts[0].get<std::string>(), 1);
  testing::expectTensorNear(c.context[0], g.load("crossattn", at::kFloat)[0], kTol,
                            "encodePrompt context");
  testing::expectTensorNear(c.pooled[0], g.load("clip_g.pooled", at::kFloat)[0], kTol,
                            "encodePrompt pooled");
}

}  // namespace
}  // namespace lienzo
