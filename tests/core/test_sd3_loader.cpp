// SD3 / SD3.5 through the normal loader and generate() (sd3_factory.h, model_parts.h,
// model_loader.h): the txt2img golden of sd3/golden_txt2img.safetensors end to end — the tiny
// model's parts given in LoadOptions::parts, the prompt, negative prompt, seed, steps, CFG, size
// and sampler from the golden's __metadata__ — compared on the final 8-bit picture (every pixel
// ±1), and through the stage API on the conditioning, every step's latent, x_0 and the decoded
// image (README §7: 1e-4). The parts found in ComfyUI-style folders, bundled text encoders
// (an all-in-one file written here from the tiny parts) and the clear errors for a missing part,
// a given path that is not a file and a missing spiece.model.
#include "core/io/gguf_quants.h"
#include "core/io/gguf_writer.h"
#include "core/io/safetensors.h"
#include "core/pipeline/denoise_stage.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/model_calls.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/rng.h"

#include "support/fixtures.h"
#include "support/tensor_compare.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace lienzo {
namespace {

namespace fs = std::filesystem;
using testing::fixturePath;

constexpr double kTol = 1e-4;  // README §7: conditioning, trajectory, image

// The file names of the sd3/ and t5/ fixture sets (READMEs; the checkpoint and CLIPs also in
// tiny-sd3.config.json "files").
std::string configFile(const std::string& name) {
  return testing::readJsonFixture("sd3/tiny-sd3.config.json")
      .at("files")
      .at(name)
      .get<std::string>();
}
fs::path checkpoint() {
  return fixturePath("sd3/" + configFile("checkpoint"));
}
fs::path clipLFile() {
  return fixturePath("sd3/" + configFile("clip_l"));
}
fs::path clipGFile() {
  return fixturePath("sd3/" + configFile("clip_g"));
}
fs::path t5File() {
  return fixturePath("t5/tiny-t5xxl.safetensors");
}
fs::path spieceFile() {
  return fixturePath("t5/tiny-spiece.model");
}
fs::path clipVocab() {
  return fixturePath(
      "clip/" +
      testing::readJsonFixture("clip/tokenizer_golden.json").at("vocab_file").get<std::string>());
}

ModelParts givenParts() {
  ModelParts p;
  p.t5 = t5File();
  p.clipL = clipLFile();
  p.clipG = clipGFile();
  return p;
}

LoadOptions options(ModelParts parts = givenParts()) {
  LoadOptions o;
  o.dtype = ComputeDType::F32;
  o.device = testing::testDevice().str();
  o.computeHash = false;
  o.parts = std::move(parts);
  return o;
}

/// The golden request from golden_txt2img's __metadata__.
GenerationParams goldenParams(const SafetensorsFile& golden) {
  const auto& meta = golden.metadata();
  GenerationParams p;
  p.prompt = meta.at("prompt");
  p.negativePrompt = meta.at("negative_prompt");
  p.seed = std::stoll(meta.at("seed"));
  p.steps = std::stoi(meta.at("steps"));
  p.cfgScale = std::stod(meta.at("cfg_scale"));
  p.width = std::stoi(meta.at("width"));
  p.height = std::stoi(meta.at("height"));
  p.sampler = requireSamplerName(meta.at("sampler")).sampler;  // "euler" → "Euler"
  p.dtype = ComputeDType::F32;
  p.device = testing::testDevice().str();
  p.previews = false;
  return p;
}

void check(const at::Tensor& actual, const at::Tensor& expected, const std::string& what) {
  if (actual.sizes() == expected.sizes())
    std::cout << "  " << what << ": rel err " << testing::relativeMaxError(actual.cpu(), expected)
              << "\n";
  testing::expectTensorNear(actual.cpu(), expected, kTol, what);
}

void link(const fs::path& target, const fs::path& link) {
  fs::create_directories(link.parent_path());
  fs::create_symlink(fs::absolute(target), link);
}

/// A checkpoint folder `dir` with the tiny checkpoint and its sidecar under the fixture's names.
fs::path placeCheckpoint(const fs::path& dir) {
  const fs::path ck = dir / checkpoint().filename();
  link(checkpoint(), ck);
  fs::path sidecar = checkpoint();
  sidecar.replace_extension(".config.json");
  fs::path ownSidecar = ck;
  ownSidecar.replace_extension(".config.json");
  link(sidecar, ownSidecar);
  return ck;
}

std::string loadError(const fs::path& model, const LoadOptions& o) {
  try {
    (void)loadModelBundle(model, o);
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::ModelLoad) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "loaded without the part";
  return {};
}

bool contains(const std::vector<std::string>& list, const std::string& needle) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

TEST(Sd3Loader, Txt2imgGoldenEndToEndThroughGenerate) {
  const auto golden = SafetensorsFile::open(fixturePath("sd3/golden_txt2img.safetensors"));
  GenerationParams params = goldenParams(golden);
  params.previews = true;  // the linear latent previews of the SD3 latent space, as the CLI asks
  const auto bundle = loadModelBundle(checkpoint(), options());
  const ModelDescription& d = describe(*bundle);
  EXPECT_EQ(d.family, familyName(ModelFamily::SD3));
  EXPECT_TRUE(contains(d.parts, "t5xxl: " + t5File().string())) << "parts as loaded";
  // The same noise as torch.Generator().manual_seed(seed).randn([1,16,H/8,W/8]) (README §5.1).
  Generator gen(static_cast<uint64_t>(params.seed));
  testing::expectTensorEqual(randn(gen, golden.load("x_T", at::kFloat).sizes()),
                             golden.load("x_T", at::kFloat), "x_T of the seed");

  const GenerationResult result = generate(*bundle, params);
  ASSERT_EQ(result.images.size(), 1u);
  const RgbImage& img = result.images[0].image;
  const at::Tensor expected = golden.load("image_u8").to(at::kInt)[0];  // [H,W,3]
  ASSERT_EQ(img.height, expected.size(0));
  ASSERT_EQ(img.width, expected.size(1));
  const at::Tensor ours =
      at::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3}, at::kByte)
          .to(at::kInt);
  const at::Tensor diff = (ours - expected).abs();
  std::cout << "  image_u8: max |Δ| " << diff.max().item<int>() << ", "
            << diff.gt(0).sum().item<int64_t>() << " pixels differ\n";
  EXPECT_LE(diff.max().item<int>(), 1);
  EXPECT_NE(result.images[0].infotext.find("Seed: " + std::to_string(params.seed)),
            std::string::npos);
  // The flow shift the model sampled with is recorded (Forge's "Shift").
  ASSERT_TRUE(d.flowShift.has_value());
  EXPECT_NE(result.images[0].infotext.find("Shift: "), std::string::npos)
      << result.images[0].infotext;
}

