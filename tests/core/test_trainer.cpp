// Built-in model trainer smoke test at tiny widths: the losses fall, a checkpointed + resumed run
// equals an uninterrupted one, the exported file loads and generates through the pipeline, and the
// decoder stage changes nothing but the decoder.
#include "core/io/safetensors.h"
#include "core/pipeline/builtin_model.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/model_decorators.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/schedule.h"
#include "core/text/sp_tokenizer.h"
#include "core/train/diffusion_trainer.h"
#include "core/train/train_data.h"
#include "core/train/trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace lienzo::train {
namespace {

namespace fs = std::filesystem;

BuiltinModelConfig tinyConfig() {
  BuiltinModelConfig c;
  c.imageSize = 16;
  c.vaeChannels = 8;
  c.vaeMult = {1, 2, 2};  // f = 4: 16 px → 4×4 latents
  c.vaeGroups = 0;
  c.vocabSize = 160;
  c.tokens = 48;
  c.textWidth = 32;
  c.textLayers = 1;
  c.textHeads = 1;
  c.textIntermediate = 64;
  c.unetChannels = 32;
  c.unetMult = {1, 2};
  c.unetResBlocks = {1, 1};
  c.unetTransformerDepth = {0, 1};
  c.unetMiddleDepth = 1;
  c.unetHeadChannels = 32;
  return c;
}

// Enough VAE steps at lr 3e-3 for the reconstruction loss to halve from its first value with the
// attention projections initialised like the reference's 1x1 convs (measured: 40 steps 0.57 →
// 0.46, not yet halved).
constexpr int64_t kVaeSteps = 200;

TrainOptions quickOptions(int64_t steps) {
  TrainOptions o;
  o.steps = steps;
  o.batch = 8;
  o.lr = 3e-3;
  o.warmup = 0;
  o.logEvery = 1000;
  o.checkpointEvery = 0;
  o.seed = 5;
  return o;
}

class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    at::set_num_threads(1);
    s_root = fs::temp_directory_path() / ("lienzo_trainer_test_" + std::to_string(::getpid()));
    fs::remove_all(s_root);
    s_config = tinyConfig();
    const TrainPaths paths{s_root / "base"};
    saveConfig(paths, s_config);
    const auto tok = trainTokenizer(paths, s_config, 3000, 1);
    ASSERT_LE(tok.maxTokens, s_config.tokens) << "captions longer than the token window";
    ASSERT_LE(tok.vocabSize, 160);
    s_vae = trainVae(s_config, quickOptions(kVaeSteps), 1e-3, paths);
    s_config.scaleFactor = s_vae.scaleFactor;
    saveConfig(paths, s_config);
  }
  static void TearDownTestSuite() { fs::remove_all(s_root); }

  /// A folder sharing the base tokenizer/VAE/config.
  static TrainPaths folder(const std::string& name) {
    const TrainPaths base{s_root / "base"};
    const TrainPaths p{s_root / name};
    fs::create_directories(p.root);
    for (const auto& f : {base.config(), base.tokenizer(), base.vaeWeights()})
      fs::copy_file(f, p.root / f.filename(), fs::copy_options::overwrite_existing);
    return p;
  }

  static inline fs::path s_root;
  static inline BuiltinModelConfig s_config;
  static inline VaeTrainResult s_vae;
};

DiffusionOptions smallDiffusion() {
  DiffusionOptions d;
  d.cacheSize = 64;
  d.evalEvery = 0;
  return d;
}

TEST_F(TrainerTest, VaeLossFallsAndScaleIsMeasured) {
  EXPECT_TRUE(s_vae.finished);
  EXPECT_LT(s_vae.loss, 0.5 * s_vae.firstLoss);
  EXPECT_GT(s_vae.psnr, 10.0);
  EXPECT_GT(s_vae.scaleFactor, 0.0);
  const auto file = SafetensorsFile::open(TrainPaths{s_root / "base"}.vaeWeights());
  EXPECT_TRUE(file.contains("first_stage_model.decoder.conv_out.weight"));
}

TEST_F(TrainerTest, DiffusionLossFalls) {
  auto options = quickOptions(60);
  const auto r = trainDiffusion(s_config, options, smallDiffusion(), folder("loss"));
  EXPECT_TRUE(r.finished);
  EXPECT_LT(r.loss, 0.8 * r.firstLoss);
}

