// Building blocks of the Flux.1 transformer (core/model/flux.h): the timestep sinusoid, the
// vector MLPs, rotary position embeddings over (t, h, w) ids, the double- and single-stream blocks
// and the last layer. Module paths equal the BFL key names below the block
// (`img_mod.lin`, `img_attn.qkv`, `img_attn.norm.query_norm.scale`, `img_mlp.0`, `linear1`, ...).
//
// Ref: black-forest-labs/flux src/flux/modules/layers.py (timestep_embedding, EmbedND,
// MLPEmbedder, RMSNorm, QKNorm, Modulation, DoubleStreamBlock, SingleStreamBlock, LastLayer) and
// src/flux/math.py (rope, apply_rope, attention); written from those equations.
//
// Contract: same as the layers of core/model/layers.h: parameters are uninitialised float32 CPU
// tensors until loadModuleWeights() fills them; forward() computes in the parameter dtype
// (LayerNorm, RMSNorm, RoPE and the sinusoid in float32) and mutates no module state (the weights
// are only read), so concurrent calls on one loaded instance are safe. Shapes are checked by the
// caller (FluxImpl::forward); the free functions throw std::invalid_argument on bad arguments.
#pragma once

#include "core/model/layers.h"
#include "core/model/packed_linear.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

/// `[cos(args) ‖ sin(args)]` [B, dim] (float32) with args = (t·timeFactor)·freqs,
/// freqs[i] = exp(-ln(maxPeriod)·i/(dim/2)), every step in float32 as the reference
/// (the float64 route changes `vec` by ~1e-5). t [B] any floating dtype.
at::Tensor fluxTimestepEmbedding(const at::Tensor& t, int64_t dim, double maxPeriod = 10000.0,
                                 double timeFactor = 1000.0);

/// Rotary angles of `ids` [B, L, axes] (float) for per-axis widths `axesDim` (each even, sum =
/// head dim) and base `theta`: cos and sin, each [B, L, headDim/2] float32 (axis i owns the pairs
/// after those of axes 0..i-1; omega_j = 1/theta^(2j/d_i) in float32).
struct FluxRope {
  at::Tensor cos;
  at::Tensor sin;
  /// The reference `pe` layout [B, 1, L, headDim/2, 2, 2] = [[cos, -sin], [sin, cos]].
  at::Tensor asMatrices() const;
};
FluxRope fluxRope(const at::Tensor& ids, const std::vector<int64_t>& axesDim, double theta);

/// Rotates consecutive pairs of x [B, L, H, D] (out[2j] = cos·x[2j] − sin·x[2j+1],
/// out[2j+1] = sin·x[2j] + cos·x[2j+1]) in float32; returns x's dtype.
at::Tensor applyFluxRope(const at::Tensor& x, const FluxRope& rope);

/// in_layer → SiLU → out_layer.
class FluxMlpEmbedderImpl : public torch::nn::Module {
 public:
  FluxMlpEmbedderImpl(int64_t in, int64_t hidden);
  at::Tensor forward(const at::Tensor& x);  // [B, in] -> [B, hidden]
  PackedLinear inLayer{nullptr}, outLayer{nullptr};
};
TORCH_MODULE(FluxMlpEmbedder);

/// RMSNorm with weight `scale` [dim] (`query_norm` / `key_norm` of QKNorm):
/// x·rsqrt(mean(x²) + 1e-6) in float32, cast back to x's dtype, times scale.
class FluxRmsNormImpl : public torch::nn::Module {
 public:
  explicit FluxRmsNormImpl(int64_t dim);
  at::Tensor forward(const at::Tensor& x);  // [..., dim] -> same
  at::Tensor scale;
};
TORCH_MODULE(FluxRmsNorm);

/// The per-block settings.
struct FluxBlockOptions {
  int64_t hidden = 3072;
  int64_t heads = 24;
  int64_t mlpHidden = 12288;
  bool qkvBias = true;
  int64_t headDim() const { return hidden / heads; }
};

/// Shift, scale and gate [B, 1, hidden] of one modulation.
struct FluxModulation {
  at::Tensor shift, scale, gate;
};

/// Joint txt/img attention block with separate weights per stream.
class FluxDoubleBlockImpl : public torch::nn::Module {
 public:
  explicit FluxDoubleBlockImpl(const FluxBlockOptions& options);
  /// img [B, N, hidden], txt [B, Lt, hidden], vec [B, hidden], rope over Lt + N (txt first).
  /// Updates img and txt in place of the references.
  void forward(at::Tensor& img, at::Tensor& txt, const at::Tensor& vec, const FluxRope& rope);

 private:
  struct Stream {
    PackedLinear mod{nullptr}, qkv{nullptr}, proj{nullptr}, mlp0{nullptr}, mlp2{nullptr};
    FluxRmsNorm queryNorm{nullptr}, keyNorm{nullptr};
  };
  Stream makeStream(const std::string& name);
  FluxBlockOptions m_options;
  Stream m_img, m_txt;
};
TORCH_MODULE(FluxDoubleBlock);

/// Parallel attention + MLP block on cat(txt, img).
class FluxSingleBlockImpl : public torch::nn::Module {
 public:
  explicit FluxSingleBlockImpl(const FluxBlockOptions& options);
  /// x [B, L, hidden], vec [B, hidden] -> [B, L, hidden].
  at::Tensor forward(const at::Tensor& x, const at::Tensor& vec, const FluxRope& rope);

 private:
  FluxBlockOptions m_options;
  PackedLinear m_modulation{nullptr}, m_linear1{nullptr}, m_linear2{nullptr};
  FluxRmsNorm m_queryNorm{nullptr}, m_keyNorm{nullptr};
};
TORCH_MODULE(FluxSingleBlock);

/// `adaLN_modulation.1` (shift first, then scale) and `linear` → out channels.
class FluxLastLayerImpl : public torch::nn::Module {
 public:
  FluxLastLayerImpl(int64_t hidden, int64_t outChannels);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& vec);  // [B,N,hidden] -> [B,N,out]

 private:
  PackedLinear m_adaLN{nullptr}, m_linear{nullptr};
};
TORCH_MODULE(FluxLastLayer);

}  // namespace lienzo
