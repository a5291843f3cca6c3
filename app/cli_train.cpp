#include "app/cli_train.h"

#include "app/cli_args.h"
#include "core/train/trainer.h"

#include <ATen/Parallel.h>
#include <c10/core/Device.h>
#include <torch/cuda.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace lienzo::cli {
namespace {

// Set by the signal handler (a signal handler can reach nothing else); read by the trainers
// through TrainOptions::stop.
std::atomic<bool> g_stopRequested{false};

extern "C" void onStopSignal(int) {
  g_stopRequested.store(true);
}

void usage() {
  std::cerr
      << "usage: lienzo train tokenizer|vae|diffusion|decoder|export|probe|all|bench --out DIR\n"
         "       [options]\n"
         "  common: --steps N --batch B --lr LR --seed S --resume --bf16 --threads T\n"
         "          --device cpu|cuda (diffusion stage) --ema D\n"
         "          --warmup N --lr-final LR (cosine decay to LR at --steps)\n"
         "          --log-every N --checkpoint-every N --config FILE\n"
         "  new folder: --prediction epsilon|v --pooled-text --positional (kept in\n"
         "              DIR/config.json; --positional: a learned position map in the U-Net)\n"
         "  tokenizer: --vocab N --corpus LINES   vae: --kl W\n"
         "  export: -o FILE --vae-from MODEL (MODEL's VAE; its encoder must be DIR's)\n"
         "  diffusion: --min-snr G --cache N --eval-every N --eval-count N --cfg C\n"
         "             --caption-dropout P --text-freeze STEPS --text-lr-scale S\n"
         "             --kind-weights KIND=W,... (single two_objects positional counting\n"
         "             colour_attribution; batches draw cached scenes by kind; others 1)\n"
         "             --position-lr-scale S (the --positional map's lr = lr × S)\n"
         "             --init MODEL (start from an exported model's weights)\n"
         "  decoder: --init MODEL -o FILE (MODEL's VAE decoder fine-tuned, encoder frozen)\n"
         "  probe: --count N (caption use of the checkpoint's EMA networks)\n"
         "  all: --vae-steps N (diffusion steps: --steps)\n";
}

BuiltinModelConfig defaultConfig(const Args& args) {
  BuiltinModelConfig config;
  if (const auto file = args.get("config")) {
    std::ifstream in(*file);
    if (!in) throw UsageError("cannot read --config " + *file);
    config = BuiltinModelConfig::fromJson(nlohmann::json::parse(in));
  }
  if (const auto v = args.getInt("vocab")) config.vocabSize = *v;
  if (args.has("pooled-text")) config.pooledText = true;
  if (args.has("positional")) config.unetPositional = true;
  if (const auto p = args.get("prediction")) {
    if (*p != "epsilon" && *p != "v") throw UsageError("--prediction must be epsilon or v");
    config.prediction = *p;
  }
  return config;
}

train::TrainOptions commonOptions(const Args& args, int64_t defaultSteps, double defaultLr) {
  train::TrainOptions o;
  o.steps = args.getInt("steps").value_or(defaultSteps);
  o.batch = args.getInt("batch").value_or(32);
  o.lr = args.getDouble("lr").value_or(defaultLr);
  o.seed = uint64_t(args.getInt("seed").value_or(1));
  o.threads = int(args.getInt("threads").value_or(0));
  o.bf16 = args.has("bf16");
  o.resume = args.has("resume");
  o.warmup = args.getInt("warmup").value_or(200);
  o.lrFinal = args.getDouble("lr-final").value_or(-1.0);
  if (args.has("lr-final") && !(o.lrFinal >= 0 && o.lrFinal <= o.lr))
    throw UsageError("--lr-final must be in [0, --lr]");
  o.logEvery = args.getInt("log-every").value_or(50);
  o.checkpointEvery = args.getInt("checkpoint-every").value_or(500);
  o.device = args.get("device").value_or("cpu");
  o.emaDecay = args.getDouble("ema").value_or(o.emaDecay);
  o.stop = &g_stopRequested;
  if (!(o.emaDecay >= 0 && o.emaDecay < 1)) throw UsageError("--ema must be in [0, 1)");
  try {
    const c10::Device device(o.device);
    if (device.is_cuda() && !torch::cuda::is_available())
      throw UsageError("--device " + o.device + ": this libtorch sees no CUDA device");
  } catch (const c10::Error&) {
    throw UsageError("--device " + o.device + ": not a device (cpu, cuda, cuda:N)");
  }
  if (o.steps < 1 || o.batch < 1 || !(o.lr > 0))
    throw UsageError("--steps, --batch, --lr must be positive");
  return o;
}

train::DiffusionOptions diffusionOptions(const Args& args) {
  train::DiffusionOptions d;
  d.minSnrGamma = args.getDouble("min-snr").value_or(d.minSnrGamma);
  d.cacheSize = args.getInt("cache").value_or(d.cacheSize);
  d.evalEvery = args.getInt("eval-every").value_or(d.evalEvery);
  d.evalCount = args.getInt("eval-count").value_or(d.evalCount);
  d.evalCfg = args.getDouble("cfg").value_or(d.evalCfg);
  d.captionDropout = args.getDouble("caption-dropout").value_or(d.captionDropout);
  d.textFreezeSteps = args.getInt("text-freeze").value_or(d.textFreezeSteps);
  d.textLrScale = args.getDouble("text-lr-scale").value_or(d.textLrScale);
  d.positionLrScale = args.getDouble("position-lr-scale").value_or(d.positionLrScale);
  if (const auto init = args.get("init")) d.initFrom = *init;
  if (const auto kinds = args.get("kind-weights")) {
    try {
      d.kindWeights = train::parseKindWeights(*kinds);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--kind-weights: ") + e.what());
    }
  }
  if (d.textFreezeSteps < 0 || !(d.textLrScale >= 0) || !(d.positionLrScale >= 0))
    throw UsageError("--text-freeze, --text-lr-scale and --position-lr-scale must not be negative");
  if (!(d.captionDropout >= 0 && d.captionDropout <= 1))
    throw UsageError("--caption-dropout must be in [0, 1]");
  return d;
}

// The decoder stage needs no folder config: everything but the decoder comes from --init.
int stageDecoder(const train::TrainPaths& paths, const Args& args) {
  const auto init = args.get("init");
  if (!init) throw UsageError("decoder: --init MODEL is required");
  auto options = commonOptions(args, 4000, 2e-4);
  if (options.device != "cpu")
    throw UsageError("the decoder stage trains on the CPU (no --device)");
  const std::filesystem::path output = args.get("output").value_or(paths.exported().string());
  const auto r = train::tuneDecoder(*init, options, paths, output);
  if (!r.finished)
    std::cerr << "[decoder] stopped at step " << r.steps << "; continue with --resume\n";
  return r.finished ? 0 : 1;
}

int stageTokenizer(const train::TrainPaths& paths, BuiltinModelConfig& config, const Args& args) {
  const auto report =
      train::trainTokenizer(paths, config, int(args.getInt("corpus").value_or(20000)),
                            uint64_t(args.getInt("seed").value_or(1)));
  std::cerr << "[tokenizer] " << paths.tokenizer().string() << ": " << report.vocabSize
            << " pieces, longest caption " << report.maxTokens << " tokens (model uses "
            << config.tokens << ")\n";
  return 0;
}

bool stageVae(const train::TrainPaths& paths, BuiltinModelConfig& config,
              const train::TrainOptions& options, const Args& args) {
  if (options.device != "cpu") throw UsageError("the VAE stage trains on the CPU (no --device)");
  const auto r = train::trainVae(config, options, args.getDouble("kl").value_or(1e-3), paths);
  if (!r.finished) {
    std::cerr << "[vae] stopped at step " << r.steps
              << " (checkpoint written; rerun with --resume)\n";
    return false;
  }
  config.scaleFactor = r.scaleFactor;
  train::saveConfig(paths, config);
  return true;
}

bool stageDiffusion(const train::TrainPaths& paths, const BuiltinModelConfig& config,
                    const train::TrainOptions& options, const Args& args) {
  const auto r = train::trainDiffusion(config, options, diffusionOptions(args), paths);
  if (!r.finished) {
    std::cerr << "[diffusion] stopped at step " << r.steps
              << " (checkpoint written; rerun with --resume)\n";
    return false;
  }
  return true;
}

int stageExport(const train::TrainPaths& paths, const BuiltinModelConfig& config,
                const Args& args) {
  const std::filesystem::path out = args.get("output", paths.exported().string());
  const auto bytes =
      train::exportModel(paths, config, out, args.get("vae-from").value_or(std::string()));
  std::cerr << "[export] " << out.string() << " (" << (bytes >> 10) << " KiB)\n";
  return 0;
}

int stageBench(const BuiltinModelConfig& config, const Args& args) {
  const int64_t batch = args.getInt("batch").value_or(32);
  const int steps = int(args.getInt("steps").value_or(5));
  for (const bool bf16 : {false, true}) {
    const auto t = train::benchmarkTrainingSteps(config, batch, bf16, steps);
    std::printf(
        "threads %d batch %lld %s: vae %.3f s/step (%lld params), text+unet %.3f s/step "
        "(unet %lld, text %lld params)\n",
        at::get_num_threads(), (long long)batch, bf16 ? "bf16" : "f32 ", t.vaeSeconds,
        (long long)t.vaeParams, t.diffusionSeconds, (long long)t.unetParams,
        (long long)t.textParams);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int runTrain(int argc, char** argv) {
  try {
    const Args args(argc, argv, {"out",          "steps",
                                 "batch",        "lr",
                                 "seed",         "threads",
                                 "warmup",       "lr-final",
                                 "log-every",    "checkpoint-every",
                                 "config",       "vocab",
                                 "corpus",       "kl",
                                 "min-snr",      "cache",
                                 "eval-every",   "eval-count",
                                 "cfg",          "vae-steps",
                                 "output",       "device",
                                 "ema",          "caption-dropout",
                                 "count",        "text-freeze",
                                 "prediction",   "text-lr-scale",
                                 "kind-weights", "position-lr-scale",
                                 "init",         "vae-from"},
                    {"resume", "bf16", "pooled-text", "positional"});
    if (args.positional().size() != 1) {
      usage();
      return 2;
    }
    const std::string stage = args.positional()[0];
    if (const auto t = args.getInt("threads"); t && *t > 0) at::set_num_threads(int(*t));
    if (stage == "bench") return stageBench(defaultConfig(args), args);
    const auto out = args.get("out");
    if (!out) throw UsageError("--out DIR is required");
    const train::TrainPaths paths{*out};
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    if (stage == "decoder") return stageDecoder(paths, args);
    auto config = train::loadOrCreateConfig(paths, defaultConfig(args));
    if (args.has("positional") && !config.unetPositional) {
      // An existing folder (e.g. tokenizer + VAE packed for a lent GPU) may add the position map
      // before its diffusion stage starts; a diffusion checkpoint without one cannot take it.
      if (train::hasCheckpoint(paths.diffusionCheckpoint()))
        throw UsageError("--positional: " + paths.diffusionCheckpoint().string() +
                         " was trained without the position map");
      config.unetPositional = true;
      train::saveConfig(paths, config);
    }

    if (stage == "tokenizer") return stageTokenizer(paths, config, args);
    if (stage == "vae")
      return stageVae(paths, config, commonOptions(args, 6000, 2e-3), args) ? 0 : 1;
    if (stage == "diffusion")
      return stageDiffusion(paths, config, commonOptions(args, 20000, 1e-3), args) ? 0 : 1;
    if (stage == "export") return stageExport(paths, config, args);
    if (stage == "probe") {
      const auto probe = train::probeCheckpoint(config, paths, args.getInt("count").value_or(256));
      std::printf("%s", probe.report().c_str());
      return 0;
    }
    if (stage == "all") {
      if (!std::filesystem::exists(paths.tokenizer())) stageTokenizer(paths, config, args);
      if (!std::filesystem::exists(paths.vaeWeights())) {
        auto vae = commonOptions(args, 6000, 2e-3);
        vae.steps = args.getInt("vae-steps").value_or(6000);
        vae.lr = 2e-3;
        if (!stageVae(paths, config, vae, args)) return 1;
      }
      if (!stageDiffusion(paths, config, commonOptions(args, 20000, 1e-3), args)) return 1;
      return stageExport(paths, config, args);
    }
    usage();
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "lienzo train: " << e.what() << "\n";
    usage();
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lienzo train: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace lienzo::cli