TEST_F(TrainerTest, DiffusionLossFallsWithVPrediction) {
  auto config = s_config;
  config.prediction = "v";
  const auto paths = folder("loss_v");
  saveConfig(paths, config);
  // The running loss of the first 10 steps (one step's loss is too noisy a baseline here), then
  // the run continued to 150 steps.
  const auto early = trainDiffusion(config, quickOptions(10), smallDiffusion(), paths);
  auto more = quickOptions(150);
  more.resume = true;
  const auto r = trainDiffusion(config, more, smallDiffusion(), paths);
  EXPECT_TRUE(r.finished);
  EXPECT_LT(r.loss, 0.8 * early.loss);
}

TEST_F(TrainerTest, CaptionProbeSeesNoGainWhenTheTextIsBlind) {
  const auto paths = folder("probe");
  trainDiffusion(s_config, quickOptions(20), smallDiffusion(), paths);
  const auto probe = probeCheckpoint(s_config, paths, 8);
  ASSERT_EQ(probe.bands.size(), 4u);
  EXPECT_EQ(probe.bands.front().tBegin, 0);
  EXPECT_EQ(probe.bands.back().tEnd, s_config.timesteps);
  for (const auto& b : probe.bands) {
    EXPECT_GT(b.matched, 0.0);
    EXPECT_TRUE(std::isfinite(b.shuffled) && std::isfinite(b.empty));
  }
  EXPECT_FALSE(probe.report().empty());
  // Random-ish trained text weights: captions change the prediction somewhere.
  bool differs = false;
  for (const auto& b : probe.bands) differs |= b.matched != b.shuffled;
  EXPECT_TRUE(differs);

  // A text encoder blind to its tokens (zero token embeddings) gives every caption the same
  // context, so the three conditions give the same error and the gain is 0.
  const SafetensorsFile vaeFile = SafetensorsFile::open(paths.vaeWeights());
  AutoencoderKL vae(s_config.vaeConfig());
  loadModuleWeights(*vae, vaeFile, "first_stage_model.", at::kFloat);
  UNet unet(s_config.unetConfig());
  ClipTextModel text(s_config.textConfig());
  const auto state = SafetensorsFile::open(paths.diffusionCheckpoint() / "state.safetensors");
  loadModuleWeights(*unet, state, "ema.unet.", at::kFloat);
  loadModuleWeights(*text, state, "ema.text.", at::kFloat);
  {
    at::NoGradGuard noGrad;
    for (auto& item : text->named_parameters())
      if (item.key().find("token_embedding") != std::string::npos) item.value().zero_();
  }
  const auto tokenizer = SpTokenizer::fromFile(paths.tokenizer());
  const auto blind = probeCaptionUse(unet, text, vae, tokenizer, s_config, 8);
  for (const auto& b : blind.bands) {
    EXPECT_DOUBLE_EQ(b.matched, b.shuffled);
    EXPECT_DOUBLE_EQ(b.matched, b.empty);
    EXPECT_DOUBLE_EQ(b.gain(), 0.0);
  }
}

// --text-freeze: the text encoder keeps its initialisation (weights and EMA) while the U-Net
// trains, and trains after the freeze.
TEST_F(TrainerTest, TextEncoderFreezeKeepsItsInitialisation) {
  const auto frozen = folder("freeze");
  const auto init = folder("freeze_init");
  auto d = smallDiffusion();
  d.textFreezeSteps = 4;
  trainDiffusion(s_config, quickOptions(4), d, frozen);
  trainDiffusion(s_config, quickOptions(1), d, init);  // one step: text still at its init
  auto text = [](const TrainPaths& p) {
    return SafetensorsFile::open(p.diffusionCheckpoint() / "state.safetensors");
  };
  const auto a = text(frozen), b = text(init);
  int texts = 0;
  for (const auto& name : a.names()) {
    const bool isUnet = name.rfind("model.unet.", 0) == 0;
    if (name.rfind("model.text.", 0) == 0) {
      EXPECT_TRUE(at::equal(a.load(name, at::kFloat), b.load(name, at::kFloat))) << name;
      ++texts;
    }
    if (name.rfind("ema.text.", 0) == 0)  // d·w + (1−d)·w: equal up to rounding
      EXPECT_TRUE(at::allclose(a.load(name, at::kFloat), b.load(name, at::kFloat), 1e-6, 1e-7))
          << name;
    if (isUnet && name.find("out.2.weight") != std::string::npos)  // the U-Net did train
      EXPECT_FALSE(at::equal(a.load(name, at::kFloat), b.load(name, at::kFloat))) << name;
  }
  EXPECT_GT(texts, 10);
  // After the freeze the text encoder trains.
  auto more = quickOptions(6);
  more.resume = true;
  trainDiffusion(s_config, more, d, frozen);
  const auto c = text(frozen);
  const std::string name = "model.text.embeddings.token_embedding.weight";
  EXPECT_FALSE(at::equal(c.load(name, at::kFloat), b.load(name, at::kFloat)));
}

