// Flux's CLIP-L conditioning (ids and unprojected pooler_output) against the clip_* tensors of
// flux/golden_txt2img_{dev,schnell}.safetensors. The prompt comes from each file's __metadata__,
// the text model's heads / activation / eps from tiny-flux.config.json, its file from "files".
// Tolerances: flux/README.md §8 (ids exact, clip_* 1e-4).
#include "core/text/flux_clip.h"

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

constexpr double kTol = 1e-4;  // README §8: clip_*

lienzo::ClipTextModel loadFixtureClip(const SafetensorsFile& file, const nlohmann::json& cfg) {
  // HF CLIPTextModel names under text_model.* (text_projection is present and unused).
  const std::string prefix = "text_model.";
  auto config = lienzo::ClipTextConfig::fromWeights(file, prefix,
                                                    cfg.at("num_attention_heads").get<int64_t>());
  const auto act = cfg.at("hidden_act").get<std::string>();
  if (act == "quick_gelu") {
    config.activation = lienzo::ClipActivation::QuickGelu;
  } else if (act == "gelu") {
    config.activation = lienzo::ClipActivation::Gelu;
  } else {
    throw std::runtime_error("unknown hidden_act " + act);
  }
  config.layerNormEps = cfg.at("layer_norm_eps").get<double>();
  EXPECT_EQ(config.width, cfg.at("hidden_size").get<int64_t>());
  EXPECT_EQ(config.layers, cfg.at("num_hidden_layers").get<int64_t>());
  EXPECT_EQ(config.intermediate, cfg.at("intermediate_size").get<int64_t>());
  EXPECT_EQ(config.maxPositions, cfg.at("max_position_embeddings").get<int64_t>());
  lienzo::ClipTextModel model(config);
  lienzo::loadModuleWeights(*model, file, prefix, at::kFloat, lt::testDevice());
  return model;
}

TEST(FluxClipGolden, IdsAndPooledOfBothTxt2imgGoldens) {
  c10::InferenceMode guard;
  const auto config = lt::readJsonFixture("flux/tiny-flux.config.json");
  const auto clipFile = SafetensorsFile::open(
      lt::fixturePath("flux/" + config.at("files").at("clip_l").get<std::string>()));
  auto model = loadFixtureClip(clipFile, config.at("clip_l"));
  const auto tokenizer =
      lienzo::ClipTokenizer::fromPath(lt::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"));
  for (const std::string variant : {"dev", "schnell"}) {
    SCOPED_TRACE(variant);
    const auto golden =
        SafetensorsFile::open(lt::fixturePath("flux/golden_txt2img_" + variant + ".safetensors"));
    const std::string prompt = golden.metadata().at("prompt");
    const at::Tensor ids = lienzo::fluxClipIds(tokenizer, prompt);
    lt::expectTensorEqual(ids, golden.load("clip_ids", at::kLong), "clip_ids");
    const at::Tensor goldenPooled = golden.load("clip_pooled", at::kFloat);
    const at::Tensor pooled = lienzo::fluxClipPooled(model, ids);
    lt::expectTensorNear(pooled, goldenPooled, kTol, "clip_pooled");
    std::cout << "[ measured ] " << variant << " clip_pooled "
              << lt::relativeMaxError(pooled, goldenPooled) << "\n";
    lt::expectTensorNear(lienzo::fluxClipPooled(tokenizer, model, prompt), goldenPooled, kTol,
                         "clip_pooled (prompt)");
    if (golden.contains("clip_last_hidden_state"))
      lt::expectTensorNear(model->forward(ids).lastHiddenState,
                           golden.load("clip_last_hidden_state", at::kFloat), kTol,
                           "clip_last_hidden_state");
  }
}

TEST(FluxClip, LongPromptsKeepOneWindowEndingInEos) {
  const auto tokenizer =
      lienzo::ClipTokenizer::fromPath(lt::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"));
  std::string prompt;
  for (int i = 0; i < 120; ++i) prompt += "fox ";
  const at::Tensor ids = lienzo::fluxClipIds(tokenizer, prompt);
  ASSERT_EQ(ids.sizes(), at::IntArrayRef({1, 77}));
  EXPECT_EQ(ids[0][0].item<int64_t>(), tokenizer.bosId());
  EXPECT_EQ(ids[0][76].item<int64_t>(), tokenizer.eosId());
  const at::Tensor shortIds = lienzo::fluxClipIds(tokenizer, "fox");
  const auto body = static_cast<int64_t>(tokenizer.encode("fox").size());
  EXPECT_EQ(shortIds[0][1 + body].item<int64_t>(), tokenizer.eosId());
  EXPECT_EQ(shortIds[0][76].item<int64_t>(), tokenizer.eosId());  // padded with EOS, not 0
}

}  // namespace
