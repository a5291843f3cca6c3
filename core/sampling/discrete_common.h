// Small helpers shared by the CompVis / diffusers-style samplers (internal to core/sampling).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/sampling/sampler.h"

namespace lienzo::discrete {

/// The values of a 1-D tensor as float32.
std::vector<float> floatValues(const at::Tensor& t);
/// The values of a 1-D tensor as int64.
std::vector<int64_t> longValues(const at::Tensor& t);
/// 1-D int64 / float32 tensors from values (doubles holding integers for int64).
at::Tensor longTensor(const std::vector<int64_t>& values);
at::Tensor longTensor(const std::vector<double>& values);
at::Tensor floatTensor(const std::vector<double>& values);
/// [batch] float32 tensor filled with t (the ModelFn timestep argument), on `like`'s device.
at::Tensor timestepBatch(double t, const at::Tensor& like);
/// Draws one standard-normal tensor shaped like `like` through `noise`; throws
/// std::invalid_argument naming `who` when noise is empty or returns the wrong shape.
at::Tensor drawNoise(const NoiseFn& noise, const at::Tensor& like, const char* who);
/// exp / log / expm1 of a float32 scalar computed by torch's CPU kernels (what the references'
/// 0-d tensor arithmetic does; torch's vectorised transcendental functions are not the C
/// library's).
float torchExp(float v);
float torchLog(float v);
float torchExpm1(float v);
/// VP view of a VE sigma as diffusers' multistep solvers compute it in float32:
/// alpha = 1 / sqrt(sigma^2 + 1), sigma_t = sigma alpha, lambda = log(alpha) - log(sigma_t)
/// (+inf for sigma = 0).
// Ref: diffusers DPMSolverMultistepScheduler._sigma_to_alpha_sigma_t
struct AlphaSigma {
  float alpha;
  float sigma;
  float lambda;
};
AlphaSigma vpAlphaSigma(float sigma);
/// VE sigma of a VP alpha-bar, float32: sqrt((1 - abar) / abar).
float veSigma(float alphaBar);
/// ctx.schedule non-null, ctx.model set, steps >= 1, unitNoise [B,C,H,W]; throws otherwise.
void checkContext(const SamplingContext& ctx, const char* who);
/// Steps of the schedule a run builds: ctx.steps, or with ctx.initLatent the window's
/// scheduleSteps (denoise_window.h).
int64_t scheduleSteps(const SamplingContext& ctx);
/// Empty, or any spelling of "Automatic" or "Uniform" (alias "Normal"; sampler_names.h rules): the
/// sampler's own timesteps.
bool isDefaultScheduleType(const std::string& name);
/// Any spelling of "Karras" (sampler_names.h rules).
bool isKarrasScheduleType(const std::string& name);
/// Calls `onStep` (when set) with one step's report; returns false when it asked to stop.
bool reportStep(const StepFn& onStep, int64_t index, int64_t total, double sigma,
                const at::Tensor& x, const at::Tensor& denoised);

}  // namespace lienzo::discrete
