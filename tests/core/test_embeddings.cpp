// Textual-inversion embeddings against embeddings/golden_embeddings.safetensors (fixtures README
// §9): for every prompt of the file's settings, the A1111 token layout (ids with 0 placeholders,
// multipliers, replaced positions), the replaced input embeddings, the encoder outputs and the
// emphasised conditioning of tiny-sd1 and tiny-sdxl (both towers, crossattn, pooled, vector).
// Tolerance: README "Tolerances for sections 6-9": ids, positions, multipliers exact; text-encoder
// and conditioner outputs 1e-4 (relative to max-abs). Also the chunking rules around embeddings
// (next chunk, `embedding:name`, skipped widths) with the fixture vocabulary.
#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/params_infotext.h"
#include "core/pipeline/text_conditioner.h"
#include "core/text/embeddings.h"
#include "core/text/prompt_chunks.h"
#include "core/text/prompt_weights.h"

#include "support/fixtures.h"
#include "support/pipeline_fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <tuple>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

constexpr double kTol = 1e-4;  // README §6-9: text-encoder / conditioner outputs
constexpr int kLen = ClipTokenizer::kContextLength;
constexpr int kBody = ClipTokenizer::kMaxBodyTokens;

struct Golden {
  SafetensorsFile file;
  nlohmann::json settings, fragments;
  fs::path sd1File, sdxlFile;

  Golden()
      : file(SafetensorsFile::open(
            testing::fixturePath("embeddings/golden_embeddings.safetensors"))) {
    const auto& m = file.metadata();
    settings = nlohmann::json::parse(m.at("settings"));
    fragments = nlohmann::json::parse(m.at("fragments"));
    sd1File = testing::fixturePath("embeddings/" + m.at("sd1_file"));
    sdxlFile = testing::fixturePath("embeddings/" + m.at("sdxl_file"));
  }
  at::Tensor f(const std::string& name) const { return file.load(name, at::kFloat); }
  at::Tensor i(const std::string& name) const { return file.load(name, at::kLong); }
};

const Golden& golden() {
  static const Golden g;
  return g;
}

std::shared_ptr<const ModelBundle> tinySdxl() {
  return testing::tinySdxlBundle();
}

EmbeddingSet setOf(const fs::path& file) {
  EmbeddingSet set;
  set.add(loadEmbedding(file));
  return set;
}

const ClipTokenizer& tokenizerOf(const ModelBundle& bundle) {
  return dynamic_cast<const ClipFamilyConditioner&>(*bundle.text).tokenizer();
}

/// Every replaced position of the flattened [chunks*77] sequence, in fix order.
at::Tensor fixPositions(const ChunkedPrompt& p, const EmbeddingVocab& vocab) {
  std::vector<int64_t> out;
  for (std::size_t c = 0; c < p.chunks.size(); ++c)
    for (const EmbeddingFix& fix : p.chunks[c].fixes)
      for (int k = 0; k < vocab.entries()[fix.embedding].vectors; ++k)
        out.push_back(static_cast<int64_t>(c) * kLen + fix.offset + 1 + k);
  return at::tensor(out, at::kLong);
}

/// The flat [1, chunks*77] layout of per-chunk tensors [chunks,77] (the golden's shape).
at::Tensor flat(const at::Tensor& t) {
  return t.reshape({1, -1});
}
at::Tensor flat3(const at::Tensor& t) {
  return t.reshape({1, -1, t.size(-1)});
}

/// The golden prompt's fragments are what the prompt parser makes of it.
void expectFragments(const std::string& key, const std::string& prompt) {
  const auto parsed = parsePromptAttention(prompt);
  const auto& expected = golden().fragments.at(key);
  ASSERT_EQ(parsed.size(), expected.size()) << key;
  for (std::size_t k = 0; k < parsed.size(); ++k) {
    EXPECT_EQ(parsed[k].text, expected[k][0].get<std::string>()) << key;
    EXPECT_EQ(parsed[k].weight, expected[k][1].get<double>()) << key;
  }
}

