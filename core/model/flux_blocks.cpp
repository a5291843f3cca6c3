#include "core/model/flux_blocks.h"

#include "core/model/attention.h"
#include "core/model/unet_blocks.h"  // registerNested

#include <ATen/ATen.h>

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace lienzo {

namespace {

constexpr double kNormEps = 1e-6;  // every LayerNorm and RMSNorm of Flux

/// (1 + scale)·LN(x) + shift.
at::Tensor modulate(const at::Tensor& x, const FluxModulation& m) {
  return (m.scale + 1) * layerNormNoAffine(x, kNormEps) + m.shift;
}

/// lin(SiLU(vec))[:, None] chunked into `count` modulations (shift, scale, gate each).
std::vector<FluxModulation> modulations(PackedLinear& lin, const at::Tensor& vec, int64_t count) {
  const auto chunks = lin->forward(at::silu(vec)).unsqueeze(1).chunk(3 * count, -1);
  std::vector<FluxModulation> out;
  for (int64_t i = 0; i < count; ++i)
    out.push_back({chunks[3 * i], chunks[3 * i + 1], chunks[3 * i + 2]});
  return out;
}

/// Joint attention of q, k, v [B, L, H, D] (q, k already normalised): RoPE on q and k, softmax
/// attention with scale D^-1/2 → [B, L, H·D].
at::Tensor ropeAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                         const FluxRope& rope) {
  const int64_t b = q.size(0), l = q.size(1), heads = q.size(2), d = q.size(3);
  AttentionOptions options;
  options.heads = heads;
  return multiHeadAttention(applyFluxRope(q, rope).reshape({b, l, heads * d}),
                            applyFluxRope(k, rope).reshape({b, l, heads * d}),
                            v.reshape({b, l, heads * d}), options);
}

}  // namespace

// ---- embeddings -----------------------------------------------------------------------------

// Ref: flux/modules/layers.py timestep_embedding (t = time_factor·t; freqs in float32;
// cos first).
at::Tensor fluxTimestepEmbedding(const at::Tensor& t, int64_t dim, double maxPeriod,
                                 double timeFactor) {
  if (dim % 2 != 0) throw std::invalid_argument("fluxTimestepEmbedding: odd dim");
  const int64_t half = dim / 2;
  const auto opts = at::TensorOptions().dtype(at::kFloat).device(t.device());
  const at::Tensor scaled = t.to(at::kFloat).reshape({-1}) * timeFactor;  // [B]
  const at::Tensor freqs =
      at::exp(at::arange(half, opts) * (-std::log(maxPeriod)) / static_cast<double>(half));
  const at::Tensor args = scaled.unsqueeze(1) * freqs.unsqueeze(0);  // [B, half]
  return at::cat({at::cos(args), at::sin(args)}, -1);                // [B, dim]
}

// Ref: flux/math.py rope (omega = 1/theta^(arange(0, d, 2)/d) in the ids' dtype) and
// flux/modules/layers.py EmbedND (axes concatenated in order).
FluxRope fluxRope(const at::Tensor& ids, const std::vector<int64_t>& axesDim, double theta) {
  if (ids.dim() != 3 || ids.size(2) != static_cast<int64_t>(axesDim.size()))
    throw std::invalid_argument("fluxRope: ids must be [B, L, " + std::to_string(axesDim.size()) +
                                "]");
  const at::Tensor pos = ids.to(at::kFloat);
  const auto opts = pos.options();
  std::vector<at::Tensor> angles;
  for (std::size_t i = 0; i < axesDim.size(); ++i) {
    const int64_t d = axesDim[i];
    const at::Tensor scale = at::arange(0, d, 2, opts) / static_cast<double>(d);  // [d/2]
    const at::Tensor omega = at::reciprocal(at::pow(theta, scale));
    angles.push_back(pos.select(2, static_cast<int64_t>(i)).unsqueeze(-1) * omega);  // [B,L,d/2]
  }
  const at::Tensor a = at::cat(angles, -1);  // [B, L, headDim/2]
  return {at::cos(a), at::sin(a)};
}

