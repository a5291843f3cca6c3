// The latent-diffusion U-Net of SD 1.x, SD 2.x and SDXL (CompVis/sgm `UNetModel`), built from a
// configuration that is inferred from the checkpoint tensors alone.
//
// Keys: the module tree equals the original layout below `model.diffusion_model.`
// (time_embed.{0,2}, input_blocks.N.M.*, middle_block.M.*, output_blocks.N.M.*, out.{0,2},
// label_emb.0.{0,2} for SDXL), so
//   UNet unet(UNetConfig::fromWeights(file, "model.diffusion_model."));
//   loadModuleWeights(*unet, file, "model.diffusion_model.", at::kBFloat16);
// loads every parameter with exact shape checks.
//
// Contract
// - Construction allocates uninitialised float32 parameters (no random init); load weights
//   before forward(). The compute dtype/device is that of the loaded parameters.
// - forward() is a pure function of its inputs; call it from one thread at a time per instance
//   (run it under c10::InferenceMode for speed). Inputs may be in any floating dtype: they are
//   cast to the parameter dtype and the result is returned in x's dtype.
// - Invalid inputs (wrong rank, channel count, batch mismatch, missing/unexpected `y`) throw
//   std::invalid_argument; a checkpoint that is not a U-Net makes fromWeights() throw
//   std::invalid_argument; loadModuleWeights() throws on any missing key or shape mismatch.
#pragma once

#include "core/model/unet_blocks.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

/// Model family as detected from the U-Net weights; only used to pick head defaults.
enum class UNetFamily { SD1, SD2, SDXL };

const char* unetFamilyName(UNetFamily family);

struct UNetConfig {
  UNetFamily family = UNetFamily::SD1;
  int64_t inChannels = 4;
  int64_t outChannels = 4;
  int64_t modelChannels = 320;
  std::vector<int64_t> channelMult{1, 2, 4, 4};
  /// ResBlocks per level on the way down (the way up has one more per level).
  std::vector<int64_t> numResBlocks{2, 2, 2, 2};
  /// Transformer blocks per SpatialTransformer at each level; 0 = no attention at that level.
  std::vector<int64_t> transformerDepth{1, 1, 1, 0};
  /// Transformer blocks in middle_block.1; 0 = the middle block is two ResBlocks only.
  int64_t transformerDepthMiddle = 1;
  int64_t contextDim = 768;
  /// proj_in/proj_out are Linear (SD2, SDXL) instead of 1x1 conv (SD1).
  bool linearProjection = false;
  /// Width of the `y` vector (SDXL: 2816 for base, 2560 for refiner); 0 = no label_emb.
  int64_t admInChannels = 0;
  /// Heads: when numHeadChannels > 0 the head dim is fixed (heads = C / numHeadChannels, SD2 and
  /// SDXL use 64); otherwise the head count is fixed (numHeads, SD1 uses 8). Not recoverable
  /// from shapes: fromWeights() sets the family defaults.
  int64_t numHeads = 8;
  int64_t numHeadChannels = -1;
  double maxPeriod = 10000.0;
  /// Lienzo built-in models only (no SD family has it): side S of a learned absolute-position
  /// map `pos_emb` [1, modelChannels, S, S] added to conv_in's output, bilinearly resized when the
  /// latent is not S×S. Meant for captions such as "on the left", which a U-Net whose only
  /// position cue is zero padding did not learn (docs/builtin-model.md). 0 = none.
  int64_t positionSide = 0;

  /// Infers everything except the heads from tensor names and shapes under `prefix`
  /// (e.g. "model.diffusion_model."), then applies the family's head defaults (which may not
  /// divide the widths of a non-standard model: set numHeads/numHeadChannels then). Throws
  /// std::invalid_argument when the file holds no recognisable U-Net under `prefix`.
  /// `encoderOnly`: the file holds only the encoder half (a ControlNet): no `out` tensors are
  /// required and outChannels is set to inChannels.
  static UNetConfig fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                bool encoderOnly = false);

  /// Real-model presets (same as fromWeights on the released checkpoints).
  static UNetConfig sd15();
  static UNetConfig sd21();
  static UNetConfig sdxlBase();

  int64_t levels() const { return static_cast<int64_t>(channelMult.size()); }
  int64_t timeEmbedDim() const { return modelChannels * 4; }
  /// Downsampling factor of the deepest level (2^(levels-1)); latents should be multiples of
  /// it for the exact reference behaviour (other sizes work, see forward()).
  int64_t downsampleFactor() const { return int64_t{1} << (levels() - 1); }
  /// {heads, dimHead} of the attention at a level with `channels` channels.
  std::pair<int64_t, int64_t> headsFor(int64_t channels) const;
  /// Any SpatialTransformer (then forward() needs a context).
  bool hasAttention() const;
  /// Throws std::invalid_argument when inconsistent (vector sizes, non-positive widths, heads).
  /// fromWeights() checks everything but the heads; the UNet constructor checks all.
  void validate() const;
};

