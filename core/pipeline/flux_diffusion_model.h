// Flux.1 (core/model/flux.h) as the pipeline's DiffusionModel: the stages hand it the 16-channel
// latent [B, 16, h, w]; it packs 2×2 patches (core/model/flux_packing.h), builds the (0, row, col)
// image ids and zero text ids, runs the transformer and unpacks the velocity.
//
// Inputs of forward() as the DiffusionModel contract names them:
//   x        latent [B, 16, h, w] (odd h or w: padded by repeating the last row / column to the
//            2×2 grid, and the output cropped back; Flux's own sizes are always even)
//   t        [B] or [1]: the flow time σ in [0, 1] (the network multiplies by 1000 itself)
//   context  T5 tokens [B, Lt, contextInDim] (`txt`)
//   y        CLIP-L pooled [B, vecInDim] (required)
// → velocity v [B, 16, h, w] (x_{next} = x + (σ_next − σ)·v; denoised = x − σ·v).
//
// Distilled guidance (dev): one scalar per generation, fixed at construction. The DiffusionModel
// interface is immutable and shared by concurrent requests, and its forward() has no slot for it
// (its signature is shared by every family); withGuidance() gives a second view on the same
// network with another value (no weight copy), which a factory or stage makes per generation.
// schnell ignores the value.
//
// Contract: immutable after construction; forward() may be called from several threads at once
// (the module is only read). Failure: std::invalid_argument for ControlNet residuals (Flux has no
// U-Net skips), a missing y or context, or a wrong latent shape; torch errors propagate.
#pragma once

#include "core/model/flux.h"
#include "core/pipeline/diffusion_model.h"

#include <memory>

namespace lienzo {

class FluxDiffusionModel final : public DiffusionModel {
 public:
  /// `flux` must already hold its weights in `dtype` on `device`. `guidance`: the distilled
  /// guidance scale of dev models (3.5 = ComfyUI FluxGuidance / diffusers default).
  FluxDiffusionModel(Flux flux, c10::ScalarType dtype, c10::Device device,
                     double guidance = kDefaultGuidance);
  static constexpr double kDefaultGuidance = 3.5;

  at::Tensor forward(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                     const at::Tensor& y = {},
                     const UNetResiduals* residuals = nullptr) const override;
  int64_t inChannels() const override;      ///< 16 (the packed width / 4)
  int64_t latentChannels() const override;  ///< 16
  int64_t widthHint() const override;       ///< the transformer's hidden width
  /// Joint attention over (txt ‖ img): a tiled context would change the result.
  bool contextTilable() const override { return false; }
  c10::ScalarType dtype() const override { return m_dtype; }
  c10::Device device() const override { return m_device; }

  double guidance() const { return m_guidance; }
  /// Whether the network takes the guidance value (dev) or ignores it (schnell).
  bool usesGuidance() const { return m_flux->config().guidanceEmbed; }
  /// The same network with another guidance value (shares the weights).
  std::shared_ptr<const FluxDiffusionModel> withGuidance(double guidance) const;
  /// dev: withGuidance(guidance); schnell: null (it has no guidance input).
  std::shared_ptr<const DiffusionModel> withDistilledGuidance(double guidance) const override;
  const Flux& flux() const { return m_flux; }

 private:
  Flux m_flux;
  c10::ScalarType m_dtype;
  c10::Device m_device;
  double m_guidance;
};

}  // namespace lienzo