TEST_F(TrainerTest, ResumeContinuesIdentically) {
  const auto whole = folder("whole");
  const auto split = folder("split");
  trainDiffusion(s_config, quickOptions(6), smallDiffusion(), whole);
  trainDiffusion(s_config, quickOptions(3), smallDiffusion(), split);
  auto resumed = quickOptions(6);
  resumed.resume = true;
  const auto r = trainDiffusion(s_config, resumed, smallDiffusion(), split);
  EXPECT_EQ(r.steps, 6);
  const auto a = SafetensorsFile::open(whole.diffusionCheckpoint() / "state.safetensors");
  const auto b = SafetensorsFile::open(split.diffusionCheckpoint() / "state.safetensors");
  ASSERT_EQ(a.names(), b.names());
  int compared = 0;
  for (const auto& name : a.names()) {
    if (name.rfind("model.", 0) != 0 && name.rfind("ema.", 0) != 0) continue;
    EXPECT_TRUE(at::equal(a.load(name, at::kFloat), b.load(name, at::kFloat))) << name;
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

// A run started from an exported model (--init) begins with that model's U-Net and text weights
// (its EMA), counts its steps on export, and refuses a model of another architecture.
TEST_F(TrainerTest, InitFromAnExportedModel) {
  const auto source = folder("init_source");
  trainDiffusion(s_config, quickOptions(3), smallDiffusion(), source);
  const fs::path model = source.root / "model.safetensors";
  exportModel(source, s_config, model);

  const auto next = folder("init_next");
  auto d = smallDiffusion();
  d.initFrom = model;
  auto zeroLr = quickOptions(1);
  zeroLr.lr = 0.0;  // one step at lr 0: the weights stay exactly where --init put them
  trainDiffusion(s_config, zeroLr, d, next);
  const auto from = SafetensorsFile::open(model);
  const auto state = SafetensorsFile::open(next.diffusionCheckpoint() / "state.safetensors");
  int compared = 0;
  for (const auto& name : state.names()) {
    std::string key;
    if (name.rfind("model.unet.", 0) == 0) key = "model.diffusion_model." + name.substr(11);
    if (name.rfind("model.text.", 0) == 0) key = "text_model." + name.substr(11);
    if (key.empty()) continue;
    EXPECT_TRUE(at::equal(state.load(name, at::kFloat), from.load(key, at::kFloat))) << name;
    ++compared;
  }
  EXPECT_GT(compared, 20);
  const fs::path again = next.root / "model.safetensors";
  exportModel(next, s_config, again);
  EXPECT_EQ(SafetensorsFile::open(again).metadata().at("lienzo.training_steps"), "4");
  // Resuming the run ignores --init (the checkpoint wins; the file need not exist any more).
  auto gone = d;
  gone.initFrom = next.root / "no-such-model.safetensors";
  auto resumed = quickOptions(2);
  resumed.resume = true;
  EXPECT_EQ(trainDiffusion(s_config, resumed, gone, next).steps, 2);

  // A run with the position map may start from this model without one: every shared weight is
  // the file's, the map starts at zero.
  auto positional = s_config;
  positional.unetPositional = true;
  const auto withMap = folder("init_positional");
  saveConfig(withMap, positional);
  trainDiffusion(positional, zeroLr, d, withMap);
  const auto mapState = SafetensorsFile::open(withMap.diffusionCheckpoint() / "state.safetensors");
  const auto map = mapState.load("model.unet.pos_emb", at::kFloat);
  EXPECT_EQ(map.sizes(), (std::vector<int64_t>{1, s_config.unetChannels, 4, 4}));
  EXPECT_EQ(map.abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(at::equal(mapState.load("model.unet.out.2.weight", at::kFloat),
                        from.load("model.diffusion_model.out.2.weight", at::kFloat)));
  // The map has its own learning rate: at scale 0 it stays at zero while the U-Net trains; at the
  // default scale it moves.
  for (const double scale : {0.0, 1.0}) {
    const auto run = folder(scale == 0 ? "init_positional_0" : "init_positional_1");
    saveConfig(run, positional);
    auto dScaled = d;
    dScaled.positionLrScale = scale;
    trainDiffusion(positional, quickOptions(2), dScaled, run);
    const auto st = SafetensorsFile::open(run.diffusionCheckpoint() / "state.safetensors");
    EXPECT_EQ(st.load("model.unet.pos_emb", at::kFloat).abs().max().item<float>() > 0, scale > 0)
        << scale;
    EXPECT_FALSE(at::equal(st.load("model.unet.out.2.weight", at::kFloat),
                           from.load("model.diffusion_model.out.2.weight", at::kFloat)));
  }

  auto wider = s_config;
  wider.unetChannels = 64;
  const auto other = folder("init_other");
  saveConfig(other, wider);
  try {
    trainDiffusion(wider, quickOptions(1), d, other);
    FAIL() << "a model of another U-Net width was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unet"), std::string::npos) << e.what();
  }
}

// The decoder stage: every tensor but the decoder's (encoder, quant_conv, U-Net, text encoder,
// schedule) and every metadata entry is the source file's, the decoder moved and reconstructs
// held-out scenes better than before, a checkpointed + resumed tune equals an uninterrupted one,
// the written model loads and generates, and a later export can carry the tuned decoder.
TEST_F(TrainerTest, DecoderTuneChangesOnlyTheDecoder) {
  const auto source = folder("decoder_source");
  trainDiffusion(s_config, quickOptions(2), smallDiffusion(), source);
  const fs::path model = source.root / "model.safetensors";
  exportModel(source, s_config, model);

  auto options = quickOptions(60);
  options.lr = 1e-3;
  const auto whole = folder("decoder_whole");
  const fs::path tuned = whole.root / "tuned.safetensors";
  const auto r = tuneDecoder(model, options, whole, tuned);
  ASSERT_TRUE(r.finished);
  EXPECT_GT(r.psnrAfter, r.psnrBefore);
  const auto from = SafetensorsFile::open(model);
  const auto to = SafetensorsFile::open(tuned);
  ASSERT_EQ(to.names(), from.names());
  int decoderChanged = 0, kept = 0;
  for (const auto& name : from.names()) {
    const std::string vaePrefix = "first_stage_model.";
    const bool decoder =
        name.rfind(vaePrefix, 0) == 0 && isDecoderParameter(name.substr(vaePrefix.size()));
    const bool same = at::equal(to.load(name), from.load(name));
    if (decoder) {
      decoderChanged += !same;
    } else {
      EXPECT_TRUE(same) << name;
      ++kept;
    }
  }
  EXPECT_GT(decoderChanged, 4);
  EXPECT_GT(kept, 40);
  EXPECT_TRUE(to.contains("first_stage_model.encoder.conv_in.weight"));
  EXPECT_TRUE(to.contains("first_stage_model.post_quant_conv.weight"));
  for (const auto& [key, value] : from.metadata()) EXPECT_EQ(to.metadata().at(key), value) << key;
  EXPECT_EQ(to.metadata().at("lienzo.decoder_steps"), "60");

  // 30 steps, a checkpoint, 30 more after a resume: the same file as 60 in one go.
  const auto split = folder("decoder_split");
  auto half = options;
  half.steps = 30;
  const fs::path first = split.root / "first.safetensors";
  tuneDecoder(model, half, split, first);
  auto rest = options;
  rest.resume = true;
  const fs::path resumed = split.root / "resumed.safetensors";
  EXPECT_EQ(tuneDecoder(model, rest, split, resumed).steps, 60);
  const auto again = SafetensorsFile::open(resumed);
  for (const auto& name : to.names())
    EXPECT_TRUE(at::equal(again.load(name), to.load(name))) << name;

  LoadOptions load;
  load.computeHash = false;
  const auto bundle = loadModelBundle(tuned, load);
  GenerationParams params;
  params.prompt = "a red circle on a blue background";
  params.seed = 1;
  params.steps = 3;
  params.width = params.height = 64;
  params.sampler = "DDIM";
  params.previews = false;
  EXPECT_EQ(generate(*bundle, params).images.at(0).image.width, 64);

  // A later export of the folder keeps the tuned decoder when asked to (same encoder), and refuses
  // a VAE whose encoder did not make the folder's latents.
  const fs::path reexported = source.root / "reexported.safetensors";
  exportModel(source, s_config, reexported, tuned);
  const auto re = SafetensorsFile::open(reexported);
  for (const auto& name : to.names())
    if (name.rfind("first_stage_model.", 0) == 0)
      EXPECT_TRUE(at::equal(re.load(name), to.load(name))) << name;
  const auto otherVae = folder("decoder_other_vae");
  trainVae(s_config, quickOptions(2), 1e-3, otherVae);  // another encoder
  trainDiffusion(s_config, quickOptions(1), smallDiffusion(), otherVae);
  try {
    exportModel(otherVae, s_config, otherVae.root / "y.safetensors", tuned);
    FAIL() << "a VAE of another encoder was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("encoder"), std::string::npos) << e.what();
  }

  // Not a built-in model: a clear error, nothing written.
  const fs::path vaeOnly = TrainPaths{s_root / "base"}.vaeWeights();
  EXPECT_THROW(tuneDecoder(vaeOnly, options, folder("decoder_bad"), whole.root / "x.safetensors"),
               std::invalid_argument);
  EXPECT_FALSE(fs::exists(whole.root / "x.safetensors"));
}

class ExportTest : public TrainerTest, public ::testing::WithParamInterface<bool> {};

// Exported with and without the pooled-text path (v-prediction and the position map for the
// pooled variant): the file loads through the normal loader and the pipeline generates with it
// (at 64 px, so the 4×4 position map is resized to the 16×16 latent).
TEST_P(ExportTest, ExportLoadsAndGenerates) {
  auto config = s_config;
  config.pooledText = GetParam();
  if (config.pooledText) config.prediction = "v";
  config.unetPositional = config.pooledText;
  const auto paths = folder(config.pooledText ? "export_pooled" : "export");
  saveConfig(paths, config);
  trainDiffusion(config, quickOptions(4), smallDiffusion(), paths);
  const fs::path out = paths.root / "model.safetensors";
  exportModel(paths, config, out);
  {
    const auto file = SafetensorsFile::open(out);
    EXPECT_EQ(readBuiltinConfig(file).imageSize, s_config.imageSize);
    EXPECT_EQ(readBuiltinConfig(file).pooledText, config.pooledText);
    EXPECT_EQ(file.contains("model.diffusion_model.label_emb.0.0.weight"), config.pooledText);
    EXPECT_EQ(readBuiltinConfig(file).unetPositional, config.unetPositional);
    EXPECT_EQ(file.contains("model.diffusion_model.pos_emb"), config.unetPositional);
    EXPECT_EQ(UNetConfig::fromWeights(file, "model.diffusion_model.").positionSide,
              config.unetPositional ? 4 : 0);
    EXPECT_TRUE(file.contains("text_model.final_layer_norm.weight"));
    EXPECT_TRUE(file.contains("model.diffusion_model.out.2.weight"));
  }
  LoadOptions load;
  load.computeHash = false;
  const auto bundle = loadModelBundle(out, load);
  EXPECT_EQ(describe(*bundle).defaultWidth, s_config.imageSize);
  GenerationParams params;
  params.prompt = "two yellow stars on a purple background";
  params.seed = 3;
  params.steps = 4;
  params.cfgScale = 4.0;
  // The pipeline's smallest size (64 px); the U-Net and VAE are convolutional, so the 16 px model
  // generates at any multiple of its latent factor.
  params.width = params.height = 64;
  params.sampler = "DDIM";
  params.previews = false;
  const auto result = generate(*bundle, params);
  ASSERT_EQ(result.images.size(), 1u);
  EXPECT_EQ(result.images[0].image.width, 64);
  EXPECT_EQ(result.images[0].image.height, 64);
  // The pooled text is the context's last position and reaches the U-Net as y.
  const auto cond = encodeBuiltinPrompt(*bundle, params.prompt);
  EXPECT_EQ(cond.pooled.defined(), config.pooledText);
  if (config.pooledText)
    EXPECT_TRUE(at::equal(cond.pooled, cond.context.select(1, config.tokens - 1)));
}

INSTANTIATE_TEST_SUITE_P(Pooled, ExportTest, ::testing::Bool());

// Warm-up, then constant or (lrFinal) a cosine to lrFinal that ends at --steps.
TEST(LearningRate, WarmupThenConstantOrCosineToTheFinalRate) {
  TrainOptions o;
  o.lr = 1e-3;
  o.warmup = 10;
  o.steps = 110;
  EXPECT_DOUBLE_EQ(learningRateAt(o, 0), 1e-4);  // step + 1 of 10
  EXPECT_DOUBLE_EQ(learningRateAt(o, 9), 1e-3);
  EXPECT_DOUBLE_EQ(learningRateAt(o, 100), 1e-3);  // constant by default
  o.lrFinal = 1e-4;
  EXPECT_DOUBLE_EQ(learningRateAt(o, 4), 5e-4);       // the warm-up is unchanged
  EXPECT_DOUBLE_EQ(learningRateAt(o, 10), 1e-3);      // decay starts where the warm-up ends
  EXPECT_NEAR(learningRateAt(o, 60), 5.5e-4, 1e-12);  // half way: the mean of the two
  EXPECT_NEAR(learningRateAt(o, 35), 1e-4 + 9e-4 * 0.5 * (1 + std::cos(M_PI / 4)), 1e-12);
  EXPECT_NEAR(learningRateAt(o, 110), 1e-4, 1e-12);
  EXPECT_NEAR(learningRateAt(o, 500), 1e-4, 1e-12);  // held after --steps (a longer resume)
  for (int64_t step = 11; step <= 110; ++step)
    EXPECT_LT(learningRateAt(o, step), learningRateAt(o, step - 1)) << step;
}

// Batches drawn by kind weight: each kind's share of the draws follows weight × its cache share,
// zero-weight kinds never come, and the names parse (unnamed kinds keep weight 1).
TEST(KindWeightedSampler, DrawsKindsInProportionToTheirWeights) {
  std::vector<Scene> scenes;
  std::array<double, kSceneKindCount> cached{};
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    scenes.push_back(sampleScene(seed));
    cached[static_cast<int>(scenes.back().kind)] += 1;
  }
  const auto weights = parseKindWeights("positional=3,counting=2,single=0");
  const std::array<double, kSceneKindCount> expected = {0, 1, 3, 2, 1};
  for (int k = 0; k < kSceneKindCount; ++k) EXPECT_EQ(weights[k], expected[k]) << k;

  const KindWeightedSampler sampler(scenes, weights);
  std::mt19937_64 rng(7);
  const int draws = 40000;
  std::array<double, kSceneKindCount> got{};
  for (int i = 0; i < draws; ++i) {
    const int64_t index = sampler.draw(rng);
    ASSERT_GE(index, 0);
    ASSERT_LT(index, int64_t(scenes.size()));
    got[static_cast<int>(scenes[std::size_t(index)].kind)] += 1;
  }
  double total = 0;
  for (int k = 0; k < kSceneKindCount; ++k) total += weights[k] * cached[k];
  EXPECT_EQ(got[static_cast<int>(SceneKind::Single)], 0);
  for (int k = 1; k < kSceneKindCount; ++k) {
    const double p = weights[k] * cached[k] / total;
    const double sd = std::sqrt(draws * p * (1 - p));
    EXPECT_NEAR(got[k], draws * p, 5 * sd) << sceneKindName(static_cast<SceneKind>(k));
  }

  EXPECT_THROW(parseKindWeights("positional"), std::invalid_argument);
  EXPECT_THROW(parseKindWeights("positional=-1"), std::invalid_argument);
  EXPECT_THROW(parseKindWeights("positional=2x"), std::invalid_argument);
  EXPECT_THROW(parseKindWeights("sideways=2"), std::invalid_argument);
  EXPECT_THROW(KindWeightedSampler(scenes, std::array<double, kSceneKindCount>{}),
               std::invalid_argument);
}