TEST(Sd3Loader, GgufTransformerGeneratesTheGolden) {
  // The tiny MMDiT as a ComfyUI-GGUF file (bare names, general.architecture sd3, stored types):
  // the same numbers, so the golden picture; the VAE is then a part of its own (--vae).
  const auto source = SafetensorsFile::open(checkpoint());
  const std::string prefix = "model.diffusion_model.";
  std::vector<GgufTensorToWrite> tensors;
  for (const auto& name : source.names()) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const at::Tensor value = source.load(name, at::kFloat).contiguous();
    GgufTensorToWrite t;
    t.name = name.substr(prefix.size());
    t.shape = value.sizes().vec();
    t.type = source.info(name).dtype == StDType::F16 ? GgmlType::F16 : GgmlType::F32;
    t.bytes.resize(*ggmlByteSize(t.type, value.numel()));
    quantizeGgml(t.type, value.data_ptr<float>(), value.numel(),
                 reinterpret_cast<uint8_t*>(t.bytes.data()));
    tensors.push_back(std::move(t));
  }
  const fs::path root = testing::makeTempDir("sd3_gguf");
  const fs::path model = root / "models" / "unet" / (checkpoint().stem().string() + ".gguf");
  fs::create_directories(model.parent_path());
  writeGguf(model, tensors, {{"general.architecture", ggufString("sd3")}});
  link(sidecarPath(checkpoint()), sidecarPath(model));
  link(clipVocab(), root / "models" / "clip" / clipVocab().filename());
  ModelParts parts = givenParts();
  parts.vae = checkpoint();  // its first_stage_model.*
  EXPECT_EQ(describeModelFile(model).family, familyName(ModelFamily::SD3));
  const auto bundle = loadModelBundle(model, options(parts));

  const auto golden = SafetensorsFile::open(fixturePath("sd3/golden_txt2img.safetensors"));
  const GenerationResult result = generate(*bundle, goldenParams(golden));
  ASSERT_EQ(result.images.size(), 1u);
  const RgbImage& img = result.images[0].image;
  const at::Tensor expected = golden.load("image_u8").to(at::kInt)[0];
  ASSERT_EQ(img.height, expected.size(0));
  ASSERT_EQ(img.width, expected.size(1));
  const at::Tensor diff =
      (at::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3}, at::kByte)
           .to(at::kInt) -
       expected)
          .abs();
  std::cout << "  image_u8 (GGUF): max |Δ| " << diff.max().item<int>() << ", "
            << diff.gt(0).sum().item<int64_t>() << " pixels differ\n";
  EXPECT_LE(diff.max().item<int>(), 1);
}

