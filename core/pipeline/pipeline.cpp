// generate(): one txt2img request, stage by stage (DESIGN.md §2).
#include "core/pipeline/pipeline.h"

#include "core/pipeline/builtin_model.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/params_infotext.h"
#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/rng.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// Bytes of memory the machine can still give us (MemAvailable), or 0 when unknown.
uint64_t availableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

/// Rough peak working memory of one image beyond the weights: the U-Net's widest activations
/// (batch 2 for CFG, ~24 live tensors of the first level's width at latent resolution), the
/// attention score chunk, and the VAE decoder's full-resolution stage (~4 tensors of 128+
/// channels at image resolution, float32).
uint64_t estimateWorkingBytes(const ModelBundle& bundle, const GenerationParams& p) {
  const uint64_t latentPixels =
      uint64_t(p.width / bundle.vaeFactor) * (p.height / bundle.vaeFactor);
  const uint64_t width = static_cast<uint64_t>(bundle.unet->config().modelChannels);
  const uint64_t elem = bundle.dtype == at::kFloat ? 4 : 2;
  const uint64_t unet = 2 * 24 * latentPixels * width * elem + (256ull << 20);
  uint64_t vae = 0;
  if (bundle.hasVae()) {
    const uint64_t ch = static_cast<uint64_t>(bundle.vae->config().baseChannels);
    vae = 4ull * ch * uint64_t(p.width) * p.height * 4;
  }
  return std::max(unet, vae);
}

GenerationError translate(const std::exception& e) {
  const std::string what = e.what();
  if (what.find("can't allocate") != std::string::npos ||
      what.find("out of memory") != std::string::npos)
    return GenerationError(Code::OutOfMemory, "out of memory: " + what.substr(0, what.find('\n')));
  if (dynamic_cast<const std::invalid_argument*>(&e))
    return GenerationError(Code::InvalidParams, what);
  return GenerationError(Code::Internal, what.substr(0, what.find("\nException raised")));
}

}  // namespace

const char* computeDTypeName(ComputeDType dtype) {
  switch (dtype) {
    case ComputeDType::F32:
      return "f32";
    case ComputeDType::BF16:
      return "bf16";
    case ComputeDType::F16:
      return "f16";
    case ComputeDType::Auto:
      break;
  }
  return "auto";
}