// The position map: absent from the JSON unless on; zero-initialised, so a U-Net with it starts as
// the same U-Net without it; once non-zero the output depends on where in the latent it is, at
// the map's own size and resized to another.
TEST(BuiltinModel, PositionMapStartsAsANoOpThenAddsPlace) {
  auto config = tinyConfig();
  EXPECT_FALSE(config.toJson().at("unet").contains("positional"));
  config.unetPositional = true;
  EXPECT_TRUE(BuiltinModelConfig::fromJson(config.toJson()).unetPositional);
  EXPECT_EQ(config.unetConfig().positionSide, 4);  // 16 px, VAE factor 4
  EXPECT_EQ(tinyConfig().unetConfig().positionSide, 0);

  UNet plain(tinyConfig().unetConfig()), placed(config.unetConfig());
  auto g1 = at::make_generator<at::CPUGeneratorImpl>(11);
  auto g2 = at::make_generator<at::CPUGeneratorImpl>(11);
  initParameters(*plain, g1);
  initParameters(*placed, g2, {"pos_emb."});  // same draws: pos_emb is set after the layers
  at::NoGradGuard noGrad;
  at::Tensor map = placed->named_parameters(false)["pos_emb"];  // shares the parameter
  EXPECT_EQ(map.abs().max().item<float>(), 0.0f);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(12);
  for (const int64_t side : {4, 6}) {
    const auto x = at::randn({2, 4, side, side}, gen);  // [B,C,h,w]
    const auto ctx = at::randn({2, 48, 32}, gen);       // [B,tokens,textWidth]
    const auto t = at::tensor({10.0f, 700.0f});
    EXPECT_TRUE(at::equal(plain->forward(x, t, ctx), placed->forward(x, t, ctx))) << side;
    map.copy_(at::randn(map.sizes(), gen));
    // What the map adds varies over the latent (not one bias everywhere).
    const auto d = placed->forward(x, t, ctx) - plain->forward(x, t, ctx);  // [2,4,side,side]
    EXPECT_EQ(d.sizes(), x.sizes());
    EXPECT_GT((d - d.mean(at::IntArrayRef{2, 3}, true)).abs().max().item<float>(), 1e-3) << side;
    map.zero_();
  }
}

