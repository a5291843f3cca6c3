// DDIM: the CompVis sampler (A1111 "DDIM") and diffusers' DDIMScheduler.
//
// CompVis DDIM runs on the model's own float32 alphas_cumprod over the "uniform" DDIM timesteps
// range(0, T, T // n) + 1 and reproduces ldm.models.diffusion.ddim.DDIMSampler (its float32 /
// float64 mix included). The reference indexes out of range when T // n divides T - 1 (the last
// timestep becomes T, e.g. n = 3, 9, 27, 37); Lienzo either clamps that timestep to T - 1 as
// A1111 does (DdimRangePolicy::Clamp, what the Sampler uses) or refuses with
// std::invalid_argument (DdimRangePolicy::Throw).
//
// Noise: CompVis draws one noise tensor per x_prev computation even when it is multiplied by
// sigma_t = 0 (eta = 0, PLMS). The samplers here draw exactly the same sequence when a NoiseFn is
// given, so a run stays in step with a CompVis run on the same generator; with eta = 0 the
// NoiseFn may be empty.
//
// Threads/ownership: free functions are pure; a sampler object is used by one thread at a time.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/sampling/diffusers_scheduler.h"
#include "core/sampling/sampler.h"

namespace lienzo {

enum class DdimRangePolicy { Throw, Clamp };

/// CompVis make_ddim_timesteps('uniform', n, T): range(0, T, T // n) + 1, ascending. A last
/// timestep >= T is clamped to T - 1 (Clamp; a duplicate is dropped) or rejected (Throw).
/// Throws std::invalid_argument for n < 1 or n > T.
// Ref: CompVis ldm/modules/diffusionmodules/util.py make_ddim_timesteps
std::vector<int64_t> compvisDdimTimesteps(int64_t n, int64_t numTrainTimesteps,
                                          DdimRangePolicy policy);

/// The DDIMSampler buffers for a set of timesteps, all [S] (index order = ascending time).
struct CompVisDdimTables {
  at::Tensor timesteps;           ///< int64
  at::Tensor alphas;              ///< float32 alphas_cumprod[timesteps]
  at::Tensor alphasPrev;          ///< float32 [abar[0], alphas[:-1]]
  at::Tensor sigmas;              ///< float32 (rounded from the reference's float64)
  at::Tensor sqrtOneMinusAlphas;  ///< float32 sqrt(1 - alphas)
};
/// make_ddim_sampling_parameters(alphas_cumprod, timesteps, eta) with the reference's dtypes:
/// sigma = eta * sqrt((1 - a_prev) * (1 / (1 - a))_f32 * (1 - a / a_prev)) in float64.
// Ref: CompVis ldm/modules/diffusionmodules/util.py make_ddim_sampling_parameters
CompVisDdimTables compvisDdimTables(const at::Tensor& alphasCumprod,
                                    const std::vector<int64_t>& timesteps, double eta);

/// Runs CompVis DDIMSampler.ddim_sampling from xT ([B,C,H,W], the VP start code) over `tables`
/// (descending in time). `model` gets x and t = [B] float32 timesteps and returns eps (or v:
/// converted with the SD 2 formulas). Returns the final latent.
// Ref: CompVis ldm/models/diffusion/ddim.py DDIMSampler.ddim_sampling / p_sample_ddim
at::Tensor sampleCompVisDdim(const CompVisDdimTables& tables, const at::Tensor& alphasCumprod,
                             Prediction prediction, const at::Tensor& xT, const ModelFn& model,
                             const NoiseFn& noise, const StepFn& onStep);

/// Where a CompVis timestep sampler (DDIM, PLMS) starts: txt2img keeps `tables` and starts from
/// ctx.unitNoise. img2img (ctx.initLatent) encodes at index t_enc = window.runSteps − 1 of the
/// table, x = √ᾱ[t_enc]·x0 + √(1 − ᾱ[t_enc])·ε, and keeps the table's first t_enc entries, so
/// the first step runs one timestep below the encoding level (the reference's behaviour).
/// runSteps 0 (strength 0) gives x = x0 and empty tables.
// Ref: CompVis scripts/img2img.py (stochastic_encode + decode(t_start = t_enc)); A1111
// sd_samplers_timesteps.CompVisSampler.sample_img2img
struct CompVisStart {
  CompVisDdimTables tables;
  at::Tensor x;  ///< [B,C,H,W] VP latent the loop starts from
};
CompVisStart compvisStart(const CompVisDdimTables& tables, const SamplingContext& ctx);

/// A1111 "DDIM": CompVis DDIM with DdimRangePolicy::Clamp; ctx.eta < 0 means 0.
/// ctx.scheduleType must be "Automatic" or "Uniform" (DDIM has its own timesteps).
std::unique_ptr<Sampler> makeDdimSampler();

/// diffusers DDIMScheduler (clip_sample = false, no thresholding); default spacing "leading".
/// eta > 0 draws one noise tensor per step.
// Ref: diffusers schedulers/scheduling_ddim.py DDIMScheduler
std::unique_ptr<DiffusersScheduler> makeDiffusersDdim(const DiffusersConfig& config, double eta);

}  // namespace lienzo
