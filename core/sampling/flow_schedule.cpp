// Flow-matching schedules (flow_schedule.h). Every tensor op below is the float32 op the
// references run (python scalars are cast to float32 inside each op), so the sigmas are the
// references' bit for bit where libtorch's kernels are the same.
#include "core/sampling/flow_schedule.h"

#include <ATen/ATen.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace lienzo {
namespace {

void checkSteps(int64_t steps, const char* who) {
  if (steps < 1)
    throw std::invalid_argument(std::string(who) + ": steps must be >= 1, got " +
                                std::to_string(steps));
}

void checkShift(double shift, const char* who) {
  if (!(shift > 0) || !std::isfinite(shift))
    throw std::invalid_argument(std::string(who) + ": the shift must be a positive number");
}

void checkTimesteps(int64_t t, const char* who) {
  if (t < 2) throw std::invalid_argument(std::string(who) + ": the grid needs >= 2 timesteps");
}

}  // namespace

// ---- SD3 ------------------------------------------------------------------------------------

at::Tensor sd3FlowSigma(const at::Tensor& timesteps, double shift, int64_t numTimesteps) {
  checkShift(shift, "sd3FlowSigma");
  checkTimesteps(numTimesteps, "sd3FlowSigma");
  // timestep / 1000.0; shift·t / (1 + (shift − 1)·t), each a float32 op.
  const at::Tensor t = timesteps.to(at::kFloat) / static_cast<double>(numTimesteps);
  if (shift == 1.0) return t;
  return (t * shift) / ((t * (shift - 1.0)) + 1.0);
}

at::Tensor sd3FlowSigmaTable(double shift, int64_t numTimesteps) {
  checkTimesteps(numTimesteps, "sd3FlowSigmaTable");
  // torch.arange(1, T + 1, 1) is an int64 tensor; sigma() divides it in float32.
  return sd3FlowSigma(at::arange(1, numTimesteps + 1, at::kLong), shift, numTimesteps);
}

at::Tensor sd3FlowSigmas(double shift, int64_t steps, int64_t numTimesteps) {
  checkSteps(steps, "sd3FlowSigmas");
  const at::Tensor table = sd3FlowSigmaTable(shift, numTimesteps);  // [T]
  const double scale = static_cast<double>(numTimesteps);
  // start = timestep(sigma_max), end = timestep(sigma_min): float32 products.
  const float start = (table[numTimesteps - 1] * scale).item<float>();
  const float end = (table[0] * scale).item<float>();
  const at::Tensor ts = at::linspace(start, end, steps, at::kFloat);  // [n]
  // σ(ts): the already shifted σ_min is shifted once more (as the reference does).
  const at::Tensor sigmas = sd3FlowSigma(ts, shift, numTimesteps);
  return at::cat({sigmas, at::zeros({1}, at::kFloat)});  // [n+1]
}

// ---- Flux -----------------------------------------------------------------------------------

double fluxMu(int64_t imageSeqLen, double baseShift, double maxShift) {
  // get_lin_function(x1=256, y1=base, x2=4096, y2=max) in python doubles.
  const double m = (maxShift - baseShift) / (4096 - 256);
  const double b = baseShift - m * 256;
  return m * static_cast<double>(imageSeqLen) + b;
}

at::Tensor fluxSigmas(int64_t steps, int64_t imageSeqLen, bool shift, double baseShift,
                      double maxShift) {
  checkSteps(steps, "fluxSigmas");
  at::Tensor t = at::linspace(1.0, 0.0, steps + 1, at::kFloat);  // [n+1]
  if (!shift) return t;
  if (imageSeqLen < 1) throw std::invalid_argument("fluxSigmas: the image sequence is empty");
  const double e = std::exp(fluxMu(imageSeqLen, baseShift, maxShift));
  // time_shift(mu, 1.0, t) = e^mu / (e^mu + (1/t − 1)^1): `1 / t` is t.reciprocal() * 1,
  // `** 1.0` a copy, `e / y` y.reciprocal() * e; t = 0 gives inf → 0.
  const at::Tensor x = at::reciprocal(t) - 1.0;
  return at::reciprocal(x + e) * e;
}

int64_t fluxImageSeqLen(int64_t latentH, int64_t latentW) {
  if (latentH < 1 || latentW < 1)
    throw std::invalid_argument("fluxImageSeqLen: the latent must be at least 1x1");
  return ((latentH + 1) / 2) * ((latentW + 1) / 2);
}

// ---- FlowSchedule ---------------------------------------------------------------------------

FlowSchedule FlowSchedule::sd3(double shift, int64_t timesteps) {
  checkShift(shift, "FlowSchedule::sd3");
  checkTimesteps(timesteps, "FlowSchedule::sd3");
  FlowSchedule s;
  s.m_kind = Kind::Sd3Discrete;
  s.m_shift = shift;
  s.m_timesteps = timesteps;
  return s;
}

FlowSchedule FlowSchedule::flux(bool shift, double baseShift, double maxShift) {
  if (!std::isfinite(baseShift) || !std::isfinite(maxShift))
    throw std::invalid_argument("FlowSchedule::flux: base and max shift must be finite");
  FlowSchedule s;
  s.m_kind = Kind::Flux;
  s.m_resolutionShift = shift;
  s.m_baseShift = baseShift;
  s.m_maxShift = maxShift;
  return s;
}

at::Tensor FlowSchedule::sigmas(int64_t steps, int64_t latentH, int64_t latentW) const {
  if (m_kind == Kind::Sd3Discrete) return sd3FlowSigmas(m_shift, steps, m_timesteps);
  return fluxSigmas(steps, fluxImageSeqLen(latentH, latentW), m_resolutionShift, m_baseShift,
                    m_maxShift);
}

at::Tensor FlowSchedule::timestep(const at::Tensor& sigma) const {
  // SD3: ModelSamplingDiscreteFlow.timestep = sigma * 1000; Flux passes t itself.
  const at::Tensor s = sigma.to(at::kFloat);
  return m_kind == Kind::Sd3Discrete ? s * static_cast<double>(m_timesteps) : s;
}

at::Tensor FlowSchedule::sigmaOfTimestep(const at::Tensor& t) const {
  const at::Tensor f = t.to(at::kFloat);
  return m_kind == Kind::Sd3Discrete ? f / static_cast<double>(m_timesteps) : f;
}

std::string FlowSchedule::describe() const {
  std::ostringstream out;
  if (m_kind == Kind::Sd3Discrete) {
    out << "SD3 flow (shift " << m_shift << ")";
  } else if (m_resolutionShift) {
    out << "Flux flow (shift by resolution, " << m_baseShift << " to " << m_maxShift << ")";
  } else {
    out << "Flux flow (no shift)";
  }
  return out.str();
}

}  // namespace lienzo
