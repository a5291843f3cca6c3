// CLIP BPE tokenizer against clip/tokenizer_golden.json (label golden): raw ids, SD1/SD2 77-token
// layouts, the HF vocab.json + merges.txt constructor, the plain-text merges file, lookup helpers,
// errors and concurrent use.
#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/text/clip_tokenizer.h"
#include "support/fixtures.h"

namespace {

namespace fs = std::filesystem;
using lienzo::ClipTokenizer;
using lienzo::PadStyle;
using lienzo::TokenizerError;
using lienzo::testing::fixturePath;
using lienzo::testing::readJsonFixture;

const nlohmann::json& golden() {
  static const nlohmann::json json = readJsonFixture("clip/tokenizer_golden.json");
  return json;
}

fs::path vocabPath() {
  return fixturePath("clip/" + golden().at("vocab_file").get<std::string>());
}

const ClipTokenizer& fixtureTokenizer() {
  static const ClipTokenizer tokenizer(vocabPath());
  return tokenizer;
}

std::vector<int32_t> asIds32(const nlohmann::json& j) {
  return j.get<std::vector<int32_t>>();
}
std::vector<int64_t> asIds64(const nlohmann::json& j) {
  return j.get<std::vector<int64_t>>();
}

// Test-side decompression (independent of the tokenizer's reader).
std::string gunzip(const fs::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path.string());
  std::string out;
  std::array<char, 1 << 16> buf{};
  int n = 0;
  while ((n = gzread(f, buf.data(), buf.size())) > 0) out.append(buf.data(), n);
  gzclose(f);
  return out;
}

void appendUtf8(std::string& s, char32_t cp) {
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Writes an HF-style tokenizer folder (vocab.json + merges.txt) made from the original merges
// file the way transformers' conversion does: GPT-2 bytes_to_unicode order, then "</w>" forms,
// then the 48894 merges, then the two special tokens.
void writeHfTokenizer(const fs::path& dir) {
  fs::create_directories(dir);
  const std::string text = gunzip(vocabPath());
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = text.find('\n', begin);
    lines.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  const std::size_t mergeCount = 49152 - 256 - 2;
  ASSERT_GT(lines.size(), mergeCount);
  std::vector<int> bs;
  for (int b = '!'; b <= '~'; ++b) bs.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) bs.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) bs.push_back(b);
  std::vector<char32_t> cs(bs.begin(), bs.end());
  int extra = 0;
  for (int b = 0; b < 256; ++b) {
    if (std::find(bs.begin(), bs.end(), b) == bs.end()) {
      bs.push_back(b);
      cs.push_back(256 + extra++);
    }
  }
  std::vector<std::string> vocab;
  for (char32_t c : cs) {
    vocab.emplace_back();
    appendUtf8(vocab.back(), c);
  }
  for (std::size_t i = 0; i < 256; ++i) vocab.push_back(vocab[i] + "</w>");
  std::ofstream merges(dir / "merges.txt", std::ios::binary);
  merges << "#version: 0.2\n";
  for (std::size_t i = 1; i <= mergeCount; ++i) {
    merges << lines[i] << "\n";
    std::string joined = lines[i];
    joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
    vocab.push_back(joined);
  }
  vocab.emplace_back("<|startoftext|>");
  vocab.emplace_back("<|endoftext|>");
  nlohmann::json json = nlohmann::json::object();
  for (std::size_t i = 0; i < vocab.size(); ++i) json[vocab[i]] = i;
  std::ofstream(dir / "vocab.json", std::ios::binary) << json.dump();
}

TEST(ClipTokenizer, SpecialIdsAndVocabMatchGolden) {
  const ClipTokenizer& tok = fixtureTokenizer();
  EXPECT_EQ(tok.bosId(), golden().at("bos_id").get<int32_t>());
  EXPECT_EQ(tok.eosId(), golden().at("eos_id").get<int32_t>());
  EXPECT_EQ(tok.padId(PadStyle::Sd1), golden().at("sd1_pad_id").get<int32_t>());
  EXPECT_EQ(tok.padId(PadStyle::Sd2), golden().at("sd2_pad_id").get<int32_t>());
  EXPECT_EQ(ClipTokenizer::kContextLength, golden().at("context_length").get<int>());
  EXPECT_EQ(ClipTokenizer::kMaxBodyTokens, golden().at("max_body_tokens").get<int>());
  EXPECT_EQ(tok.vocabSize(), static_cast<std::size_t>(tok.eosId()) + 1);
  EXPECT_EQ(tok.tokenId("<|startoftext|>"), tok.bosId());
  EXPECT_FALSE(tok.tokenId("definitely-not-a-token").has_value());
}

