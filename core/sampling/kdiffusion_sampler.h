// The Sampler (sampler.h) for the k-diffusion algorithms: builds the sigma schedule from
// ctx.scheduleType, wraps ctx.model as a KDenoiser, scales ctx.unitNoise by sigmas[0] (as A1111
// does; img2img: ctx.initLatent + ctx.unitNoise·sigma_sched[0]) and reports every step through
// ctx.onStep. Flow-matching models (ctx.flow, flow_schedule.h): the sigmas are the model's own
// schedule, the denoiser is x − σ·v, img2img starts at σ0·ε + (1 − σ0)·x0; only the samplers
// whose runsFlow() is true accept them.
#pragma once

#include <string>

#include "core/sampling/kdiffusion.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"

namespace lienzo {

struct KDiffusionSamplerConfig {
  kdiffusion::Algorithm algorithm = kdiffusion::Algorithm::Euler;
  kdiffusion::SolverType solver = kdiffusion::SolverType::Midpoint;
  /// What "Automatic" means for this sampler (A1111's per-sampler 'scheduler' option).
  SigmaScheduleKind defaultSchedule = SigmaScheduleKind::Uniform;
  /// When set, overrides ctx.scheduleType "Automatic" (legacy names such as "DPM++ 2M Karras").
  bool forceSchedule = false;
  SigmaScheduleKind forcedSchedule = SigmaScheduleKind::Uniform;
  /// A1111 discard_next_to_last_sigma (DPM2, DPM2 a, DPM++ 3M SDE).
  bool discardPenultimate = false;
};

class KDiffusionSampler final : public Sampler {
 public:
  explicit KDiffusionSampler(KDiffusionSamplerConfig config) : m_config(config) {}

  /// Throws std::invalid_argument for a missing schedule/model/unitNoise, steps < 1, an unknown
  /// schedule type, or a noise-drawing configuration without ctx.noise.
  at::Tensor sample(const SamplingContext& ctx) override;
  int modelCalls(int steps) const override;
  /// True for the algorithms that draw no noise and keep the whole schedule (Euler, Heun, LMS,
  /// DPM++ 2M).
  bool runsFlow() const override;

  /// The sigmas a run with this context uses: [steps+1], or with ctx.initLatent the last
  /// runSteps + 1 of the window's schedule (denoise_window.h; a single sigma for strength 0).
  at::Tensor sigmasFor(const SamplingContext& ctx) const;
  const KDiffusionSamplerConfig& config() const { return m_config; }

 private:
  /// The whole [steps+1] schedule of ctx's schedule type.
  at::Tensor fullSigmas(const SamplingContext& ctx, int steps) const;
  KDiffusionSamplerConfig m_config;
};

}  // namespace lienzo
