// Stage 3: one sampler run (denoise_stage.h).
#include "core/pipeline/denoise_stage.h"

#include "core/model/latent_preview.h"
#include "core/pipeline/step_preview.h"
#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/rng.h"

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace lienzo {

using Code = GenerationError::Code;

namespace {

/// "Euler, LMS, Heun or DPM++ 2M".
std::string flowSamplerList() {
  const std::vector<std::string> names = flowSamplerNames();
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

}  // namespace

std::unique_ptr<Sampler> samplerFor(const ModelBundle& bundle, const std::string& name) {
  const NoiseSchedule& schedule = *bundle.schedule;
  const std::string canonical = requireSamplerName(name).sampler;
  if (schedule.flow()) {
    // Flow-matching models run on the sigma-space ODE samplers only (noise_schedule.h).
    std::unique_ptr<Sampler> sampler =
        canonical == kModelSchedulerName ? nullptr : makeSampler(name);
    if (!sampler || !sampler->runsFlow())
      throw GenerationError(Code::InvalidParams,
                            "the sampler \"" + name + "\" cannot run " + bundle.description.name +
                                ", a flow-matching model (SD3 / Flux); choose " +
                                flowSamplerList());
    return sampler;
  }
  if (canonical != kModelSchedulerName) return makeSampler(name);
  if (!schedule.diffusersScheduler())
    throw GenerationError(Code::InvalidParams,
                          std::string("\"") + kModelSchedulerName +
                              "\" needs a diffusers model folder with "
                              "scheduler/scheduler_config.json; choose a sampler");
  DiffusersSchedulerOptions options;
  options.config = *schedule.diffusersScheduler();
  try {
    (void)makeDiffusersScheduler(schedule.diffusersSchedulerClass(), options);  // known class?
  } catch (const std::invalid_argument& e) {
    throw GenerationError(Code::UnsupportedModel,
                          "the model's scheduler is not supported: " + std::string(e.what()));
  }
  return std::make_unique<DiffusersSampler>(schedule.diffusersSchedulerClass(), options, true);
}

at::Tensor runDenoise(const ModelBundle& bundle, const DenoiseRequest& r, const ModelFn& model,
                      GenerationObserver* observer, const CancelToken* cancel) {
  auto mode = [cancel] { return cancel ? cancel->mode() : CancelMode::None; };
  Generator gen(static_cast<uint64_t>(r.seed));
  SamplingContext ctx;
  // Discrete VP schedules, or flow matching (SD3 / Flux) for the samplers that run it.
  ctx.schedule = bundle.schedule->discrete();
  ctx.flow = bundle.schedule->flow();
  if (!ctx.schedule && !ctx.flow)
    throw GenerationError(Code::UnsupportedModel,
                          "the samplers need a discrete or flow-matching noise schedule");
  ctx.prediction = bundle.schedule->prediction();
  if (ctx.flow) {
    // Flow models sample on their own schedule; the VP schedule types need the ᾱ table.
    const ResolvedSampler resolved = requireSamplerName(r.sampler);
    const std::string schedule =
        resolveScheduleName(r.schedule.empty() ? kAutomaticSchedule : r.schedule)
            .value_or(r.schedule);
    if (schedule != kAutomaticSchedule || resolved.schedule)
      throw GenerationError(Code::InvalidParams,
                            "the schedule type \"" + resolved.schedule.value_or(r.schedule) +
                                "\" is for discrete-time models; " + bundle.description.name +
                                " is a flow-matching model (SD3 / Flux) and samples on its own "
                                "schedule: choose Automatic");
  }
  ctx.steps = r.steps;
  ctx.scheduleType = r.schedule;
  // [1,C,h,w] seeded CPU noise: x_T for txt2img, ε of the start level for img2img (A1111's
  // first draw of the image's generator either way).
  ctx.unitNoise = randn(gen, {1, bundle.diffusion->latentChannels(), r.latentH, r.latentW});
  ctx.initLatent = r.initLatent;
  ctx.strength = r.strength;
  ctx.fixedSteps = r.fixedSteps;
  ctx.model = model;
  ctx.noise = makeNoiseFn(gen);
  bool stopped = false;
  ctx.onStep = [&](const SamplerStep& step) {
    if (r.afterStep) r.afterStep(step);
    if (observer) {
      StepProgress progress;
      progress.imageIndex = r.imageIndex;
      progress.step = step.index;
      progress.totalSteps = step.total;
      progress.sigma = step.sigma;
      if (r.previews && r.previewer) {
        progress.preview = r.previewer->preview(step.denoised, step.index, step.total);
      } else if (r.previews) {
        const PreviewImage preview = latentPreviewImage(step.denoised, bundle.vae->latentFormat());
        progress.preview.width = static_cast<int>(preview.width);
        progress.preview.height = static_cast<int>(preview.height);
        progress.preview.pixels = preview.rgb;
      }
      observer->onStep(progress);
    }
    stopped = mode() == CancelMode::StopNow;
    return !stopped;
  };
  const auto sampler = samplerFor(bundle, r.sampler);
  if (r.previewer) r.previewer->startRun();
  at::Tensor latent = sampler->sample(ctx);  // [1,C,h,w]
  if (stopped || mode() == CancelMode::StopNow) return at::Tensor();
  return latent;
}

}  // namespace lienzo