TEST(ClipTokenizer, GoldenCases) {
  const ClipTokenizer& tok = fixtureTokenizer();
  const auto& cases = golden().at("cases");
  ASSERT_FALSE(cases.empty());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const std::string prompt = c.at("prompt").get<std::string>();
    SCOPED_TRACE("case " + std::to_string(i) + ": " + nlohmann::json(prompt).dump());
    const std::vector<int32_t> ids = tok.encode(prompt);
    EXPECT_EQ(ids, asIds32(c.at("ids")));
    EXPECT_EQ(ids.size(), c.at("num_ids").get<std::size_t>());
    EXPECT_EQ(ids.size() > static_cast<std::size_t>(ClipTokenizer::kMaxBodyTokens),
              c.at("truncated").get<bool>());
    EXPECT_EQ(tok.encodePadded(prompt, PadStyle::Sd1), asIds64(c.at("sd1_ids_77")));
    EXPECT_EQ(tok.encodePadded(prompt, PadStyle::Sd2), asIds64(c.at("sd2_ids_77")));
  }
}

TEST(ClipTokenizer, HuggingFaceFilesGiveTheSameIds) {
  const fs::path dir = lienzo::testing::makeTempDir("clip_hf");
  writeHfTokenizer(dir / "model" / "tokenizer");
  const ClipTokenizer hf(dir / "model" / "tokenizer" / "vocab.json",
                         dir / "model" / "tokenizer" / "merges.txt");
  const ClipTokenizer viaFolder = ClipTokenizer::fromPath(dir / "model");  // diffusers root
  const ClipTokenizer& ref = fixtureTokenizer();
  EXPECT_EQ(hf.bosId(), ref.bosId());
  EXPECT_EQ(hf.eosId(), ref.eosId());
  EXPECT_EQ(hf.vocabSize(), ref.vocabSize());
  for (const auto& c : golden().at("cases")) {
    const std::string prompt = c.at("prompt").get<std::string>();
    SCOPED_TRACE(nlohmann::json(prompt).dump());
    EXPECT_EQ(hf.encode(prompt), asIds32(c.at("ids")));
    EXPECT_EQ(viaFolder.encode(prompt), asIds32(c.at("ids")));
    EXPECT_EQ(hf.encodePadded(prompt, PadStyle::Sd2), asIds64(c.at("sd2_ids_77")));
  }
  const auto found = lienzo::findClipVocab({dir / "missing", dir / "model"});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, dir / "model" / "tokenizer");
}

TEST(ClipTokenizer, PlainTextMergesFileAndFindVocab) {
  const fs::path dir = lienzo::testing::makeTempDir("clip_txt");
  std::ofstream(dir / "bpe_simple_vocab_16e6.txt", std::ios::binary) << gunzip(vocabPath());
  const auto found = lienzo::findClipVocab({dir});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, dir / "bpe_simple_vocab_16e6.txt");
  const ClipTokenizer plain = ClipTokenizer::fromPath(*found);
  for (const auto& c : golden().at("cases")) {
    EXPECT_EQ(plain.encode(c.at("prompt").get<std::string>()), asIds32(c.at("ids")));
  }
  const auto gz = lienzo::findClipVocab({vocabPath().parent_path()});
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(gz->filename(), vocabPath().filename());
  EXPECT_FALSE(lienzo::findClipVocab({dir / "nope"}).has_value());
}

TEST(ClipTokenizer, LayoutTruncatesAndPads) {
  const ClipTokenizer& tok = fixtureTokenizer();
  const std::vector<int32_t> ids(100, 7);
  const std::vector<int64_t> sd1 = tok.layout(ids, PadStyle::Sd1, 10);
  ASSERT_EQ(sd1.size(), 10u);
  EXPECT_EQ(sd1.front(), tok.bosId());
  EXPECT_EQ(sd1[8], 7);
  EXPECT_EQ(sd1.back(), tok.eosId());
  const std::vector<int64_t> sd2 = tok.layout({5, 6}, PadStyle::Sd2, 6);
  EXPECT_EQ(sd2, (std::vector<int64_t>{tok.bosId(), 5, 6, tok.eosId(), 0, 0}));
  EXPECT_THROW(tok.layout(ids, PadStyle::Sd1, 1), std::invalid_argument);
}

