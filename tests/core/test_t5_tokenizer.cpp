// T5 tokenizer layouts against t5/tokenizer_golden.json (every prompt: pieces, raw ids, ids + EOS,
// each padded length, the SD3.5 reference layout and weights) and the ids/masks of every case of
// t5/golden_t5.safetensors (prompts and layouts from its __metadata__). Lengths, limits, special
// ids and the model file name are read from the fixtures. Everything is exact.
// The SD3.5 weight rule is also checked on hand-made prompts (its quirks are the reference's).
#include "core/text/t5_tokenizer.h"

#include "core/io/safetensors.h"
#include "core/text/prompt_parser.h"
#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace {

using lienzo::T5Tokenizer;
using lienzo::T5TokenLayout;
namespace lt = lienzo::testing;

const nlohmann::json& golden() {
  static const nlohmann::json json = lt::readJsonFixture("t5/tokenizer_golden.json");
  return json;
}

const T5Tokenizer& tokenizer() {
  static const T5Tokenizer t5 =
      T5Tokenizer::fromFile(lt::fixturePath("t5/" + golden().at("model_file").get<std::string>()));
  return t5;
}

std::vector<std::int64_t> ints(const nlohmann::json& array) {
  return array.get<std::vector<std::int64_t>>();
}

TEST(T5Tokenizer, SpecialIdsAndVocabulary) {
  const auto& json = golden();
  const T5Tokenizer& t5 = tokenizer();
  EXPECT_EQ(t5.pieceCount(), json.at("spm_piece_count").get<int>());
  EXPECT_EQ(t5.vocabSize(), json.at("tokenizer_vocab_size").get<int>());
  EXPECT_EQ(T5Tokenizer::kExtraIds, json.at("n_extra_ids").get<int>());
  EXPECT_EQ(t5.padId(), json.at("pad_id").get<int>());
  EXPECT_EQ(t5.eosId(), json.at("eos_id").get<int>());
  EXPECT_EQ(t5.sentencePiece().unkId(), json.at("unk_id").get<int>());
  ASSERT_TRUE(json.at("bos_id").is_null());
  EXPECT_EQ(t5.sentencePiece().bosId(), -1);
  for (const auto& [token, id] : json.at("extra_id_examples").items()) {
    const std::string prefix = "<extra_id_";
    ASSERT_EQ(token.rfind(prefix, 0), 0u) << token;
    const int n = std::stoi(token.substr(prefix.size()));
    EXPECT_EQ(t5.extraId(n), id.get<int>()) << token;
  }
  EXPECT_THROW(t5.extraId(T5Tokenizer::kExtraIds), std::out_of_range);
  // The reference limits are the ones the fixture documents.
  EXPECT_EQ(T5Tokenizer::kSd35MinLength, json.at("sd35_min_length").get<int>());
  EXPECT_EQ(T5Tokenizer::kSd35CharLimit, json.at("sd35_char_limit").get<int>());
}

TEST(T5Tokenizer, EveryGoldenPrompt) {
  const auto& json = golden();
  const T5Tokenizer& t5 = tokenizer();
  const int minLength = json.at("sd35_min_length").get<int>();
  const int charLimit = json.at("sd35_char_limit").get<int>();
  const auto& cases = json.at("cases");
  ASSERT_FALSE(cases.empty());
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const auto& item = cases[c];
    const std::string prompt = item.at("prompt").get<std::string>();
    SCOPED_TRACE("case " + std::to_string(c) + ": " + prompt);
    EXPECT_EQ(t5.pieces(prompt), item.at("pieces").get<std::vector<std::string>>());
    const auto ids = t5.encode(prompt);
    EXPECT_EQ(ids, ints(item.at("ids")));
    EXPECT_EQ(static_cast<int64_t>(ids.size()), item.at("num_ids").get<int64_t>());
    EXPECT_EQ(t5.encodeWithEos(prompt), ints(item.at("ids_eos")));
    for (const auto& padded : item.at("padded")) {
      const int length = padded.at("length").get<int>();
      const T5TokenLayout layout = t5.padded(prompt, length);
      EXPECT_EQ(layout.ids, ints(padded.at("ids"))) << "length " << length;
      EXPECT_EQ(layout.attentionMask, ints(padded.at("attention_mask"))) << "length " << length;
      EXPECT_EQ(layout.truncated, padded.at("truncated").get<bool>()) << "length " << length;
      EXPECT_EQ(layout.weights, std::vector<double>(length, 1.0));
    }
    const T5TokenLayout sd35 = t5.sd35Reference(prompt, minLength, charLimit);
    EXPECT_EQ(sd35.ids, ints(item.at("sd35_ids")));
    EXPECT_EQ(sd35.weights, item.at("sd35_weights").get<std::vector<double>>());  // exact
    EXPECT_FALSE(sd35.truncated);
    ASSERT_EQ(sd35.attentionMask.size(), sd35.ids.size());
    // Mask: 1 up to and including the (last) EOS, 0 after it.
    const auto eos = std::find(sd35.ids.rbegin(), sd35.ids.rend(), t5.eosId());
    ASSERT_NE(eos, sd35.ids.rend());
    const auto attended = static_cast<std::size_t>(sd35.ids.rend() - eos);
    for (std::size_t i = 0; i < sd35.ids.size(); ++i)
      EXPECT_EQ(sd35.attentionMask[i], i < attended ? 1 : 0) << "position " << i;
  }
}