/// One text encoder's chunk layout against `<prefix>.input_ids/multipliers/embedding_positions`.
void expectLayout(const ChunkedPrompt& p, const EmbeddingVocab& vocab, const std::string& prefix) {
  const Golden& g = golden();
  testing::expectTensorEqual(flat(chunkIds(p)), g.i(prefix + ".input_ids"), prefix + " ids");
  testing::expectTensorEqual(flat(chunkWeights(p)), g.f(prefix + ".multipliers"),
                             prefix + " multipliers");
  testing::expectTensorEqual(fixPositions(p, vocab), g.i(prefix + ".embedding_positions"),
                             prefix + " embedding_positions");
}

/// Worst error per tensor name over the prompts ("sd1.p1.z" counts as "sd1.z").
std::map<std::string, double>& worstErrors() {
  static std::map<std::string, double> worst;
  return worst;
}

void check(const at::Tensor& ours, const std::string& key) {
  testing::expectTensorNear(ours, golden().f(key), kTol, key);
  const std::string family = key.substr(0, key.find('.'));
  const std::string rest = key.substr(key.find('.', family.size() + 1));
  double& worst = worstErrors()[family + rest];
  worst = std::max(worst, testing::relativeMaxError(ours, golden().f(key)));
}

void printWorst(const std::string& family) {
  std::cout << "[ INFO     ] max rel error over the " << family << " prompts:";
  for (const auto& [name, err] : worstErrors())
    if (name.compare(0, family.size() + 1, family + ".") == 0)
      std::cout << " " << name << " " << err;
  std::cout << "\n";
}

TEST(Embeddings, Sd1GoldenLayoutsAndOutputs) {
  c10::InferenceMode guard;
  const auto bundle = testing::tinySd1Bundle();
  const auto* text = dynamic_cast<const Sd1TextConditioner*>(bundle->text.get());
  ASSERT_NE(text, nullptr);
  ClipTextModel clip = text->textModel();
  const ClipTokenizer& tok = text->tokenizer();
  const EmbeddingSet set = setOf(golden().sd1File);
  const std::string name = set.entries().at(0).name;
  const auto nameIds = tok.encode(name);
  testing::expectTensorEqual(at::tensor(std::vector<int64_t>(nameIds.begin(), nameIds.end())),
                             golden().i("sd1.name_ids"), "sd1.name_ids");
  ASSERT_EQ(set.entries()[0].embedding->count, golden().settings.at("sd1_vectors").get<int>());

  const EmbeddingVocab vocab = set.vocabulary(tok, {{kSingleEncoderKey, clip->config().width}});
  const auto prompts = golden().settings.at("sd1_prompts");
  ASSERT_FALSE(prompts.empty());
  for (std::size_t k = 0; k < prompts.size(); ++k) {
    const std::string key = "sd1.p" + std::to_string(k);
    const std::string prompt = prompts[k].get<std::string>();
    SCOPED_TRACE(key + ": " + prompt);
    expectFragments(key, prompt);
    ChunkingOptions options;
    options.embeddings = &vocab;
    const ChunkedPrompt p = tokenizePrompt(tok, prompt, options);
    expectLayout(p, vocab, key);
    EXPECT_TRUE(p.skippedEmbeddings.empty());

    const auto ids = chunkIds(p);  // [n,77]
    const auto embeds =
        set.applyFixes(clip->tokenEmbeddings(ids), p, kSingleEncoderKey);  // [n,77,W]
    check(flat3(embeds), key + ".inputs_embeds");
    const auto z = clip->forward(ids, -1, embeds).lastHiddenState;  // last layer + final LN
    check(flat3(z), key + ".z");

    TextOptions textOptions;
    textOptions.embeddings = &set;
    const Conditioning cond = encodePrompt(*bundle, prompt, textOptions);
    check(cond.context, key + ".cond");
    EXPECT_EQ(cond.embeddings, std::vector<std::string>{name});
    EXPECT_TRUE(cond.notices.empty());
  }
  printWorst("sd1");
}

SdxlSizes goldenSizes() {
  auto pair = [](const std::string& key) {
    const auto t = golden().f(key)[0];
    return std::pair<int64_t, int64_t>(static_cast<int64_t>(t[0].item<float>()),
                                       static_cast<int64_t>(t[1].item<float>()));
  };
  SdxlSizes s;
  std::tie(s.originalHeight, s.originalWidth) = pair("sdxl.original_size_as_tuple");
  std::tie(s.cropTop, s.cropLeft) = pair("sdxl.crop_coords_top_left");
  std::tie(s.targetHeight, s.targetWidth) = pair("sdxl.target_size_as_tuple");
  return s;
}

