// FluxTextConditioner (core/pipeline/flux_conditioner.h) against flux/golden_txt2img_{dev,schnell}:
// T5 ids of the file's t5_max_length (exact), the T5 output `t5_out` (= the transformer's txt)
// and CLIP-L's pooled vector `clip_pooled` (= its vec), from the prompt in each file's metadata.
// The T5 encoder and tokenizer are ../t5's (flux/README.md); CLIP-L's heads, activation and eps
// come from tiny-flux.config.json. Tolerances: flux/README.md §8 (ids exact, t5/clip 1e-4).
#include "core/pipeline/flux_conditioner.h"

#include "core/io/safetensors.h"
#include "core/model/layers.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>

namespace {

using lienzo::SafetensorsFile;
namespace lt = lienzo::testing;

constexpr double kTol = 1e-4;  // README §8: t5_out, clip_*

lienzo::ClipTextModel loadClip(const nlohmann::json& config) {
  const auto file = SafetensorsFile::open(
      lt::fixturePath("flux/" + config.at("files").at("clip_l").get<std::string>()));
  const nlohmann::json& c = config.at("clip_l");
  auto clipConfig = lienzo::ClipTextConfig::fromWeights(file, "text_model.",
                                                        c.at("num_attention_heads").get<int64_t>());
  clipConfig.activation = c.at("hidden_act").get<std::string>() == "quick_gelu"
                              ? lienzo::ClipActivation::QuickGelu
                              : lienzo::ClipActivation::Gelu;
  clipConfig.layerNormEps = c.at("layer_norm_eps").get<double>();
  lienzo::ClipTextModel model(clipConfig);
  lienzo::loadModuleWeights(*model, file, "text_model.", at::kFloat, lt::testDevice());
  return model;
}

std::shared_ptr<const lienzo::FluxTextConditioner> makeConditioner(int t5Length) {
  const auto config = lt::readJsonFixture("flux/tiny-flux.config.json");
  const auto t5File = SafetensorsFile::open(lt::fixturePath("t5/tiny-t5xxl.safetensors"));
  return std::make_shared<lienzo::FluxTextConditioner>(
      std::make_shared<const lienzo::T5Tokenizer>(
          lienzo::T5Tokenizer::fromFile(lt::fixturePath("t5/tiny-spiece.model"))),
      lienzo::loadT5Encoder(t5File, "", at::kFloat, lt::testDevice()), t5Length,
      std::make_shared<const lienzo::ClipTokenizer>(
          lienzo::ClipTokenizer::fromPath(lt::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"))),
      loadClip(config), at::kFloat, lt::testDevice());
}

TEST(FluxConditionerGolden, T5AndClipOfBothTxt2imgGoldens) {
  c10::InferenceMode guard;
  for (const std::string variant : {"dev", "schnell"}) {
    SCOPED_TRACE(variant);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + variant + ".safetensors"));
    const std::string prompt = golden.metadata().at("prompt");
    const int length = std::stoi(golden.metadata().at("t5_max_length"));
    const auto conditioner = makeConditioner(length);
    EXPECT_EQ(conditioner->t5Length(), length);
    lt::expectTensorEqual(conditioner->t5Ids(prompt), golden.load("t5_ids", at::kLong), "t5_ids");
    const lienzo::Conditioning c = conditioner->encode(prompt, {});
    const at::Tensor t5 = golden.load("t5_out", at::kFloat);
    const at::Tensor pooled = golden.load("clip_pooled", at::kFloat);
    lt::expectTensorNear(c.context, t5, kTol, "t5_out");
    lt::expectTensorNear(c.pooled, pooled, kTol, "clip_pooled");
    lt::expectTensorNear(conditioner->vector(c.pooled, 64, 64), pooled, kTol, "vector");
    std::cout << "[ measured ] " << variant << " t5_out " << lt::relativeMaxError(c.context, t5)
              << " clip_pooled " << lt::relativeMaxError(c.pooled, pooled) << "\n";
    EXPECT_TRUE(c.notices.empty());
  }
}

TEST(FluxConditioner, TheT5LengthChangesTheContextAndIsChecked) {
  c10::InferenceMode guard;
  const auto shortOne = makeConditioner(16);
  const auto longOne = makeConditioner(32);
  const auto a = shortOne->encode("a red fox", {});
  const auto b = longOne->encode("a red fox", {});
  EXPECT_EQ(a.context.size(1), 16);
  EXPECT_EQ(b.context.size(1), 32);
  // No attention mask: the pads are attended, so even the prompt's own rows differ.
  EXPECT_FALSE(at::allclose(a.context.narrow(1, 0, 4), b.context.narrow(1, 0, 4)));
  EXPECT_THROW(makeConditioner(0), std::invalid_argument);
}

}  // namespace
