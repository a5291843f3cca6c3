// Decorators around a ModelFn (core/sampling/sampler.h) that act on the x0 the prediction implies,
// so that every sampler family (k-diffusion, CompVis, diffusers) gets them without knowing: the
// predicted-x0 clamp of the built-in model and the inpainting blend with the original latent.
//
// The x0 view of a prediction at VP input x (= VE latent / √(σ²+1)) and timestep t, with
// ā = 1/(1+σ(t)²) from the schedule at the (fractional) t:
//   ε: x0 = (x − √(1−ā)·ε)/√ā,  ε' = (x − √ā·x0')/√(1−ā)
//   v: x0 = √ā·x − √(1−ā)·v,    v' = (√ā·x − x0')/√(1−ā)
// The samplers then compute the same x0' (up to float rounding) as their denoised value.
// Flow-matching models (velocity v on the unscaled latent x, t = FlowSchedule::timestep(σ)):
//   x0 = x − σ·v,  v' = (x − x0')/σ   (σ = FlowSchedule::sigmaOfTimestep(t) > 0 while sampling)
//
// Contract: the returned closures copy what they need (the schedule by value, tensors shared) and
// are safe to call from one thread at a time per sampler run; they throw what `inner` throws.
#pragma once

#include "core/sampling/flow_schedule.h"
#include "core/sampling/sampler.h"
#include "core/sampling/schedule.h"

#include <ATen/core/Tensor.h>

#include <functional>

namespace lienzo {

/// x0 → x0' applied to every prediction (see above). x0 is [B,C,h,w] float32.
using X0Map = std::function<at::Tensor(const at::Tensor& x0)>;
ModelFn mapPredictedX0(ModelFn inner, const DiscreteSchedule& schedule, Prediction prediction,
                       X0Map map);
/// The same for a flow-matching model (see above).
ModelFn mapPredictedX0(ModelFn inner, const FlowSchedule& flow, X0Map map);

/// x0 clamped to ±limit (the built-in model's cosine schedule needs it). limit <= 0 returns
/// `inner` unchanged.
ModelFn clampPredictedX0(ModelFn inner, const DiscreteSchedule& schedule, double limit,
                         Prediction prediction);

/// Inpainting with a regular model: x0' = x0·nmask + init·(1 − nmask) in every call, i.e. A1111's
/// CFGDenoiser blend after guidance (`denoised = denoised·nmask + init_latent·mask`).
/// nmask [1,C,h,w] or [1,1,h,w] (1 = repaint), init [1,C,h,w] diffusion-space latent.
// Ref: A1111 modules/sd_samplers_cfg_denoiser.py CFGDenoiser.forward (mask_before_denoising
// False); ComfyUI KSamplerX0Inpaint (its output blend)
ModelFn blendPredictedX0(ModelFn inner, const DiscreteSchedule& schedule, Prediction prediction,
                         const at::Tensor& nmask, const at::Tensor& init);
/// The same blend for a flow-matching model.
ModelFn blendPredictedX0(ModelFn inner, const FlowSchedule& flow, const at::Tensor& nmask,
                         const at::Tensor& init);

}  // namespace lienzo
