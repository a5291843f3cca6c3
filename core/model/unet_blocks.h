// Building blocks of the latent-diffusion U-Net (SD 1.x, SD 2.x, SDXL) with the original
// CompVis/Stability module names, so that `register_module` paths equal checkpoint keys below
// `model.diffusion_model.` (e.g. `input_blocks.1.0.in_layers.2.weight`).
//
// Contract: modules are built on the CPU with uninitialised float32 parameters (see layers.h);
// fill them with loadModuleWeights() before forward(). All inputs of one forward call must share
// the parameters' dtype and device (UNetImpl::forward does the casting). Forward passes keep the
// input's memory format where ATen does (channels_last in → channels_last out) and never copy
// weights. They are pure functions of their inputs: one thread at a time per module instance,
// any number of instances in parallel. Shape errors throw c10::Error / std::invalid_argument.
#pragma once

#include "core/model/layers.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

/// Sinusoidal timestep embedding, cos half first: [B] (float, fractional allowed) -> [B, dim]
/// float32. freqs[i] = exp(-ln(maxPeriod) * i / (dim/2)); odd `dim` gets a zero last column.
/// Ref: CompVis ldm/modules/diffusionmodules/util.py timestep_embedding (repeat_only=False).
at::Tensor timestepEmbedding(const at::Tensor& timesteps, int64_t dim, double maxPeriod = 10000.0);

/// Registers `module` under a dotted path ("in_layers.2"), creating parameter-less container
/// modules for the intermediate names (the nn.Sequential slots of the reference code).
void registerNested(torch::nn::Module& root, const std::string& path,
                    std::shared_ptr<torch::nn::Module> module);

/// ResBlock (use_scale_shift_norm = false, as in every SD model):
/// h = in_layers(x) + emb_layers(emb)[..., None, None]; h = out_layers(h); return skip(x) + h.
/// Keys: in_layers.{0,2}, emb_layers.1, out_layers.{0,3}, skip_connection (1x1 conv, only when
/// the channel count changes).
class ResBlockImpl : public torch::nn::Module {
 public:
  ResBlockImpl(int64_t inChannels, int64_t outChannels, int64_t embDim);
  /// x [B,Cin,H,W], embSilu = SiLU(emb) [B,embDim] (shared by all blocks) -> [B,Cout,H,W]
  at::Tensor forward(const at::Tensor& x, const at::Tensor& embSilu);

 private:
  GroupNorm m_inNorm{nullptr};
  Conv2d m_inConv{nullptr};
  Linear m_embLinear{nullptr};
  GroupNorm m_outNorm{nullptr};
  Conv2d m_outConv{nullptr};
  Conv2d m_skip{nullptr};  ///< null: identity skip
};
TORCH_MODULE(ResBlock);

/// Downsample: conv3x3 stride 2 padding 1 (`op`). [B,C,H,W] -> [B,C,ceil(H/2),ceil(W/2)].
class DownsampleImpl : public torch::nn::Module {
 public:
  explicit DownsampleImpl(int64_t channels);
  at::Tensor forward(const at::Tensor& x);

 private:
  Conv2d m_op{nullptr};
};
TORCH_MODULE(Downsample);

/// Upsample: nearest x2 (or nearest to `outputSize` when the matching skip tensor is not exactly
/// twice as large, for odd latent sizes; Ref: ComfyUI comfy/ldm/modules/diffusionmodules/
/// openaimodel.py Upsample(output_shape)), then conv3x3 padding 1 (`conv`).
class UpsampleImpl : public torch::nn::Module {
 public:
  explicit UpsampleImpl(int64_t channels);
  /// x [B,C,H,W] -> [B,C,2H,2W] or [B,C,outputSize[0],outputSize[1]]
  at::Tensor forward(const at::Tensor& x, at::IntArrayRef outputSize = {});

 private:
  Conv2d m_conv{nullptr};
};
TORCH_MODULE(Upsample);

