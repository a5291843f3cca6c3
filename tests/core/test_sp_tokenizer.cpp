// SentencePiece tokenizer + trainer on the static sentencepiece build, in the same process as
// libtorch (Debian's shared libsentencepiece crashes such a process: PLATFORM.md pitfall 1).
#include "core/text/sp_tokenizer.h"

#include <ATen/core/Tensor.h>
#include <ATen/ops/ones.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/fixtures.h"

namespace lienzo {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kCorpus = {
    "the cat sleeps on the warm red sofa",
    "a dog runs in the green park with a ball",
    "the sun sets over the quiet blue sea",
    "a painting of a castle in the clouds at sunset",
    "the old man reads a book under the tree",
    "children play in the snow near the mountain",
    "a photo of an astronaut riding a horse on mars",
    "the city lights shine at night in the rain",
    "a bowl of fresh fruit on a wooden table",
    "the train crosses the bridge over the river",
    "el gato duerme en el sofá rojo y caliente",
    "un perro corre en el parque verde con una pelota",
    "el sol se pone sobre el mar azul y tranquilo",
    "una pintura de un castillo en las nubes al atardecer",
    "el anciano lee un libro bajo el árbol",
    "los niños juegan en la nieve cerca de la montaña",
    "una foto de un astronauta montando a caballo en marte",
    "las luces de la ciudad brillan de noche bajo la lluvia",
    "un cuenco de fruta fresca sobre una mesa de madera",
    "el tren cruza el puente sobre el río",
    "la casa tiene una ventana grande y una puerta pequeña",
    "the house has a big window and a small door",
    "señorita con sombrero, pintura al óleo, muy detallado",
    "a woman with a hat, oil painting, highly detailed",
};

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SpTokenizer, TrainsLoadsEncodesAndDecodesBesideLibtorch) {
  // libtorch is loaded and working in this very process.
  const at::Tensor ones = at::ones({2, 2});
  EXPECT_EQ(ones.sum().item<float>(), 4.0f);

  const fs::path model = testing::makeTempDir("spm") / "tiny.model";
  trainSentencePiece(kCorpus, 64, SpModelType::Unigram, model);
  ASSERT_TRUE(fs::exists(model));

  const SpTokenizer tok = SpTokenizer::fromFile(model);
  EXPECT_GT(tok.vocabSize(), 30);
  EXPECT_LE(tok.vocabSize(), 64);
  EXPECT_EQ(tok.padId(), 0);
  EXPECT_EQ(tok.eosId(), 1);
  EXPECT_EQ(tok.unkId(), 2);
  EXPECT_EQ(tok.bosId(), -1);

  for (const std::string sentence :
       {"el gato duerme en la casa", "the cat reads a book", "señorita, pintura al óleo"}) {
    const std::vector<int> ids = tok.encode(sentence);
    ASSERT_FALSE(ids.empty());
    for (int id : ids) {
      EXPECT_GE(id, 0);
      EXPECT_LT(id, tok.vocabSize());
      EXPECT_NE(id, tok.unkId()) << sentence;  // every character is covered (coverage 1.0)
    }
    EXPECT_EQ(tok.decode(ids), sentence);
    const auto pieces = tok.encodePieces(sentence);
    ASSERT_EQ(pieces.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(tok.idToPiece(ids[i]), pieces[i]);
      EXPECT_EQ(tok.pieceToId(pieces[i]), ids[i]);
    }
  }
  // Torch still works after sentencepiece ran (and the other way round, above).
  EXPECT_EQ(at::ones({3}).sum().item<float>(), 3.0f);
}

TEST(SpTokenizer, PadsTruncatesAndLoadsFromBytes) {
  const fs::path model = testing::makeTempDir("spm") / "bpe.model";
  trainSentencePiece(kCorpus, 64, SpModelType::Bpe, model);
  const SpTokenizer tok = SpTokenizer::fromBytes(readAll(model));
  const std::vector<int> ids = tok.encode("the cat sleeps");
  ASSERT_GE(ids.size(), 2u);

  const auto padded = tok.encodePadded("the cat sleeps", static_cast<int>(ids.size()) + 4);
  ASSERT_EQ(padded.size(), ids.size() + 4);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(padded[i], ids[i]);
  EXPECT_EQ(padded[ids.size()], tok.eosId());
  for (std::size_t i = ids.size() + 1; i < padded.size(); ++i) EXPECT_EQ(padded[i], tok.padId());

  const auto cut = tok.encodePadded("the cat sleeps", 2);
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[0], ids[0]);
  EXPECT_EQ(cut[1], tok.eosId());  // EOS kept last
  const auto noEos = tok.encodePadded("the cat sleeps", 1, /*appendEos=*/false);
  EXPECT_EQ(noEos, std::vector<std::int64_t>{ids[0]});
  EXPECT_THROW(tok.encodePadded("x", 0), std::invalid_argument);
}

TEST(SpTokenizer, ConcurrentEncodesAgree) {
  const fs::path model = testing::makeTempDir("spm") / "m.model";
  trainSentencePiece(kCorpus, 64, SpModelType::Unigram, model);
  const SpTokenizer tok = SpTokenizer::fromFile(model);
  const auto expected = tok.encode(kCorpus[3]);
  std::vector<std::vector<int>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) results[t] = tok.encode(kCorpus[3]);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

TEST(SpTokenizer, ErrorsAreTyped) {
  EXPECT_THROW(SpTokenizer::fromBytes("definitely not a model"), SpTokenizerError);
  EXPECT_THROW(SpTokenizer::fromFile("/nonexistent/lienzo.model"), SpTokenizerError);
  EXPECT_THROW(trainSentencePiece({}, 64, SpModelType::Unigram, "/tmp/never.model"),
               SpTokenizerError);
  const fs::path model = testing::makeTempDir("spm") / "m.model";
  trainSentencePiece(kCorpus, 64, SpModelType::Unigram, model);
  const SpTokenizer tok = SpTokenizer::fromFile(model);
  EXPECT_THROW(tok.decode({tok.vocabSize()}), std::out_of_range);
  EXPECT_THROW(tok.idToPiece(-1), std::out_of_range);
  // Training into a folder that does not exist fails cleanly.
  EXPECT_THROW(trainSentencePiece(kCorpus, 64, SpModelType::Unigram, "/nonexistent/dir/m.model"),
               SpTokenizerError);
}

}  // namespace
}  // namespace lienzo
