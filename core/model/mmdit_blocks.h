// Building blocks of the SD3 / SD3.5 MMDiT (core/model/mmdit.h) with the reference module names,
// so that registered paths equal checkpoint keys below `model.diffusion_model.joint_blocks.N.`
// (`x_block.attn.qkv.weight`, `context_block.adaLN_modulation.1.bias`, ...).
//
// Ref: Stability-AI/sd3.5 mmditx.py (SelfAttention, RMSNorm, DismantledBlock, block_mixing,
// JointBlock); written from the math there, qk_norm "rms" or none, no rmsnorm/scale_mod_only/
// swiglu variants (no released SD3 file uses them).
//
// Contract: modules are built on the CPU with uninitialised float32 parameters (layers.h); fill
// them with loadModuleWeights() before use. All inputs of one call must share the parameters'
// dtype and device (MmditImpl::forward casts). Norms run in float32 for half inputs and return
// the input dtype. Pure functions of their inputs: one thread at a time per instance. Shape
// errors throw c10::Error (MmditImpl validates its inputs first).
#pragma once

#include "core/model/layers.h"
#include "core/model/packed_linear.h"

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <utility>

namespace lienzo {

/// DiT adaLN modulation: x·(1 + scale[:,None]) + shift[:,None]; x [B,L,H], shift/scale [B,H].
at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale);

/// RMSNorm with a learned scale `weight` [dim]: x·rsqrt(mean(x², -1) + eps)·weight.
class RmsNormImpl : public torch::nn::Module {
 public:
  explicit RmsNormImpl(int64_t dim, double eps = 1e-6);
  at::Tensor forward(const at::Tensor& x);  // [..., dim] -> same
  at::Tensor weight;

 private:
  double m_eps;
};
TORCH_MODULE(RmsNorm);

/// q, k, v of one stream, each [B, L, heads·headDim], q and k already normalised.
struct MmditQkv {
  at::Tensor q, k, v;
};

/// SelfAttention: qkv (Linear H -> 3H, bias), optional RMS ln_q / ln_k over each head's 64
/// channels, proj (absent when pre_only).
class MmditAttentionImpl : public torch::nn::Module {
 public:
  MmditAttentionImpl(int64_t hidden, int64_t heads, bool preOnly, bool qkNorm);
  /// x [B,L,H] -> q, k, v [B,L,H] (split as [B,L,3,heads,headDim], then ln_q / ln_k).
  MmditQkv preAttention(const at::Tensor& x);
  /// proj(attn), attn [B,L,H]. Throws std::logic_error when pre_only.
  at::Tensor postAttention(const at::Tensor& attn);
  /// Attention of q, k, v with this module's heads (scale headDim^-0.5).
  at::Tensor attend(const MmditQkv& qkv) const;
  int64_t heads() const { return m_heads; }

 private:
  int64_t m_heads;
  PackedLinear m_qkv{nullptr};
  PackedLinear m_proj{nullptr};  ///< null when pre_only
  RmsNorm m_lnQ{nullptr};        ///< null without qk norm
  RmsNorm m_lnK{nullptr};
};
TORCH_MODULE(MmditAttention);

struct MmditBlockOptions {
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t mlpHidden = 0;   ///< mlp.fc1 width (4·hidden in SD3)
  bool preOnly = false;    ///< last context block: only contributes q, k, v
  bool qkNorm = false;     ///< attn.ln_q / attn.ln_k present
  bool selfAttn2 = false;  ///< MMDiT-X: x_block.attn2 (x tokens only)
};

/// DismantledBlock: adaLN_modulation.1 (Linear H -> n·H, n = 2 pre_only / 6 / 9 with attn2),
/// attn, optional attn2, mlp.fc1 / mlp.fc2 (GELU tanh). LayerNorms have no parameters.
class MmditBlockImpl : public torch::nn::Module {
 public:
  explicit MmditBlockImpl(const MmditBlockOptions& options);

  /// What post_attention needs, kept between the two halves of block_mixing.
  struct Pending {
    at::Tensor x, gateMsa, shiftMlp, scaleMlp, gateMlp, gateMsa2;
    MmditQkv qkv2;  ///< attn2's q, k, v (selfAttn2 only)
  };

  /// cSilu = SiLU(c) [B,H]; x [B,L,H] -> q, k, v of modulate(LN(x), shift_msa, scale_msa);
  /// fills `pending` (also with attn2's q, k, v of the same LN(x)) unless pre_only.
  MmditQkv preAttention(const at::Tensor& x, const at::Tensor& cSilu, Pending& pending);
  /// x + gate_msa·proj(attn) [+ gate_msa2·attn2.proj(attn2)] + gate_mlp·mlp(modulate(LN(·))).
  at::Tensor postAttention(const at::Tensor& attn, const Pending& pending);

  const MmditBlockOptions& options() const { return m_options; }

 private:
  MmditBlockOptions m_options;
  PackedLinear m_adaLN{nullptr};
  MmditAttention m_attn{nullptr};
  MmditAttention m_attn2{nullptr};
  PackedLinear m_fc1{nullptr}, m_fc2{nullptr};
};
TORCH_MODULE(MmditBlock);

/// JointBlock: context_block and x_block; attention over cat(context, x) (context first).
class MmditJointBlockImpl : public torch::nn::Module {
 public:
  /// `contextPreOnly`: this is the last block (its context stream ends here).
  MmditJointBlockImpl(const MmditBlockOptions& xOptions, bool contextPreOnly);
  /// context [B,Lc,H], x [B,Lx,H], cSilu [B,H] -> {context' (undefined when pre_only), x'}.
  std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& context, const at::Tensor& x,
                                            const at::Tensor& cSilu);

 private:
  MmditBlock m_contextBlock{nullptr};
  MmditBlock m_xBlock{nullptr};
};
TORCH_MODULE(MmditJointBlock);

}  // namespace lienzo
