#include "core/sampling/discrete_common.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lienzo::discrete {

std::vector<float> floatValues(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous().reshape({-1});
  const float* p = c.data_ptr<float>();
  return std::vector<float>(p, p + c.numel());
}

std::vector<int64_t> longValues(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kLong).contiguous().reshape({-1});
  const int64_t* p = c.data_ptr<int64_t>();
  return std::vector<int64_t>(p, p + c.numel());
}

at::Tensor longTensor(const std::vector<int64_t>& values) {
  at::Tensor out = at::empty({static_cast<int64_t>(values.size())}, at::kLong);
  std::copy(values.begin(), values.end(), out.data_ptr<int64_t>());
  return out;
}

at::Tensor longTensor(const std::vector<double>& values) {
  at::Tensor out = at::empty({static_cast<int64_t>(values.size())}, at::kLong);
  int64_t* p = out.data_ptr<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<int64_t>(values[i]);
  return out;
}

at::Tensor floatTensor(const std::vector<double>& values) {
  at::Tensor out = at::empty({static_cast<int64_t>(values.size())}, at::kFloat);
  float* p = out.data_ptr<float>();
  for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<float>(values[i]);
  return out;
}

at::Tensor timestepBatch(double t, const at::Tensor& like) {
  return at::full({like.size(0)}, t, like.options().dtype(at::kFloat));
}

at::Tensor drawNoise(const NoiseFn& noise, const at::Tensor& like, const char* who) {
  if (!noise) throw std::invalid_argument(std::string(who) + ": a NoiseFn is required");
  at::Tensor n = noise(like.sizes());
  if (!n.defined() || n.sizes() != like.sizes()) {
    throw std::invalid_argument(std::string(who) +
                                ": NoiseFn returned a tensor of the wrong shape");
  }
  return n.to(like.options());
}

float torchExp(float v) {
  return at::exp(at::scalar_tensor(v, at::kFloat)).item<float>();
}
float torchLog(float v) {
  return at::log(at::scalar_tensor(v, at::kFloat)).item<float>();
}
float torchExpm1(float v) {
  return at::expm1(at::scalar_tensor(v, at::kFloat)).item<float>();
}

AlphaSigma vpAlphaSigma(float sigma) {
  AlphaSigma r;
  r.alpha = 1.0f / std::sqrt(sigma * sigma + 1.0f);
  r.sigma = sigma * r.alpha;
  r.lambda = torchLog(r.alpha) - torchLog(r.sigma);
  return r;
}

float veSigma(float alphaBar) {
  return std::sqrt((1.0f - alphaBar) / alphaBar);
}

void checkContext(const SamplingContext& ctx, const char* who) {
  const std::string w(who);
  if (ctx.schedule == nullptr)
    throw std::invalid_argument(w + ": SamplingContext.schedule is null");
  if (!ctx.model) throw std::invalid_argument(w + ": SamplingContext.model is empty");
  if (ctx.steps < 1) throw std::invalid_argument(w + ": steps must be >= 1");
  if (!ctx.unitNoise.defined() || ctx.unitNoise.dim() != 4) {
    throw std::invalid_argument(w + ": unitNoise must be a [B,C,H,W] tensor");
  }
}

int64_t scheduleSteps(const SamplingContext& ctx) {
  if (!ctx.initLatent.defined()) return ctx.steps;
  return denoiseWindow(ctx.steps, ctx.strength, ctx.fixedSteps).scheduleSteps;
}

bool isDefaultScheduleType(const std::string& name) {
  if (name.empty()) return true;
  const auto canonical = resolveScheduleName(name);
  return canonical == kAutomaticSchedule || canonical == "Uniform";
}

bool isKarrasScheduleType(const std::string& name) {
  return resolveScheduleName(name) == "Karras";
}

bool reportStep(const StepFn& onStep, int64_t index, int64_t total, double sigma,
                const at::Tensor& x, const at::Tensor& denoised) {
  if (!onStep) return true;
  SamplerStep step;
  step.index = static_cast<int>(index);
  step.total = static_cast<int>(total);
  step.sigma = sigma;
  step.x = x;
  step.denoised = denoised;
  return onStep(step);
}

}  // namespace lienzo::discrete
