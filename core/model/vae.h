// AutoencoderKL (the SD 1.x / 2.x / SDXL VAE) in the original single-file layout
// (`first_stage_model.*`: `encoder.*`, `decoder.*`, `quant_conv.*`, `post_quant_conv.*`).
//
// Contract
// - The architecture comes from the weights (VaeConfig::fromWeights): base width, channel
//   multipliers, residual blocks per level, latent/embedding channels, which levels have
//   attention, whether the encoder and decoder are present (a decoder-only file works for
//   decoding) and whether the attention projections are stored as 1x1 convs [C,C,1,1] (original)
//   or as linear weights [C,C] (files converted from diffusers). GroupNorm: 32 groups, eps 1e-6.
// - Module paths are the checkpoint keys below the prefix, so loadModuleWeights() fills them;
//   parameters are uninitialised until then. loadAutoencoderKL() does fromWeights + load.
// - decode()/encode() work in VAE space. The diffusion latent scaling (SD 0.18215, SDXL 0.13025)
//   is *not* applied here: use LatentScaling. Inputs are moved to the weights' dtype/device,
//   outputs are in that dtype. Image tensors are NCHW in [-1, 1] (decode output is raw, not
//   clamped); H and W of an image must be multiples of downscaleFactor() for encode().
// - Failure: std::invalid_argument for bad shapes or a missing encoder/decoder; the weight loader
//   throws std::runtime_error for a checkpoint of another shape.
// - Threads: encode/decode mutate nothing, so concurrent calls on one loaded model are safe
//   (run them under c10::InferenceMode). Loading is not thread-safe.
#pragma once

#include "core/model/layers.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

struct VaeConfig {
  int64_t inChannels = 3;      ///< image channels into the encoder
  int64_t outChannels = 3;     ///< image channels out of the decoder
  int64_t baseChannels = 128;  ///< `ch`
  std::vector<int64_t> channelMult{1, 2, 4, 4};
  int64_t numResBlocks = 2;          ///< per encoder level (the decoder has one more)
  int64_t zChannels = 4;             ///< decoder.conv_in input channels
  int64_t embedDim = 4;              ///< latent channels (quant_conv / post_quant_conv)
  bool doubleZ = true;               ///< encoder outputs mean and logvar
  std::vector<bool> levelAttention;  ///< per level: attention after each res block (empty = none)
  bool hasEncoder = true;
  bool hasDecoder = true;
  bool hasQuantConv = true;      ///< quant_conv after the encoder (absent in some newer VAEs)
  bool hasPostQuantConv = true;  ///< post_quant_conv before the decoder
  bool linearAttention = false;  ///< attention q/k/v/proj_out stored as [C,C] instead of [C,C,1,1]
  int64_t groups = 32;           ///< GroupNorm groups; 0 = no normalisation layers (identity)
  double groupNormEps = 1e-6;

  /// Reads everything from the tensors under `prefix` ("first_stage_model."): `ch` from
  /// encoder.conv_in / decoder.conv_out, levels and multipliers from down.N / up.N blocks, etc.
  /// Throws
  /// std::invalid_argument naming what is missing or inconsistent.
  static VaeConfig fromWeights(const SafetensorsFile& file, const std::string& prefix);
  void validate() const;
  /// Image pixels per latent pixel along each axis: 2^(levels - 1) (8 for SD).
  int64_t downscaleFactor() const;
  bool attentionAt(std::size_t level) const {
    return level < levelAttention.size() && levelAttention[level];
  }
};

/// The encoder's diagonal Gaussian over latents (VAE space, unscaled).
/// Ref: ldm/modules/distributions/distributions.py DiagonalGaussianDistribution.
struct VaeLatentDistribution {
  at::Tensor moments;  ///< [B,2E,h,w] = quant_conv(encoder(x))
  at::Tensor mean;     ///< [B,E,h,w]
  at::Tensor logvar;   ///< [B,E,h,w], clamped to [-30, 20]
  at::Tensor std;      ///< exp(0.5 * logvar)
  /// mean (what img2img with "mode" uses).
  const at::Tensor& mode() const { return mean; }
  /// mean + std * noise; `noise` [B,E,h,w] comes from the caller's seeded generator.
  at::Tensor sample(const at::Tensor& noise) const;
  /// Splits moments into mean / clamped logvar / std (float ops in the moments' dtype).
  static VaeLatentDistribution fromMoments(const at::Tensor& moments);
};

/// Diffusion-space ↔ VAE-space latents: ldm `scale_factor` (and SD3 / Flux `shift_factor`).
/// toVae(z) = z * (1 / scale), or z / scale + shift with a shift, and fromVae(z) = [(z - shift) *]
/// scale (latentFormatFacts, core/model/latent_preview.h, states each space's), each a single
/// float op in z's dtype with the double constant, exactly as CompVis decode_first_stage /
/// get_first_stage_encoding compute it (so results are bit-identical to the reference).
struct LatentScaling {
  double scale = 0.18215;
  double shift = 0.0;
  at::Tensor toVae(const at::Tensor& z) const;
  at::Tensor fromVae(const at::Tensor& z) const;
};

class VaeEncoderImpl;  // defined in vae.cpp
class VaeDecoderImpl;

class AutoencoderKLImpl : public torch::nn::Module {
 public:
  explicit AutoencoderKLImpl(const VaeConfig& config);

  /// x [B,inChannels,H,W] in [-1,1], H and W multiples of downscaleFactor() →
  /// moments [B,2*embedDim,H/f,W/f]. Throws std::invalid_argument without an encoder.
  at::Tensor encodeMoments(const at::Tensor& x);
  /// encodeMoments + the distribution split.
  VaeLatentDistribution encode(const at::Tensor& x);
  /// z [B,embedDim,h,w] in VAE space → image [B,outChannels,h*f,w*f] (raw, about [-1,1]).
  at::Tensor decode(const at::Tensor& z);

  const VaeConfig& config() const { return m_config; }
  c10::ScalarType dtype() const;
  c10::Device device() const;

 private:
  VaeConfig m_config;
  std::shared_ptr<VaeEncoderImpl> m_encoder;
  std::shared_ptr<VaeDecoderImpl> m_decoder;
  Conv2d m_quantConv{nullptr};
  Conv2d m_postQuantConv{nullptr};
};
TORCH_MODULE(AutoencoderKL);

/// fromWeights + construct + loadModuleWeights in `dtype` on `device`.
AutoencoderKL loadAutoencoderKL(const SafetensorsFile& file, const std::string& prefix,
                                c10::ScalarType dtype, c10::Device device = c10::Device(c10::kCPU));

}  // namespace lienzo