TEST(Embeddings, SdxlGoldenLayoutsAndOutputs) {
  c10::InferenceMode guard;
  const auto bundle = tinySdxl();
  const ClipTokenizer& tok = tokenizerOf(*bundle);
  const auto& sdxlText = dynamic_cast<const SdxlTextConditioner&>(*bundle->text);
  ClipTextModel clipL = sdxlText.clipL();
  OpenClipTextModel clipG = sdxlText.clipG();
  const EmbeddingSet set = setOf(golden().sdxlFile);
  const std::string name = set.entries().at(0).name;
  const auto nameIds = tok.encode(name);
  testing::expectTensorEqual(at::tensor(std::vector<int64_t>(nameIds.begin(), nameIds.end())),
                             golden().i("sdxl.name_ids"), "sdxl.name_ids");
  ASSERT_EQ(set.entries()[0].embedding->count, golden().settings.at("sdxl_vectors").get<int>());
  const EmbeddingVocab vocab =
      set.vocabulary(tok, {{kClipLKey, clipL->config().width}, {kClipGKey, clipG->config().width}});

  const auto prompts = golden().settings.at("sdxl_prompts");
  ASSERT_FALSE(prompts.empty());
  for (std::size_t k = 0; k < prompts.size(); ++k) {
    const std::string key = "sdxl.p" + std::to_string(k);
    const std::string prompt = prompts[k].get<std::string>();
    SCOPED_TRACE(key + ": " + prompt);
    expectFragments(key, prompt);
    for (const bool isG : {false, true}) {
      const std::string prefix = key + (isG ? ".clip_g" : ".clip_l");
      ChunkingOptions options;
      options.padStyle = isG ? PadStyle::Sd2 : PadStyle::Sd1;
      options.embeddings = &vocab;
      const ChunkedPrompt p = tokenizePrompt(tok, prompt, options);
      expectLayout(p, vocab, prefix);
      const auto ids = chunkIds(p);
      const std::string& vectorKey = isG ? kClipGKey : kClipLKey;
      const auto embeds = set.applyFixes(
          isG ? clipG->tokenEmbeddings(ids) : clipL->tokenEmbeddings(ids), p, vectorKey);
      check(flat3(embeds), prefix + ".inputs_embeds");
      at::Tensor z;  // penultimate hidden state, no final norm
      if (isG) {
        const auto out = clipG->forward(ids, -1, embeds);
        z = out.fromEnd(2);
        check(out.pooled, prefix + ".pooled");
      } else {
        z = clipL->forward(ids, -1, embeds).fromEnd(2);
      }
      check(flat3(z), prefix + ".z");
      check(flat3(applyPromptWeights(z, chunkWeights(p))), prefix + ".cond");
    }
    TextOptions textOptions;
    textOptions.embeddings = &set;
    const Conditioning cond = encodePrompt(*bundle, prompt, textOptions);
    check(cond.context, key + ".crossattn");
    check(cond.pooled, key + ".clip_g.pooled");
    check(sdxlVector(*bundle, cond.pooled, goldenSizes()), key + ".vector");
    EXPECT_EQ(cond.embeddings, std::vector<std::string>{name});
    EXPECT_TRUE(cond.notices.empty());
  }
  printWorst("sdxl");
}

TEST(Embeddings, PromptsWithoutEmbeddingsEncodeAsBefore) {
  c10::InferenceMode guard;
  const auto sd1 = testing::tinySd1Bundle();
  const auto sdxl = tinySdxl();
  const EmbeddingSet sd1Set = setOf(golden().sd1File);
  const EmbeddingSet sdxlSet = setOf(golden().sdxlFile);
  const GenerationParams request = testing::goldenTxt2imgParams();
  for (const std::string& prompt : {request.prompt, request.negativePrompt}) {
    for (const auto& [bundle, set] : {std::pair(sd1, &sd1Set), std::pair(sdxl, &sdxlSet)}) {
      TextOptions options;
      options.embeddings = set;
      const Conditioning with = encodePrompt(*bundle, prompt, options);
      const Conditioning without = encodePrompt(*bundle, prompt, 1);
      EXPECT_TRUE(at::equal(with.context, without.context)) << prompt;
      if (without.pooled.defined()) {
        EXPECT_TRUE(at::equal(with.pooled, without.pooled));
      }
      EXPECT_TRUE(with.embeddings.empty());
      EXPECT_TRUE(with.notices.empty());
    }
  }
}