// The x0 clamp gives the same clamped x0 whether the model predicts ε or v.
TEST(BuiltinModel, ClampPredictedX0ForEpsilonAndV) {
  const auto alphas = cosineAlphasCumprod(1000);
  const auto schedule = DiscreteSchedule::fromAlphasCumprod(alphas);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  const auto x0 = at::randn({2, 4, 3, 3}, gen) * 6.0;  // partly beyond ±4
  const auto noise = at::randn({2, 4, 3, 3}, gen);
  for (const int64_t step : {5, 400, 900}) {
    const double a = alphas[step].item<double>();
    const double sa = std::sqrt(a), s1 = std::sqrt(1.0 - a);
    const auto x = sa * x0 + s1 * noise;
    const auto t = at::full({2}, double(step));
    const ModelFn epsModel = [&](const at::Tensor&, const at::Tensor&) { return noise; };
    const ModelFn vModel = [&](const at::Tensor&, const at::Tensor&) {
      return sa * noise - s1 * x0;
    };
    const auto eps = clampPredictedX0(epsModel, schedule, 4.0, Prediction::Epsilon)(x, t);
    const auto v = clampPredictedX0(vModel, schedule, 4.0, Prediction::V)(x, t);
    const auto expected = x0.clamp(-4.0, 4.0);
    EXPECT_TRUE(at::allclose((x - s1 * eps) / sa, expected, 1e-3, 1e-3)) << step;
    EXPECT_TRUE(at::allclose(sa * x - s1 * v, expected, 1e-4, 1e-4)) << step;
    // Within the limit the wrapper changes nothing.
    const auto inside = clampPredictedX0(vModel, schedule, 100.0, Prediction::V)(x, t);
    EXPECT_TRUE(at::allclose(inside, sa * noise - s1 * x0, 1e-3, 1e-3)) << step;  // ÷√(1−ā)
  }
}

TEST(BuiltinModelConfig, JsonRoundTripAndBase64) {
  const auto c = tinyConfig();
  const auto back = BuiltinModelConfig::fromJson(c.toJson());
  EXPECT_EQ(back.toJson(), c.toJson());
  auto bad = c.toJson();
  bad["diffusion"]["schedule"] = "nope";
  EXPECT_THROW(BuiltinModelConfig::fromJson(bad), std::invalid_argument);
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64Decode(base64Encode(s)), s);
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_THROW(base64Decode("Zm9"), std::invalid_argument);
  // Cosine schedule: decreasing, in (0, 1).
  const auto a = cosineAlphasCumprod(1000);
  EXPECT_GT(a[0].item<float>(), 0.99f);
  EXPECT_LT(a[999].item<float>(), 1e-3f);
  EXPECT_TRUE((a.slice(0, 1) < a.slice(0, 0, 999)).all().item<bool>());
}

}  // namespace
}  // namespace lienzo::train