at::Tensor FluxRope::asMatrices() const {
  // [B, L, D/2] -> [B, 1, L, D/2, 2, 2] with rows (cos, -sin), (sin, cos)
  const at::Tensor m = at::stack({cos, -sin, sin, cos}, -1);
  return m.reshape({cos.size(0), cos.size(1), cos.size(2), 2, 2}).unsqueeze(1);
}

// Ref: flux/math.py apply_rope (pairs (2j, 2j+1) rotated in float32, cast back).
at::Tensor applyFluxRope(const at::Tensor& x, const FluxRope& rope) {
  const auto sizes = x.sizes().vec();  // [B, L, H, D]
  const at::Tensor xf = x.to(at::kFloat).reshape({sizes[0], sizes[1], sizes[2], -1, 2});
  const at::Tensor x0 = xf.select(-1, 0), x1 = xf.select(-1, 1);  // [B, L, H, D/2]
  const at::Tensor c = rope.cos.unsqueeze(2), s = rope.sin.unsqueeze(2);
  const at::Tensor out = at::stack({c * x0 - s * x1, s * x0 + c * x1}, -1);
  return out.reshape(sizes).to(x.scalar_type());
}

FluxMlpEmbedderImpl::FluxMlpEmbedderImpl(int64_t in, int64_t hidden) {
  inLayer = register_module("in_layer", PackedLinear(LinearOptions(in, hidden)));
  outLayer = register_module("out_layer", PackedLinear(LinearOptions(hidden, hidden)));
}

at::Tensor FluxMlpEmbedderImpl::forward(const at::Tensor& x) {
  return outLayer->forward(at::silu(inLayer->forward(x)));
}

FluxRmsNormImpl::FluxRmsNormImpl(int64_t dim) {
  scale = registerEmptyParameter(*this, "scale", {dim});
}

// Ref: flux/modules/layers.py RMSNorm.
at::Tensor FluxRmsNormImpl::forward(const at::Tensor& x) {
  return rmsNorm(x, scale, kNormEps);
}

// ---- double-stream block --------------------------------------------------------------------

FluxDoubleBlockImpl::Stream FluxDoubleBlockImpl::makeStream(const std::string& name) {
  const FluxBlockOptions& o = m_options;
  Stream s;
  s.mod = PackedLinear(LinearOptions(o.hidden, 6 * o.hidden));
  s.qkv = PackedLinear(LinearOptions(o.hidden, 3 * o.hidden).withBias(o.qkvBias));
  s.queryNorm = FluxRmsNorm(o.headDim());
  s.keyNorm = FluxRmsNorm(o.headDim());
  s.proj = PackedLinear(LinearOptions(o.hidden, o.hidden));
  s.mlp0 = PackedLinear(LinearOptions(o.hidden, o.mlpHidden));
  s.mlp2 = PackedLinear(LinearOptions(o.mlpHidden, o.hidden));
  registerNested(*this, name + "_mod.lin", s.mod.ptr());
  registerNested(*this, name + "_attn.qkv", s.qkv.ptr());
  registerNested(*this, name + "_attn.norm.query_norm", s.queryNorm.ptr());
  registerNested(*this, name + "_attn.norm.key_norm", s.keyNorm.ptr());
  registerNested(*this, name + "_attn.proj", s.proj.ptr());
  registerNested(*this, name + "_mlp.0", s.mlp0.ptr());
  registerNested(*this, name + "_mlp.2", s.mlp2.ptr());
  return s;
}

FluxDoubleBlockImpl::FluxDoubleBlockImpl(const FluxBlockOptions& options) : m_options(options) {
  m_img = makeStream("img");
  m_txt = makeStream("txt");
}

