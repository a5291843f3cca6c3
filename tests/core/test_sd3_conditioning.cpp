// SD3 conditioning against sd3/golden_conditioning.safetensors (fixtures sd3/README.md §2): the
// prompts of `__metadata__.prompts` ([prompt, negative] = cond, uncond) → CLIP-L / CLIP-G ids
// (exact), hidden and pooled outputs of tiny-clip_{l,g}.safetensors, and context / pooled built
// from our CLIP outputs plus the file's `t5.last_hidden_state` (tolerance 1e-4 relative to
// max-abs, README §7). Heads and activations come from tiny-sd3.config.json; the CLIP BPE
// vocabulary from clip/tokenizer_golden.json's `vocab_file`.
#include "core/io/safetensors.h"
#include "core/text/sd3_conditioning.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace lienzo {
namespace {

using testing::expectTensorEqual;
using testing::expectTensorNear;
using testing::fixturePath;
using testing::readJsonFixture;
using testing::relativeMaxError;
using testing::testDevice;

constexpr double kTol = 1e-4;  // README §7: CLIP/T5 outputs, context, pooled

nlohmann::json config() {
  return readJsonFixture("sd3/tiny-sd3.config.json");
}

const ClipTokenizer& tokenizer() {
  static const ClipTokenizer tok(fixturePath(
      "clip/" + readJsonFixture("clip/tokenizer_golden.json").at("vocab_file").get<std::string>()));
  return tok;
}

SafetensorsFile golden() {
  return SafetensorsFile::open(fixturePath("sd3/golden_conditioning.safetensors"));
}

Sd3ClipEncoder loadEncoder(Sd3ClipRole role) {
  const std::string name = role == Sd3ClipRole::ClipL ? "clip_l" : "clip_g";
  const auto json = config();
  const auto& c = json.at(name);
  // The role fixes the activation (HF files do not record it); the fixture config must agree.
  EXPECT_EQ(c.at("hidden_act").get<std::string>(),
            role == Sd3ClipRole::ClipL ? "quick_gelu" : "gelu");
  EXPECT_EQ(c.at("pad_token_id").get<int64_t>(), tokenizer().padId(sd3PadStyle(role)));
  const SafetensorsFile file =
      SafetensorsFile::open(fixturePath("sd3/" + json.at("files").at(name).get<std::string>()));
  return Sd3ClipEncoder::load(file, "", role, at::kFloat, testDevice(),
                              c.at("num_attention_heads").get<int64_t>());
}

std::vector<std::string> prompts(const SafetensorsFile& g) {
  return nlohmann::json::parse(g.metadata().at("prompts")).get<std::vector<std::string>>();
}

void measure(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
  expectTensorNear(actual, expected, kTol, what);
  std::cout << "[ measure  ] " << what << " rel err " << relativeMaxError(actual, expected) << "\n";
}

TEST(Sd3Conditioning, GoldenIdsEncodersContextAndPooled) {
  c10::InferenceMode guard;
  const SafetensorsFile g = golden();
  const Sd3ClipEncoder clipL = loadEncoder(Sd3ClipRole::ClipL);
  const Sd3ClipEncoder clipG = loadEncoder(Sd3ClipRole::ClipG);
  const std::vector<std::string> texts = prompts(g);
  const char* const names[] = {"cond", "uncond"};
  ASSERT_EQ(texts.size(), 2u);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string p = std::string(names[i]) + ".";
    auto load = [&](const std::string& what) { return g.load(p + what, at::kFloat); };
    const at::Tensor idsL =
        at::tensor(sd3ClipIds(tokenizer(), texts[i], PadStyle::Sd1)).unsqueeze(0);
    const at::Tensor idsG =
        at::tensor(sd3ClipIds(tokenizer(), texts[i], PadStyle::Sd2)).unsqueeze(0);
    expectTensorEqual(idsL, g.load(p + "clip_l.input_ids"), p + "clip_l.input_ids");
    expectTensorEqual(idsG, g.load(p + "clip_g.input_ids"), p + "clip_g.input_ids");
    // Word-by-word BPE equals whole-text BPE (CLIP's pre-tokeniser never joins across a space)
    // for a prompt without weight groups that fits in one chunk.
    if (texts[i].find_first_of("()\\") == std::string::npos &&
        tokenizer().encode(texts[i]).size() <= ClipTokenizer::kMaxBodyTokens) {
      EXPECT_EQ(sd3ClipIds(tokenizer(), texts[i], PadStyle::Sd1),
                tokenizer().encodePadded(texts[i], PadStyle::Sd1));
    }

    const Sd3ClipOutput l = clipL.encode(idsL);
    const Sd3ClipOutput gg = clipG.encode(idsG);
    measure(l.hidden, load("clip_l.hidden"), p + "clip_l.hidden");
    measure(l.pooled, load("clip_l.pooled"), p + "clip_l.pooled");
    measure(gg.hidden, load("clip_g.hidden"), p + "clip_g.hidden");
    measure(gg.pooled, load("clip_g.pooled"), p + "clip_g.pooled");

    // The prompt path gives the same tensors as the id path.
    const Sd3ClipOutput lp = clipL.encodePrompt(tokenizer(), texts[i]);
    EXPECT_TRUE(at::equal(lp.hidden, l.hidden) && at::equal(lp.pooled, l.pooled));

    const at::Tensor t5 = load("t5.last_hidden_state").to(testDevice());
    const Sd3TextConditioning c = buildSd3Conditioning(l, gg, t5);
    measure(c.context, load("context"), p + "context");
    measure(c.pooled, load("pooled"), p + "pooled");
  }
}

