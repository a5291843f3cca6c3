// k-diffusion's view of a discrete-time SD network: the Karras denoiser D(x, sigma).
//
// KDenoiser wraps a ModelFn (eps or v prediction on VP-scaled input and a fractional timestep) as
// k-diffusion's CompVisDenoiser (eps) / CompVisVDenoiser (v) with quantize=False:
//   c_in = 1 / sqrt(sigma^2 + 1), t = schedule.sigmaToT(sigma), out = model(x * c_in, t)
//   eps: D = x + out * (-sigma)
//   v:   D = out * c_out + x * c_skip, c_skip = 1 / (sigma^2 + 1), c_out = -sigma / sqrt(sigma^2 +
//   1)
// The scalings are computed in float32 with the same op sequence as the reference.
//
// Flow-matching models (KDenoiser(FlowSchedule), ComfyUI's CONST / sd3_impls BaseModel): no input
// scaling, t = flow.timestep(sigma) (SD3 σ·1000, Flux σ), out = velocity v, D = x − v·σ.
//
// Contract: x is a VE latent [B,C,H,W] float32, sigma a [B] float32 tensor (> 0). The schedule
// must outlive the KDenoiser. Const methods are thread-safe as far as the ModelFn is. Exceptions
// from the ModelFn propagate.
#pragma once

#include <ATen/core/Tensor.h>

#include "core/sampling/flow_schedule.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"

namespace lienzo {

class KDenoiser {
 public:
  KDenoiser(const DiscreteSchedule& schedule, Prediction prediction);
  /// A flow-matching model's denoiser; `flow` must outlive the KDenoiser.
  explicit KDenoiser(const FlowSchedule& flow);

  /// The discrete schedule (null for a flow denoiser) and the flow schedule (null otherwise).
  const DiscreteSchedule* schedule() const { return m_schedule; }
  const FlowSchedule* flow() const { return m_flow; }
  Prediction prediction() const { return m_prediction; }

  /// c_in = 1 / sqrt(sigma^2 + 1) (flow: 1), shaped [B,1,...] to broadcast against a tensor of
  /// `ndim` dims.
  at::Tensor cIn(const at::Tensor& sigma, int64_t ndim) const;
  /// D(x, sigma): one ModelFn call on (x * c_in, sigmaToT(sigma)).
  // Ref: k-diffusion external.py DiscreteEpsDDPMDenoiser.forward / DiscreteVDDPMDenoiser.forward
  at::Tensor operator()(const ModelFn& model, const at::Tensor& x, const at::Tensor& sigma) const;
  /// D from a prediction the caller computed itself for input x * c_in at `sigma`.
  at::Tensor denoisedFromPrediction(const at::Tensor& x, const at::Tensor& sigma,
                                    const at::Tensor& prediction) const;

 private:
  const DiscreteSchedule* m_schedule = nullptr;
  const FlowSchedule* m_flow = nullptr;
  Prediction m_prediction = Prediction::Epsilon;
};

/// Classifier-free guidance as A1111 / k-diffusion's CFGDenoiser combine it (on denoised or on
/// eps alike): uncond + (cond - uncond) * scale.
at::Tensor cfgCombine(const at::Tensor& uncond, const at::Tensor& cond, double scale);

}  // namespace lienzo
