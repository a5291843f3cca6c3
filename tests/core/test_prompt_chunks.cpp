// A1111-style chunking of weighted prompts into 77-token chunks (label golden: tokenises with the
// fixture vocabulary). Expected layouts are built by hand from single-token words whose ids are
// looked up through the tokenizer, never hard-coded.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/text/clip_tokenizer.h"
#include "core/text/prompt_chunks.h"
#include "core/text/prompt_weights.h"
#include "support/fixtures.h"

namespace {

using lienzo::ChunkedPrompt;
using lienzo::ChunkingOptions;
using lienzo::ClipTokenizer;
using lienzo::PadStyle;
using lienzo::PromptChunk;
using lienzo::tokenizePrompt;

constexpr int kBody = ClipTokenizer::kMaxBodyTokens;
constexpr int kLen = ClipTokenizer::kContextLength;

const nlohmann::json& golden() {
  static const nlohmann::json json = lienzo::testing::readJsonFixture("clip/tokenizer_golden.json");
  return json;
}

const ClipTokenizer& tok() {
  static const ClipTokenizer tokenizer(
      lienzo::testing::fixturePath("clip/" + golden().at("vocab_file").get<std::string>()));
  return tokenizer;
}

// Id of a word that must be a single token.
int64_t single(const std::string& word) {
  const std::vector<int32_t> ids = tok().encode(word);
  EXPECT_EQ(ids.size(), 1u) << "'" << word << "' is not a single token";
  return ids.empty() ? -1 : ids[0];
}

std::string repeat(const std::string& word, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += word + " ";
  return s;
}

// Expected chunk: [BOS] + body + [EOS] + padding with weights 1 outside the body.
struct Expected {
  std::vector<int64_t> body;
  std::vector<float> weights;  // empty = all 1
};

void expectChunk(const PromptChunk& chunk, const Expected& e, PadStyle style, const char* what) {
  SCOPED_TRACE(what);
  std::vector<int64_t> ids = {tok().bosId()};
  ids.insert(ids.end(), e.body.begin(), e.body.end());
  ids.push_back(tok().eosId());
  ids.resize(kLen, tok().padId(style));
  std::vector<float> w(kLen, 1.0f);
  for (std::size_t i = 0; i < e.weights.size(); ++i) w[i + 1] = e.weights[i];
  EXPECT_EQ(std::vector<int64_t>(chunk.ids.begin(), chunk.ids.end()), ids);
  EXPECT_EQ(std::vector<float>(chunk.weights.begin(), chunk.weights.end()), w);
}

std::vector<int64_t> ids(int64_t id, int n) {
  return std::vector<int64_t>(n, id);
}
std::vector<int64_t> cat(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(PromptChunks, ShortPromptsMatchTheGoldenLayouts) {
  // Without weighting syntax and within 75 tokens, a chunk is exactly the SD1/SD2 layout.
  int checked = 0;
  for (const auto& c : golden().at("cases")) {
    if (c.at("num_ids").get<int>() > kBody) continue;
    const std::string prompt = c.at("prompt").get<std::string>();
    SCOPED_TRACE(nlohmann::json(prompt).dump());
    for (PadStyle style : {PadStyle::Sd1, PadStyle::Sd2}) {
      const ChunkedPrompt p = tokenizePrompt(tok(), prompt, {style, 20}, /*parseAttention=*/false);
      ASSERT_EQ(p.chunks.size(), 1u);
      const auto& key = style == PadStyle::Sd1 ? "sd1_ids_77" : "sd2_ids_77";
      EXPECT_EQ(std::vector<int64_t>(p.chunks[0].ids.begin(), p.chunks[0].ids.end()),
                c.at(key).get<std::vector<int64_t>>());
      EXPECT_EQ(p.tokenCount, c.at("num_ids").get<int>());
      for (float w : p.chunks[0].weights) EXPECT_EQ(w, 1.0f);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(PromptChunks, EmptyPromptIsOneEmptyChunk) {
  for (PadStyle style : {PadStyle::Sd1, PadStyle::Sd2}) {
    const ChunkedPrompt p = tokenizePrompt(tok(), "", {style, 20});
    ASSERT_EQ(p.chunks.size(), 1u);
    EXPECT_EQ(p.tokenCount, 0);
    expectChunk(p.chunks[0], {}, style, "empty");
    const PromptChunk empty = lienzo::emptyChunk(tok(), style);
    EXPECT_EQ(empty.ids, p.chunks[0].ids);
    EXPECT_EQ(empty.weights, p.chunks[0].weights);
    const std::vector<int64_t> padded = tok().encodePadded("", style);
    EXPECT_EQ(std::vector<int64_t>(empty.ids.begin(), empty.ids.end()), padded);
  }
}

TEST(PromptChunks, LongPromptSplitsEvery75Tokens) {
  const int64_t a = single("a");
  const ChunkedPrompt p75 = tokenizePrompt(tok(), repeat("a", kBody));
  ASSERT_EQ(p75.chunks.size(), 1u);
  EXPECT_EQ(p75.tokenCount, kBody);
  expectChunk(p75.chunks[0], {ids(a, kBody), {}}, PadStyle::Sd1, "75 tokens");

  const ChunkedPrompt p = tokenizePrompt(tok(), repeat("a", 80));
  ASSERT_EQ(p.chunks.size(), 2u);
  EXPECT_EQ(p.tokenCount, 80);
  expectChunk(p.chunks[0], {ids(a, kBody), {}}, PadStyle::Sd1, "chunk 0");
  expectChunk(p.chunks[1], {ids(a, 5), {}}, PadStyle::Sd1, "chunk 1");

  const ChunkedPrompt p3 = tokenizePrompt(tok(), repeat("a", 2 * kBody + 1), {PadStyle::Sd2, 20});
  ASSERT_EQ(p3.chunks.size(), 3u);
  EXPECT_EQ(p3.tokenCount, 2 * kBody + 1);
  expectChunk(p3.chunks[2], {ids(a, 1), {}}, PadStyle::Sd2, "chunk 2 (SD2 padding)");
}

TEST(PromptChunks, OverflowBacktracksToARecentComma) {
  const int64_t a = single("a");
  const int64_t b = single("b");
  const int64_t comma = single(",");
  ASSERT_EQ(tok().tokenId(",</w>"), comma);
  // 70 a, comma at body index 70, 10 b: the chunk fills at 4 b; the 5th b finds the comma
  // 75 - 70 = 5 <= 20 tokens back, so the 4 b after it move to the next chunk.
  const std::string prompt = repeat("a", 70) + ", " + repeat("b", 10);
  const ChunkedPrompt p = tokenizePrompt(tok(), prompt);
  ASSERT_EQ(p.chunks.size(), 2u);
  expectChunk(p.chunks[0], {cat(ids(a, 70), {comma}), {}}, PadStyle::Sd1, "cut after comma");
  expectChunk(p.chunks[1], {ids(b, 10), {}}, PadStyle::Sd1, "moved tokens");
  EXPECT_EQ(p.tokenCount, kBody + 10);

  // Disabled (commaPaddingBacktrack = 0): a plain cut at 75.
  const ChunkedPrompt off = tokenizePrompt(tok(), prompt, {PadStyle::Sd1, 0});
  ASSERT_EQ(off.chunks.size(), 2u);
  expectChunk(off.chunks[0], {cat(cat(ids(a, 70), {comma}), ids(b, 4)), {}}, PadStyle::Sd1,
              "no backtrack");
  expectChunk(off.chunks[1], {ids(b, 6), {}}, PadStyle::Sd1, "no backtrack rest");
}

TEST(PromptChunks, CommaTooFarBackIsIgnored) {
  const int64_t a = single("a");
  const int64_t b = single("b");
  const int64_t comma = single(",");
  // Comma at body index 50: 75 - 50 = 25 > 20.
  const std::string prompt = repeat("a", 50) + ", " + repeat("b", 30);
  const ChunkedPrompt p = tokenizePrompt(tok(), prompt);
  ASSERT_EQ(p.chunks.size(), 2u);
  expectChunk(p.chunks[0], {cat(cat(ids(a, 50), {comma}), ids(b, 24)), {}}, PadStyle::Sd1, "c0");
  expectChunk(p.chunks[1], {ids(b, 6), {}}, PadStyle::Sd1, "c1");
  EXPECT_EQ(p.tokenCount, kBody + 6);
  // A larger window (30) reaches it.
  const ChunkedPrompt wide = tokenizePrompt(tok(), prompt, {PadStyle::Sd1, 30});
  ASSERT_EQ(wide.chunks.size(), 2u);
  expectChunk(wide.chunks[0], {cat(ids(a, 50), {comma}), {}}, PadStyle::Sd1, "wide c0");
  expectChunk(wide.chunks[1], {ids(b, 30), {}}, PadStyle::Sd1, "wide c1");
}

TEST(PromptChunks, CommaArrivingAtAFullChunkStartsTheNextOne) {
  const int64_t a = single("a");
  const int64_t b = single("b");
  const int64_t comma = single(",");
  const ChunkedPrompt p = tokenizePrompt(tok(), repeat("a", kBody) + ", b");
  ASSERT_EQ(p.chunks.size(), 2u);
  expectChunk(p.chunks[0], {ids(a, kBody), {}}, PadStyle::Sd1, "full");
  expectChunk(p.chunks[1], {{comma, b}, {}}, PadStyle::Sd1, "comma first");
}

TEST(PromptChunks, WeightsFollowTheirTokens) {
  const int64_t a = single("a");
  const int64_t b = single("b");
  const int64_t c = single("c");
  const int64_t d = single("d");
  const ChunkedPrompt p = tokenizePrompt(tok(), "(a) [b] (c:1.5) d");
  ASSERT_EQ(p.chunks.size(), 1u);
  expectChunk(p.chunks[0],
              {{a, b, c, d}, {static_cast<float>(1.1), static_cast<float>(1.0 / 1.1), 1.5f, 1.0f}},
              PadStyle::Sd1, "weights");
  // Tokens moved by the comma rule keep their weights.
  const int64_t comma = single(",");
  const ChunkedPrompt moved =
      tokenizePrompt(tok(), repeat("a", 70) + ", (" + repeat("b", 10) + ":1.3)");
  ASSERT_EQ(moved.chunks.size(), 2u);
  expectChunk(moved.chunks[0], {cat(ids(a, 70), {comma}), {}}, PadStyle::Sd1, "moved c0");
  expectChunk(moved.chunks[1], {ids(b, 10), std::vector<float>(10, 1.3f)}, PadStyle::Sd1,
              "moved c1");
}

TEST(PromptChunks, BreakStartsANewChunk) {
  const int64_t a = single("a");
  const int64_t b = single("b");
  const ChunkedPrompt p = tokenizePrompt(tok(), "a BREAK b");
  ASSERT_EQ(p.chunks.size(), 2u);
  EXPECT_EQ(p.tokenCount, kBody + 1);
  expectChunk(p.chunks[0], {{a}, {}}, PadStyle::Sd1, "before BREAK");
  expectChunk(p.chunks[1], {{b}, {}}, PadStyle::Sd1, "after BREAK");

  const ChunkedPrompt leading = tokenizePrompt(tok(), "BREAK a");  // empty first chunk
  ASSERT_EQ(leading.chunks.size(), 2u);
  expectChunk(leading.chunks[0], {}, PadStyle::Sd1, "leading BREAK");
  expectChunk(leading.chunks[1], {{a}, {}}, PadStyle::Sd1, "after leading BREAK");

  const ChunkedPrompt trailing = tokenizePrompt(tok(), "a BREAK");  // nothing after it
  ASSERT_EQ(trailing.chunks.size(), 1u);
  expectChunk(trailing.chunks[0], {{a}, {}}, PadStyle::Sd1, "trailing BREAK");

  // Inside brackets BREAK is text with weight -1.1 (A1111 behaviour).
  const std::vector<int32_t> word = tok().encode("BREAK");
  const ChunkedPrompt inside = tokenizePrompt(tok(), "(a BREAK b)");
  ASSERT_EQ(inside.chunks.size(), 1u);
  std::vector<int64_t> body = {a};
  body.insert(body.end(), word.begin(), word.end());
  body.push_back(b);
  std::vector<float> w = {static_cast<float>(1.1)};
  w.insert(w.end(), word.size(), static_cast<float>(-1.0 * 1.1));
  w.push_back(static_cast<float>(1.1));
  expectChunk(inside.chunks[0], {body, w}, PadStyle::Sd1, "BREAK in brackets");

  // Without attention parsing BREAK is ordinary text.
  const ChunkedPrompt literal = tokenizePrompt(tok(), "a BREAK b", {}, /*parseAttention=*/false);
  EXPECT_EQ(literal.chunks.size(), 1u);
}

TEST(PromptChunks, Sd2PadsAfterTheFirstEndOfText) {
  const int64_t a = single("a");
  const ChunkedPrompt p = tokenizePrompt(tok(), "a <|endoftext|> b", {PadStyle::Sd2, 20});
  ASSERT_EQ(p.chunks.size(), 1u);
  // A1111 process_tokens: everything after the first EOS becomes 0, the literal EOS included.
  expectChunk(p.chunks[0], {{a}, {1.0f, 1.0f, 1.0f}}, PadStyle::Sd2, "literal eos");
}

TEST(PromptChunks, TensorsOfAChunkedPrompt) {
  const ChunkedPrompt p = tokenizePrompt(tok(), "(a) " + repeat("b", 80));
  ASSERT_EQ(p.chunks.size(), 2u);
  const at::Tensor idsT = lienzo::chunkIds(p);
  const at::Tensor wT = lienzo::chunkWeights(p);
  ASSERT_EQ(idsT.sizes(), (at::IntArrayRef{2, kLen}));
  ASSERT_EQ(wT.sizes(), (at::IntArrayRef{2, kLen}));
  EXPECT_EQ(idsT.scalar_type(), at::kLong);
  EXPECT_EQ(wT.scalar_type(), at::kFloat);
  for (int c = 0; c < 2; ++c) {
    for (int t = 0; t < kLen; ++t) {
      EXPECT_EQ(idsT[c][t].item<int64_t>(), p.chunks[c].ids[t]);
      EXPECT_EQ(wT[c][t].item<float>(), p.chunks[c].weights[t]);
    }
  }
  EXPECT_EQ(wT[0][1].item<float>(), static_cast<float>(1.1));
}

}  // namespace
