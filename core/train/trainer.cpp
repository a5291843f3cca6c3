#include "core/train/trainer.h"

#include "core/io/safetensors.h"
#include "core/text/sp_tokenizer.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

namespace lienzo::train {

BuiltinModelConfig loadOrCreateConfig(const TrainPaths& paths, const BuiltinModelConfig& defaults) {
  if (!std::filesystem::exists(paths.config())) {
    saveConfig(paths, defaults);
    return defaults;
  }
  std::ifstream in(paths.config());
  try {
    return BuiltinModelConfig::fromJson(nlohmann::json::parse(in));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(paths.config().string() + ": " + e.what());
  }
}

void saveConfig(const TrainPaths& paths, const BuiltinModelConfig& config) {
  std::filesystem::create_directories(paths.root);
  const auto tmp = paths.config().string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << config.toJson().dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, paths.config());
}

TokenizerReport trainTokenizer(const TrainPaths& paths, BuiltinModelConfig& config, int corpusLines,
                               uint64_t seed) {
  std::filesystem::create_directories(paths.root);
  const auto corpus = captionCorpus(seed, corpusLines);
  SpTrainOptions options;
  options.vocabSize = int(config.vocabSize);
  options.modelType = SpModelType::Unigram;
  options.hardVocabLimit = false;
  options.numThreads = 1;
  trainSentencePiece(corpus, options, paths.tokenizer());
  const SpTokenizer tokenizer = SpTokenizer::fromFile(paths.tokenizer());
  TokenizerReport report;
  report.vocabSize = tokenizer.vocabSize();
  for (const auto& line : corpus)
    report.maxTokens = std::max(report.maxTokens, int(tokenizer.encode(line).size()) + 1);
  config.vocabSize = report.vocabSize;
  saveConfig(paths, config);
  return report;
}

uint64_t exportModel(const TrainPaths& paths, const BuiltinModelConfig& config,
                     const std::filesystem::path& output, const std::filesystem::path& vaeFrom) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  // VAE weights as trained, or another file's with the same encoder.
  const SafetensorsFile vaeFile = SafetensorsFile::open(paths.vaeWeights());
  const std::string vaePrefix = "first_stage_model.";
  std::optional<SafetensorsFile> other;
  if (!vaeFrom.empty()) {
    other = SafetensorsFile::open(vaeFrom);
    for (const auto& name : vaeFile.names()) {
      if (name.rfind(vaePrefix, 0) != 0 || isDecoderParameter(name.substr(vaePrefix.size())))
        continue;
      if (!other->contains(name) ||
          !at::equal(other->load(name, at::kFloat), vaeFile.load(name, at::kFloat)))
        throw std::runtime_error(vaeFrom.string() + ": " + name + " differs from " +
                                 paths.vaeWeights().string() +
                                 " (the encoder that made the latents)");
    }
  }
  const SafetensorsFile& vaeSource = other ? *other : vaeFile;
  for (const auto& name : vaeSource.names())
    if (name.rfind(vaePrefix, 0) == 0)
      tensors.emplace_back(name, vaeSource.load(name, at::kFloat).clone());
  // EMA weights of the U-Net and the text encoder.
  const auto state = paths.diffusionCheckpoint() / "state.safetensors";
  const SafetensorsFile ckpt = SafetensorsFile::open(state);
  std::size_t unetCount = 0, textCount = 0;
  for (const auto& name : ckpt.names()) {
    if (name.rfind("ema.unet.", 0) == 0) {
      tensors.emplace_back("model.diffusion_model." + name.substr(9),
                           ckpt.load(name, at::kFloat).clone());
      ++unetCount;
    } else if (name.rfind("ema.text.", 0) == 0) {
      tensors.emplace_back("text_model." + name.substr(9), ckpt.load(name, at::kFloat).clone());
      ++textCount;
    }
  }
  if (unetCount == 0 || textCount == 0)
    throw std::runtime_error(state.string() + ": no EMA weights (run the diffusion stage first)");
  tensors.emplace_back("alphas_cumprod", config.alphasCumprod());

  std::ifstream in(paths.tokenizer(), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + paths.tokenizer().string());
  const std::string spBytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BuiltinModelConfig exported = config;
  exported.tokenizerFile = paths.tokenizer().filename().string();
  std::string steps = "0";
  if (const auto it = ckpt.metadata().find("state"); it != ckpt.metadata().end()) {
    const auto meta = nlohmann::json::parse(it->second);  // steps of an --init model included
    steps = std::to_string(
        meta.value("step", int64_t(0)) +
        meta.value("extra", nlohmann::json::object()).value("init_steps", int64_t(0)));
  }
  std::filesystem::create_directories(std::filesystem::absolute(output).parent_path());
  writeSafetensors(output, tensors,
                   {{kBuiltinConfigKey, exported.toJson().dump()},
                    {kBuiltinTokenizerKey, base64Encode(spBytes)},
                    {"lienzo.training_steps", steps},
                    {"modelspec.title", "Lienzo built-in"}});
  return std::filesystem::file_size(output);
}

namespace {

int64_t countParams(const torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

template <typename Fn>
double medianSeconds(int steps, Fn&& fn) {
  std::vector<double> times;
  for (int i = 0; i < steps + 2; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= 2) times.push_back(s);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

StepTiming benchmarkTrainingSteps(const BuiltinModelConfig& config, int64_t batch, bool bf16,
                                  int steps) {
  StepTiming timing;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  {
    AutoencoderKL vae(config.vaeConfig());
    initParameters(*vae, gen);
    timing.vaeParams = countParams(*vae);
    torch::optim::AdamW opt(vae->parameters(), torch::optim::AdamWOptions(1e-4));
    std::mt19937_64 rng(3);
    std::vector<Scene> scenes;
    for (int64_t i = 0; i < batch; ++i) scenes.push_back(sampleScene(trainingSeed(rng)));
    const auto x = renderBatch(scenes, int(config.imageSize));  // [B,3,S,S]
    timing.vaeSeconds = medianSeconds(steps, [&] {
      opt.zero_grad();
      at::Tensor loss;
      {
        AutocastScope autocast(bf16);
        const auto d = VaeLatentDistribution::fromMoments(vae->encodeMoments(x).to(at::kFloat));
        loss = (vae->decode(d.sample(at::randn(d.mean.sizes(), gen))).to(at::kFloat) - x)
                   .pow(2)
                   .mean();
      }
      loss.backward();
      opt.step();
    });
  }
  {
    ClipTextModel text(config.textConfig());
    UNet unet(config.unetConfig());
    initParameters(*text, gen);
    initParameters(*unet, gen);
    timing.unetParams = countParams(*unet);
    timing.textParams = countParams(*text);
    auto params = unet->parameters();
    for (const auto& p : text->parameters()) params.push_back(p);
    torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-4));
    const int64_t h = config.latentSize();
    const auto x = at::randn({batch, config.latentChannels, h, h}, gen);
    const auto ids = at::randint(0, config.vocabSize, {batch, config.tokens}, gen, at::kLong);
    const auto t = at::randint(0, config.timesteps, {batch}, gen, at::kLong).to(at::kFloat);
    timing.diffusionSeconds = medianSeconds(steps, [&] {
      opt.zero_grad();
      at::Tensor loss;
      {
        AutocastScope autocast(bf16);
        const auto ctx = text->forward(ids).lastHiddenState;
        loss = (unet->forward(x, t, ctx, config.pooled(ctx)).to(at::kFloat) - x).pow(2).mean();
      }
      loss.backward();
      opt.step();
    });
  }
  return timing;
}

}  // namespace lienzo::train
