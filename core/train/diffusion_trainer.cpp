#include "core/train/diffusion_trainer.h"

#include "core/io/safetensors.h"
#include "core/pipeline/builtin_model.h"
#include "core/text/sp_tokenizer.h"
#include "core/train/evaluator.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lienzo::train {

namespace {

// Zero-initialised: each ResBlock's and transformer's last projection, the output conv, and the
// position map (a U-Net with it then starts as one without).
const std::vector<std::string> kUnetZeroPaths = {"out_layers.3.", "proj_out.", "out.2.",
                                                 "pos_emb."};

void writeGrid(const at::Tensor& images, const std::filesystem::path& file, int64_t columns) {
  const int64_t n = std::min<int64_t>(images.size(0), columns * 4);
  const int64_t side = images.size(2);
  const int64_t rows = (n + columns - 1) / columns;
  auto grid = at::ones({3, rows * side, columns * side}, at::kFloat);  // white gaps
  for (int64_t i = 0; i < n; ++i)
    grid.narrow(1, (i / columns) * side, side)
        .narrow(2, (i % columns) * side, side)
        .copy_(images[i]);
  std::filesystem::create_directories(file.parent_path());
  const auto bytes = encodePpm(tensorToImage(grid));
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

/// The x0 a network output implies at ā (a double or a broadcastable tensor):
/// ε: (x − √(1−ā)·out)/√ā; v: √ā·x − √(1−ā)·out (v = √ā·ε − √(1−ā)·x0).
template <typename A>
at::Tensor predictedX0(const at::Tensor& out, const at::Tensor& x, const A& abar, bool v) {
  using std::sqrt;
  return v ? sqrt(abar) * x - sqrt(1.0 - abar) * out : (x - sqrt(1.0 - abar) * out) / sqrt(abar);
}

}  // namespace

at::Tensor sampleImages(UNet& unet, ClipTextModel& text, AutoencoderKL& vae,
                        const SpTokenizer& tokenizer, const BuiltinModelConfig& config,
                        const std::vector<std::string>& captions, double cfg, int64_t steps,
                        uint64_t seed) {
  at::NoGradGuard noGrad;
  const int64_t b = int64_t(captions.size());
  const int64_t h = config.latentSize();
  const c10::Device device = unet->parameters().front().device();  // networks' device
  const auto alphas = config.alphasCumprod().to(at::kDouble);      // [T]
  const auto cond =
      text->forward(tokenize(tokenizer, captions, config.tokens).to(device)).lastHiddenState;
  const auto uncond = text->forward(tokenize(tokenizer, {std::string()}, config.tokens).to(device))
                          .lastHiddenState.expand({b, -1, -1});
  const auto context = at::cat({uncond, cond}, 0);  // [2B,N,W]
  const auto y = config.pooled(context);            // [2B,W] or undefined
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  // [B,C,h,w] x_T from the CPU generator (same noise on every device)
  auto x = at::randn({b, config.latentChannels, h, h}, gen, at::kFloat).to(device);
  // Timesteps T-1 → 0 evenly (k-diffusion "Uniform" spacing), DDIM η = 0.
  std::vector<int64_t> ts;
  for (int64_t i = 0; i < steps; ++i)
    ts.push_back(
        int64_t(std::llround(double(config.timesteps - 1) * (1.0 - double(i) / double(steps)))));
  const double limit = config.x0Clamp;
  const bool v = config.prediction == "v";
  for (int64_t i = 0; i < steps; ++i) {
    const double a = alphas[ts[i]].item<double>();
    const double aPrev = i + 1 < steps ? alphas[ts[i + 1]].item<double>() : 1.0;
    const auto t = at::full({2 * b}, double(ts[i]), at::TensorOptions().device(device));
    const auto out = unet->forward(at::cat({x, x}, 0), t, context, y).to(at::kFloat);  // [2B,C,h,w]
    const auto u = out.narrow(0, 0, b), c = out.narrow(0, b, b);
    const auto guided = u + (c - u) * cfg;  // ε or v
    // v = √ā·ε − √(1−ā)·x0 ⇒ ε = √(1−ā)·x + √ā·v
    auto eps = v ? std::sqrt(1.0 - a) * x + std::sqrt(a) * guided : guided;
    auto x0 = predictedX0(guided, x, a, v);
    if (limit > 0) {
      x0 = x0.clamp(-limit, limit);
      eps = (x - std::sqrt(a) * x0) / std::sqrt(1.0 - a);
    }
    x = std::sqrt(aPrev) * x0 + std::sqrt(1.0 - aPrev) * eps;
  }
  return vae->decode(x / config.scaleFactor).to(at::kCPU, at::kFloat);  // [B,3,S,S]
}

std::string CaptionProbe::report() const {
  std::string out;
  char line[160];
  for (const auto& b : bands) {
    std::snprintf(line, sizeof line,
                  "  t %4lld-%4lld  x0 mse matched %.4f shuffled %.4f empty %.4f  gain %+.3f\n",
                  (long long)b.tBegin, (long long)b.tEnd - 1, b.matched, b.shuffled, b.empty,
                  b.gain());
    out += line;
  }
  return out;
}

CaptionProbe probeCaptionUse(UNet& unet, ClipTextModel& text, AutoencoderKL& vae,
                             const SpTokenizer& tokenizer, const BuiltinModelConfig& config,
                             int64_t count, int64_t bands, uint64_t seed) {
  at::NoGradGuard noGrad;
  if (count < 2 || bands < 1) throw std::invalid_argument("probe: count >= 2, bands >= 1");
  const c10::Device device = unet->parameters().front().device();
  const auto alphas = config.alphasCumprod();  // [T] float32
  const bool v = config.prediction == "v";
  std::mt19937_64 rng(seed);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<Scene> scenes;
  std::vector<std::string> captions;
  for (int64_t i = 0; i < count; ++i) {
    scenes.push_back(sampleScene(heldOutSeed(i)));
    captions.push_back(caption(scenes.back(), i % 2 ? Language::Spanish : Language::English, rng));
  }
  std::vector<std::string> shuffled(captions.begin() + 1, captions.end());
  shuffled.push_back(captions.front());  // scene i gets scene i+1's caption
  const std::vector<std::string> empty(static_cast<std::size_t>(count));
  // Per chunk of ≤ 64 scenes, once for every band: latents and the three contexts.
  struct Chunk {
    int64_t n = 0;
    at::Tensor x0;                      // [n,C,h,w] diffusion space
    std::array<at::Tensor, 3> context;  // matched, shuffled, empty: [n,N,W]
  };
  std::vector<Chunk> chunks;
  for (int64_t done = 0; done < count; done += 64) {
    Chunk c;
    c.n = std::min<int64_t>(64, count - done);
    const std::vector<Scene> part(scenes.begin() + done, scenes.begin() + done + c.n);
    c.x0 =
        vae->encode(renderBatch(part, int(config.imageSize)).to(device)).mean * config.scaleFactor;
    const std::array<const std::vector<std::string>*, 3> sets{&captions, &shuffled, &empty};
    for (std::size_t s = 0; s < sets.size(); ++s) {
      const std::vector<std::string> texts(sets[s]->begin() + done, sets[s]->begin() + done + c.n);
      c.context[s] =
          text->forward(tokenize(tokenizer, texts, config.tokens).to(device)).lastHiddenState;
    }
    chunks.push_back(std::move(c));
  }
  CaptionProbe probe;
  for (int64_t k = 0; k < bands; ++k) {
    CaptionProbe::Band band;
    band.tBegin = config.timesteps * k / bands;
    band.tEnd = config.timesteps * (k + 1) / bands;
    for (const Chunk& c : chunks) {
      const int64_t n = c.n;
      const auto t = at::randint(band.tBegin, band.tEnd, {n}, gen, at::kLong);  // [n]
      const auto noise = at::randn(c.x0.sizes(), gen, at::kFloat).to(device);
      const auto abar = alphas.index_select(0, t).view({n, 1, 1, 1}).to(device);
      const auto xt = abar.sqrt() * c.x0 + (1.0 - abar).sqrt() * noise;
      std::array<double, 3> mse{};
      for (std::size_t s = 0; s < mse.size(); ++s) {
        const auto& ctx = c.context[s];
        const auto pred =
            unet->forward(xt, t.to(device, at::kFloat), ctx, config.pooled(ctx)).to(at::kFloat);
        mse[s] = (predictedX0(pred, xt, abar, v) - c.x0).pow(2).mean().item<double>() * double(n) /
                 double(count);
      }
      band.matched += mse[0];
      band.shuffled += mse[1];
      band.empty += mse[2];
    }
    probe.bands.push_back(band);
  }
  return probe;
}

CaptionProbe probeCheckpoint(const BuiltinModelConfig& config, const TrainPaths& paths,
                             int64_t count) {
  const SpTokenizer tokenizer = SpTokenizer::fromFile(paths.tokenizer());
  const SafetensorsFile vaeFile = SafetensorsFile::open(paths.vaeWeights());
  const SafetensorsFile state =
      SafetensorsFile::open(paths.diffusionCheckpoint() / "state.safetensors");
  AutoencoderKL vae(config.vaeConfig());
  UNet unet(config.unetConfig());
  ClipTextModel text(config.textConfig());
  loadModuleWeights(*vae, vaeFile, "first_stage_model.", at::kFloat);
  loadModuleWeights(*unet, state, "ema.unet.", at::kFloat);
  loadModuleWeights(*text, state, "ema.text.", at::kFloat);
  vae->eval();
  unet->eval();
  text->eval();
  return probeCaptionUse(unet, text, vae, tokenizer, config, count);
}

EvalSummary evaluateNetworks(UNet& unet, ClipTextModel& text, AutoencoderKL& vae,
                             const SpTokenizer& tokenizer, const BuiltinModelConfig& config,
                             int64_t count, double cfg, int64_t steps,
                             const std::filesystem::path& grid) {
  EvalSummary summary;
  std::vector<at::Tensor> firstImages;
  for (const Language lang : {Language::English, Language::Spanish}) {
    EvalScorer scorer;
    std::mt19937_64 rng(lang == Language::English ? 11 : 12);
    for (int64_t done = 0; done < count;) {
      const int64_t n = std::min<int64_t>(32, count - done);
      std::vector<Scene> scenes;
      std::vector<std::string> captions;
      for (int64_t i = 0; i < n; ++i) {
        scenes.push_back(sampleScene(heldOutSeed(done + i)));
        captions.push_back(caption(scenes.back(), lang, rng));
      }
      const auto images = sampleImages(unet, text, vae, tokenizer, config, captions, cfg, steps,
                                       1000 + uint64_t(done));
      for (int64_t i = 0; i < n; ++i) scorer.add(evaluate(tensorToImage(images[i]), scenes[i]));
      if (done == 0) firstImages.push_back(images.narrow(0, 0, std::min<int64_t>(n, 16)));
      done += n;
    }
    (lang == Language::English ? summary.overallEnglish : summary.overallSpanish) =
        scorer.overall();
    (lang == Language::English ? summary.reportEnglish : summary.reportSpanish) = scorer.report();
  }
  if (!grid.empty()) writeGrid(at::cat(firstImages, 0), grid, 8);
  return summary;
}

namespace {

/// Copies the U-Net and text-encoder weights of the exported model `file` into the freshly
/// initialised networks (DiffusionOptions::initFrom); returns the model's training steps.
int64_t loadInitWeights(const std::filesystem::path& file, const BuiltinModelConfig& config,
                        UNet& unet, ClipTextModel& text) {
  const SafetensorsFile model = SafetensorsFile::open(file);
  auto theirs = readBuiltinConfig(model).toJson();  // invalid_argument: not a built-in model
  auto ours = config.toJson();
  // A model without the position map may start a run with one (the map starts at zero).
  const bool addsPositions = config.unetPositional && !theirs["unet"].value("positional", false);
  if (addsPositions) ours["unet"].erase("positional");
  for (const char* part : {"unet", "text"})
    if (theirs.at(part) != ours.at(part))
      throw std::runtime_error(file.string() + ": its " + part + " (" + theirs.at(part).dump() +
                               ") differs from this run's (" + ours.at(part).dump() + ")");
  if (theirs.at("diffusion").value("prediction", "") !=
      ours.at("diffusion").value("prediction", ""))
    throw std::runtime_error(file.string() + ": trained for another prediction target");
  copyParameters(*unet, model, "model.diffusion_model.",
                 addsPositions ? std::vector<std::string>{"pos_emb"} : std::vector<std::string>{});
  copyParameters(*text, model, "text_model.");
  int64_t steps = 0;
  if (const auto s = model.metadata().find("lienzo.training_steps"); s != model.metadata().end())
    steps = std::strtoll(s->second.c_str(), nullptr, 10);
  return steps;
}

}  // namespace

DiffusionTrainResult trainDiffusion(const BuiltinModelConfig& config, const TrainOptions& options,
                                    const DiffusionOptions& diffusion, const TrainPaths& paths) {
  const SpTokenizer tokenizer = SpTokenizer::fromFile(paths.tokenizer());
  if (tokenizer.vocabSize() > config.vocabSize)
    throw std::runtime_error("tokenizer vocabulary (" + std::to_string(tokenizer.vocabSize()) +
                             ") exceeds the text encoder's (" + std::to_string(config.vocabSize) +
                             ")");
  const SafetensorsFile vaeFile = SafetensorsFile::open(paths.vaeWeights());
  const c10::Device device(options.device);
  AutoencoderKL vae(config.vaeConfig());
  loadModuleWeights(*vae, vaeFile, "first_stage_model.", at::kFloat);
  vae->eval();
  vae->to(device);

  // Latent cache (VAE means of fixed training scenes), built once.
  LatentCache cache;
  if (std::filesystem::exists(paths.latents())) {
    cache = LatentCache::load(paths.latents());
  }
  if (cache.seeds.size() != std::size_t(diffusion.cacheSize)) {
    std::fprintf(stderr, "[diffusion] encoding %lld scenes into the latent cache\n",
                 (long long)diffusion.cacheSize);
    at::NoGradGuard noGrad;
    cache = LatentCache::build(
        diffusion.cacheSize, options.seed ^ 0x5EED5EEDull, int(config.imageSize), 256,
        [&](const at::Tensor& x) { return vae->encode(x.to(device)).mean.cpu(); },
        [](int64_t done, int64_t total) {
          if (done % 5120 == 0 || done == total)
            std::fprintf(stderr, "[diffusion] latent cache %lld/%lld\n", (long long)done,
                         (long long)total);
        });
    cache.save(paths.latents());
  }
  const auto latents =
      (cache.latents * config.scaleFactor).to(device);  // [N,C,h,w] diffusion space
  const int64_t n = latents.size(0);
  std::optional<KindWeightedSampler> sampler;
  if (diffusion.kindWeights) {
    sampler.emplace(cache.scenes, *diffusion.kindWeights);
    std::string line;
    for (int k = 0; k < kSceneKindCount; ++k)
      line += std::string(k ? "," : "") + sceneKindName(static_cast<SceneKind>(k)) + "=" +
              std::to_string((*diffusion.kindWeights)[std::size_t(k)]);
    std::fprintf(stderr, "[diffusion] scene kind weights %s\n", line.c_str());
  }

  TrainState state;
  state.rng.seed(options.seed);
  state.gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  ClipTextModel text(config.textConfig());
  UNet unet(config.unetConfig());
  initParameters(*text, state.gen);
  initParameters(*unet, state.gen, kUnetZeroPaths);
  const bool resuming = options.resume && hasCheckpoint(paths.diffusionCheckpoint());
  if (!diffusion.initFrom.empty() && !resuming) {
    state.extra["init_steps"] = loadInitWeights(diffusion.initFrom, config, unet, text);
    state.extra["init_from"] = diffusion.initFrom.filename().string();
    std::fprintf(stderr, "[diffusion] starting from %s (%lld steps)\n",
                 diffusion.initFrom.string().c_str(),
                 (long long)state.extra["init_steps"].get<int64_t>());
  }
  text->to(device);  // initialised on the CPU (same weights on every device), trained on `device`
  unet->to(device);
  // Parameter groups with their own learning rates: U-Net, text encoder and, for a U-Net with a
  // position map, the map; the checkpoint's AdamW moments are indexed over them in this order.
  std::vector<at::Tensor> unetParams, positionParams;
  for (const auto& p : unet->named_parameters(true))
    (p.key() == "pos_emb" ? positionParams : unetParams).push_back(p.value());
  const std::vector<at::Tensor> textParams = text->parameters();
  std::vector<at::Tensor> params = unet->parameters();  // all, for the gradient-norm clip
  params.insert(params.end(), textParams.begin(), textParams.end());
  const auto adamOptions = torch::optim::AdamWOptions(options.lr).weight_decay(options.weightDecay);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto addGroup = [&](const std::vector<at::Tensor>& group) {
    groups.emplace_back(group, std::make_unique<torch::optim::AdamWOptions>(adamOptions));
  };
  addGroup(unetParams);
  addGroup(textParams);
  if (!positionParams.empty()) addGroup(positionParams);
  torch::optim::AdamW optimizer(std::move(groups), adamOptions);
  Ema emaUnet(*unet, options.emaDecay), emaText(*text, options.emaDecay);
  const std::vector<std::pair<std::string, torch::nn::Module*>> modules = {
      {"unet.", unet.ptr().get()}, {"text.", text.ptr().get()}};
  if (resuming) {
    loadCheckpoint(paths.diffusionCheckpoint(), "diffusion", modules,
                   {{"unet.", &emaUnet}, {"text.", &emaText}}, optimizer, state);
    std::fprintf(stderr, "[diffusion] resumed at step %lld\n", (long long)state.step);
  }
  unet->train();
  text->train();

  const auto alphas = config.alphasCumprod();  // [T] float32
  const bool v = config.prediction == "v";
  DiffusionTrainResult result;
  double running = state.extra.value("running_loss", 0.0);
  Progress progress("diffusion", state.step, options.steps);
  auto checkpoint = [&] {
    state.extra["running_loss"] = running;
    saveCheckpoint(paths.diffusionCheckpoint(), "diffusion", modules,
                   {{"unet.", &emaUnet}, {"text.", &emaText}}, optimizer, state);
  };
  auto runEval = [&] {
    // Evaluate the EMA weights on copies so training state is untouched.
    UNet evalUnet(config.unetConfig());
    ClipTextModel evalText(config.textConfig());
    evalUnet->to(device);
    evalText->to(device);
    emaUnet.copyTo(*evalUnet);
    emaText.copyTo(*evalText);
    evalUnet->eval();
    evalText->eval();
    const auto summary = evaluateNetworks(
        evalUnet, evalText, vae, tokenizer, config, diffusion.evalCount, diffusion.evalCfg,
        diffusion.evalSteps, paths.samples() / ("step_" + std::to_string(state.step) + ".ppm"));
    const auto probe = probeCaptionUse(evalUnet, evalText, vae, tokenizer, config, 128);
    std::fprintf(stderr, "[diffusion] eval step %lld: overall en %.3f es %.3f\n%s%s%s",
                 (long long)state.step, summary.overallEnglish, summary.overallSpanish,
                 summary.reportEnglish.c_str(), summary.reportSpanish.c_str(),
                 probe.report().c_str());
    nlohmann::json gains = nlohmann::json::array();
    for (const auto& b : probe.bands) gains.push_back(b.gain());
    std::ofstream(paths.root / "eval.jsonl", std::ios::app)
        << nlohmann::json{{"step", state.step},
                          {"en", summary.overallEnglish},
                          {"es", summary.overallSpanish},
                          {"loss", running},
                          {"caption_gain", gains}}
               .dump()
        << "\n";
    result.eval = summary;
  };

  while (state.step < options.steps) {
    if (options.stop && options.stop->load()) break;
    const int64_t b = options.batch;
    auto index = at::empty({b}, at::kLong);
    std::vector<Scene> scenes;
    for (int64_t i = 0; i < b; ++i) {
      const int64_t k = sampler ? sampler->draw(state.rng) : uniformInt(state.rng, 0, int(n - 1));
      index.data_ptr<int64_t>()[i] = k;
      scenes.push_back(cache.scenes[std::size_t(k)]);
    }
    const auto ids =
        tokenize(tokenizer, sampleCaptions(scenes, state.rng, diffusion.captionDropout),
                 config.tokens)
            .to(device);                                        // [B,N]
    const auto x0 = latents.index_select(0, index.to(device));  // [B,C,h,w]
    // Timesteps and noise come from the CPU generator: the same run on every device.
    const auto t = at::randint(0, config.timesteps, {b}, state.gen, at::kLong);  // [B]
    const auto noise = at::randn(x0.sizes(), state.gen, at::kFloat).to(device);  // [B,C,h,w]
    const auto abar = alphas.index_select(0, t).view({b, 1, 1, 1}).to(device);   // [B,1,1,1]
    const auto xt = abar.sqrt() * x0 + (1.0 - abar).sqrt() * noise;

    const double lr = learningRateAt(options, state.step);
    setLearningRate(optimizer, lr);
    // lr 0 also stops AdamW's decoupled weight decay: a frozen encoder stays exactly as it is.
    static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[1].options())
        .lr(state.step < diffusion.textFreezeSteps ? 0.0 : lr * diffusion.textLrScale);
    if (!positionParams.empty())
      static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[2].options())
          .lr(lr * diffusion.positionLrScale);
    optimizer.zero_grad();
    at::Tensor loss;
    {
      AutocastScope autocast(options.bf16, device.type());
      const auto context = text->forward(ids).lastHiddenState;  // [B,N,W]
      const auto pred = unet->forward(xt, t.to(device, at::kFloat), context, config.pooled(context))
                            .to(at::kFloat);  // [B,C,h,w]
      // ε target: the noise; v target: √ā·ε − √(1−ā)·x0 (Salimans & Ho 2022).
      const auto target = v ? abar.sqrt() * noise - (1.0 - abar).sqrt() * x0 : noise;
      auto perSample = (pred - target).pow(2).mean({1, 2, 3});  // [B]
      if (diffusion.minSnrGamma > 0) {
        // Loss in x0 terms: ε-MSE = SNR·x0-MSE, v-MSE = (1+SNR)·x0-MSE. Min-SNR-γ caps the
        // x0 weight at γ: min(SNR, γ) for ε, min(1+SNR, γ) for v (which keeps weight ≥ 1 at
        // high noise, where the caption decides the picture).
        const auto snr = (abar / (1.0 - abar)).view({b});
        const auto scale = v ? snr + 1.0 : snr;
        perSample = perSample * (scale.clamp_max(diffusion.minSnrGamma) / scale);
      }
      loss = perSample.mean();
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, options.gradClip);
    optimizer.step();
    emaUnet.update(*unet, state.step);
    emaText.update(*text, state.step);
    ++state.step;
    const double l = loss.item<double>();
    if (result.firstLoss == 0.0) result.firstLoss = l;
    afterStep(options, state.step, l, lr, running, progress, checkpoint);
    if (diffusion.evalEvery > 0 && state.step % diffusion.evalEvery == 0) {
      runEval();  // uses its own generators: the run stays identical with or without evals
    }
  }
  checkpoint();
  result.steps = state.step;
  result.finished = state.step >= options.steps;
  result.loss = running;
  return result;
}

}  // namespace lienzo::train