TEST(Sd3Conditioning, ClipLPooledIsUnprojected) {
  // The pitfall the README pins down: with the random projections of the fixture files, the
  // projected CLIP-L pooled vector differs from the golden, the unprojected one matches.
  c10::InferenceMode guard;
  const SafetensorsFile g = golden();
  const Sd3ClipEncoder clipL = loadEncoder(Sd3ClipRole::ClipL);
  const at::Tensor ids = g.load("cond.clip_l.input_ids");
  const Sd3ClipOutput l = clipL.encode(ids);
  const SafetensorsFile file = SafetensorsFile::open(
      fixturePath("sd3/" + config().at("files").at("clip_l").get<std::string>()));
  const at::Tensor projection = file.load("text_projection.weight", at::kFloat, testDevice());
  const at::Tensor golden = g.load("cond.clip_l.pooled", at::kFloat);
  if (at::allclose(projection.cpu(), at::eye(projection.size(0), projection.size(1))))
    GTEST_SKIP() << "this fixture set's CLIP-L projection is the identity";
  EXPECT_LE(relativeMaxError(l.pooled, golden), kTol);
  EXPECT_GT(relativeMaxError(at::linear(l.pooled, projection), golden), 100 * kTol);
}

TEST(Sd3Conditioning, WeightGroupsAreParsedAndDropped) {
  auto words = [](const std::string& s) {
    std::vector<std::string> out;
    for (const auto& word : sd3PromptWords(s)) out.push_back(word.text);
    return out;
  };
  using W = std::vector<std::string>;
  EXPECT_EQ(words("a (red:1.5) cat"), (W{"a", "red", "cat"}));
  EXPECT_EQ(words("((big)) dog\nrunning  fast"), (W{"big", "dog", "running", "fast"}));
  EXPECT_EQ(words("\\(literal\\) (x:y)"), (W{"(literal)", "x:y"}));
  EXPECT_EQ(words(""), W{});
  const auto segments = sd3PromptSegments("a (red:1.5) ((b)) (c:0.5:2)");
  ASSERT_EQ(segments.size(), 6u);  // "a ", red, " ", b, " ", c:0.5
  EXPECT_EQ(segments[0].text, "a ");
  EXPECT_DOUBLE_EQ(segments[0].weight, 1.0);
  EXPECT_EQ(segments[1].text, "red");
  EXPECT_DOUBLE_EQ(segments[1].weight, 1.5);
  EXPECT_EQ(segments[3].text, "b");
  EXPECT_NEAR(segments[3].weight, 1.21, 1e-12);
  EXPECT_EQ(segments[5].text, "c:0.5");  // the last ':' holds the weight
  EXPECT_DOUBLE_EQ(segments[5].weight, 2.0);
}

TEST(Sd3Conditioning, LongPromptsKeepWholeWordsInTheFirstChunk) {
  const ClipTokenizer& tok = tokenizer();
  // Words of one token each: 75 fit between BOS and EOS, the rest is dropped.
  std::string text;
  for (int i = 0; i < 100; ++i) text += "cat ";
  const auto ids = sd3ClipIds(tok, text, PadStyle::Sd2);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids.front(), tok.bosId());
  EXPECT_EQ(ids.back(), tok.eosId());
  // A short word that does not fit moves whole to the (dropped) next chunk: the first chunk is
  // padded instead of cutting the word.
  const std::vector<int32_t> word = tok.encode("photorealistic");
  ASSERT_GT(word.size(), 1u);
  ASSERT_LT(word.size(), 8u);
  std::string packed;
  for (int i = 0; i < 74; ++i) packed += "cat ";
  packed += "photorealistic";
  const auto shortIds = sd3ClipIds(tok, packed, PadStyle::Sd2);
  EXPECT_EQ(shortIds[75], tok.eosId());
  EXPECT_EQ(shortIds[76], tok.padId(PadStyle::Sd2));
}

TEST(Sd3Conditioning, AssemblyRejectsMismatchedParts) {
  const auto f = at::TensorOptions().device(testDevice());
  Sd3ClipOutput l{at::zeros({1, 77, 16}, f), at::zeros({1, 16}, f)};
  Sd3ClipOutput g{at::zeros({1, 77, 24}, f), at::zeros({1, 24}, f)};
  EXPECT_NO_THROW(buildSd3Conditioning(l, g, at::zeros({1, 77, 40}, f)));
  EXPECT_THROW(buildSd3Conditioning(l, g, at::zeros({1, 77, 39}, f)), std::invalid_argument);
  EXPECT_THROW(buildSd3Conditioning(l, g, at::zeros({2, 77, 64}, f)), std::invalid_argument);
  EXPECT_THROW(buildSd3Conditioning(l, g, at::Tensor()), std::invalid_argument);
  const auto c = buildSd3Conditioning(l, g, at::ones({1, 5, 64}, f));
  EXPECT_EQ(c.context.sizes(), (std::vector<int64_t>{1, 82, 64}));
  EXPECT_EQ(c.pooled.sizes(), (std::vector<int64_t>{1, 40}));
  EXPECT_EQ(c.context.narrow(1, 0, 77).narrow(2, 40, 24).abs().max().item<float>(), 0.0f);
}

}  // namespace
}  // namespace lienzo
