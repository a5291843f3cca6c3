// Flow-matching (rectified flow) schedules of SD3 / SD3.5 and Flux.1, and how their networks are
// called. A flow model sees x_σ = σ·ε + (1 − σ)·x0 (σ in [0, 1]; σ = 1 is pure noise) and predicts
// the velocity v = ε − x0, so the denoised estimate is x0 = x − σ·v and the probability-flow ODE
// is dx/dσ = v: the k-diffusion sigma-space ODE samplers run on it unchanged once D(x, σ) =
// x − σ·v (k-diffusion's d = (x − D)/σ is then v itself).
//
// - SD3 (Stability-AI/sd3.5 sd3_impls.py ModelSamplingDiscreteFlow, sd3_infer.py get_sigmas):
//   σ(t) = shift·(t/T) / (1 + (shift − 1)·(t/T)) on the grid t = 1..T (T = 1000), float32.
//   Sampling sigmas: ts = linspace(T·σ(T), T·σ(1), n) (float32), σ(ts) — the smallest sigma is
//   shifted a second time, as the reference does — then 0. Network timestep σ·T.
// - Flux (black-forest-labs/flux sampling.py get_schedule): t = linspace(1, 0, n + 1) (float32);
//   with shift, μ = m·L + b through (256, base) and (4096, max) in double, t' = e^μ/(e^μ + (1/t −
//   1)) as float32 tensor ops (t = 0 → 0); L = the packed image sequence length ⌈h/2⌉·⌈w/2⌉ of a
//   latent h × w. schnell runs without shift. Network timestep σ (the network multiplies by
//   1000 inside).
//
// Contract: a FlowSchedule is an immutable value; its methods may be called from any thread.
// Returned tensors are new float32 CPU tensors (timestep(): the sigma's device). Failure:
// std::invalid_argument for steps < 1, a shift ≤ 0, T < 2 or a latent size < 1.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace lienzo {

class FlowSchedule {
 public:
  enum class Kind {
    Sd3Discrete,  ///< ModelSamplingDiscreteFlow(shift) on a T-entry grid
    Flux,         ///< get_schedule with or without the resolution-dependent shift
  };

  /// SD3 / SD3.5: shift 3.0 (SD3.5 Medium / Large / Turbo), 1.0 (SD3 Medium config).
  static FlowSchedule sd3(double shift = 3.0, int64_t timesteps = 1000);
  /// Flux.1: shift on for dev, off for schnell; base 0.5 at L = 256, max 1.15 at L = 4096.
  static FlowSchedule flux(bool shift = true, double baseShift = 0.5, double maxShift = 1.15);

  Kind kind() const { return m_kind; }
  /// SD3: the shift; Flux: 0.
  double shift() const { return m_shift; }
  /// Flux: whether get_schedule shifts by resolution; SD3: false.
  bool resolutionShift() const { return m_resolutionShift; }
  double baseShift() const { return m_baseShift; }
  double maxShift() const { return m_maxShift; }
  /// SD3: T grid points; Flux: 0 (continuous time).
  int64_t timesteps() const { return m_timesteps; }

  /// Sampling sigmas [steps + 1], decreasing from 1, ending with 0, for a latent of
  /// latentH × latentW (only Flux's shift reads the size).
  at::Tensor sigmas(int64_t steps, int64_t latentH, int64_t latentW) const;
  /// The network's timestep input for sigma (any shape, float32): SD3 σ·T, Flux σ.
  at::Tensor timestep(const at::Tensor& sigma) const;
  /// The inverse of timestep().
  at::Tensor sigmaOfTimestep(const at::Tensor& t) const;
  /// "SD3 flow (shift 3)" / "Flux flow (shift by resolution)" / "Flux flow (no shift)".
  std::string describe() const;

 private:
  FlowSchedule() = default;
  Kind m_kind = Kind::Sd3Discrete;
  double m_shift = 0.0;
  bool m_resolutionShift = false;
  double m_baseShift = 0.5;
  double m_maxShift = 1.15;
  int64_t m_timesteps = 0;
};

/// SD3 σ(t) for timesteps t (any shape, converted to float32): t/T, then shifted unless shift
/// is 1, in float32 ops exactly as ModelSamplingDiscreteFlow.sigma.
// Ref: Stability-AI/sd3.5 sd3_impls.py ModelSamplingDiscreteFlow.sigma
at::Tensor sd3FlowSigma(const at::Tensor& timesteps, double shift, int64_t numTimesteps = 1000);
/// The registered table [T]: σ(1..T) (float32; [0] = σ_min, [T−1] = σ_max = 1).
at::Tensor sd3FlowSigmaTable(double shift, int64_t numTimesteps = 1000);
/// SD3Inferencer.get_sigmas: [steps + 1].
// Ref: Stability-AI/sd3.5 sd3_infer.py SD3Inferencer.get_sigmas
at::Tensor sd3FlowSigmas(double shift, int64_t steps, int64_t numTimesteps = 1000);

/// Flux μ for an image sequence length (double, as get_lin_function computes it).
// Ref: black-forest-labs/flux sampling.py get_lin_function
double fluxMu(int64_t imageSeqLen, double baseShift = 0.5, double maxShift = 1.15);
/// get_schedule(steps, imageSeqLen, baseShift, maxShift, shift): [steps + 1].
// Ref: black-forest-labs/flux sampling.py get_schedule, time_shift
at::Tensor fluxSigmas(int64_t steps, int64_t imageSeqLen, bool shift, double baseShift = 0.5,
                      double maxShift = 1.15);
/// Flux's packed sequence length of a latent h × w: ⌈h/2⌉·⌈w/2⌉ (2×2 patches).
int64_t fluxImageSeqLen(int64_t latentH, int64_t latentW);

}  // namespace lienzo
