#include "core/model/mmdit_blocks.h"

#include "core/model/attention.h"
#include "core/model/unet_blocks.h"  // registerNested

#include <ATen/ATen.h>

#include <stdexcept>

namespace lienzo {

// Ref: sd3.5 mmditx.py modulate.
at::Tensor modulate(const at::Tensor& x, const at::Tensor& shift, const at::Tensor& scale) {
  return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1);  // [B,L,H]
}

// ---- RMSNorm --------------------------------------------------------------------------------

RmsNormImpl::RmsNormImpl(int64_t dim, double eps) : m_eps(eps) {
  weight = registerEmptyParameter(*this, "weight", {dim});
}

// Ref: sd3.5 mmditx.py RMSNorm (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization").
at::Tensor RmsNormImpl::forward(const at::Tensor& x) {
  return rmsNorm(x, weight, m_eps);
}

// ---- attention ------------------------------------------------------------------------------

MmditAttentionImpl::MmditAttentionImpl(int64_t hidden, int64_t heads, bool preOnly, bool qkNorm)
    : m_heads(heads) {
  if (heads <= 0 || hidden % heads != 0)
    throw std::invalid_argument("MMDiT attention: width " + std::to_string(hidden) +
                                " does not split into " + std::to_string(heads) + " heads");
  m_qkv = register_module("qkv", PackedLinear(LinearOptions(hidden, 3 * hidden)));
  if (!preOnly) m_proj = register_module("proj", PackedLinear(LinearOptions(hidden, hidden)));
  if (qkNorm) {
    const int64_t headDim = hidden / heads;
    m_lnQ = register_module("ln_q", RmsNorm(headDim, 1e-6));
    m_lnK = register_module("ln_k", RmsNorm(headDim, 1e-6));
  }
}

// Ref: sd3.5 mmditx.py SelfAttention.pre_attention, split_qkv.
MmditQkv MmditAttentionImpl::preAttention(const at::Tensor& x) {
  const int64_t batch = x.size(0), len = x.size(1), hidden = x.size(2);
  const at::Tensor qkv = m_qkv(x).reshape({batch, len, 3, m_heads, hidden / m_heads});
  at::Tensor q = qkv.select(2, 0), k = qkv.select(2, 1), v = qkv.select(2, 2);  // [B,L,h,D]
  if (m_lnQ) {
    q = m_lnQ(q);
    k = m_lnK(k);
  }
  return {q.reshape({batch, len, hidden}), k.reshape({batch, len, hidden}),
          v.reshape({batch, len, hidden})};
}

at::Tensor MmditAttentionImpl::postAttention(const at::Tensor& attn) {
  if (!m_proj) throw std::logic_error("MMDiT attention: a pre_only block has no proj");
  return m_proj(attn);
}

at::Tensor MmditAttentionImpl::attend(const MmditQkv& qkv) const {
  AttentionOptions options;
  options.heads = m_heads;  // scale = headDim^-0.5 (1/8 for SD3's 64-wide heads)
  return multiHeadAttention(qkv.q, qkv.k, qkv.v, options);
}

// ---- DismantledBlock ------------------------------------------------------------------------

MmditBlockImpl::MmditBlockImpl(const MmditBlockOptions& options) : m_options(options) {
  const auto& o = m_options;
  if (o.selfAttn2 && o.preOnly)
    throw std::invalid_argument("MMDiT block: a pre_only block cannot have attn2");
  const int64_t mods = o.selfAttn2 ? 9 : (o.preOnly ? 2 : 6);
  m_adaLN = PackedLinear(LinearOptions(o.hidden, mods * o.hidden));
  registerNested(*this, "adaLN_modulation.1", m_adaLN.ptr());
  m_attn = register_module("attn", MmditAttention(o.hidden, o.heads, o.preOnly, o.qkNorm));
  if (o.selfAttn2)
    m_attn2 = register_module("attn2", MmditAttention(o.hidden, o.heads, false, o.qkNorm));
  if (!o.preOnly) {
    m_fc1 = PackedLinear(LinearOptions(o.hidden, o.mlpHidden));
    m_fc2 = PackedLinear(LinearOptions(o.mlpHidden, o.hidden));
    registerNested(*this, "mlp.fc1", m_fc1.ptr());
    registerNested(*this, "mlp.fc2", m_fc2.ptr());
  }
}