// The ids and masks of every encoder golden case come from this tokenizer.
TEST(T5Tokenizer, EncoderGoldenInputs) {
  const auto file = lienzo::SafetensorsFile::open(lt::fixturePath("t5/golden_t5.safetensors"));
  const auto prompts = nlohmann::json::parse(file.metadata().at("prompts"));
  const auto layouts = nlohmann::json::parse(file.metadata().at("layouts"));
  const int minLength = golden().at("sd35_min_length").get<int>();
  const int charLimit = golden().at("sd35_char_limit").get<int>();
  const std::string hfPrefix = "hf_max_length_";
  int cases = 0;
  for (int k = 0; file.contains("case" + std::to_string(k) + ".input_ids"); ++k, ++cases) {
    const std::string name = "case" + std::to_string(k);
    SCOPED_TRACE(name);
    const std::string layout = layouts.at(name).get<std::string>();
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> mask;
    int64_t rows = 0;
    int64_t length = -1;
    for (const auto& prompt : prompts.at(k)) {
      T5TokenLayout tokens;
      if (layout.rfind(hfPrefix, 0) == 0) {
        tokens = tokenizer().padded(prompt.get<std::string>(),
                                    std::stoi(layout.substr(hfPrefix.size())));
      } else {
        ASSERT_EQ(layout, "sd35_reference");
        tokens = tokenizer().sd35Reference(prompt.get<std::string>(), minLength, charLimit);
      }
      if (length < 0) length = static_cast<int64_t>(tokens.ids.size());
      ASSERT_EQ(static_cast<int64_t>(tokens.ids.size()), length) << "prompts of one batch";
      ids.insert(ids.end(), tokens.ids.begin(), tokens.ids.end());
      mask.insert(mask.end(), tokens.attentionMask.begin(), tokens.attentionMask.end());
      ++rows;
    }
    lt::expectTensorEqual(at::tensor(ids).view({rows, length}), file.load(name + ".input_ids"),
                          name + ".input_ids");
    lt::expectTensorEqual(at::tensor(mask).view({rows, length}),
                          file.load(name + ".attention_mask"), name + ".attention_mask");
  }
  EXPECT_GT(cases, 0);
}

// --- The SD3.5 reference's weight rule on hand-made prompts -----------------------------------

std::vector<std::pair<std::string, double>> parsed(std::string_view text) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& segment : lienzo::sd3PromptSegments(text))
    out.emplace_back(segment.text, segment.weight);
  return out;
}

using Segments = std::vector<std::pair<std::string, double>>;

