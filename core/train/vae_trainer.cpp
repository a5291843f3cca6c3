#include "core/train/vae_trainer.h"

#include "core/io/safetensors.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <cmath>
#include <sstream>

namespace lienzo::train {

std::string psnrNote(double runningMse) {
  std::ostringstream out;
  out.precision(3);
  out << "~psnr " << std::fixed << 10.0 * std::log10(4.0 / std::max(runningMse, 1e-12)) << "dB";
  return out.str();
}

std::pair<double, double> measureVae(AutoencoderKL& vae, int side, int64_t count) {
  at::NoGradGuard noGrad;
  double se = 0.0;
  int64_t pixels = 0;
  std::vector<at::Tensor> means;
  for (int64_t done = 0; done < count;) {
    const int64_t n = std::min<int64_t>(32, count - done);
    std::vector<Scene> scenes;
    for (int64_t i = 0; i < n; ++i) scenes.push_back(sampleScene(heldOutSeed(done + i)));
    const auto x = renderBatch(scenes, side);                // [B,3,S,S]
    const auto dist = vae->encode(x);                        // mean [B,C,h,w]
    const auto y = vae->decode(dist.mean).clamp(-1.0, 1.0);  // [B,3,S,S]
    se += (y - x).pow(2).sum().item<double>();
    pixels += x.numel();
    means.push_back(dist.mean);
    done += n;
  }
  const double mse = se / double(pixels) / 4.0;  // [-1,1] → [0,1] range: divide by 2²
  const double psnr = 10.0 * std::log10(1.0 / std::max(mse, 1e-12));
  const double latentStd = at::cat(means, 0).std().item<double>();
  return {psnr, latentStd};
}

VaeTrainResult trainVae(const BuiltinModelConfig& config, const TrainOptions& options,
                        double klWeight, const TrainPaths& paths) {
  const int side = int(config.imageSize);
  TrainState state;
  state.rng.seed(options.seed);
  state.gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);

  AutoencoderKL vae(config.vaeConfig());
  initParameters(*vae, state.gen, {});
  torch::optim::AdamW optimizer(
      vae->parameters(), torch::optim::AdamWOptions(options.lr).weight_decay(options.weightDecay));
  if (options.resume && hasCheckpoint(paths.vaeCheckpoint())) {
    loadCheckpoint(paths.vaeCheckpoint(), "vae", {{"vae.", vae.ptr().get()}}, {}, optimizer, state);
    std::fprintf(stderr, "[vae] resumed at step %lld\n", (long long)state.step);
  }
  vae->train();

  VaeTrainResult result;
  double running = state.extra.value("running_loss", 0.0);
  Progress progress("vae", state.step, options.steps);
  auto checkpoint = [&] {
    state.extra["running_loss"] = running;
    saveCheckpoint(paths.vaeCheckpoint(), "vae", {{"vae.", vae.ptr().get()}}, {}, optimizer, state);
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
      const auto moments = vae->encodeMoments(x).to(at::kFloat);  // [B,2C,h,w]
      const auto dist = VaeLatentDistribution::fromMoments(moments);
      const auto noise = at::randn(dist.mean.sizes(), state.gen, at::kFloat);
      const auto z = dist.sample(noise);             // [B,C,h,w]
      const auto y = vae->decode(z).to(at::kFloat);  // [B,3,S,S]
      const auto rec = (y - x).pow(2).mean();
      // KL(N(mu, var) || N(0, 1)) per latent element.
      const auto kl = 0.5 * (dist.mean.pow(2) + dist.logvar.exp() - 1.0 - dist.logvar).mean();
      loss = rec + klWeight * kl;
    }
    loss.backward();
    torch::nn::utils::clip_grad_norm_(vae->parameters(), options.gradClip);
    optimizer.step();
    ++state.step;
    const double l = loss.item<double>();
    if (result.firstLoss == 0.0) result.firstLoss = l;
    afterStep(options, state.step, l, lr, running, progress, checkpoint, psnrNote);
  }
  checkpoint();
  result.steps = state.step;
  result.loss = running;
  result.finished = state.step >= options.steps;
  if (!result.finished) return result;

  vae->eval();
  const auto [psnr, latentStd] = measureVae(vae, side, 256);
  result.psnr = psnr;
  result.scaleFactor = 1.0 / latentStd;
  writeSafetensors(paths.vaeWeights(), namedTensors(*vae, "first_stage_model."),
                   {{"psnr", std::to_string(psnr)},
                    {"scale_factor", std::to_string(result.scaleFactor)},
                    {"steps", std::to_string(state.step)}});
  std::fprintf(stderr, "[vae] done: %lld steps, held-out PSNR %.2f dB, latent std %.4f\n",
               (long long)state.step, psnr, latentStd);
  return result;
}

}  // namespace lienzo::train