TEST(Embeddings, WrongWidthIsSkippedWithANoticeAndStaysText) {
  c10::InferenceMode guard;
  const auto sd1 = testing::tinySd1Bundle();
  const auto sdxl = tinySdxl();
  // The SDXL embedding on SD1 and the SD1 embedding on SDXL: A1111 skips both.
  for (const auto& [bundle, file] :
       {std::pair(sd1, golden().sdxlFile), std::pair(sdxl, golden().sd1File)}) {
    const EmbeddingSet set = setOf(file);
    const std::string name = set.entries().at(0).name;
    const std::string prompt = "a photo of " + name + ", a cat";
    TextOptions options;
    options.embeddings = &set;
    const Conditioning with = encodePrompt(*bundle, prompt, options);
    EXPECT_TRUE(at::equal(with.context, encodePrompt(*bundle, prompt, 1).context));
    EXPECT_TRUE(with.embeddings.empty());
    ASSERT_EQ(with.notices.size(), 1u);
    EXPECT_NE(with.notices[0].find("'" + name + "'"), std::string::npos) << with.notices[0];
    EXPECT_NE(with.notices[0].find("skipped"), std::string::npos) << with.notices[0];
    // `embedding:name` of a skipped embedding drops the word (ComfyUI: shape mismatch, ignored).
    const Conditioning word = encodePrompt(*bundle, "a photo of embedding:" + name, options);
    EXPECT_TRUE(at::equal(word.context, encodePrompt(*bundle, "a photo of", 1).context));
    EXPECT_EQ(word.notices, with.notices);
  }
}

/// A copy of the SD1 golden embedding under another name.
TextualInversion renamed(const std::string& name, int64_t vectors = -1) {
  TextualInversion e = loadEmbedding(golden().sd1File);
  e.name = name;
  if (vectors > 0) {
    at::Tensor& v = e.vectors.at(kSingleEncoderKey);
    v = v.narrow(0, 0, 1).expand({vectors, v.size(1)}).contiguous();
    e.count = vectors;
  }
  return e;
}

TEST(Embeddings, EmbeddingWordPlacesTheNamedEmbedding) {
  c10::InferenceMode guard;
  const auto bundle = testing::tinySd1Bundle();
  const ClipTokenizer& tok = tokenizerOf(*bundle);
  const int64_t width =
      dynamic_cast<const Sd1TextConditioner&>(*bundle->text).textModel()->config().width;
  EmbeddingSet set;
  set.add(renamed("zq"));
  const int n = static_cast<int>(set.entries()[0].embedding->count);
  const EmbeddingVocab vocab = set.vocabulary(tok, {{kSingleEncoderKey, width}});
  ChunkingOptions options;
  options.embeddings = &vocab;
  const auto a = tok.encode("a"), b = tok.encode("b"), comma = tok.encode(",");

  // Expected body: a, n placeholders, then `tail`.
  auto expectBody = [&](const ChunkedPrompt& p, const std::vector<int32_t>& tail, float weight,
                        const std::string& what) {
    SCOPED_TRACE(what);
    ASSERT_EQ(p.chunks.size(), 1u);
    const PromptChunk& c = p.chunks[0];
    ASSERT_EQ(c.fixes.size(), 1u);
    EXPECT_EQ(c.fixes[0], (EmbeddingFix{1, 0}));
    EXPECT_EQ(c.ids[1], a[0]);
    for (int k = 0; k < n; ++k) {
      EXPECT_EQ(c.ids[2 + k], 0);
      EXPECT_FLOAT_EQ(c.weights[2 + k], weight);
    }
    for (std::size_t k = 0; k < tail.size(); ++k) EXPECT_EQ(c.ids[2 + n + k], tail[k]);
    EXPECT_EQ(c.ids[2 + n + tail.size()], tok.eosId());
  };
  expectBody(tokenizePrompt(tok, "a embedding:zq b", options), b, 1.0f, "plain");
  expectBody(tokenizePrompt(tok, "a (embedding:zq:1.25) b", options), b, 1.25f, "weighted");
  expectBody(tokenizePrompt(tok, "a embedding:zq, b", options), {comma[0], b[0]}, 1.0f, "comma");
  expectBody(tokenizePrompt(tok, "a embedding:zq.safetensors b", options), b, 1.0f, "extension");

  // Glued to a word, "embedding:" stays text; the name after it still matches by its BPE ids.
  const ChunkedPrompt glued = tokenizePrompt(tok, "aembedding:zq", options);
  const int prefix = static_cast<int>(tok.encode("aembedding:").size());
  EXPECT_EQ(glued.chunks[0].fixes, (std::vector<EmbeddingFix>{{prefix, 0}}));
  // Unknown name: the word is dropped and reported.
  const ChunkedPrompt unknown = tokenizePrompt(tok, "a embedding:nowhere b", options);
  EXPECT_TRUE(unknown.chunks[0].fixes.empty());
  EXPECT_EQ(unknown.unknownEmbeddings, std::vector<std::string>{"nowhere"});
  EXPECT_EQ(chunkIds(unknown).equal(chunkIds(tokenizePrompt(tok, "a b"))), true);

  // Through the conditioner: used names and notices.
  TextOptions textOptions;
  textOptions.embeddings = &set;
  const Conditioning used = encodePrompt(*bundle, "a embedding:zq embedding:nowhere", textOptions);
  EXPECT_EQ(used.embeddings, std::vector<std::string>{"zq"});
  ASSERT_EQ(used.notices.size(), 1u);
  EXPECT_NE(used.notices[0].find("nowhere"), std::string::npos);
}