void validateParams(const GenerationParams& p) {
  auto fail = [](const std::string& msg) { throw GenerationError(Code::InvalidParams, msg); };
  if (p.steps < 1) fail("steps must be at least 1 (got " + std::to_string(p.steps) + ")");
  if (p.steps > 1000) fail("steps must be at most 1000 (got " + std::to_string(p.steps) + ")");
  if (p.width % 8 != 0 || p.height % 8 != 0)
    fail("width and height must be multiples of 8 (got " + std::to_string(p.width) + "x" +
         std::to_string(p.height) + ")");
  if (p.width < 64 || p.height < 64 || p.width > 16384 || p.height > 16384)
    fail("width and height must be between 64 and 16384 (got " + std::to_string(p.width) + "x" +
         std::to_string(p.height) + ")");
  if (p.batchSize < 1 || p.batchSize > 64)
    fail("batch size must be between 1 and 64 (got " + std::to_string(p.batchSize) + ")");
  if (!(p.cfgScale >= 0.0 && p.cfgScale <= 100.0)) fail("CFG scale must be between 0 and 100");
  if (p.clipSkip < 1 || p.clipSkip > 12) fail("clip skip must be between 1 and 12");
  try {
    resolveSamplerSelection(p.sampler, p.schedule);  // core/sampling/sampler_names.h
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
}

/// The sampler for `name`: a catalog sampler, or the model folder's own diffusers scheduler.
static std::unique_ptr<Sampler> samplerFor(const ModelBundle& bundle, const std::string& name) {
  if (requireSamplerName(name).sampler != kModelSchedulerName) return makeSampler(name);
  if (!bundle.diffusersScheduler)
    throw GenerationError(Code::InvalidParams,
                          std::string("\"") + kModelSchedulerName +
                              "\" needs a diffusers model folder with "
                              "scheduler/scheduler_config.json; choose a sampler");
  DiffusersSchedulerOptions options;
  options.config = *bundle.diffusersScheduler;
  try {
    (void)makeDiffusersScheduler(bundle.diffusersSchedulerClass, options);  // known class?
  } catch (const std::invalid_argument& e) {
    throw GenerationError(Code::UnsupportedModel,
                          "the model's scheduler is not supported: " + std::string(e.what()));
  }
  return std::make_unique<DiffusersSampler>(bundle.diffusersSchedulerClass, options, true);
}

GenerationResult generate(const ModelBundle& bundle, const GenerationParams& requested,
                          GenerationObserver* observer, const CancelToken* cancel) {
  validateParams(requested);
  GenerationParams params = requested;
  if (params.seed < 0) params.seed = std::random_device{}() & 0xffffffffu;
  auto mode = [cancel] { return cancel ? cancel->mode() : CancelMode::None; };

  const uint64_t need = estimateWorkingBytes(bundle, params);
  const uint64_t have = availableMemory();
  if (have > 0 && need > have)
    throw GenerationError(Code::OutOfMemory, std::to_string(params.width) + "x" +
                                                 std::to_string(params.height) + " needs about " +
                                                 std::to_string(need >> 20) +
                                                 " MiB of working "
                                                 "memory but only " +
                                                 std::to_string(have >> 20) + " MiB is available");

  GenerationResult result;
  try {
    c10::InferenceMode inference;
    if (observer) observer->onStage(0, Stage::TextEncoding);
    const Conditioning cond = encodePrompt(bundle, params.prompt, params.clipSkip);
    const Conditioning uncond = params.cfgScale != 1.0
                                    ? encodePrompt(bundle, params.negativePrompt, params.clipSkip)
                                    : Conditioning{};
    const int64_t h = params.height / bundle.vaeFactor;
    const int64_t w = params.width / bundle.vaeFactor;
    // SDXL size conditioning is in image pixels, not latent pixels.
    ModelFn model =
        makeGuidedModel(bundle, cond, uncond, params.cfgScale, params.height, params.width);
    // Small models trained with the cosine schedule need |x0| clamped at sampling.
    if (bundle.x0Clamp > 0)
      model = clampPredictedX0(model, *bundle.schedule, bundle.x0Clamp, bundle.prediction);

    for (int i = 0; i < params.batchSize; ++i) {
      if (mode() != CancelMode::None) {
        result.cancelled = true;
        break;
      }
      const int64_t seed = params.seed + i;
      if (observer) observer->onStage(i, Stage::Sampling);
      Generator gen(static_cast<uint64_t>(seed));
      SamplingContext ctx;
      ctx.schedule = &*bundle.schedule;
      ctx.prediction = bundle.prediction;
      ctx.steps = params.steps;
      ctx.scheduleType = params.schedule;
      ctx.unitNoise = randn(gen, {1, bundle.latentChannels, h, w});  // [1,4,h,w] seeded CPU noise
      ctx.model = model;
      ctx.noise = makeNoiseFn(gen);
      bool stopped = false;
      ctx.onStep = [&](const SamplerStep& step) {
        if (observer) {
          StepProgress progress;
          progress.imageIndex = i;
          progress.step = step.index;
          progress.totalSteps = step.total;
          progress.sigma = step.sigma;
          if (params.previews) {
            const PreviewImage preview = latentPreviewImage(step.denoised, bundle.latentFormat);
            progress.preview.width = static_cast<int>(preview.width);
            progress.preview.height = static_cast<int>(preview.height);
            progress.preview.pixels = preview.rgb;
          }
          observer->onStep(progress);
        }
        stopped = mode() == CancelMode::StopNow;
        return !stopped;
      };
      const auto sampler = samplerFor(bundle, params.sampler);
      const at::Tensor latent = sampler->sample(ctx);  // [1,4,h,w]
      if (stopped || mode() == CancelMode::StopNow) {
        result.cancelled = true;
        break;
      }
      if (observer) observer->onStage(i, Stage::Decoding);
      GeneratedImage image;
      image.image = imageToRgb(decodeLatent(bundle, latent));
      image.seed = seed;
      image.params = params;
      image.params.seed = seed;
      image.params.batchSize = 1;
      image.infotext = formatInfotext(toInfotext(image.params, &bundle.description));
      if (observer) observer->onImage(image);
      result.images.push_back(std::move(image));
    }
    if (observer) observer->onStage(params.batchSize - 1, Stage::Done);
  } catch (const GenerationError&) {
    throw;
  } catch (const std::exception& e) {
    throw translate(e);
  }
  return result;
}

std::filesystem::path findBuiltinModel() {
  namespace fs = std::filesystem;
  const std::string file = kBuiltinModelFileName;
  std::error_code ec;
  if (const char* env = std::getenv("LIENZO_BUILTIN_MODEL"); env && *env) {
    if (fs::is_regular_file(env, ec)) return fs::absolute(env, ec);
  }
  std::vector<fs::path> dirs;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path() / ".." / "share" / "lienzo" / "models");
#ifdef LIENZO_DATA_DIR
  dirs.push_back(fs::path(LIENZO_DATA_DIR) / "models");
#endif
  if (!exe.empty()) dirs.push_back(exe.parent_path() / "models");
  for (const auto& dir : dirs) {
    const fs::path candidate = dir / file;
    if (fs::is_regular_file(candidate, ec)) return fs::weakly_canonical(candidate, ec);
  }
  return {};
}

}  // namespace lienzo