TEST(Sd3Loader, StagesOfTheLoadedModelMatchTheGoldenTrajectory) {
  c10::InferenceMode guard;
  const auto golden = SafetensorsFile::open(fixturePath("sd3/golden_txt2img.safetensors"));
  const GenerationParams p = goldenParams(golden);
  const auto bundle = loadModelBundle(checkpoint(), options());
  // Stage 1: the loaded conditioner (CLIP-L, CLIP-G, the T5 closure) against the golden's.
  const Conditioning cond = bundle->text->encode(p.prompt, TextOptions{});
  const Conditioning uncond = bundle->text->encode(p.negativePrompt, TextOptions{});
  check(cond.context, golden.load("cond.context", at::kFloat), "cond.context");
  check(cond.pooled, golden.load("cond.pooled", at::kFloat), "cond.pooled");
  check(uncond.context, golden.load("uncond.context", at::kFloat), "uncond.context");
  check(uncond.pooled, golden.load("uncond.pooled", at::kFloat), "uncond.pooled");
  // Stage 3 with the loaded MMDiT and flow schedule.
  DenoiseRequest r;
  r.sampler = p.sampler;
  r.steps = p.steps;
  r.seed = p.seed;
  r.latentH = p.height / bundle->vae->factor();
  r.latentW = p.width / bundle->vae->factor();
  r.previews = false;
  std::vector<at::Tensor> xs;
  r.afterStep = [&](const SamplerStep& s) { xs.push_back(s.x.clone()); };
  const ModelFn model = bundle->schedule->decorate(
      makeGuidedModel(*bundle, cond, uncond, p.cfgScale, p.height, p.width));
  const at::Tensor latent = runDenoise(*bundle, r, model, nullptr, nullptr);
  ASSERT_EQ(static_cast<int>(xs.size()), p.steps);
  for (int i = 0; i < p.steps; ++i) {
    const std::string s = "step" + std::to_string(i) + ".x_out";
    check(xs[i], golden.load(s, at::kFloat), s);
  }
  check(latent, golden.load("x_0", at::kFloat), "x_0");
  // Stage 4: the loaded 16-channel VAE in the SD3 latent space.
  check(decodeLatent(*bundle, latent), golden.load("image", at::kFloat), "image");
}

TEST(Sd3Loader, DescribesTheFileWithSd3DefaultsAndItsParts) {
  const ModelDescription d = describeModelFile(checkpoint());
  EXPECT_EQ(d.family, familyName(ModelFamily::SD3));
  EXPECT_EQ(d.defaultWidth, 1024);
  EXPECT_EQ(d.defaultSteps, 28);
  EXPECT_DOUBLE_EQ(d.defaultCfg, 4.5);
  EXPECT_EQ(d.defaultSampler, "Euler");
  EXPECT_TRUE(contains(d.parts, "mmdit"));
  EXPECT_TRUE(contains(d.parts, "vae (bundled)"));
  // The fixture folder has no clip_l.safetensors / t5xxl*.safetensors: said, with the flag.
  EXPECT_TRUE(contains(d.parts, "--t5 FILE")) << "t5 needed";
  EXPECT_TRUE(contains(d.parts, "--clip-l FILE")) << "clip_l needed";
}

