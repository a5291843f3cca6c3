// The noise schedule of a loaded model as the samplers and stages see it: which kind of process
// the model was trained on, its table, what the network predicts, the decorations its sampling
// needs (the built-in model's predicted-x0 clamp) and, for diffusers folders, the scheduler the
// folder ships ("Model scheduler").
//
// Kinds: DiscreteVP (DiscreteVpNoiseSchedule: SD 1.x / 2.x / SDXL and the built-in model, a
// [T] ᾱ table, ε or v prediction) and FlowMatching (FlowNoiseSchedule: SD3 / SD3.5 and Flux,
// core/sampling/flow_schedule.h; discrete() is null, flow() names the schedule, the network
// predicts the velocity). The denoise stage hands flow() to the samplers (only those whose
// runsFlow() is true run it), model_decorators.h has the flow x0 view, forward_process.cpp
// refuses flow models.
//
// Contract: immutable after construction; any thread. decorate() returns a closure that copies
// what it needs. Failure: none here; callers throw GenerationError(UnsupportedModel) when they
// need a kind the model does not have.
#pragma once

#include "core/sampling/diffusers_schedule.h"
#include "core/sampling/flow_schedule.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"

#include <optional>
#include <string>

namespace lienzo {

class NoiseSchedule {
 public:
  enum class Kind { DiscreteVP, FlowMatching };
  virtual ~NoiseSchedule() = default;
  virtual Kind kind() const = 0;
  /// The discrete VP table (Kind::DiscreteVP), null for other kinds.
  virtual const DiscreteSchedule* discrete() const = 0;
  /// The flow-matching schedule (Kind::FlowMatching), null for other kinds.
  virtual const FlowSchedule* flow() const { return nullptr; }
  /// What the network predicts (ε or v; Flow for Kind::FlowMatching).
  virtual Prediction prediction() const = 0;
  /// `model` with the decorations the model's sampling needs (the built-in model's x0 clamp),
  /// or `model` itself.
  virtual ModelFn decorate(ModelFn model) const = 0;
  /// Diffusers folders: scheduler/scheduler_config.json as read (spacing, steps_offset, betas,
  /// prediction), null otherwise; and its `_class_name`.
  virtual const DiffusersConfig* diffusersScheduler() const = 0;
  virtual const std::string& diffusersSchedulerClass() const = 0;
};

/// Discrete variance-preserving schedule (DDPM ᾱ table).
class DiscreteVpNoiseSchedule final : public NoiseSchedule {
 public:
  /// x0Clamp > 0: predicted x0 clamped to ±x0Clamp at sampling (clampPredictedX0).
  DiscreteVpNoiseSchedule(DiscreteSchedule schedule, Prediction prediction, double x0Clamp = 0.0,
                          std::optional<DiffusersConfig> diffusers = std::nullopt,
                          std::string diffusersClass = {});
  Kind kind() const override { return Kind::DiscreteVP; }
  const DiscreteSchedule* discrete() const override { return &m_schedule; }
  Prediction prediction() const override { return m_prediction; }
  ModelFn decorate(ModelFn model) const override;
  const DiffusersConfig* diffusersScheduler() const override;
  const std::string& diffusersSchedulerClass() const override { return m_diffusersClass; }
  double x0Clamp() const { return m_x0Clamp; }

 private:
  DiscreteSchedule m_schedule;
  Prediction m_prediction;
  double m_x0Clamp;
  std::optional<DiffusersConfig> m_diffusers;
  std::string m_diffusersClass;
};

/// Flow matching (SD3 / SD3.5, Flux.1): the network predicts the velocity; no VP table, no
/// diffusers scheduler, no decorations.
class FlowNoiseSchedule final : public NoiseSchedule {
 public:
  explicit FlowNoiseSchedule(FlowSchedule schedule) : m_schedule(schedule) {}
  Kind kind() const override { return Kind::FlowMatching; }
  const DiscreteSchedule* discrete() const override { return nullptr; }
  const FlowSchedule* flow() const override { return &m_schedule; }
  Prediction prediction() const override { return Prediction::Flow; }
  ModelFn decorate(ModelFn model) const override { return model; }
  const DiffusersConfig* diffusersScheduler() const override { return nullptr; }
  const std::string& diffusersSchedulerClass() const override { return m_noClass; }

 private:
  FlowSchedule m_schedule;
  std::string m_noClass;
};

}  // namespace lienzo
