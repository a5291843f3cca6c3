// ControlNet (SD 1.x / 2.x / SDXL): a trainable copy of the U-Net encoder plus a hint block that
// turns a picture into a latent-resolution embedding, and one zero-initialised 1x1 conv per
// encoder output. Its residuals (unscaled, one per input block plus the middle: 13 for SD 1.x/2.x,
// 10 for SDXL) are scaled by control_stage and added by UNet::forward (UNetResiduals).
//
// Keys (the module tree) are the original lllyasviel layout below `control_model.`:
// time_embed.{0,2}, label_emb.0.{0,2} (SDXL), input_blocks.N.*, middle_block.*,
// input_hint_block.{0,2,...,14}, zero_convs.N.0, middle_block_out.0. Files in the diffusers
// layout are renamed to it by controlnet_file.h.
//
// Contract: as UNetImpl (core/model/unet.h) — construction allocates uninitialised parameters,
// load weights before forward(); forward() is a pure function of its inputs, one thread at a time
// per instance; invalid shapes throw std::invalid_argument naming what was wrong.
// Ref: lllyasviel/ControlNet cldm/cldm.py ControlNet (__init__, make_zero_conv, forward).
#pragma once

#include "core/model/unet.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

struct ControlNetConfig {
  /// The encoder copy (same constructor arguments as the base U-Net; outChannels unused).
  UNetConfig unet;
  /// Channels of the hint picture (3: RGB).
  int64_t hintChannels = 3;
  /// Output widths of the eight 3x3 convs of input_hint_block (the last = modelChannels).
  std::vector<int64_t> hintWidths{16, 16, 32, 32, 96, 96, 256, 320};

  /// Reads everything from tensor shapes under `prefix` (original layout); heads are the family
  /// defaults (copy the base U-Net's when they differ). Throws std::invalid_argument when the
  /// file holds no ControlNet there.
  static ControlNetConfig fromWeights(const SafetensorsFile& file, const std::string& prefix);
  /// Number of residuals: input blocks + 1 (the middle).
  int64_t residualCount() const;
  /// Pixel / latent size ratio of the hint block (2^number of stride-2 convs = 8).
  static constexpr int64_t kHintDownsample = 8;
};

class ControlNetImpl : public torch::nn::Module {
 public:
  explicit ControlNetImpl(ControlNetConfig config);

  /// input_hint_block: hint [N,hintChannels,8h,8w] (values as the preprocessor made them) ->
  /// [N,modelChannels,h,w] in the parameter dtype. Independent of t and the text: compute it once
  /// per picture.
  at::Tensor hintEmbedding(const at::Tensor& hint);

  /// The unscaled residuals for x [B,in,h,w], hintEmb [B or 1,mc,h,w] (hintEmbedding()),
  /// timesteps [B] or [1], context [B,M,contextDim], y [B,adm] iff SDXL. skips has one entry per
  /// input block, middle is the middle block's; all in the parameter dtype.
  UNetResiduals forward(const at::Tensor& x, const at::Tensor& hintEmb, const at::Tensor& timesteps,
                        const at::Tensor& context, const at::Tensor& y = {});

  const ControlNetConfig& config() const { return m_config; }
  c10::ScalarType dtype() const { return m_encoder.dtype(); }
  c10::Device device() const { return m_encoder.device(); }

 private:
  ControlNetConfig m_config;
  UNetEncoder m_encoder;
  std::vector<Conv2d> m_hintConvs;  // input_hint_block.{0,2,...,14}
  std::vector<Conv2d> m_zeroConvs;  // zero_convs.N.0
  Conv2d m_middleOut{nullptr};      // middle_block_out.0
};
TORCH_MODULE(ControlNet);

}  // namespace lienzo