TEST(Sd3Loader, FindsThePartsInComfyUiFolders) {
  c10::InferenceMode guard;
  const fs::path models = testing::makeTempDir("sd3_comfy") / "models";
  const fs::path ck = placeCheckpoint(models / "checkpoints");
  link(clipLFile(), models / "text_encoders" / "clip_l.safetensors");
  link(clipGFile(), models / "clip" / "clip_g.safetensors");
  link(t5File(), models / "text_encoders" / "t5xxl_fp8_e4m3fn_scaled.safetensors");
  link(spieceFile(), models / "text_encoders" / "spiece.model");
  link(clipVocab(), models / "clip" / clipVocab().filename());
  const auto bundle = loadModelBundle(ck, options(ModelParts{}));
  const ModelDescription& d = describe(*bundle);
  EXPECT_TRUE(
      contains(d.parts, "clip_l: " + (models / "text_encoders" / "clip_l.safetensors").string()));
  EXPECT_TRUE(contains(d.parts, "clip_g: " + (models / "clip" / "clip_g.safetensors").string()));
  EXPECT_TRUE(contains(d.parts, "t5xxl_fp8_e4m3fn_scaled.safetensors"));
  const auto golden = SafetensorsFile::open(fixturePath("sd3/golden_conditioning.safetensors"));
  const auto prompts = nlohmann::json::parse(golden.metadata().at("prompts"));
  const Conditioning c = bundle->text->encode(prompts.at(0).get<std::string>(), TextOptions{});
  check(c.context, golden.load("cond.context", at::kFloat), "context from the found parts");
  check(c.pooled, golden.load("cond.pooled", at::kFloat), "pooled from the found parts");
}

TEST(Sd3Loader, PicksTheBundledTextEncoders) {
  c10::InferenceMode guard;
  // An all-in-one file: the checkpoint plus text_encoders.{clip_l,clip_g,t5xxl}.transformer.*.
  const fs::path dir = testing::makeTempDir("sd3_bundled");
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  auto add = [&](const fs::path& file, const std::string& prefix) {
    const auto f = SafetensorsFile::open(file);
    for (const auto& name : f.names()) tensors.emplace_back(prefix + name, f.load(name));
  };
  add(checkpoint(), "");
  add(clipLFile(), "text_encoders.clip_l.transformer.");
  add(clipGFile(), "text_encoders.clip_g.transformer.");
  add(t5File(), "text_encoders.t5xxl.transformer.");
  fs::path ck = dir / checkpoint().filename();
  writeSafetensors(ck, tensors);
  fs::path sidecar = checkpoint(), ownSidecar = ck;
  sidecar.replace_extension(".config.json");
  ownSidecar.replace_extension(".config.json");
  link(sidecar, ownSidecar);
  link(spieceFile(), dir / "spiece.model");
  link(clipVocab(), dir / clipVocab().filename());
  const ModelDescription described = describeModelFile(ck);
  for (const char* part : {"clip_l (bundled)", "clip_g (bundled)", "t5xxl (bundled)"})
    EXPECT_TRUE(contains(described.parts, part)) << part;
  const auto bundle = loadModelBundle(ck, options(ModelParts{}));
  for (const char* part : {"clip_l (bundled)", "clip_g (bundled)", "t5xxl (bundled)"})
    EXPECT_TRUE(contains(describe(*bundle).parts, part)) << part;
  const auto golden = SafetensorsFile::open(fixturePath("sd3/golden_conditioning.safetensors"));
  const auto prompts = nlohmann::json::parse(golden.metadata().at("prompts"));
  const Conditioning c = bundle->text->encode(prompts.at(1).get<std::string>(), TextOptions{});
  check(c.context, golden.load("uncond.context", at::kFloat), "context from the bundled parts");
  check(c.pooled, golden.load("uncond.pooled", at::kFloat), "pooled from the bundled parts");
}

TEST(Sd3Loader, TakesTheVaeFromItsOwnFileInTheVaeFolder) {
  c10::InferenceMode guard;
  // A transformer-only checkpoint, and the VAE alone under its plain names in ../vae.
  const fs::path models = testing::makeTempDir("sd3_vae") / "models";
  const auto full = SafetensorsFile::open(checkpoint());
  std::vector<std::pair<std::string, at::Tensor>> mmdit, vae;
  const std::string vaePrefix = "first_stage_model.";
  for (const auto& name : full.names()) {
    if (name.compare(0, vaePrefix.size(), vaePrefix) == 0)
      vae.emplace_back(name.substr(vaePrefix.size()), full.load(name));
    else
      mmdit.emplace_back(name, full.load(name));
  }
  ASSERT_FALSE(vae.empty());
  const fs::path ck = models / "diffusion_models" / checkpoint().filename();
  fs::create_directories(ck.parent_path());
  writeSafetensors(ck, mmdit);
  fs::path sidecar = checkpoint(), ownSidecar = ck;
  sidecar.replace_extension(".config.json");
  ownSidecar.replace_extension(".config.json");
  link(sidecar, ownSidecar);
  fs::create_directories(models / "vae");
  writeSafetensors(models / "vae" / "sd3_vae.safetensors", vae);
  link(clipVocab(), models / "clip" / clipVocab().filename());
  const auto bundle = loadModelBundle(ck, options());
  EXPECT_TRUE(contains(describe(*bundle).parts,
                       "vae: " + (models / "vae" / "sd3_vae.safetensors").string()));
  const auto golden = SafetensorsFile::open(fixturePath("sd3/golden_txt2img.safetensors"));
  check(decodeLatent(*bundle, golden.load("x_0", at::kFloat)), golden.load("image", at::kFloat),
        "image decoded by the separate VAE");
}

