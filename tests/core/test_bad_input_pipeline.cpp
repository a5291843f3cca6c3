// The bad-input table of docs/reliability.md, rows that go through the generation API with the
// tiny SD1 fixture: a clear GenerationError (right code, a message naming what is wrong) before
// any work starts, never a crash. Fixture-free rows are in test_bad_input.cpp.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/pipeline.h"
#include "support/fixtures.h"

namespace lienzo {
namespace {

namespace fs = std::filesystem;

GenerationError loadError(const fs::path& path) {
  try {
    LoadOptions options;
    options.dtype = ComputeDType::F32;
    options.computeHash = false;
    loadModelBundle(path, options);
  } catch (const GenerationError& e) {
    EXPECT_FALSE(std::string(e.what()).empty());
    return e;
  }
  ADD_FAILURE() << path << " loaded";
  return GenerationError(GenerationError::Code::Internal, "loaded");
}

/// Every tensor of the tiny SD1 fixture, with `edit` applied to each (name, tensor).
template <typename Edit>
void writeEditedSd1(const fs::path& out, Edit edit) {
  const auto sd1 = SafetensorsFile::open(testing::fixturePath("sd1/tiny-sd1.safetensors"));
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& name : sd1.names()) {
    at::Tensor t = sd1.view(name);
    edit(name, t);
    if (t.defined()) tensors.emplace_back(name, t);
  }
  writeSafetensors(out, tensors);
}

class BadInputPipeline : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testing::makeTempDir("bad-input-pipeline"); }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path m_dir;
};

TEST_F(BadInputPipeline, ReshapedUnetTensorIsAModelLoadErrorNamingIt) {
  // Same bytes, transposed shape: the file is valid safetensors, the architecture is not.
  const std::string target = "model.diffusion_model.input_blocks.1.1.proj_in.weight";
  bool found = false;
  writeEditedSd1(m_dir / "reshaped.safetensors", [&](const std::string& name, at::Tensor& t) {
    if (name != target) return;
    found = true;
    std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    std::reverse(shape.begin(), shape.end());
    shape.front() += 1;  // a different element count too, so no layout can accept it
    t = at::zeros(shape, t.options());
  });
  ASSERT_TRUE(found) << target << " is not in the fixture";
  const auto e = loadError(m_dir / "reshaped.safetensors");
  EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad) << e.what();
  EXPECT_NE(std::string(e.what()).find("input_blocks.1.1.proj_in.weight"), std::string::npos)
      << e.what();
}

TEST_F(BadInputPipeline, MissingUnetTensorIsAModelLoadErrorNamingIt) {
  writeEditedSd1(m_dir / "missing.safetensors", [](const std::string& name, at::Tensor& t) {
    if (name == "model.diffusion_model.out.0.weight") t = at::Tensor();
  });
  const auto e = loadError(m_dir / "missing.safetensors");
  EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad) << e.what();
  EXPECT_NE(std::string(e.what()).find("out.0.weight"), std::string::npos) << e.what();
}

TEST_F(BadInputPipeline, UnsupportedFamiliesAreRefusedByName) {
  writeSafetensors(
      m_dir / "sd3.safetensors",
      {{"model.diffusion_model.joint_blocks.0.x_block.attn.qkv.weight", at::zeros({6, 2})}});
  // SD3 loads (sd3_factory.h); a file with joint blocks but no readable MMDiT is a load error.
  const auto sd3 = loadError(m_dir / "sd3.safetensors");
  EXPECT_EQ(sd3.code(), GenerationError::Code::ModelLoad) << sd3.what();
  EXPECT_NE(std::string(sd3.what()).find("SD3 (MMDiT)"), std::string::npos) << sd3.what();
  // Flux loads (flux_factory.h); a file with some of its keys but no transformer is a load error.
  writeSafetensors(m_dir / "flux.safetensors",
                   {{"double_blocks.0.img_attn.qkv.weight", at::zeros({6, 2})}});
  const auto flux = loadError(m_dir / "flux.safetensors");
  EXPECT_EQ(flux.code(), GenerationError::Code::ModelLoad) << flux.what();
  EXPECT_NE(std::string(flux.what()).find("no Flux transformer"), std::string::npos) << flux.what();
  writeSafetensors(m_dir / "random.safetensors", {{"foo.bar", at::zeros({2})}});
  EXPECT_EQ(loadError(m_dir / "random.safetensors").code(),
            GenerationError::Code::UnsupportedModel);
}

TEST_F(BadInputPipeline, PickleAndTruncatedCheckpointsAreModelLoadErrors) {
  std::ofstream(m_dir / "model.ckpt", std::ios::binary) << std::string("\x80\x02}q\x00.", 6);
  const auto pickle = loadError(m_dir / "model.ckpt");
  EXPECT_EQ(pickle.code(), GenerationError::Code::ModelLoad);
  EXPECT_NE(std::string(pickle.what()).find("never unpickles"), std::string::npos) << pickle.what();
  // The fixture cut in the middle of its data section.
  const fs::path full = testing::fixturePath("sd1/tiny-sd1.safetensors");
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(m_dir / "cut.safetensors", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const auto cut = loadError(m_dir / "cut.safetensors");
  EXPECT_EQ(cut.code(), GenerationError::Code::ModelLoad);
  EXPECT_NE(std::string(cut.what()).find("truncated"), std::string::npos) << cut.what();
}

TEST(BadInputParams, ZeroOrNegativeStepsAndOtherRangesAreInvalidParams) {
  const auto code = [](auto edit) {
    GenerationParams p;
    edit(p);
    try {
      validateParams(p);
    } catch (const GenerationError& e) {
      return e.code();
    }
    return GenerationError::Code::Internal;
  };
  using C = GenerationError::Code;
  EXPECT_EQ(code([](GenerationParams& p) { p.steps = 0; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.steps = -1; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.steps = INT32_MIN; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.width = 0; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.height = -512; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.batchSize = 0; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.cfgScale = std::nan(""); }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.steps = 20; }), C::Internal) << "defaults are valid";
  // Text that is not UTF-8 would run the whole generation and fail at save: refused up front.
  EXPECT_EQ(code([](GenerationParams& p) { p.prompt = "caf\xe9"; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.negativePrompt = "\xff"; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.hires.prompt = "\xc3"; }), C::InvalidParams);
  EXPECT_EQ(code([](GenerationParams& p) { p.prompt = "caf\xc3\xa9"; }), C::Internal);
}

