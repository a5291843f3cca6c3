#include "core/sampling/kdiffusion_sampler.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <vector>

#include "core/sampling/denoiser.h"

namespace lienzo {
namespace {

bool isAutomatic(const std::string& name) {
  return resolveScheduleName(name.empty() ? kAutomaticSchedule : name) == kAutomaticSchedule;
}

}  // namespace

bool KDiffusionSampler::runsFlow() const {
  // The deterministic sigma-space ODE solvers: with D(x, σ) = x − σ·v their d is the velocity.
  // Ancestral / SDE steps add VE noise (x0 + σ·ε) and DPM2's schedule drops a sigma.
  return !kdiffusion::drawsNoise(m_config.algorithm, kdiffusion::Options{}) &&
         !m_config.discardPenultimate;
}

at::Tensor KDiffusionSampler::sigmasFor(const SamplingContext& ctx) const {
  if (ctx.schedule == nullptr && ctx.flow == nullptr)
    throw std::invalid_argument("sampler: ctx.schedule (or ctx.flow) is required");
  if (ctx.steps < 1) {
    throw std::invalid_argument("sampler: steps must be >= 1, got " + std::to_string(ctx.steps));
  }
  if (ctx.initLatent.defined()) {
    // Ref: A1111 KDiffusionSampler.sample_img2img: sigma_sched = sigmas[steps - t_enc - 1:] of
    // the full schedule (denoise_window.h), i.e. its last runSteps + 1 sigmas.
    const DenoiseWindow window = denoiseWindow(ctx.steps, ctx.strength, ctx.fixedSteps);
    const at::Tensor full = fullSigmas(ctx, window.scheduleSteps);  // [N+1]
    return full.narrow(0, full.size(0) - 1 - window.runSteps, window.runSteps + 1);
  }
  return fullSigmas(ctx, ctx.steps);
}

at::Tensor KDiffusionSampler::fullSigmas(const SamplingContext& ctx, int steps) const {
  if (ctx.flow) {
    // Flow models sample on their own schedule (flow_schedule.h); the VP schedule types need
    // the discrete table's sigma range.
    if (!isAutomatic(ctx.scheduleType) || m_config.forceSchedule)
      throw std::invalid_argument(
          "schedule type '" +
          (isAutomatic(ctx.scheduleType)
               ? std::string(sigmaScheduleKindName(m_config.forcedSchedule))
               : ctx.scheduleType) +
          "' is for discrete-time models; flow-matching models (SD3, Flux) use their own "
          "schedule: choose Automatic");
    const at::Tensor& shape = ctx.unitNoise.defined() ? ctx.unitNoise : ctx.initLatent;
    if (!shape.defined() || shape.dim() < 2)
      throw std::invalid_argument("sampler: a flow schedule needs ctx.unitNoise [B,C,H,W]");
    return ctx.flow->sigmas(steps, shape.size(-2), shape.size(-1));  // [S+1]
  }
  SigmaScheduleKind kind = m_config.defaultSchedule;
  if (!isAutomatic(ctx.scheduleType)) {
    kind = sigmaScheduleKindFromName(ctx.scheduleType);
  } else if (m_config.forceSchedule) {
    kind = m_config.forcedSchedule;
  }
  return makeSigmas(*ctx.schedule, kind, steps, m_config.discardPenultimate);  // [S+1]
}

at::Tensor KDiffusionSampler::sample(const SamplingContext& ctx) {
  at::Tensor sigmas = sigmasFor(ctx);
  if (!ctx.model) throw std::invalid_argument("sampler: ctx.model is required");
  if (!ctx.unitNoise.defined() || ctx.unitNoise.dim() < 1) {
    throw std::invalid_argument("sampler: ctx.unitNoise must be a [B,C,H,W] tensor");
  }
  if (ctx.flow && !runsFlow())
    throw std::invalid_argument(
        "sampler: this k-diffusion sampler adds VE noise or drops a sigma and cannot sample "
        "flow-matching models");
  kdiffusion::Options opt;
  opt.eta = ctx.eta < 0.0 ? 1.0 : ctx.eta;
  opt.solver = m_config.solver;
  if (kdiffusion::drawsNoise(m_config.algorithm, opt) && !ctx.noise) {
    throw std::invalid_argument("sampler: this sampler draws noise and needs ctx.noise");
  }

  const KDenoiser denoiser =
      ctx.flow ? KDenoiser(*ctx.flow) : KDenoiser(*ctx.schedule, ctx.prediction);
  at::Tensor x = ctx.unitNoise.to(at::kFloat);
  sigmas = sigmas.to(x.device());
  if (ctx.initLatent.defined()) {
    if (sigmas.size(0) < 2) return ctx.initLatent.to(x.device(), at::kFloat);  // strength 0
    const at::Tensor init = ctx.initLatent.to(x.device(), at::kFloat);
    if (ctx.flow) {
      // Ref: ComfyUI CONST.noise_scaling / next-wave.md §7.3: x_σ = σ·ε + (1 − σ)·x0
      x = x * sigmas[0] + init * (1.0 - sigmas[0]);  // [B,C,H,W]
    } else {
      // Ref: A1111 sample_img2img: xi = x + noise * sigma_sched[0]
      x = init + x * sigmas[0];  // [B,C,H,W]
    }
  } else {
    // [B,C,H,W] x_T = unit noise * sigma_max (A1111: x * sigmas[0]); flow: σ0 = 1, x_T = ε
    // (sd3_infer noise_scaling σ·ε + (1 − σ)·latent at σ = 1).
    x = x * sigmas[0];
  }

  kdiffusion::Callbacks cb;
  cb.denoiser = [&](const at::Tensor& xi, const at::Tensor& sigma) {
    return denoiser(ctx.model, xi, sigma);
  };
  const std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  if (ctx.noise) {
    cb.noise = [&ctx, shape, &x](const at::Tensor&, const at::Tensor&) {
      return ctx.noise(shape).to(x.device(), at::kFloat);
    };
  }
  if (ctx.onStep) {
    cb.callback = [&ctx](const kdiffusion::StepInfo& info) {
      SamplerStep step;
      step.index = info.index;
      step.total = info.total;
      step.sigma = info.sigma.item<double>();
      step.x = info.x;
      step.denoised = info.denoised;
      return ctx.onStep(step);
    };
  }
  return kdiffusion::sample(m_config.algorithm, cb, x, sigmas, opt);
}

int KDiffusionSampler::modelCalls(int steps) const {
  if (steps < 1) return 0;
  // Every schedule ends with exactly one sigma = 0, so second-order samplers make one extra call
  // on each step but the last.
  switch (m_config.algorithm) {
    case kdiffusion::Algorithm::Heun:
    case kdiffusion::Algorithm::Dpm2:
    case kdiffusion::Algorithm::Dpm2Ancestral:
    case kdiffusion::Algorithm::Dpmpp2sAncestral:
    case kdiffusion::Algorithm::DpmppSde:
      return 2 * steps - 1;
    default:
      return steps;
  }
}

}  // namespace lienzo
