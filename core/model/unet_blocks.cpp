#include "core/model/unet_blocks.h"

#include "core/model/attention.h"
#include "core/model/cpu_kernels.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

namespace lienzo {

// Ref: CompVis ldm/modules/diffusionmodules/util.py timestep_embedding; sgm
// sgm/modules/diffusionmodules/util.py (same formula). Evaluated in float32 in the reference
// order ((-ln P * i) / half, then exp; t * freqs; cat(cos, sin)) so results match bit for bit.
at::Tensor timestepEmbedding(const at::Tensor& timesteps, int64_t dim, double maxPeriod) {
  if (dim < 2) throw std::invalid_argument("timestepEmbedding: dim must be >= 2");
  const at::Tensor t = timesteps.reshape({-1}).to(at::kFloat);  // [B]
  const int64_t half = dim / 2;
  const at::Tensor freqs = at::arange(0, half, t.options())
                               .mul(-std::log(maxPeriod))
                               .div(static_cast<double>(half))
                               .exp();                           // [half]
  const at::Tensor args = t.unsqueeze(1) * freqs.unsqueeze(0);   // [B, half]
  at::Tensor emb = at::cat({at::cos(args), at::sin(args)}, -1);  // [B, 2*half]
  if (dim % 2 != 0) emb = at::cat({emb, at::zeros({emb.size(0), 1}, emb.options())}, -1);
  return emb;  // [B, dim]
}

void registerNested(torch::nn::Module& root, const std::string& path,
                    std::shared_ptr<torch::nn::Module> module) {
  torch::nn::Module* parent = &root;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    if (dot == std::string::npos) {
      parent->register_module(path.substr(start), std::move(module));
      return;
    }
    const std::string name = path.substr(start, dot - start);
    std::shared_ptr<torch::nn::Module> child;
    const auto children = parent->named_children();
    if (const auto* found = children.find(name)) {
      child = *found;
    } else {
      child = parent->register_module(name, std::make_shared<torch::nn::Module>());
    }
    parent = child.get();
    start = dot + 1;
  }
}

// ---- ResBlock -------------------------------------------------------------------------------

// Ref: CompVis ldm/modules/diffusionmodules/openaimodel.py ResBlock (_forward,
// use_scale_shift_norm=False); normalization() = GroupNorm32(32, C), eps 1e-5.
ResBlockImpl::ResBlockImpl(int64_t inChannels, int64_t outChannels, int64_t embDim) {
  m_inNorm = GroupNorm(GroupNormOptions(32, inChannels, 1e-5));
  m_inConv = Conv2d(Conv2dOptions(inChannels, outChannels, 3).withPadding(1));
  m_embLinear = Linear(LinearOptions(embDim, outChannels));
  m_outNorm = GroupNorm(GroupNormOptions(32, outChannels, 1e-5));
  m_outConv = Conv2d(Conv2dOptions(outChannels, outChannels, 3).withPadding(1));
  registerNested(*this, "in_layers.0", m_inNorm.ptr());
  registerNested(*this, "in_layers.2", m_inConv.ptr());
  registerNested(*this, "emb_layers.1", m_embLinear.ptr());
  registerNested(*this, "out_layers.0", m_outNorm.ptr());
  registerNested(*this, "out_layers.3", m_outConv.ptr());
  if (inChannels != outChannels) {
    m_skip = Conv2d(Conv2dOptions(inChannels, outChannels, 1));
    register_module("skip_connection", m_skip.ptr());
  }
}

at::Tensor ResBlockImpl::forward(const at::Tensor& x, const at::Tensor& embSilu) {
  at::Tensor h = m_inConv(cpu::groupNormSilu(*m_inNorm, x));  // [B,Cout,H,W]
  const at::Tensor e = m_embLinear(embSilu);                  // [B,Cout]
  h.add_(e.unsqueeze(-1).unsqueeze(-1));                      // + [B,Cout,1,1]
  h = m_outConv(cpu::groupNormSilu(*m_outNorm, h));           // [B,Cout,H,W] (dropout: identity)
  return h.add_(m_skip ? m_skip(x) : x);                      // skip(x) + h
}

// ---- Downsample / Upsample ------------------------------------------------------------------

// Ref: openaimodel.py Downsample(use_conv=True, dims=2): conv3x3 stride 2 padding 1.
DownsampleImpl::DownsampleImpl(int64_t channels) {
  m_op = register_module("op",
                         Conv2d(Conv2dOptions(channels, channels, 3).withStride(2).withPadding(1)));
}