uint64_t memAvailable() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  uint64_t kib = 0;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

long maxRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST(BadInputParams, Huge8192RequestIsRefusedBeforeAllocating) {
  LoadOptions options;
  options.dtype = ComputeDType::F32;
  options.computeHash = false;
  const auto bundle = loadModelBundle(testing::fixturePath("sd1/tiny-sd1.safetensors"), options);
  GenerationParams p;
  p.prompt = "a huge image";
  p.steps = 2;
  p.width = p.height = 8192;
  p.dtype = ComputeDType::F32;
  // Untiled: the tiny model's VAE alone needs ~4 x 32 ch x 8192^2 x 4 B = 32 GiB at full
  // resolution. (With tiling, auto or on, one tile's memory is what counts.)
  p.vaeTiling = VaeTiling::Off;
  if (memAvailable() > (uint64_t{32} << 30))
    GTEST_SKIP() << "this machine has " << (memAvailable() >> 30)
                 << " GiB available: an 8192x8192 image fits, so it is not refused here";
  const long rssBefore = maxRssKiB();
  const auto start = std::chrono::steady_clock::now();
  try {
    generate(*bundle, p);
    FAIL() << "8192x8192 was generated";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::OutOfMemory) << e.what();
    EXPECT_NE(std::string(e.what()).find("8192x8192 needs about"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "refused up front, not after trying";
  EXPECT_LT(maxRssKiB() - rssBefore, 256 * 1024) << "no large allocation was attempted";
}

// NaN/Inf in the VAE output: detected and reported; a half-precision VAE is retried in float32
// first (the retry can only succeed where fp16 overflows, i.e. on CUDA; here a NaN latent makes
// both attempts fail, and the message shows that the retry ran).
TEST(BadInputParams, NonFiniteVaeOutputIsANumericalErrorAfterAFloat32Retry) {
  for (const ComputeDType dtype : {ComputeDType::F32, ComputeDType::BF16}) {
    LoadOptions options;
    options.dtype = dtype;
    options.computeHash = false;
    const auto bundle = loadModelBundle(testing::fixturePath("sd1/tiny-sd1.safetensors"), options);
    auto latent = at::zeros({1, 4, 8, 8});
    latent[0][0][3][3] = std::nan("");
    try {
      decodeLatent(*bundle, latent);
      ADD_FAILURE() << "a NaN latent decoded";
    } catch (const GenerationError& e) {
      EXPECT_EQ(e.code(), GenerationError::Code::NumericalError);
      const bool retried = std::string(e.what()).find("retried in float32") != std::string::npos;
      EXPECT_EQ(retried, dtype == ComputeDType::BF16) << e.what();
    }
    // A finite latent decodes in both precisions.
    EXPECT_TRUE(at::isfinite(decodeLatent(*bundle, at::zeros({1, 4, 8, 8}))).all().item<bool>());
  }
}

// NaN weights are blamed on the part that has them: the U-Net's on the diffusion model, the text
// encoder's on the text encoder (not on the VAE that decodes what they produced).
TEST_F(BadInputPipeline, NanWeightsAreBlamedOnTheirStage) {
  for (const auto& [prefix, blamed] :
       {std::pair<std::string, std::string>{"model.diffusion_model.out.2.", "the diffusion model"},
        {"cond_stage_model.", "the text encoder"}}) {
    const fs::path path = m_dir / "nan.safetensors";
    bool poisoned = false;
    writeEditedSd1(path, [&](const std::string& name, at::Tensor& t) {
      if (!poisoned && name.rfind(prefix, 0) == 0 && name.find("weight") != std::string::npos &&
          t.is_floating_point()) {
        t = t.to(at::kFloat).clone();
        t.fill_(std::nan(""));
        poisoned = true;
      }
    });
    ASSERT_TRUE(poisoned) << prefix;
    // What the tiny checkpoint needs beside it: its sidecar config (attention heads) and the
    // CLIP vocabulary.
    fs::copy_file(testing::fixturePath("sd1/tiny-sd1.config.json"), m_dir / "nan.config.json",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(testing::fixturePath("clip/bpe_simple_vocab_16e6.txt.gz"),
                  m_dir / "bpe_simple_vocab_16e6.txt.gz", fs::copy_options::overwrite_existing);
    LoadOptions options;
    options.dtype = ComputeDType::F32;
    options.computeHash = false;
    const auto bundle = loadModelBundle(path, options);
    GenerationParams p;
    p.prompt = "a cat";
    p.steps = 2;
    p.width = p.height = 64;
    p.sampler = "Euler";
    p.dtype = ComputeDType::F32;
    try {
      generate(*bundle, p);
      ADD_FAILURE() << prefix << ": NaN weights generated a picture";
    } catch (const GenerationError& e) {
      EXPECT_EQ(e.code(), GenerationError::Code::NumericalError) << e.what();
      EXPECT_NE(std::string(e.what()).find(blamed), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("VAE"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lienzo