TEST(Embeddings, AnEmbeddingThatDoesNotFitStartsTheNextChunk) {
  c10::InferenceMode guard;
  const auto bundle = testing::tinySd1Bundle();
  const ClipTokenizer& tok = tokenizerOf(*bundle);
  const int64_t width =
      dynamic_cast<const Sd1TextConditioner&>(*bundle->text).textModel()->config().width;
  // The golden embedding under its own name, with at least two vectors (whatever the set holds)
  // so that "does not fit" differs from "the chunk is full".
  const TextualInversion original = loadEmbedding(golden().sd1File);
  EmbeddingSet set;
  set.add(renamed(original.name, std::max<int64_t>(2, original.count)));
  const std::string name = set.entries()[0].name;
  const int n = static_cast<int>(set.entries()[0].embedding->count);
  const EmbeddingVocab vocab = set.vocabulary(tok, {{kSingleEncoderKey, width}});
  ChunkingOptions options;
  options.embeddings = &vocab;
  const int32_t a = tok.encode("a").at(0);
  auto filler = [](int count) {
    std::string s;
    for (int k = 0; k < count; ++k) s += "a ";
    return s;
  };

  // Exactly fits: the vectors end the first chunk.
  const ChunkedPrompt fits = tokenizePrompt(tok, filler(kBody - n) + name, options);
  ASSERT_EQ(fits.chunks.size(), 1u);
  EXPECT_EQ(fits.chunks[0].fixes, (std::vector<EmbeddingFix>{{kBody - n, 0}}));
  EXPECT_EQ(fits.chunks[0].ids[kBody], 0);

  // One token more: the first chunk is padded, the vectors open the second chunk.
  const ChunkedPrompt moves = tokenizePrompt(tok, filler(kBody - n + 1) + name + " a", options);
  ASSERT_EQ(moves.chunks.size(), 2u);
  const PromptChunk& first = moves.chunks[0];
  EXPECT_TRUE(first.fixes.empty());
  EXPECT_EQ(first.ids[kBody - n + 1], a);
  for (int k = kBody - n + 2; k <= kBody; ++k) EXPECT_EQ(first.ids[k], tok.eosId()) << k;
  const PromptChunk& second = moves.chunks[1];
  EXPECT_EQ(second.fixes, (std::vector<EmbeddingFix>{{0, 0}}));
  for (int k = 1; k <= n; ++k) EXPECT_EQ(second.ids[k], 0);
  EXPECT_EQ(second.ids[n + 1], a);
  EXPECT_EQ(moves.tokenCount, kBody + n + 1);

  // The conditioner replaces the rows of the second chunk.
  TextOptions textOptions;
  textOptions.embeddings = &set;
  const std::string prompt = filler(kBody - n + 1) + name + " a";
  const Conditioning cond = encodePrompt(*bundle, prompt, textOptions);
  EXPECT_EQ(cond.context.size(1), 2 * kLen);
  EXPECT_EQ(cond.embeddings, std::vector<std::string>{name});
}

