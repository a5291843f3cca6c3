// The denoising network of a loaded model as the samplers' ModelFn wrapper (model_calls.h) and
// the stages see it: one forward call, its channel counts and a width for memory estimates.
// Implementation per architecture: UNetDiffusionModel (SD 1.x / 2.x / SDXL and the built-in
// model; inpainting U-Nets take more input channels than they output). MMDiT / Flux would add
// theirs; the pipeline does not change.
//
// Contract: immutable after construction; forward() is a pure function of its inputs and may be
// called from several threads at once (the module is only read). Failure: torch errors propagate
// (wrong shapes, a missing context or y).
#pragma once

#include "core/model/unet.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>

namespace lienzo {

class DiffusionModel {
 public:
  virtual ~DiffusionModel() = default;
  /// x [B,inChannels,h,w], t [B] (float timesteps, fractional allowed), context [B,M,contextDim],
  /// y [B,adm] or undefined → eps / v [B,latentChannels,h,w]. Inputs are moved to device() (x,
  /// context and y also to dtype(), t to float32); the result is on device() in dtype().
  /// `residuals`: ControlNet residuals to add (core/model/unet.h UNetResiduals); a model that
  /// cannot take them throws GenerationError-worthy std::invalid_argument.
  virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                             const at::Tensor& y = {},
                             const UNetResiduals* residuals = nullptr) const = 0;
  /// The U-Net's configuration when the model is one (ControlNets copy its encoder), else null.
  virtual const UNetConfig* unetConfig() const { return nullptr; }
  /// Input channels: latentChannels(), plus the concat conditioning of inpainting models.
  virtual int64_t inChannels() const = 0;
  /// Channels of the latent the model denoises (its output).
  virtual int64_t latentChannels() const = 0;
  /// Width of the first level's activations (U-Net model channels), for memory estimates.
  virtual int64_t widthHint() const = 0;
  /// Whether a context repeated along its token axis gives the same output (cross-attention:
  /// keys and values repeated equally leave the softmax unchanged), so that cond and uncond of
  /// different lengths may share one batch by tiling (makeGuidedModel). False for joint
  /// attention (MMDiT, Flux), where the text tokens attend to each other and to the image: a
  /// repeated token changes the softmax mass.
  virtual bool contextTilable() const { return true; }
  virtual c10::ScalarType dtype() const = 0;
  virtual c10::Device device() const = 0;
  /// Guidance-distilled models (Flux dev): the same network (weights shared) taking `guidance`
  /// as its guidance input, for one generation (GenerationParams::guidance). Null for models
  /// without such an input: the caller keeps this one.
  virtual std::shared_ptr<const DiffusionModel> withDistilledGuidance(double guidance) const {
    (void)guidance;
    return nullptr;
  }
};

/// A loaded U-Net (core/model/unet.h) whose parameters are in `dtype` on `device`.
class UNetDiffusionModel final : public DiffusionModel {
 public:
  UNetDiffusionModel(UNet unet, c10::ScalarType dtype, c10::Device device);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                     const at::Tensor& y = {},
                     const UNetResiduals* residuals = nullptr) const override;
  const UNetConfig* unetConfig() const override { return &m_unet->config(); }
  int64_t inChannels() const override;
  int64_t latentChannels() const override;
  int64_t widthHint() const override;
  c10::ScalarType dtype() const override { return m_dtype; }
  c10::Device device() const override { return m_device; }
  const UNet& unet() const { return m_unet; }

 private:
  UNet m_unet;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

/// The factories' (and tests') way to put a U-Net into a bundle, e.g. swapping in an inpainting
/// U-Net. `unet` must already hold its weights in `dtype` on `device`.
std::shared_ptr<const DiffusionModel> makeUNetDiffusionModel(UNet unet, c10::ScalarType dtype,
                                                             c10::Device device);

}  // namespace lienzo