/// CrossAttention (self-attention when context is undefined). Keys: to_q, to_k, to_v (no bias),
/// to_out.0. Scale dim_head^-0.5.
class CrossAttentionImpl : public torch::nn::Module {
 public:
  CrossAttentionImpl(int64_t queryDim, int64_t contextDim, int64_t heads, int64_t dimHead);
  /// x [B,N,queryDim], context [B,M,contextDim] (undefined: x) -> [B,N,queryDim]
  at::Tensor forward(const at::Tensor& x, const at::Tensor& context = {});

 private:
  int64_t m_heads;
  Linear m_toQ{nullptr};
  Linear m_toK{nullptr};
  Linear m_toV{nullptr};
  Linear m_toOut{nullptr};
};
TORCH_MODULE(CrossAttention);

/// FeedForward with GEGLU (mult 4): a, gate = net.0.proj(x).chunk(2); net.2(a * gelu(gate)).
class FeedForwardImpl : public torch::nn::Module {
 public:
  explicit FeedForwardImpl(int64_t dim, int64_t mult = 4);
  at::Tensor forward(const at::Tensor& x);  // [B,N,dim] -> [B,N,dim]

 private:
  Linear m_proj{nullptr};
  Linear m_out{nullptr};
};
TORCH_MODULE(FeedForward);

/// BasicTransformerBlock: x += attn1(norm1(x)); x += attn2(norm2(x), context); x += ff(norm3(x)).
class BasicTransformerBlockImpl : public torch::nn::Module {
 public:
  BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dimHead, int64_t contextDim);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& context);  // [B,N,dim] -> same

 private:
  LayerNorm m_norm1{nullptr};
  CrossAttention m_attn1{nullptr};
  LayerNorm m_norm2{nullptr};
  CrossAttention m_attn2{nullptr};
  LayerNorm m_norm3{nullptr};
  FeedForward m_ff{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

struct SpatialTransformerOptions {
  int64_t channels = 0;
  int64_t heads = 0;
  int64_t dimHead = 0;
  int64_t depth = 1;
  int64_t contextDim = 0;
  bool linearProjection = false;  ///< SD2/SDXL: Linear proj_in/out; SD1: 1x1 conv
};

/// SpatialTransformer: norm (GroupNorm 32, eps 1e-6) -> proj_in -> tokens [B,H*W,inner] ->
/// transformer_blocks.N -> proj_out -> + input. The 1x1-conv projections of SD1 are applied as
/// the equivalent Linear on the tokens (same weights viewed as [out,in]).
class SpatialTransformerImpl : public torch::nn::Module {
 public:
  explicit SpatialTransformerImpl(const SpatialTransformerOptions& options);
  /// x [B,C,H,W], context [B,M,contextDim] -> [B,C,H,W]
  at::Tensor forward(const at::Tensor& x, const at::Tensor& context);

 private:
  SpatialTransformerOptions m_options;
  GroupNorm m_norm{nullptr};
  // Exactly one of each pair is set (conv for SD1, linear for SD2/SDXL).
  Conv2d m_projInConv{nullptr}, m_projOutConv{nullptr};
  Linear m_projInLinear{nullptr}, m_projOutLinear{nullptr};
  std::vector<BasicTransformerBlock> m_blocks;
};
TORCH_MODULE(SpatialTransformer);

/// TimestepEmbedSequential: an ordered list of layers registered as "0", "1", ... (the keys
/// `input_blocks.N.M`), each called with what it needs (emb for ResBlocks, context for
/// transformers, the skip size for Upsample).
class TimestepSequentialImpl : public torch::nn::Module {
 public:
  void append(Conv2d conv);
  void append(ResBlock block);
  void append(SpatialTransformer transformer);
  void append(Downsample down);
  void append(Upsample up);
  /// upsampleSize: spatial size the Upsample layer (if any) must produce; empty = x2.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& embSilu, const at::Tensor& context,
                     at::IntArrayRef upsampleSize = {});
  std::size_t layerCount() const { return m_layers.size(); }

 private:
  enum class Kind { Conv, Res, Transformer, Down, Up };
  void add(Kind kind, std::shared_ptr<torch::nn::Module> module);
  std::vector<std::pair<Kind, std::shared_ptr<torch::nn::Module>>> m_layers;
};
TORCH_MODULE(TimestepSequential);

}  // namespace lienzo
