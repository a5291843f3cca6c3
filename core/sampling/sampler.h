// The sampler interface the pipeline drives, and the A1111-named registry (the names themselves:
// core/sampling/sampler_names.h).
//
// A sampler runs the reverse process of a discrete-time SD model (T = 1000 training steps)
// from unit noise (or, for img2img, from a clean latent noised to a point of its schedule) to a
// clean latent. The network is seen through ModelFn (VP-scaled input and a
// possibly fractional timestep in, raw eps/v prediction out, classifier-free guidance already
// applied by the caller). Noise is injectable (NoiseFn) so that tests replay recorded noise and
// the pipeline draws from a torch-CPU-compatible generator. Progress and cancellation are per
// request (StepFn), never global.
//
// Threads: a Sampler instance is used by one thread at a time; distinct instances are
// independent. Failure: std::invalid_argument for impossible requests (steps < 1, unknown
// schedule); exceptions thrown by ModelFn/NoiseFn/StepFn propagate unchanged.
#pragma once

#include <ATen/core/Tensor.h>

#include "core/sampling/denoise_window.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/sampling/sampler_names.h"

namespace lienzo {

/// What the network predicts. Flow: the velocity v = ε − x0 of a flow-matching model (SD3, Flux;
/// x0 = x − σ·v), only meaningful with a FlowSchedule (SamplingContext::flow).
enum class Prediction { Epsilon, V, Flow };

class DiscreteSchedule;  // core/sampling/schedule.h: alphas_cumprod table, sigmas, sigma<->t
class FlowSchedule;      // core/sampling/flow_schedule.h: SD3 / Flux flow matching

/// Raw network call. x_in: [B,C,H,W] VP-scaled latent (the UNet input); t: [B] float32 timesteps
/// (fractional for k-diffusion samplers). Returns eps or v ([B,C,H,W]) per the model's Prediction.
/// Flow-matching models (SamplingContext::flow): x_in is the flow latent x_σ itself (unscaled),
/// t = FlowSchedule::timestep(σ) and the result is the velocity v (denoised = x − σ·v).
using ModelFn = std::function<at::Tensor(const at::Tensor& x_in, const at::Tensor& t)>;

/// Draws a standard-normal tensor of `shape` (float32, CPU or the latent's device).
using NoiseFn = std::function<at::Tensor(at::IntArrayRef shape)>;

/// What the pipeline learns after each step.
struct SamplerStep {
  int index = 0;        ///< 0-based step index
  int total = 0;        ///< number of steps this run will take
  double sigma = 0.0;   ///< noise level the step started from (VE sigma; 0 for the last)
  at::Tensor x;         ///< latent after the step [B,C,H,W]
  at::Tensor denoised;  ///< the model's predicted x0 at this step [B,C,H,W]
};
/// Called after every step; return false to stop now (the sampler returns the current x).
using StepFn = std::function<bool(const SamplerStep&)>;

struct SamplingContext {
  /// The model's training schedule (required unless `flow` is set).
  const DiscreteSchedule* schedule = nullptr;
  Prediction prediction = Prediction::Epsilon;  ///< ignored with `flow` (always Flow)
  /// Flow-matching models (SD3, Flux): the schedule the sigmas come from ("Automatic" schedule
  /// type only). Only samplers whose runsFlow() is true accept it; txt2img starts at
  /// σ0·unitNoise, img2img at σ0·ε + (1 − σ0)·initLatent.
  const FlowSchedule* flow = nullptr;
  int steps = 20;
  std::string scheduleType = "Automatic";  ///< A1111 "Schedule type" name, see scheduleTypes()
  double eta = -1.0;     ///< < 0: the sampler's default (1 for ancestral/SDE, 0 DDIM)
  at::Tensor unitNoise;  ///< [B,C,H,W] N(0,1) x_T before scaling by the initial sigma
  /// img2img / inpainting / hires: the clean latent x0 [B,C,H,W] the run starts from. The
  /// sampler builds the schedule of denoiseWindow(steps, strength, fixedSteps), noises x0 with
  /// unitNoise to the level of the window's first step the way its family does (k-diffusion:
  /// x0 + ε·σ; CompVis / diffusers VP samplers: √ᾱ·x0 + √(1−ᾱ)·ε) and runs the window's steps.
  /// Undefined: txt2img from unitNoise alone (strength and fixedSteps ignored).
  at::Tensor initLatent;
  double strength = 1.0;    ///< with initLatent: denoising strength in [0, 1]
  bool fixedSteps = false;  ///< with initLatent: see denoise_window.h
  ModelFn model;
  NoiseFn noise;
  StepFn onStep;  ///< optional
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  /// Runs the whole reverse process; returns the final clean latent [B,C,H,W].
  virtual at::Tensor sample(const SamplingContext& ctx) = 0;
  /// Number of ModelFn calls a run of `steps` steps makes (for progress/ETA).
  virtual int modelCalls(int steps) const = 0;
  /// Whether the sampler runs flow-matching models (SamplingContext::flow): the deterministic
  /// k-diffusion ODE samplers. Samplers that need the VP table or draw VE noise do not.
  virtual bool runsFlow() const { return false; }
};

/// Creates a catalog sampler (samplerCatalog(), core/sampling/sampler_names.h) by any name
/// resolveSamplerName() accepts. A legacy name's schedule ("DPM++ 2M Karras") replaces
/// ctx.scheduleType "Automatic" for the k-diffusion samplers; the CompVis/diffusers-style ones
/// (DDIM, PLMS, UniPC, LCM) refuse such names. Throws std::invalid_argument listing the valid names
/// when unknown, and for kModelSchedulerName (the pipeline makes that one from the model folder).
std::unique_ptr<Sampler> makeSampler(const std::string& name);

/// The canonical catalog names of the samplers whose runsFlow() is true, in catalog order
/// (for error messages and the docs: "Euler", "LMS", "Heun", "DPM++ 2M").
std::vector<std::string> flowSamplerNames();

}  // namespace lienzo
