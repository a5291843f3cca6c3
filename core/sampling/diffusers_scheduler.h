// diffusers-style schedulers behind one small interface, and the StableDiffusionPipeline loop
// that drives them.
//
// A DiffusersScheduler mirrors a diffusers scheduler class: set_timesteps(n) fixes the timesteps
// (and sigmas where the class has them), init_noise_sigma scales the unit noise,
// scale_model_input prepares the UNet input and step() advances the latent. Steps are addressed
// by their index in timesteps() (what diffusers' internal step counter does), so duplicated
// timesteps (PNDM) are unambiguous. The arithmetic follows the reference classes in float32,
// operation by operation, so that a run reproduces diffusers from the same seed.
//
// Ownership/threads: a scheduler holds per-run state (multistep history); one run at a time per
// instance, setTimesteps() resets it. Failure: std::invalid_argument for impossible requests
// (steps out of range, step() before setTimesteps(), missing NoiseFn where noise is needed);
// exceptions from ModelFn/NoiseFn/StepFn propagate unchanged.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/sampling/diffusers_schedule.h"
#include "core/sampling/sampler.h"

namespace lienzo {

struct DiffusersStepOutput {
  at::Tensor prevSample;  ///< [B,C,H,W] the latent for the next iteration
  /// [B,C,H,W] predicted x0 of this step (pred_original_sample; LCM: `denoised`; DPM-Solver /
  /// UniPC: the converted model output; PNDM: x0 implied by the combined eps).
  at::Tensor predOriginal;
};

class DiffusersScheduler {
 public:
  virtual ~DiffusersScheduler() = default;

  /// diffusers set_timesteps(n); resets all per-run state.
  virtual void setTimesteps(int64_t n) = 0;
  /// [I] timesteps of the loop (int64, or float32 for Euler / Euler a / LMS), descending.
  const at::Tensor& timesteps() const { return m_timesteps; }
  /// [I+1] float32 VE sigmas where the class has them, else undefined.
  const at::Tensor& sigmas() const { return m_sigmas; }
  /// Number of loop iterations (PNDM: n + 1).
  int64_t iterations() const { return m_timesteps.defined() ? m_timesteps.numel() : 0; }
  /// The float32 value the unit noise is multiplied with.
  virtual double initNoiseSigma() const { return 1.0; }
  /// Whether the pipeline calls scale_model_input (LCM's does not).
  virtual bool usesScaleModelInput() const { return true; }
  /// scale_model_input(sample, timesteps[index]).
  virtual at::Tensor scaleModelInput(const at::Tensor& sample, int64_t index) const {
    return sample;
  }
  /// step(model_output, timesteps[index], sample, generator): `noise` draws the scheduler's
  /// random tensors (may be empty for deterministic schedulers).
  virtual DiffusersStepOutput step(const at::Tensor& modelOutput, int64_t index,
                                   const at::Tensor& sample, const NoiseFn& noise) = 0;
  /// The result of the loop: the last prevSample, or (LCM pipeline) the last predOriginal.
  virtual bool returnsDenoised() const { return false; }
  /// VE sigma of the noise level at timesteps[index] (for progress reports).
  virtual double sigmaAt(int64_t index) const = 0;
  /// add_noise(x0, noise, timesteps[index]) for img2img: by default the VP form
  /// α·x0 + σ_t·ε with α = 1/√(σ²+1), σ_t = σ·α of sigmaAt(index) (= √ᾱ, √(1−ᾱ) at an integer
  /// timestep); classes whose samples live in VE space (Euler, Euler a, LMS) override it with
  /// x0 + σ·ε. Ref: diffusers DDIMScheduler / DPMSolverMultistepScheduler / EulerDiscreteScheduler
  /// add_noise.
  virtual at::Tensor addNoise(const at::Tensor& x0, const at::Tensor& noise, int64_t index) const;

 protected:
  at::Tensor m_timesteps;
  at::Tensor m_sigmas;
};

/// LCMScheduler settings beyond DiffusersConfig.
struct LcmOptions {
  int64_t originalInferenceSteps = 50;
  double timestepScaling = 10.0;
};

/// UniPCMultistepScheduler settings beyond DiffusersConfig.
struct UniPcOptions {
  int solverOrder = 2;  ///< 1..3
  bool bh2 = true;      ///< false: "bh1" (B(h) = -h)
  bool lowerOrderFinal = true;
};

struct DiffusersSchedulerOptions {
  DiffusersConfig config;
  double eta = 0.0;  ///< DDIM only
  bool sde = false;  ///< DPM-Solver only: algorithm_type "sde-dpmsolver++"
  LcmOptions lcm;
  UniPcOptions unipc;
};

/// Creates a diffusers scheduler by (case-insensitive) class name: "DDIMScheduler" (eta as
/// given), "PNDMScheduler" (skip_prk_steps), "DDPMScheduler", "LCMScheduler",
/// "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler",
/// "DPMSolverMultistepScheduler" (dpmsolver++ order 2 midpoint; `sde` = sde-dpmsolver++),
/// "UniPCMultistepScheduler" (bh2 order 2). Throws std::invalid_argument when unknown.
std::unique_ptr<DiffusersScheduler> makeDiffusersScheduler(const std::string& className,
                                                           const DiffusersSchedulerOptions& opts);

/// The StableDiffusionPipeline denoising loop: setTimesteps(steps); x = unitNoise *
/// init_noise_sigma; per iteration: model_in = scale_model_input(x, t), out = model(model_in,
/// t as [B] float32), x = step(out, t, x). onStep (optional) sees every iteration (x after the
/// step, predicted x0); returning false stops early. Returns the last latent, or for LCM
/// (returnsDenoised) the last predicted x0.
/// img2img (initLatent defined): the loop starts at index steps − runSteps (clamped to the
/// timesteps) from addNoise(initLatent, unitNoise, start), as diffusers' img2img pipeline does
/// with set_begin_index; runSteps 0 returns initLatent.
at::Tensor runDiffusersPipeline(DiffusersScheduler& scheduler, int64_t steps,
                                const at::Tensor& unitNoise, const ModelFn& model,
                                const NoiseFn& noise, const StepFn& onStep,
                                const at::Tensor& initLatent = at::Tensor(), int64_t runSteps = 0);

/// A Sampler (sampler.h) running a diffusers scheduler. The scheduler's table is the model's
/// (ctx.schedule->alphasCumprod()), its prediction ctx.prediction; ctx.scheduleType "Karras" sets
/// use_karras_sigmas where the class has sigmas (supportsKarras), any other schedule type keeps
/// the configured value (`defaults.config`; A1111 ignores it for these samplers too); eta is
/// ignored. The rest of `defaults.config` (timestep spacing, steps offset) is used as given.
class DiffusersSampler : public Sampler {
 public:
  DiffusersSampler(std::string className, DiffusersSchedulerOptions defaults, bool supportsKarras);
  at::Tensor sample(const SamplingContext& ctx) override;
  int modelCalls(int steps) const override;

 private:
  std::string m_className;
  DiffusersSchedulerOptions m_defaults;
  bool m_supportsKarras;
};

}  // namespace lienzo