at::Tensor DownsampleImpl::forward(const at::Tensor& x) {
  return m_op(x);  // [B,C,H,W] -> [B,C,ceil(H/2),ceil(W/2)]
}

// Ref: openaimodel.py Upsample(use_conv=True): F.interpolate(scale_factor=2, mode="nearest")
// then conv3x3. With an explicit size (odd skip sizes) as ComfyUI's Upsample(output_shape).
UpsampleImpl::UpsampleImpl(int64_t channels) {
  m_conv = register_module("conv", Conv2d(Conv2dOptions(channels, channels, 3).withPadding(1)));
}

at::Tensor UpsampleImpl::forward(const at::Tensor& x, at::IntArrayRef outputSize) {
  at::Tensor up;
  if (outputSize.empty()) {
    up = at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}, 2.0, 2.0);  // [B,C,2H,2W]
  } else {
    TORCH_CHECK(outputSize.size() == 2, "Upsample: output size must be [H, W]");
    up = at::upsample_nearest2d(x, outputSize);  // [B,C,outH,outW]
  }
  return m_conv(up);
}

// ---- attention ------------------------------------------------------------------------------

// Ref: CompVis ldm/modules/attention.py CrossAttention (sgm: same keys); scale dim_head^-0.5.
CrossAttentionImpl::CrossAttentionImpl(int64_t queryDim, int64_t contextDim, int64_t heads,
                                       int64_t dimHead)
    : m_heads(heads) {
  const int64_t inner = heads * dimHead;
  m_toQ = register_module("to_q", Linear(LinearOptions(queryDim, inner).withBias(false)));
  m_toK = register_module("to_k", Linear(LinearOptions(contextDim, inner).withBias(false)));
  m_toV = register_module("to_v", Linear(LinearOptions(contextDim, inner).withBias(false)));
  m_toOut = Linear(LinearOptions(inner, queryDim));
  registerNested(*this, "to_out.0", m_toOut.ptr());
}

at::Tensor CrossAttentionImpl::forward(const at::Tensor& x, const at::Tensor& context) {
  const at::Tensor& ctx = context.defined() ? context : x;
  const at::Tensor q = m_toQ(x);    // [B,N,inner]
  const at::Tensor k = m_toK(ctx);  // [B,M,inner]
  const at::Tensor v = m_toV(ctx);  // [B,M,inner]
  AttentionOptions options;
  options.heads = m_heads;
  return m_toOut(multiHeadAttention(q, k, v, options));  // [B,N,queryDim]
}

// Ref: attention.py FeedForward(glu=True, mult=4) + GEGLU (exact erf GELU).
FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult) {
  const int64_t inner = dim * mult;
  m_proj = Linear(LinearOptions(dim, inner * 2));
  m_out = Linear(LinearOptions(inner, dim));
  registerNested(*this, "net.0.proj", m_proj.ptr());
  registerNested(*this, "net.2", m_out.ptr());
}

at::Tensor FeedForwardImpl::forward(const at::Tensor& x) {
  const at::Tensor p = m_proj(x);  // [B,N,2*inner]
  const int64_t inner = p.size(-1) / 2;
  at::Tensor hidden = at::gelu(p.narrow(-1, inner, inner));  // gelu(gate) [B,N,inner]
  hidden.mul_(p.narrow(-1, 0, inner));                       // a * gelu(gate)
  return m_out(hidden);                                      // [B,N,dim]
}

// Ref: attention.py BasicTransformerBlock (disable_self_attn=False); LayerNorm eps 1e-5.
BasicTransformerBlockImpl::BasicTransformerBlockImpl(int64_t dim, int64_t heads, int64_t dimHead,
                                                     int64_t contextDim) {
  m_attn1 = register_module("attn1", CrossAttention(dim, dim, heads, dimHead));
  m_ff = register_module("ff", FeedForward(dim));
  m_attn2 = register_module("attn2", CrossAttention(dim, contextDim, heads, dimHead));
  m_norm1 = register_module("norm1", LayerNorm(LayerNormOptions(dim, 1e-5)));
  m_norm2 = register_module("norm2", LayerNorm(LayerNormOptions(dim, 1e-5)));
  m_norm3 = register_module("norm3", LayerNorm(LayerNormOptions(dim, 1e-5)));
}

at::Tensor BasicTransformerBlockImpl::forward(const at::Tensor& x, const at::Tensor& context) {
  at::Tensor h = m_attn1(m_norm1(x)).add_(x);  // [B,N,dim]
  h = m_attn2(m_norm2(h), context).add_(h);
  return m_ff(m_norm3(h)).add_(h);
}