// Ref: sd3.5 mmditx.py DismantledBlock.pre_attention / pre_attention_x.
MmditQkv MmditBlockImpl::preAttention(const at::Tensor& x, const at::Tensor& cSilu,
                                      Pending& pending) {
  const auto& o = m_options;
  const std::vector<at::Tensor> mods = m_adaLN(cSilu).chunk(o.selfAttn2 ? 9 : (o.preOnly ? 2 : 6),
                                                            /*dim=*/1);  // each [B,H]
  const at::Tensor xNorm = layerNormNoAffine(x, 1e-6);
  MmditQkv qkv = m_attn->preAttention(modulate(xNorm, mods[0], mods[1]));
  if (o.preOnly) return qkv;
  pending.x = x;
  pending.gateMsa = mods[2];
  pending.shiftMlp = mods[3];
  pending.scaleMlp = mods[4];
  pending.gateMlp = mods[5];
  if (o.selfAttn2) {
    pending.qkv2 = m_attn2->preAttention(modulate(xNorm, mods[6], mods[7]));
    pending.gateMsa2 = mods[8];
  }
  return qkv;
}

// Ref: sd3.5 mmditx.py DismantledBlock.post_attention / post_attention_x; Mlp with
// GELU(approximate="tanh").
at::Tensor MmditBlockImpl::postAttention(const at::Tensor& attn, const Pending& pending) {
  if (m_options.preOnly) throw std::logic_error("MMDiT block: pre_only has no post_attention");
  at::Tensor x = pending.x + pending.gateMsa.unsqueeze(1) * m_attn->postAttention(attn);
  if (m_options.selfAttn2) {
    const at::Tensor attn2 = m_attn2->attend(pending.qkv2);  // x tokens only
    x = x + pending.gateMsa2.unsqueeze(1) * m_attn2->postAttention(attn2);
  }
  const at::Tensor h =
      modulate(layerNormNoAffine(x, 1e-6), pending.shiftMlp, pending.scaleMlp);  // [B,L,H]
  return x + pending.gateMlp.unsqueeze(1) * m_fc2(at::gelu(m_fc1(h), "tanh"));
}

// ---- JointBlock -----------------------------------------------------------------------------

MmditJointBlockImpl::MmditJointBlockImpl(const MmditBlockOptions& xOptions, bool contextPreOnly) {
  MmditBlockOptions contextOptions = xOptions;
  contextOptions.preOnly = contextPreOnly;
  contextOptions.selfAttn2 = false;
  MmditBlockOptions x = xOptions;
  x.preOnly = false;
  m_contextBlock = register_module("context_block", MmditBlock(contextOptions));
  m_xBlock = register_module("x_block", MmditBlock(x));
}

// Ref: sd3.5 mmditx.py block_mixing: one attention over cat(context, x) along the sequence.
std::pair<at::Tensor, at::Tensor> MmditJointBlockImpl::forward(const at::Tensor& context,
                                                               const at::Tensor& x,
                                                               const at::Tensor& cSilu) {
  MmditBlockImpl::Pending contextPending, xPending;
  const MmditQkv c = m_contextBlock->preAttention(context, cSilu, contextPending);
  const MmditQkv xq = m_xBlock->preAttention(x, cSilu, xPending);
  const int64_t lc = context.size(1);
  AttentionOptions options;
  options.heads = m_xBlock->options().heads;
  const at::Tensor attn = multiHeadAttention(at::cat({c.q, xq.q}, 1), at::cat({c.k, xq.k}, 1),
                                             at::cat({c.v, xq.v}, 1), options);  // [B,Lc+Lx,H]
  at::Tensor contextOut;
  if (!m_contextBlock->options().preOnly)
    contextOut = m_contextBlock->postAttention(attn.narrow(1, 0, lc), contextPending);
  at::Tensor xOut = m_xBlock->postAttention(attn.narrow(1, lc, attn.size(1) - lc), xPending);
  return {contextOut, xOut};
}

}  // namespace lienzo
