// Sd3TextConditioner (core/pipeline/sd3_text_conditioner.h) on the sd3 fixtures: the prompts of
// golden_conditioning's `__metadata__.prompts` encode to its `context` / `pooled` when the T5
// function returns the file's `t5.last_hidden_state` (the T5 encoder is a separate part).
// Tolerance: sd3/README.md §7, 1e-4 relative to max-abs.
#include "core/io/safetensors.h"
#include "core/pipeline/sd3_text_conditioner.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lienzo {
namespace {

using testing::expectTensorNear;
using testing::fixturePath;
using testing::readJsonFixture;
using testing::testDevice;

constexpr double kTol = 1e-4;  // README §7: context, pooled

Sd3ClipEncoder encoder(const nlohmann::json& config, const std::string& name, Sd3ClipRole role) {
  const SafetensorsFile file =
      SafetensorsFile::open(fixturePath("sd3/" + config.at("files").at(name).get<std::string>()));
  return Sd3ClipEncoder::load(file, "", role, at::kFloat, testDevice(),
                              config.at(name).at("num_attention_heads").get<int64_t>());
}

std::shared_ptr<const ClipTokenizer> tokenizer() {
  return std::make_shared<const ClipTokenizer>(fixturePath(
      "clip/" + readJsonFixture("clip/tokenizer_golden.json").at("vocab_file").get<std::string>()));
}

TEST(Sd3TextConditioner, PromptsEncodeToGoldenContextAndPooled) {
  c10::InferenceMode guard;
  const auto config = readJsonFixture("sd3/tiny-sd3.config.json");
  const SafetensorsFile g =
      SafetensorsFile::open(fixturePath("sd3/golden_conditioning.safetensors"));
  const auto prompts =
      nlohmann::json::parse(g.metadata().at("prompts")).get<std::vector<std::string>>();
  ASSERT_EQ(prompts.size(), 2u);
  const std::vector<std::string> names = {"cond", "uncond"};
  std::map<std::string, at::Tensor> t5States;
  for (std::size_t i = 0; i < prompts.size(); ++i)
    t5States[prompts[i]] = g.load(names[i] + ".t5.last_hidden_state", at::kFloat);
  const Sd3TextConditioner text(
      tokenizer(), encoder(config, "clip_l", Sd3ClipRole::ClipL),
      encoder(config, "clip_g", Sd3ClipRole::ClipG),
      [&](const std::string& prompt) { return t5States.at(prompt); }, at::kFloat, testDevice());
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const Conditioning c = text.encode(prompts[i], TextOptions{});
    expectTensorNear(c.context, g.load(names[i] + ".context", at::kFloat), kTol,
                     names[i] + ".context");
    expectTensorNear(c.pooled, g.load(names[i] + ".pooled", at::kFloat), kTol,
                     names[i] + ".pooled");
    EXPECT_TRUE(at::equal(text.vector(c.pooled, 1024, 1024), c.pooled));
  }
}

TEST(Sd3TextConditioner, AT5StateThatDoesNotFitIsAClearError) {
  c10::InferenceMode guard;
  const auto config = readJsonFixture("sd3/tiny-sd3.config.json");
  const Sd3TextConditioner text(
      tokenizer(), encoder(config, "clip_l", Sd3ClipRole::ClipL),
      encoder(config, "clip_g", Sd3ClipRole::ClipG),
      [](const std::string&) {
        return at::zeros({1, 77, 1});
      },
      at::kFloat, testDevice());
  EXPECT_THROW(text.encode("a cat", TextOptions{}), std::invalid_argument);
  EXPECT_THROW(Sd3TextConditioner(
                   tokenizer(), encoder(config, "clip_g", Sd3ClipRole::ClipG),
                   encoder(config, "clip_l", Sd3ClipRole::ClipL),
                   [](const std::string&) { return at::Tensor(); }, at::kFloat, testDevice()),
               std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