/// Residuals a UNet::forward adds on top of its own activations (ControlNet,
/// core/control/controlnet.h). skips[i] is added to input block i's output where output block
/// (N-1-i) consumes it as its skip (the encoder's running h is unchanged); middle is added to the
/// middle block's output. Each is [B,C,h,w] of the tensor it is added to (any float dtype) or
/// undefined (nothing added there); skips is empty or has one entry per input block.
/// Ref: lllyasviel/ControlNet cldm/cldm.py ControlledUnetModel.forward.
struct UNetResiduals {
  std::vector<at::Tensor> skips;
  at::Tensor middle;
  bool empty() const { return skips.empty() && !middle.defined(); }
};

/// The encoder half of the U-Net — time_embed, label_emb, input_blocks, middle_block — registered
/// on a root module under the original names. UNetImpl and ControlNetImpl (whose files repeat
/// these names, core/control/controlnet.h) both build theirs with it. Same contract as UNetImpl.
class UNetEncoder {
 public:
  UNetEncoder() = default;
  UNetEncoder(torch::nn::Module& root, const UNetConfig& config);
  /// Throws std::invalid_argument (prefixed by `who`) unless x [B,inChannels,H,W], timesteps [B]
  /// or [1], context [B,M,contextDim] (when there is attention) and y [B,adm] iff adm > 0.
  void checkInputs(const char* who, const at::Tensor& x, const at::Tensor& timesteps,
                   const at::Tensor& context, const at::Tensor& y) const;
  /// SiLU(time_embed(t) [+ label_emb(y)]) [B,4mc] in the parameter dtype (every ResBlock's
  /// emb_layers starts with SiLU).
  at::Tensor embedSilu(const at::Tensor& timesteps, int64_t batch, const at::Tensor& y) const;
  std::vector<TimestepSequential>& inputBlocks() { return m_inputBlocks; }
  TimestepSequential& middleBlock() { return m_middleBlock; }
  /// Output channels of each input block (input_block_chans of the reference).
  const std::vector<int64_t>& skipChannels() const { return m_skipChannels; }
  c10::ScalarType dtype() const { return m_timeEmbed0->weight.scalar_type(); }
  c10::Device device() const { return m_timeEmbed0->weight.device(); }

 private:
  UNetConfig m_config;
  Linear m_timeEmbed0{nullptr}, m_timeEmbed2{nullptr};
  Linear m_labelEmb0{nullptr}, m_labelEmb2{nullptr};
  std::vector<TimestepSequential> m_inputBlocks;
  TimestepSequential m_middleBlock{nullptr};
  std::vector<int64_t> m_skipChannels;
};

class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(UNetConfig config);

  /// x [B,inChannels,H,W] (any H, W >= 1; with sizes that are not multiples of
  /// downsampleFactor() each Upsample resizes to the skip tensor's size, as ComfyUI does),
  /// timesteps [B] or [1] (float, fractional allowed), context [B,M,contextDim] (M = 77*k),
  /// y [B,admInChannels] required iff admInChannels > 0.  -> [B,outChannels,H,W] in x's dtype.
  /// channels_last inputs stay channels_last throughout (no layout copies).
  /// `residuals` (optional): added to the skips and the middle (see UNetResiduals); throws
  /// std::invalid_argument when their count or shapes do not fit this U-Net.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& timesteps, const at::Tensor& context,
                     const at::Tensor& y = {}, const UNetResiduals* residuals = nullptr);

  const UNetConfig& config() const { return m_config; }
  /// Dtype of the (loaded) parameters = the compute dtype.
  c10::ScalarType dtype() const;

 private:
  UNetConfig m_config;
  UNetEncoder m_encoder;
  std::vector<TimestepSequential> m_outputBlocks;
  GroupNorm m_outNorm{nullptr};
  Conv2d m_outConv{nullptr};
  at::Tensor m_posEmb;  // [1,modelChannels,S,S] when config.positionSide > 0
};
TORCH_MODULE(UNet);

}  // namespace lienzo