// Ref: flux/modules/layers.py DoubleStreamBlock.forward.
void FluxDoubleBlockImpl::forward(at::Tensor& img, at::Tensor& txt, const at::Tensor& vec,
                                  const FluxRope& rope) {
  const int64_t heads = m_options.heads, d = m_options.headDim();
  const auto imgMod = modulations(m_img.mod, vec, 2);
  const auto txtMod = modulations(m_txt.mod, vec, 2);
  // qkv "B L (K H D)": q, k, v [B, L, H, D], q and k RMS-normalised per head
  auto project = [&](Stream& s, const at::Tensor& x, const FluxModulation& m) {
    const at::Tensor qkv =
        s.qkv->forward(modulate(x, m)).reshape({x.size(0), x.size(1), 3, heads, d});
    return std::array<at::Tensor, 3>{s.queryNorm->forward(qkv.select(2, 0)),
                                     s.keyNorm->forward(qkv.select(2, 1)), qkv.select(2, 2)};
  };
  const auto iq = project(m_img, img, imgMod[0]);
  const auto tq = project(m_txt, txt, txtMod[0]);
  // joint attention over cat(txt, img)
  const at::Tensor attn = ropeAttention(at::cat({tq[0], iq[0]}, 1), at::cat({tq[1], iq[1]}, 1),
                                        at::cat({tq[2], iq[2]}, 1), rope);  // [B, Lt+N, hidden]
  const int64_t lt = txt.size(1);
  auto finish = [&](Stream& s, at::Tensor& x, const std::vector<FluxModulation>& m,
                    const at::Tensor& a) {
    x = x + m[0].gate * s.proj->forward(a);
    const at::Tensor h = at::gelu(s.mlp0->forward(modulate(x, m[1])), "tanh");
    x = x + m[1].gate * s.mlp2->forward(h);
  };
  finish(m_img, img, imgMod, attn.narrow(1, lt, attn.size(1) - lt));
  finish(m_txt, txt, txtMod, attn.narrow(1, 0, lt));
}

// ---- single-stream block --------------------------------------------------------------------

FluxSingleBlockImpl::FluxSingleBlockImpl(const FluxBlockOptions& options) : m_options(options) {
  const FluxBlockOptions& o = m_options;
  m_linear1 =
      register_module("linear1", PackedLinear(LinearOptions(o.hidden, 3 * o.hidden + o.mlpHidden)));
  m_linear2 =
      register_module("linear2", PackedLinear(LinearOptions(o.hidden + o.mlpHidden, o.hidden)));
  m_queryNorm = FluxRmsNorm(o.headDim());
  m_keyNorm = FluxRmsNorm(o.headDim());
  registerNested(*this, "norm.query_norm", m_queryNorm.ptr());
  registerNested(*this, "norm.key_norm", m_keyNorm.ptr());
  m_modulation = PackedLinear(LinearOptions(o.hidden, 3 * o.hidden));
  registerNested(*this, "modulation.lin", m_modulation.ptr());
}

// Ref: flux/modules/layers.py SingleStreamBlock.forward.
at::Tensor FluxSingleBlockImpl::forward(const at::Tensor& x, const at::Tensor& vec,
                                        const FluxRope& rope) {
  const int64_t hidden = m_options.hidden, heads = m_options.heads, d = m_options.headDim();
  const FluxModulation mod = modulations(m_modulation, vec, 1)[0];
  const at::Tensor lin1 = m_linear1->forward(modulate(x, mod));  // [B, L, 3·hidden + mlp]
  const at::Tensor qkv =
      lin1.narrow(-1, 0, 3 * hidden).reshape({x.size(0), x.size(1), 3, heads, d});
  const at::Tensor mlp = lin1.narrow(-1, 3 * hidden, m_options.mlpHidden);
  const at::Tensor attn = ropeAttention(m_queryNorm->forward(qkv.select(2, 0)),
                                        m_keyNorm->forward(qkv.select(2, 1)), qkv.select(2, 2),
                                        rope);  // [B, L, hidden]
  const at::Tensor out = m_linear2->forward(at::cat({attn, at::gelu(mlp, "tanh")}, -1));
  return x + mod.gate * out;
}

// ---- last layer -----------------------------------------------------------------------------

FluxLastLayerImpl::FluxLastLayerImpl(int64_t hidden, int64_t outChannels) {
  m_adaLN = PackedLinear(LinearOptions(hidden, 2 * hidden));
  registerNested(*this, "adaLN_modulation.1", m_adaLN.ptr());
  m_linear = register_module("linear", PackedLinear(LinearOptions(hidden, outChannels)));
}

// Ref: flux/modules/layers.py LastLayer.forward (shift first).
at::Tensor FluxLastLayerImpl::forward(const at::Tensor& x, const at::Tensor& vec) {
  const auto chunks = m_adaLN->forward(at::silu(vec)).unsqueeze(1).chunk(2, -1);
  return m_linear->forward(modulate(x, {chunks[0], chunks[1], {}}));
}

}  // namespace lienzo