TEST(ClipTokenizer, DecodeRoundTrip) {
  const ClipTokenizer& tok = fixtureTokenizer();
  EXPECT_EQ(tok.decode(tok.encode("A photo of a Cat, 8k!")), "a photo of a cat , 8 k ! ");
  EXPECT_EQ(tok.decode(tok.encode("caf\xC3\xA9 \xF0\x9F\x90\xB6")),
            "caf\xC3\xA9 \xF0\x9F\x90\xB6 ");
}

TEST(ClipTokenizer, LiteralSpecialTokensMapToSpecialIds) {
  const ClipTokenizer& tok = fixtureTokenizer();
  const std::vector<int32_t> ids = tok.encode("a <|endoftext|> b <|startoftext|>");
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[1], tok.eosId());
  EXPECT_EQ(ids[3], tok.bosId());
  EXPECT_EQ(ids[0], tok.encode("a").at(0));
}

TEST(ClipTokenizer, ConcurrentEncodingIsConsistent) {
  const ClipTokenizer tok(vocabPath());  // fresh, empty cache
  const auto& cases = golden().at("cases");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
          const auto& c = cases[(i + t * 7) % cases.size()];
          if (tok.encode(c.at("prompt").get<std::string>()) != asIds32(c.at("ids"))) {
            ++failures[t];
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(ClipTokenizer, MoveKeepsTheVocabulary) {
  ClipTokenizer a(vocabPath());
  const std::vector<int32_t> before = a.encode("moving tokenizers");
  ClipTokenizer b(std::move(a));
  EXPECT_EQ(b.encode("moving tokenizers"), before);
}

TEST(ClipTokenizer, ErrorsAreTyped) {
  const fs::path dir = lienzo::testing::makeTempDir("clip_err");
  EXPECT_THROW(ClipTokenizer(dir / "absent.txt.gz"), TokenizerError);
  std::ofstream(dir / "short.txt") << "#version: 0.2\na b\nc d\n";
  EXPECT_THROW(ClipTokenizer(dir / "short.txt"), TokenizerError);
  std::ofstream(dir / "vocab.json") << "[1, 2]";
  std::ofstream(dir / "merges.txt") << "#version: 0.2\na b\n";
  EXPECT_THROW(ClipTokenizer(dir / "vocab.json", dir / "merges.txt"), TokenizerError);
  std::ofstream(dir / "vocab.json") << R"({"a": 0, "b": 1})";
  EXPECT_THROW(ClipTokenizer(dir / "vocab.json", dir / "merges.txt"), TokenizerError);
  EXPECT_THROW(ClipTokenizer::fromPath(dir / "nothing-here"), TokenizerError);
  fs::create_directories(dir / "empty");
  EXPECT_THROW(ClipTokenizer::fromPath(dir / "empty"), TokenizerError);
  // An id far beyond the file's entries would size the id table from the file's say-so
  // (found by fuzz_clip_vocab's review: 2^31 strings).
  std::ofstream(dir / "vocab.json")
      << R"({"a": 2147483647, "<|startoftext|>": 0, "<|endoftext|>": 1})";
  EXPECT_THROW(ClipTokenizer(dir / "vocab.json", dir / "merges.txt"), TokenizerError);
}

// vocabSize() bounds every id, also when a vocab.json skips ids (fuzz_clip_vocab finding: it
// counted entries, so BOS/EOS could lie outside it).
TEST(ClipTokenizer, VocabSizeBoundsIdsOfAGappedVocabulary) {
  const fs::path dir = lienzo::testing::makeTempDir("clip_gaps");
  std::ofstream(dir / "vocab.json")
      << R"({"a</w>": 0, "b</w>": 7, "<|startoftext|>": 20, "<|endoftext|>": 21})";
  std::ofstream(dir / "merges.txt") << "#version: 0.2\n";
  const ClipTokenizer tok(dir / "vocab.json", dir / "merges.txt");
  EXPECT_EQ(tok.vocabSize(), 22u);
  EXPECT_EQ(tok.bosId(), 20);
  EXPECT_EQ(tok.eosId(), 21);
  for (const int32_t id : tok.encode("a b"))
    EXPECT_LT(static_cast<std::size_t>(id), tok.vocabSize());
}

}  // namespace
