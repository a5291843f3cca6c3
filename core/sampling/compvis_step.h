// The x_prev / pred_x0 update shared by CompVis DDIM and PLMS (internal to core/sampling).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "core/sampling/ddim.h"
#include "core/sampling/sampler.h"

namespace lienzo::compvis {

/// The per-index buffers of DDIMSampler as float32 values.
struct Coefficients {
  float aT = 1.0f;
  float aPrev = 1.0f;
  float sigmaT = 0.0f;
  float sqrtOneMinusAT = 0.0f;
};
Coefficients coefficients(const CompVisDdimTables& tables, int64_t index);

struct CompVisUpdate {
  at::Tensor xPrev;   ///< [B,C,H,W]
  at::Tensor predX0;  ///< [B,C,H,W]
};
/// pred_x0 = (x - sqrt(1 - a_t) eps) / sqrt(a_t) (or x0Override when defined),
/// x_prev = sqrt(a_prev) pred_x0 + sqrt(1 - a_prev - sigma_t^2) eps + sigma_t noise.
/// Draws one noise tensor when `noise` is set or sigma_t > 0 (then `noise` is required).
CompVisUpdate update(const at::Tensor& x, const at::Tensor& eps, const at::Tensor& x0Override,
                     const Coefficients& c, const NoiseFn& noise);

struct EpsAndX0 {
  at::Tensor eps;  ///< [B,C,H,W]
  at::Tensor x0;   ///< [B,C,H,W] for v-prediction (SD 2 formulas), else undefined
};
/// The model output as eps (v converted at alpha-bar `alphaBar`).
EpsAndX0 epsFromOutput(const at::Tensor& output, const at::Tensor& x, float alphaBar,
                       Prediction prediction);

}  // namespace lienzo::compvis