TEST(Embeddings, LongestNameWinsAndCommaBacktrackKeepsA1111Fixes) {
  c10::InferenceMode guard;
  const auto bundle = testing::tinySd1Bundle();
  const ClipTokenizer& tok = tokenizerOf(*bundle);
  const int64_t width =
      dynamic_cast<const Sd1TextConditioner&>(*bundle->text).textModel()->config().width;
  // "w-w" tokenizes to the ids of "w" followed by more ids (punctuation splits words).
  const std::string shortName = "zebra", longName = "zebra-zebra";
  ASSERT_EQ(tok.encode(longName).at(0), tok.encode(shortName).at(0));
  EmbeddingSet set;
  set.add(renamed(shortName, 1));
  set.add(renamed(longName, 2));
  const EmbeddingVocab vocab = set.vocabulary(tok, {{kSingleEncoderKey, width}});
  ASSERT_EQ(vocab.candidates(tok.encode(longName).at(0)), (std::vector<int>{1, 0}));
  ChunkingOptions options;
  options.embeddings = &vocab;
  const ChunkedPrompt both = tokenizePrompt(tok, longName + " " + shortName, options);
  EXPECT_EQ(both.chunks[0].fixes, (std::vector<EmbeddingFix>{{0, 1}, {2, 0}}));

  // A1111 moves the tokens after a nearby comma to the next chunk but leaves the fix behind.
  std::string prompt;
  for (int k = 0; k < kBody - 4; ++k) prompt += "a ";
  prompt += ", " + longName + " b c";  // comma at kBody-4, vectors at kBody-3, kBody-2
  const ChunkedPrompt cut = tokenizePrompt(tok, prompt, options);
  ASSERT_EQ(cut.chunks.size(), 2u);
  EXPECT_EQ(cut.chunks[0].fixes, (std::vector<EmbeddingFix>{{kBody - 3, 1}}));
  EXPECT_TRUE(cut.chunks[1].fixes.empty());
  EXPECT_EQ(cut.chunks[1].ids[1], 0);
  EXPECT_EQ(cut.chunks[1].ids[2], 0);
}

TEST(Embeddings, GenerateWritesTiHashesAndNotices) {
  const auto bundle = testing::tinySd1Bundle();
  const fs::path dir = testing::makeTempDir("ti-generate");
  fs::copy_file(golden().sd1File, dir / golden().sd1File.filename());
  fs::copy_file(golden().sdxlFile, dir / golden().sdxlFile.filename());
  const EmbeddingSet set = EmbeddingSet::scan({dir});
  const std::string sd1Name = golden().sd1File.stem().string();
  const std::string sdxlName = golden().sdxlFile.stem().string();

  GenerationParams params = testing::goldenTxt2imgParams();
  params.steps = 1;
  params.prompt = "a photo of " + sd1Name;
  params.negativePrompt = sdxlName;
  params.folders.embeddings = {dir};
  const GenerationResult result = generate(*bundle, params);
  ASSERT_EQ(result.images.size(), 1u);
  const auto hashes = set.hashes({sd1Name});
  ASSERT_EQ(hashes.size(), 1u);
  const std::string& text = result.images[0].infotext;
  EXPECT_NE(text.find("TI hashes: \"" + sd1Name + ": " + hashes[0].second + "\""),
            std::string::npos)
      << text;
  ASSERT_EQ(result.notices.size(), 1u);
  EXPECT_NE(result.notices[0].find(sdxlName), std::string::npos);

  params.prompt = "a photo";
  params.negativePrompt.clear();
  const GenerationResult plain = generate(*bundle, params);
  EXPECT_EQ(plain.images[0].infotext.find("TI hashes"), std::string::npos);
  EXPECT_TRUE(plain.notices.empty());
}

}  // namespace
}  // namespace lienzo