TEST(T5Sd35Weights, GroupsNestingAndExplicitWeights) {
  EXPECT_EQ(parsed("a cat"), (Segments{{"a cat", 1.0}}));
  EXPECT_EQ(parsed("(a cat)"), (Segments{{"a cat", 1.0 * 1.1}}));
  EXPECT_EQ(parsed("((a))"), (Segments{{"a", 1.0 * 1.1 * 1.1}}));
  EXPECT_EQ(parsed("x (a:1.5) y"), (Segments{{"x ", 1.0}, {"a", 1.5}, {" y", 1.0}}));
  // An explicit weight replaces the enclosing groups' factor (A1111 would give 0.88).
  EXPECT_EQ(parsed("(a (b:0.8))"), (Segments{{"a ", 1.1}, {"b", 0.8}}));
  // Python float(): whitespace, sign, exponent, underscores, inf.
  EXPECT_EQ(parsed("(a: 2 )"), (Segments{{"a", 2.0}}));
  EXPECT_EQ(parsed("(a:-1e-1)"), (Segments{{"a", -0.1}}));
  EXPECT_EQ(parsed("(a:1_0)"), (Segments{{"a", 10.0}}));
  EXPECT_EQ(parsed("(a:.5)"), (Segments{{"a", 0.5}}));
  EXPECT_EQ(parsed("(a:5.)"), (Segments{{"a", 5.0}}));
  EXPECT_EQ(parsed("(a:INF)"), (Segments{{"a", std::numeric_limits<double>::infinity()}}));
  EXPECT_EQ(parsed("(a:1e999)"), (Segments{{"a", std::numeric_limits<double>::infinity()}}));
  EXPECT_EQ(parsed("(a:1e-999)"), (Segments{{"a", 0.0}}));
}

TEST(T5Sd35Weights, ReferenceQuirks) {
  // Not a number: the text keeps its ':' and the group its 1.1 (the reference's try/except).
  EXPECT_EQ(parsed("(a:b)"), (Segments{{"a:b", 1.1}}));
  EXPECT_EQ(parsed("(a:1__0)"), (Segments{{"a:1__0", 1.1}}));
  EXPECT_EQ(parsed("(a:)"), (Segments{{"a:", 1.1}}));
  // A ':' first in the group is not a weight.
  EXPECT_EQ(parsed("(:1.5)"), (Segments{{":1.5", 1.1}}));
  // Escapes are literal parentheses; other backslashes stay.
  EXPECT_EQ(parsed("\\(a\\) \\x"), (Segments{{"(a) \\x", 1.0}}));
  // An escaped parenthesis inside the value makes float() fail there too.
  EXPECT_EQ(parsed("(a:1\\))"), (Segments{{"a:1)", 1.1}}));
  // Unbalanced: an open group runs to the end without its 1.1; a stray ')' is text.
  EXPECT_EQ(parsed("x (a"), (Segments{{"x ", 1.0}, {"(a", 1.0}}));
  EXPECT_EQ(parsed("a) b"), (Segments{{"a) b", 1.0}}));
  // Square brackets and BREAK mean nothing here.
  EXPECT_EQ(parsed("[a] BREAK b"), (Segments{{"[a] BREAK b", 1.0}}));
  // An empty group and an empty prompt give no segment at all.
  EXPECT_TRUE(parsed("()").empty());
  EXPECT_TRUE(parsed("").empty());
}

TEST(T5Sd35Weights, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = std::string(5000, '(') + "a" + std::string(5000, ')');
  EXPECT_THROW(lienzo::sd3PromptSegments(deep), lienzo::PromptSyntaxError);
  // The reference layout cuts the text first, so the same prompt tokenises.
  EXPECT_NO_THROW(tokenizer().sd35Reference(deep));
}

TEST(T5Tokenizer, LayoutArgumentsAreChecked) {
  EXPECT_THROW(tokenizer().padded("a", 0), std::invalid_argument);
  EXPECT_THROW(tokenizer().sd35Reference("a", 0), std::invalid_argument);
  const T5TokenLayout one = tokenizer().padded("a photo", 1);
  EXPECT_EQ(one.ids, std::vector<std::int64_t>{tokenizer().eosId()});
  EXPECT_TRUE(one.truncated);
  // The 226-character cut counts code points, not bytes.
  std::string text;
  for (int i = 0; i < 300; ++i) text += "\xc3\xa9";  // é
  const auto cut = tokenizer().sd35Reference(text, 1, 10);
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += "\xc3\xa9";
  EXPECT_EQ(cut.ids, tokenizer().encodeWithEos(ten));
}

}  // namespace
