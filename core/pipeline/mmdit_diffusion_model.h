// The SD3 / SD3.5 MMDiT (core/model/mmdit.h) as a DiffusionModel (diffusion_model.h): what the
// samplers' ModelFn wrapper and the stages call. It predicts the flow velocity v; the flow
// schedule turns it into denoised = x − v·σ.
//
// Contract: immutable after construction; forward() is a pure function of its inputs and may be
// called from several threads at once (the module is only read). `t` is the MMDiT timestep
// σ·1000 (sd3_impls.py ModelSamplingDiscreteFlow.timestep), float, [B] or [1]. ControlNet
// residuals do not exist for this architecture: a non-empty `residuals` throws
// std::invalid_argument. Other failures: Mmdit::forward's std::invalid_argument (shapes, a
// missing y, a latent larger than the pos_embed grid).
#pragma once

#include "core/model/mmdit.h"
#include "core/pipeline/diffusion_model.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace lienzo {

class SafetensorsFile;

class MmditDiffusionModel final : public DiffusionModel {
 public:
  /// `mmdit` must already hold its weights in `dtype` on `device`.
  MmditDiffusionModel(Mmdit mmdit, c10::ScalarType dtype, c10::Device device);

  /// x [B,16,h,w], t = σ·1000 [B] or [1], context [B,M,contextIn], y [B,adm] → v [B,16,h,w] on
  /// device() in dtype().
  at::Tensor forward(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                     const at::Tensor& y = {},
                     const UNetResiduals* residuals = nullptr) const override;
  /// The same with the joint blocks `skipLayers` skipped (SD3.5 skip-layer guidance).
  at::Tensor forwardSkipping(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                             const at::Tensor& y, const std::vector<int64_t>& skipLayers) const;

  int64_t inChannels() const override;
  int64_t latentChannels() const override;
  /// The hidden width (64·depth).
  int64_t widthHint() const override;
  /// Joint attention over cat(context, x): tiling the context would change the result.
  bool contextTilable() const override { return false; }
  c10::ScalarType dtype() const override { return m_dtype; }
  c10::Device device() const override { return m_device; }
  const Mmdit& mmdit() const { return m_mmdit; }

 private:
  Mmdit m_mmdit;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

/// Finds the MMDiT in `file` (findMmditPrefix: "model.diffusion_model." or none), reads its
/// config from the shapes, loads it in `dtype` on `device`. Throws std::invalid_argument when
/// the file holds no MMDiT, std::runtime_error (loadModuleWeights) on a missing key or shape.
std::shared_ptr<const MmditDiffusionModel> loadMmditDiffusionModel(
    const SafetensorsFile& file, c10::ScalarType dtype,
    c10::Device device = c10::Device(c10::kCPU));

}  // namespace lienzo