// Ref: attention.py SpatialTransformer (SD2/sgm version with use_linear); Normalize() =
// GroupNorm(32, C, eps 1e-6).
SpatialTransformerImpl::SpatialTransformerImpl(const SpatialTransformerOptions& options)
    : m_options(options) {
  const int64_t c = options.channels;
  const int64_t inner = options.heads * options.dimHead;
  if (c <= 0 || inner <= 0 || options.depth <= 0 || options.contextDim <= 0)
    throw std::invalid_argument(
        "SpatialTransformer: channels, heads, dimHead, depth and "
        "contextDim must be positive");
  m_norm = register_module("norm", GroupNorm(GroupNormOptions(32, c, 1e-6)));
  if (options.linearProjection) {
    m_projInLinear = register_module("proj_in", Linear(LinearOptions(c, inner)));
  } else {
    m_projInConv = register_module("proj_in", Conv2d(Conv2dOptions(c, inner, 1)));
  }
  for (int64_t i = 0; i < options.depth; ++i) {
    BasicTransformerBlock block(inner, options.heads, options.dimHead, options.contextDim);
    registerNested(*this, "transformer_blocks." + std::to_string(i), block.ptr());
    m_blocks.push_back(block);
  }
  if (options.linearProjection) {
    m_projOutLinear = register_module("proj_out", Linear(LinearOptions(inner, c)));
  } else {
    m_projOutConv = register_module("proj_out", Conv2d(Conv2dOptions(inner, c, 1)));
  }
}

at::Tensor SpatialTransformerImpl::forward(const at::Tensor& x, const at::Tensor& context) {
  const int64_t b = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
  // 'b c h w -> b (h w) c' (a view when x is channels_last). The SD1 1x1 conv projections are the
  // same linear map as a Linear over the tokens: weight [inner,C,1,1] viewed as [inner,C].
  at::Tensor h = m_norm(x).permute({0, 2, 3, 1}).reshape({b, height * width, c});  // [B,HW,C]
  if (m_projInLinear) {
    h = m_projInLinear(h);
  } else {
    h = at::linear(h, m_projInConv->weight.flatten(1), m_projInConv->bias);
  }  // [B,HW,inner]
  for (auto& block : m_blocks) h = block(h, context);
  if (m_projOutLinear) {
    h = m_projOutLinear(h);
  } else {
    h = at::linear(h, m_projOutConv->weight.flatten(1), m_projOutConv->bias);
  }  // [B,HW,C]
  // 'b (h w) c -> b c h w': channels_last strides, no copy.
  h = h.view({b, height, width, c}).permute({0, 3, 1, 2});
  return at::add(x, h);  // [B,C,H,W]
}

// ---- TimestepEmbedSequential ----------------------------------------------------------------

void TimestepSequentialImpl::add(Kind kind, std::shared_ptr<torch::nn::Module> module) {
  register_module(std::to_string(m_layers.size()), module);
  m_layers.emplace_back(kind, std::move(module));
}

void TimestepSequentialImpl::append(Conv2d conv) {
  add(Kind::Conv, conv.ptr());
}
void TimestepSequentialImpl::append(ResBlock block) {
  add(Kind::Res, block.ptr());
}
void TimestepSequentialImpl::append(SpatialTransformer t) {
  add(Kind::Transformer, t.ptr());
}
void TimestepSequentialImpl::append(Downsample down) {
  add(Kind::Down, down.ptr());
}
void TimestepSequentialImpl::append(Upsample up) {
  add(Kind::Up, up.ptr());
}

// Ref: openaimodel.py TimestepEmbedSequential.forward.
at::Tensor TimestepSequentialImpl::forward(const at::Tensor& x, const at::Tensor& embSilu,
                                           const at::Tensor& context,
                                           at::IntArrayRef upsampleSize) {
  at::Tensor h = x;
  for (const auto& [kind, module] : m_layers) {
    switch (kind) {
      case Kind::Conv:
        h = static_cast<Conv2dImpl&>(*module).forward(h);
        break;
      case Kind::Res:
        h = static_cast<ResBlockImpl&>(*module).forward(h, embSilu);
        break;
      case Kind::Transformer:
        h = static_cast<SpatialTransformerImpl&>(*module).forward(h, context);
        break;
      case Kind::Down:
        h = static_cast<DownsampleImpl&>(*module).forward(h);
        break;
      case Kind::Up:
        h = static_cast<UpsampleImpl&>(*module).forward(h, upsampleSize);
        break;
    }
  }
  return h;
}

}  // namespace lienzo