TEST(Sd3Loader, AMissingPartIsAClearErrorNamingItsFlag) {
  const fs::path models = testing::makeTempDir("sd3_missing") / "models";
  const fs::path ck = placeCheckpoint(models / "checkpoints");
  // Nothing given, nothing around: the first part looked for is named with its flag and places.
  std::string msg = loadError(ck, options(ModelParts{}));
  EXPECT_NE(msg.find("--clip-l"), std::string::npos) << msg;
  EXPECT_NE(msg.find((models / "text_encoders").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find((models / "clip").string()), std::string::npos) << msg;
  // The CLIPs given, T5 missing.
  ModelParts parts = givenParts();
  parts.t5.clear();
  msg = loadError(ck, options(parts));
  EXPECT_NE(msg.find("T5-XXL"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--t5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("t5xxl_fp16.safetensors"), std::string::npos) << msg;
  // A given path that is not a file.
  parts = givenParts();
  parts.clipG = models / "nowhere" / "clip_g.safetensors";
  msg = loadError(ck, options(parts));
  EXPECT_NE(msg.find("--clip-g"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no such file"), std::string::npos) << msg;
}

TEST(Sd3Loader, WithoutSpieceModelIsAClearError) {
  // The T5 weights in a folder without any *spiece.model, the checkpoint in another.
  const fs::path root = testing::makeTempDir("sd3_nospiece");
  const fs::path ck = placeCheckpoint(root / "models" / "checkpoints");
  ModelParts parts = givenParts();
  parts.t5 = root / "elsewhere" / "t5xxl_fp16.safetensors";
  link(t5File(), parts.t5);
  link(clipVocab(), root / "models" / "clip" / clipVocab().filename());
  const char* saved = std::getenv("LIENZO_T5_SPIECE");
  const std::string savedValue = saved ? saved : "";
  ::unsetenv("LIENZO_T5_SPIECE");
  const std::string msg = loadError(ck, options(parts));
  EXPECT_NE(msg.find("spiece.model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("LIENZO_T5_SPIECE"), std::string::npos) << msg;
  EXPECT_NE(msg.find((root / "elsewhere").string()), std::string::npos) << msg;
  // The variable naming the file is enough.
  ::setenv("LIENZO_T5_SPIECE", spieceFile().c_str(), 1);
  EXPECT_NO_THROW((void)loadModelBundle(ck, options(parts)));
  if (saved)
    ::setenv("LIENZO_T5_SPIECE", savedValue.c_str(), 1);
  else
    ::unsetenv("LIENZO_T5_SPIECE");
}

TEST(Sd3Loader, RefusedBeforeLoadingWhenThePlanDoesNotFitWithTheEstimate) {
  if (testing::testDevice().is_cuda()) GTEST_SKIP() << "the plan checks host RAM only";
  const fs::path root = testing::makeTempDir("sd3_memory");
  const fs::path ck = placeCheckpoint(root / "checkpoints");
  link(clipVocab(), root / "clip" / clipVocab().filename());
  const std::string name = ck.filename().string();
  LoadOptions o = options();
  // The tiny model's weights in float32 alone need more than this.
  o.hostMemoryLimit = 64 * 1024;
  try {
    (void)loadModelBundle(ck, o);
    FAIL() << "loaded with 64 KiB to plan for";
  } catch (const GenerationError& e) {
    EXPECT_EQ(e.code(), GenerationError::Code::OutOfMemory) << e.what();
    const std::string msg = e.what();
    for (const char* part : {"MMDiT", "VAE", "CLIP-L", "CLIP-G", "T5-XXL", "64.0 KiB is available",
                             "nothing was loaded", name.c_str()})
      EXPECT_NE(msg.find(part), std::string::npos) << part << " not in: " << msg;
  }
  // Enough room: the same load goes through.
  o.hostMemoryLimit = uint64_t{64} << 30;
  EXPECT_NO_THROW((void)loadModelBundle(ck, o));
}

}  // namespace
}  // namespace lienzo
