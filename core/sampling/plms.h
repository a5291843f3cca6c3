// PLMS: the CompVis pseudo linear multistep sampler (A1111 "PLMS") and diffusers'
// PNDMScheduler with skip_prk_steps (the same algorithm on diffusers' timesteps).
//
// Both take a pseudo improved-Euler first step (two model calls), then Adams-Bashforth steps of
// order 2, 3 and 4 on the eps history. CompVis runs on the DDIM "uniform" timesteps with eta = 0
// (see ddim.h for the range policy and the noise it draws); PNDM runs n + 1 iterations over
// diffusers' timesteps (default spacing "leading"), repeating the second-highest timestep.
//
// Threads/ownership: as ddim.h.
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>

#include "core/sampling/ddim.h"
#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/sampler.h"

namespace lienzo {

/// Runs CompVis PLMSSampler.plms_sampling from xT over `tables` (built with eta = 0).
/// `model` gets x and t = [B] float32 and returns eps (v is converted to eps). Model calls:
/// S + 1; noise draws (when `noise` is set): S + 1, as CompVis' noise_like.
// Ref: CompVis ldm/models/diffusion/plms.py PLMSSampler.plms_sampling / p_sample_plms
at::Tensor sampleCompVisPlms(const CompVisDdimTables& tables, const at::Tensor& alphasCumprod,
                             Prediction prediction, const at::Tensor& xT, const ModelFn& model,
                             const NoiseFn& noise, const StepFn& onStep);

/// A1111 "PLMS": CompVis PLMS with DdimRangePolicy::Clamp. ctx.eta must be < 0 or 0
/// (std::invalid_argument otherwise, as CompVis); the schedule type is ignored.
std::unique_ptr<Sampler> makePlmsSampler();

/// diffusers PNDMScheduler(skip_prk_steps=True); deterministic (no noise).
// Ref: diffusers schedulers/scheduling_pndm.py PNDMScheduler.step_plms
std::unique_ptr<DiffusersScheduler> makeDiffusersPndm(const DiffusersConfig& config);

}  // namespace lienzo
