// Textual-inversion embedding files (core/text/embeddings.h): the A1111 layouts, pickles refused
// by their name without being read, clear errors naming the file, folder scans, hashes and the
// row replacement. Files are written by the test itself (unit; no fixtures).
#include "core/io/safetensors.h"
#include "core/io/sha256.h"
#include "core/text/embeddings.h"

#include "support/fixtures.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

using Tensors = std::vector<std::pair<std::string, at::Tensor>>;

at::Tensor randomVectors(int64_t n, int64_t d, int64_t seed) {
  at::manual_seed(seed);
  return at::randn({n, d});
}

fs::path write(const fs::path& dir, const std::string& file, const Tensors& tensors) {
  const fs::path path = dir / file;
  fs::create_directories(path.parent_path());
  writeSafetensors(path, tensors);
  return path;
}

std::string loadError(const fs::path& path) {
  try {
    loadEmbedding(path);
  } catch (const EmbeddingError& e) {
    EXPECT_EQ(e.path(), path);
    return e.what();
  }
  ADD_FAILURE() << path << " loaded";
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(EmbeddingFiles, ReadsTheA1111Layouts) {
  const fs::path dir = testing::makeTempDir("ti-layouts");
  const auto a = randomVectors(3, 8, 1);
  const auto l = randomVectors(2, 8, 2);
  const auto g = randomVectors(2, 12, 3);

  const TextualInversion param =
      loadEmbedding(write(dir, "param.safetensors", {{"string_to_param.*", a}}));
  EXPECT_EQ(param.name, "param");
  EXPECT_EQ(param.count, 3);
  ASSERT_EQ(param.vectors.size(), 1u);
  EXPECT_TRUE(at::equal(param.vectors.at(kSingleEncoderKey), a));

  const TextualInversion xl =
      loadEmbedding(write(dir, "xl.safetensors", {{"clip_g", g}, {"clip_l", l}}));
  EXPECT_EQ(xl.count, 2);
  EXPECT_TRUE(at::equal(xl.vectors.at(kClipLKey), l));
  EXPECT_TRUE(at::equal(xl.vectors.at(kClipGKey), g));

  // A single tensor of any name; [d] is one vector; F16 is read as float32.
  const TextualInversion concept =
      loadEmbedding(write(dir, "concept.safetensors", {{"emb_params", a.to(at::kHalf)}}));
  EXPECT_TRUE(at::equal(concept.vectors.at(kSingleEncoderKey), a.to(at::kHalf).to(at::kFloat)));
  const TextualInversion one = loadEmbedding(write(dir, "one.safetensors", {{"v", a[0]}}));
  EXPECT_EQ(one.count, 1);
  EXPECT_TRUE(at::equal(one.vectors.at(kSingleEncoderKey), a[0].unsqueeze(0)));
}

TEST(EmbeddingFiles, MalformedFilesAreNamedWithTheReason) {
  const fs::path dir = testing::makeTempDir("ti-bad");
  const auto a = randomVectors(2, 8, 4);
  const auto terms =
      write(dir, "terms.safetensors", {{"string_to_param.a", a}, {"string_to_param.b", a}});
  EXPECT_TRUE(contains(loadError(terms), "terms.safetensors"));
  EXPECT_TRUE(contains(loadError(terms), "exactly one"));

  const auto two = write(dir, "two.safetensors", {{"x", a}, {"y", a}});
  EXPECT_TRUE(contains(loadError(two), "two.safetensors"));
  EXPECT_TRUE(contains(loadError(two), "x, y"));

  const auto ints = write(dir, "ints.safetensors", {{"v", at::ones({2, 8}, at::kLong)}});
  EXPECT_TRUE(contains(loadError(ints), "floating-point"));
  const auto cube = write(dir, "cube.safetensors", {{"v", at::ones({2, 2, 8})}});
  EXPECT_TRUE(contains(loadError(cube), "[2, 2, 8]"));
  const int64_t tooMany = ClipTokenizer::kMaxBodyTokens + 1;
  const auto many = write(dir, "many.safetensors", {{"v", at::ones({tooMany, 8})}});
  EXPECT_TRUE(contains(loadError(many), std::to_string(tooMany) + " vectors"));
  const auto uneven = write(dir, "uneven.safetensors",
                            {{"clip_l", at::ones({2, 8})}, {"clip_g", at::ones({3, 8})}});
  EXPECT_TRUE(contains(loadError(uneven), "clip_g has 3"));

  const fs::path garbage = dir / "garbage.safetensors";
  std::ofstream(garbage, std::ios::binary) << "this is not a safetensors file at all";
  const std::string error = loadError(garbage);
  EXPECT_TRUE(contains(error, garbage.string()));
  EXPECT_TRUE(contains(error, "not a valid safetensors file"));

  const fs::path text = write(dir, "notes.txt", {{"v", a}});
  EXPECT_TRUE(contains(loadError(text), ".safetensors"));
}

TEST(EmbeddingFiles, PicklesAreRefusedByNameWithoutBeingRead) {
  const fs::path dir = testing::makeTempDir("ti-pickle");
  // A .pt holding perfectly valid safetensors bytes is still refused: the content is not looked at.
  const fs::path disguised = dir / "disguised.pt";
  writeSafetensors(dir / "real.safetensors", {{"v", at::ones({1, 8})}});
  fs::copy_file(dir / "real.safetensors", disguised);
  const std::string error = loadError(disguised);
  EXPECT_TRUE(contains(error, "pickle"));
  EXPECT_TRUE(contains(error, "never unpickles"));
  EXPECT_TRUE(contains(error, disguised.string()));
  EXPECT_TRUE(isPickleFile("x.BIN"));
  EXPECT_TRUE(isPickleFile("x.ckpt"));
  EXPECT_FALSE(isPickleFile("x.safetensors"));

  // A FIFO blocks whoever opens it for reading until a writer comes: refusing it without
  // blocking proves the file is not opened.
  const fs::path fifo = dir / "blocking.bin";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto refused = std::async(std::launch::async, [&] { return loadError(fifo); });
  if (refused.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "loading a .bin opened the file";
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // release the reader
    if (fd >= 0) ::close(fd);
  }
  EXPECT_TRUE(contains(refused.get(), "pickle"));
}

TEST(EmbeddingFiles, ScanFindsFilesByStemAndKeepsProblemsForThePrompt) {
  const fs::path first = testing::makeTempDir("ti-scan1");
  const fs::path second = testing::makeTempDir("ti-scan2");
  const auto a = randomVectors(2, 8, 5);
  const auto b = randomVectors(1, 8, 6);
  write(first, "alpha.safetensors", {{"emb_params", a}});
  write(first, "nested/beta.safetensors", {{"emb_params", b}});
  std::ofstream(first / "gamma.pt") << "pickle";
  std::ofstream(first / "broken.safetensors") << "broken";
  write(second, "alpha.safetensors", {{"emb_params", b}});   // shadowed by the first folder
  write(second, "broken.safetensors", {{"emb_params", b}});  // replaces the broken one
  write(second, "gamma.safetensors", {{"emb_params", a}});   // replaces the refused pickle

  const EmbeddingSet set = EmbeddingSet::scan({first, second, first / "missing"});
  ASSERT_EQ(set.folderNotes().size(), 1u);
  EXPECT_TRUE(contains(set.folderNotes()[0], "missing"));
  for (const std::string name : {"alpha", "beta", "gamma", "broken"}) {
    const auto* entry = set.find(name);
    ASSERT_NE(entry, nullptr) << name;
    ASSERT_NE(entry->embedding, nullptr) << name << ": " << entry->problem;
  }
  EXPECT_TRUE(at::equal(set.find("alpha")->embedding->vectors.at(kSingleEncoderKey), a));
  EXPECT_EQ(set.find("gamma")->path, second / "gamma.safetensors");
  EXPECT_EQ(set.find("broken")->path, second / "broken.safetensors");

  const EmbeddingSet alone = EmbeddingSet::scan({first});
  ASSERT_NE(alone.find("gamma"), nullptr);
  EXPECT_EQ(alone.find("gamma")->embedding, nullptr);
  EXPECT_TRUE(contains(alone.find("gamma")->problem, "pickle"));
  EXPECT_TRUE(contains(alone.find("broken")->problem, "broken.safetensors"));
  EXPECT_EQ(alone.find("delta"), nullptr);
}

TEST(EmbeddingFiles, ShortHashIsTheFirst12HexOfTheFileSha256) {
  const fs::path dir = testing::makeTempDir("ti-hash");
  const fs::path path = write(dir, "h.safetensors", {{"v", randomVectors(2, 8, 7)}});
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const EmbeddingSet set = EmbeddingSet::scan({dir});
  const auto hashes = set.hashes({"h", "unknown"});
  ASSERT_EQ(hashes.size(), 1u);
  EXPECT_EQ(hashes[0].first, "h");
  EXPECT_EQ(hashes[0].second, sha256Hex(bytes).substr(0, 12));
}

TEST(EmbeddingFiles, FixesReplaceRowsAfterTheirOffsetOnly) {
  TextualInversion e;
  e.name = "e";
  e.count = 3;
  e.vectors[kSingleEncoderKey] = randomVectors(3, 4, 8);
  EmbeddingSet set;
  set.add(e);
  ChunkedPrompt prompt;
  prompt.chunks.resize(2);
  prompt.chunks[1].fixes.push_back({2, 0});
  const int64_t tokens = 7;  // rows are cut at the end of the sequence, as A1111 does
  prompt.chunks[0].fixes.push_back({static_cast<int>(tokens) - 3, 0});
  const auto embeds = randomVectors(2 * tokens, 4, 9).reshape({2, tokens, 4});
  const auto out = set.applyFixes(embeds, prompt, kSingleEncoderKey);
  const auto& v = e.vectors[kSingleEncoderKey];
  EXPECT_TRUE(at::equal(out[1].narrow(0, 3, 3), v));
  EXPECT_TRUE(at::equal(out[1].narrow(0, 0, 3), embeds[1].narrow(0, 0, 3)));
  EXPECT_TRUE(at::equal(out[1].narrow(0, 6, 1), embeds[1].narrow(0, 6, 1)));
  EXPECT_TRUE(at::equal(out[0].narrow(0, tokens - 2, 2), v.narrow(0, 0, 2)));
  EXPECT_TRUE(at::equal(out[0].narrow(0, 0, tokens - 2), embeds[0].narrow(0, 0, tokens - 2)));
  // No fix: the same tensor back.
  ChunkedPrompt none;
  none.chunks.resize(1);
  EXPECT_TRUE(set.applyFixes(embeds, none, kSingleEncoderKey).is_same(embeds));
}

}  // namespace
}  // namespace lienzo
