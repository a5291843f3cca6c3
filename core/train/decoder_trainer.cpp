#include "core/train/decoder_trainer.h"

#include "core/io/safetensors.h"
#include "core/pipeline/builtin_model.h"
#include "core/train/vae_trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <cmath>

namespace lienzo::train {

namespace {
const std::string kVaePrefix = "first_stage_model.";  // the VAE's tensors in a model file
}  // namespace

bool isDecoderParameter(const std::string& name) {
  return name.rfind("decoder.", 0) == 0 || name.rfind("post_quant_conv.", 0) == 0;
}

DecoderTuneResult tuneDecoder(const std::filesystem::path& model, const TrainOptions& options,
                              const TrainPaths& paths, const std::filesystem::path& output) {
  const SafetensorsFile file = SafetensorsFile::open(model);
  const BuiltinModelConfig config = readBuiltinConfig(file);  // invalid_argument: not built-in
  const int side = int(config.imageSize);
  TrainState state;
  state.rng.seed(options.seed);
  state.gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);

  AutoencoderKL vae(config.vaeConfig());
  copyParameters(*vae, file, kVaePrefix);
  std::vector<at::Tensor> tuned;
  for (auto& p : vae->named_parameters(true)) {
    const bool train = isDecoderParameter(p.key());
    p.value().set_requires_grad(train);
    if (train) tuned.push_back(p.value());
  }
  torch::optim::AdamW optimizer(
      tuned, torch::optim::AdamWOptions(options.lr).weight_decay(options.weightDecay));
  Ema ema(*vae, options.emaDecay);  // the frozen encoder's averages equal its weights
  const std::vector<std::pair<std::string, torch::nn::Module*>> modules{{"vae.", vae.ptr().get()}};
  if (options.resume && hasCheckpoint(paths.decoderCheckpoint())) {
    loadCheckpoint(paths.decoderCheckpoint(), "decoder", modules, {{"vae.", &ema}}, optimizer,
                   state);
    std::fprintf(stderr, "[decoder] resumed at step %lld\n", (long long)state.step);
  }
  vae->train();

  DecoderTuneResult result;
  double running = state.extra.value("running_loss", 0.0);
  Progress progress("decoder", state.step, options.steps);
  auto checkpoint = [&] {
    state.extra["running_loss"] = running;
    saveCheckpoint(paths.decoderCheckpoint(), "decoder", modules, {{"vae.", &ema}}, optimizer,
                   state);
  };
  while (state.step < options.steps) {
    if (options.stop && options.stop->load()) break;
    const auto x = renderTrainingBatch(state.rng, options.batch, side);  // [B,3,S,S] in [-1,1]
    const double lr = learningRateAt(options, state.step);
    setLearningRate(optimizer, lr);
    optimizer.zero_grad();
    at::Tensor loss;
    {
      AutocastScope autocast(options.bf16);
      at::Tensor z;  // [B,C,h,w]: a posterior sample, as in the first-stage training
      {
        at::NoGradGuard noGrad;
        const auto dist = VaeLatentDistribution::fromMoments(vae->encodeMoments(x).to(at::kFloat));
        z = dist.sample(at::randn(dist.mean.sizes(), state.gen, at::kFloat));
      }
      const auto y = vae->decode(z).to(at::kFloat);  // [B,3,S,S]
      loss = (y - x).pow(2).mean();
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(tuned, options.gradClip);
    optimizer.step();
    ++state.step;
    ema.update(*vae, state.step);
    afterStep(options, state.step, loss.item<double>(), lr, running, progress, checkpoint,
              psnrNote);
  }
  checkpoint();
  result.steps = state.step;
  result.loss = running;
  result.finished = state.step >= options.steps;
  if (!result.finished) return result;

  // Held-out PSNR of the file's VAE, then of the EMA weights that are written.
  vae->eval();
  AutoencoderKL before(config.vaeConfig());
  copyParameters(*before, file, kVaePrefix);
  before->eval();
  result.psnrBefore = measureVae(before, side, 256).first;
  ema.copyTo(*vae);
  result.psnrAfter = measureVae(vae, side, 256).first;

  // The file's tensors in its order, the decoder's from the EMA weights (copyParameters found
  // each of them in the file), every other one as stored (its own dtype).
  const auto weights = vae->named_parameters(true);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& name : file.names()) {
    const std::string path = name.rfind(kVaePrefix, 0) == 0 ? name.substr(kVaePrefix.size()) : "";
    const bool decoder = !path.empty() && isDecoderParameter(path);
    tensors.emplace_back(name, decoder ? weights[path].detach().to(at::kFloat).contiguous()
                                       : file.load(name).clone());
  }
  auto metadata = file.metadata();
  const auto previous = metadata.find("lienzo.decoder_steps");
  const int64_t earlier =
      previous == metadata.end() ? 0 : std::strtoll(previous->second.c_str(), nullptr, 10);
  metadata["lienzo.decoder_steps"] = std::to_string(earlier + state.step);
  std::filesystem::create_directories(std::filesystem::absolute(output).parent_path());
  writeSafetensors(output, tensors, metadata);
  std::fprintf(stderr, "[decoder] done: %lld steps, held-out PSNR %.2f dB → %.2f dB, wrote %s\n",
               (long long)state.step, result.psnrBefore, result.psnrAfter, output.c_str());
  return result;
}

}  // namespace lienzo::train
