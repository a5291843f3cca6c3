#include "core/model/mmdit.h"

#include "core/io/safetensors.h"
#include "core/model/buffer_recycling.h"
#include "core/model/layers.h"
#include "core/model/unet_blocks.h"  // timestepEmbedding, registerNested

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {

// ---- configuration --------------------------------------------------------------------------

namespace {

[[noreturn]] void configError(const std::string& why) {
  throw std::invalid_argument("MmditConfig: " + why);
}

/// Shape of `prefix + name`, which must exist with `rank` dimensions.
std::vector<int64_t> requireShape(const TensorShapes& shapes, const std::string& source,
                                  const std::string& prefix, const std::string& name,
                                  std::size_t rank) {
  const std::string key = prefix + name;
  const auto found = shapes.find(key);
  if (found == shapes.end())
    throw std::invalid_argument(source + ": no MMDiT tensor '" + key + "'");
  const auto& shape = found->second;
  if (shape.size() != rank)
    throw std::invalid_argument(source + ": MMDiT tensor '" + key + "' has " +
                                std::to_string(shape.size()) + " dimensions, expected " +
                                std::to_string(rank));
  return shape;
}

std::string block(int64_t n) {
  return "joint_blocks." + std::to_string(n) + ".";
}

}  // namespace

// Ref: sd3.5 sd3_impls.py BaseModel.__init__ (configuration from the checkpoint's shapes).
MmditConfig MmditConfig::fromShapes(const TensorShapes& shapes, const std::string& prefix,
                                    const std::string& source) {
  auto contains = [&](const std::string& key) { return shapes.count(key) != 0; };
  MmditConfig c;
  const auto patch =
      requireShape(shapes, source, prefix, "x_embedder.proj.weight", 4);  // [H,in,p,p]
  c.hiddenSize = patch[0];
  c.inChannels = patch[1];
  c.patchSize = patch[2];
  if (patch[3] != patch[2]) configError("x_embedder.proj.weight is not a square patch");
  if (c.hiddenSize % 64 != 0)
    configError("hidden width " + std::to_string(c.hiddenSize) + " is not 64·depth");
  c.depth = c.hiddenSize / 64;  // the reference's "magic": 64-wide heads, heads = depth
  c.heads = c.depth;
  const auto pos = requireShape(shapes, source, prefix, "pos_embed", 3);  // [1, max², H]
  c.posEmbedMaxSize = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(pos[1]))));
  if (pos[0] != 1 || c.posEmbedMaxSize * c.posEmbedMaxSize != pos[1] || pos[2] != c.hiddenSize)
    configError("pos_embed must be [1, max², " + std::to_string(c.hiddenSize) + "]");
  c.frequencyEmbeddingSize = requireShape(shapes, source, prefix, "t_embedder.mlp.0.weight", 2)[1];
  c.admInChannels = contains(prefix + "y_embedder.mlp.0.weight")
                        ? requireShape(shapes, source, prefix, "y_embedder.mlp.0.weight", 2)[1]
                        : 0;
  const auto context =
      requireShape(shapes, source, prefix, "context_embedder.weight", 2);  // [H, in]
  if (context[0] != c.hiddenSize) configError("context_embedder does not output the hidden width");
  c.contextInChannels = context[1];
  c.qkNorm = contains(prefix + "joint_blocks.0.context_block.attn.ln_k.weight");
  c.mlpHidden = requireShape(shapes, source, prefix, "joint_blocks.0.x_block.mlp.fc1.weight", 2)[0];
  for (int64_t n = 0; n < c.depth; ++n) {
    if (!contains(prefix + block(n) + "x_block.attn.qkv.weight"))
      configError(source + ": depth " + std::to_string(c.depth) + " (hidden / 64) but no '" +
                  prefix + block(n) + "x_block.attn.qkv.weight'");
    if (contains(prefix + block(n) + "x_block.attn2.ln_k.weight") ||
        contains(prefix + block(n) + "x_block.attn2.qkv.weight"))
      c.selfAttn2Layers.push_back(n);
  }
  if (contains(prefix + block(c.depth) + "x_block.attn.qkv.weight"))
    configError(source + ": more joint blocks than hidden / 64 = " + std::to_string(c.depth));
  const auto final =
      requireShape(shapes, source, prefix, "final_layer.linear.weight", 2);  // [p²·out, H]
  if (final[0] % (c.patchSize * c.patchSize) != 0)
    configError("final_layer.linear does not output whole patches");
  c.outChannels = final[0] / (c.patchSize * c.patchSize);
  c.validate();
  return c;
}

MmditConfig MmditConfig::fromWeights(const SafetensorsFile& file, const std::string& prefix) {
  TensorShapes shapes;
  for (const auto& name : file.names()) shapes.emplace(name, file.info(name).shape);
  return fromShapes(shapes, prefix, file.path().string());
}

bool MmditConfig::hasSelfAttn2(int64_t layer) const {
  return std::find(selfAttn2Layers.begin(), selfAttn2Layers.end(), layer) != selfAttn2Layers.end();
}

void MmditConfig::validate() const {
  if (patchSize <= 0 || inChannels <= 0 || outChannels <= 0 || depth <= 0 || hiddenSize <= 0 ||
      heads <= 0 || mlpHidden <= 0 || posEmbedMaxSize <= 0 || frequencyEmbeddingSize < 2 ||
      contextInChannels <= 0 || admInChannels < 0)
    configError("every size must be positive");
  if (hiddenSize % heads != 0)
    configError("hidden width " + std::to_string(hiddenSize) + " does not split into " +
                std::to_string(heads) + " heads");
  for (const int64_t n : selfAttn2Layers)
    if (n < 0 || n >= depth)
      configError("attn2 layer " + std::to_string(n) + " outside [0, depth)");
}

std::optional<std::string> findMmditPrefix(const SafetensorsFile& file) {
  for (const std::string prefix : {"model.diffusion_model.", ""}) {
    if (file.contains(prefix + "x_embedder.proj.weight") &&
        file.contains(prefix + "joint_blocks.0.x_block.attn.qkv.weight"))
      return prefix;
  }
  return std::nullopt;
}

// ---- model ----------------------------------------------------------------------------------

// Ref: sd3.5 mmditx.py MMDiTX.__init__ (register_length 0, no learn_sigma).
MmditImpl::MmditImpl(MmditConfig config) : m_config(std::move(config)) {
  const MmditConfig& c = m_config;
  c.validate();
  const int64_t h = c.hiddenSize;
  m_xEmbedder = Conv2d(Conv2dOptions(c.inChannels, h, c.patchSize).withStride(c.patchSize));
  registerNested(*this, "x_embedder.proj", m_xEmbedder.ptr());
  m_posEmbed = register_buffer(
      "pos_embed", at::empty({1, c.posEmbedMaxSize * c.posEmbedMaxSize, h}, at::kFloat));
  m_tEmbed0 = PackedLinear(LinearOptions(c.frequencyEmbeddingSize, h));
  m_tEmbed2 = PackedLinear(LinearOptions(h, h));
  registerNested(*this, "t_embedder.mlp.0", m_tEmbed0.ptr());
  registerNested(*this, "t_embedder.mlp.2", m_tEmbed2.ptr());
  if (c.admInChannels > 0) {
    m_yEmbed0 = PackedLinear(LinearOptions(c.admInChannels, h));
    m_yEmbed2 = PackedLinear(LinearOptions(h, h));
    registerNested(*this, "y_embedder.mlp.0", m_yEmbed0.ptr());
    registerNested(*this, "y_embedder.mlp.2", m_yEmbed2.ptr());
  }
  m_contextEmbedder =
      register_module("context_embedder", PackedLinear(LinearOptions(c.contextInChannels, h)));
  for (int64_t n = 0; n < c.depth; ++n) {
    MmditBlockOptions o;
    o.hidden = h;
    o.heads = c.heads;
    o.mlpHidden = c.mlpHidden;
    o.qkNorm = c.qkNorm;
    o.selfAttn2 = c.hasSelfAttn2(n);
    MmditJointBlock jointBlock(o, /*contextPreOnly=*/n == c.depth - 1);
    registerNested(*this, "joint_blocks." + std::to_string(n), jointBlock.ptr());
    m_blocks.push_back(std::move(jointBlock));
  }
  m_finalAdaLN = PackedLinear(LinearOptions(h, 2 * h));
  m_finalLinear = PackedLinear(LinearOptions(h, c.patchSize * c.patchSize * c.outChannels));
  registerNested(*this, "final_layer.adaLN_modulation.1", m_finalAdaLN.ptr());
  registerNested(*this, "final_layer.linear", m_finalLinear.ptr());
}

c10::ScalarType MmditImpl::dtype() const {
  return m_tEmbed0->weight.scalar_type();
}

c10::Device MmditImpl::device() const {
  return m_tEmbed0->weight.device();
}

// Ref: sd3.5 mmditx.py MMDiTX.cropped_pos_embed.
at::Tensor MmditImpl::croppedPosEmbed(int64_t h, int64_t w) const {
  const int64_t max = m_config.posEmbedMaxSize;
  if (h <= 0 || w <= 0 || h > max || w > max)
    throw std::invalid_argument("Mmdit: a " + std::to_string(h) + "x" + std::to_string(w) +
                                " token grid does not fit the " + std::to_string(max) + "x" +
                                std::to_string(max) + " pos_embed grid (latent too large)");
  const int64_t top = (max - h) / 2, left = (max - w) / 2;
  return m_posEmbed.view({1, max, max, m_config.hiddenSize})
      .narrow(1, top, h)
      .narrow(2, left, w)
      .reshape({1, h * w, m_config.hiddenSize});  // [1,h·w,H]
}

void MmditImpl::checkInputs(const at::Tensor& x, const at::Tensor& timestep,
                            const at::Tensor& context, const at::Tensor& y,
                            const std::vector<int64_t>& skipLayers) const {
  const MmditConfig& c = m_config;
  auto fail = [](const std::string& why) { throw std::invalid_argument("Mmdit::forward: " + why); };
  if (!x.defined() || x.dim() != 4 || x.size(1) != c.inChannels || !x.is_floating_point())
    fail("x must be a floating [B," + std::to_string(c.inChannels) + ",h,w] tensor, got " +
         shapeText(x));
  const int64_t batch = x.size(0);
  if (x.size(2) % c.patchSize != 0 || x.size(3) % c.patchSize != 0 || x.size(2) == 0 ||
      x.size(3) == 0)
    fail("latent height and width must be positive multiples of the patch size " +
         std::to_string(c.patchSize) + ", got " + shapeText(x));
  if (!timestep.defined() || (timestep.numel() != batch && timestep.numel() != 1))
    fail("timestep must have B or 1 elements, got " + shapeText(timestep));
  if (!context.defined() || context.dim() != 3 || context.size(0) != batch ||
      context.size(2) != c.contextInChannels)
    fail("context must be [B,M," + std::to_string(c.contextInChannels) + "], got " +
         shapeText(context));
  if (c.admInChannels > 0) {
    if (!y.defined() || y.dim() != 2 || y.size(0) != batch || y.size(1) != c.admInChannels)
      fail("y must be [B," + std::to_string(c.admInChannels) + "], got " + shapeText(y));
  } else if (y.defined()) {
    fail("this MMDiT takes no y (pooled text) vector");
  }
  for (const int64_t n : skipLayers)
    if (n < 0 || n >= c.depth)
      fail("skip layer " + std::to_string(n) + " outside [0, " + std::to_string(c.depth) + ")");
}

// Ref: sd3.5 mmditx.py MMDiTX.forward, forward_core_with_concat, unpatchify; FinalLayer.
at::Tensor MmditImpl::forward(const at::Tensor& x, const at::Tensor& timestep,
                              const at::Tensor& context, const at::Tensor& y,
                              const std::vector<int64_t>& skipLayers, MmditTrace* trace) {
  const MmditConfig& c = m_config;
  checkInputs(x, timestep, context, y, skipLayers);
  // At SD3 sizes the token activations (qkv, the 4x MLP) are tens of MiB each, above glibc's mmap
  // threshold, and are freed and reallocated in every block: keep them (buffer_recycling.h, the
  // U-Net's bound).
  const BufferRecyclingScope recycling(std::size_t{256} << 20);
  const auto dtype = this->dtype();
  const auto device = this->device();
  auto cast = [&](const at::Tensor& t) { return t.to(device, dtype); };
  const int64_t batch = x.size(0), p = c.patchSize;
  const int64_t gh = x.size(2) / p, gw = x.size(3) / p;  // token grid

  // x_embedder: stride-p conv, tokens row-major [B, gh·gw, H]; + the centred pos_embed crop.
  const at::Tensor xPatch = m_xEmbedder(cast(x)).flatten(2).transpose(1, 2);
  const at::Tensor pos = croppedPosEmbed(gh, gw);
  at::Tensor h = xPatch + pos;

  // c = t_embedder(sinusoid(t)) (+ y_embedder(y)); the sinusoid in float32 (reference order).
  at::Tensor t = timestep.reshape({-1}).to(device, at::kFloat);
  if (t.numel() != batch) t = t.expand({batch});
  const at::Tensor tFreq = cast(timestepEmbedding(t, c.frequencyEmbeddingSize));
  const at::Tensor tEmb = m_tEmbed2(at::silu(m_tEmbed0(tFreq)));  // [B,H]
  at::Tensor yEmb, cMod = tEmb;
  if (c.admInChannels > 0) {
    yEmb = m_yEmbed2(at::silu(m_yEmbed0(cast(y))));
    cMod = tEmb + yEmb;
  }
  const at::Tensor cSilu = at::silu(cMod);            // every adaLN_modulation starts with SiLU
  at::Tensor ctx = m_contextEmbedder(cast(context));  // [B,M,H]

  if (trace) {
    *trace = MmditTrace{};
    trace->tEmb = tEmb;
    trace->yEmb = yEmb;
    trace->cMod = cMod;
    trace->xPatch = xPatch;
    trace->posEmbedCropped = pos;
    trace->contextEmb = ctx;
    trace->jointContext.resize(m_blocks.size());
    trace->jointX.resize(m_blocks.size());
  }
  for (std::size_t n = 0; n < m_blocks.size(); ++n) {
    if (std::find(skipLayers.begin(), skipLayers.end(), static_cast<int64_t>(n)) !=
        skipLayers.end())
      continue;
    auto [ctxOut, xOut] = m_blocks[n](ctx, h, cSilu);
    ctx = std::move(ctxOut);  // undefined after the last (pre_only) block
    h = std::move(xOut);
    if (trace) {
      trace->jointContext[n] = ctx;
      trace->jointX[n] = h;
    }
  }

  const std::vector<at::Tensor> mods = m_finalAdaLN(cSilu).chunk(2, 1);  // shift, scale
  const at::Tensor out =
      m_finalLinear(modulate(layerNormNoAffine(h, 1e-6), mods[0], mods[1]));  // [B,N,p·p·out]
  if (trace) trace->finalLayerOut = out;
  // Unpatchify, channel fastest in each token: [B,gh,gw,p,p,C] -> [B,C,gh,p,gw,p].
  return out.reshape({batch, gh, gw, p, p, c.outChannels})
      .permute({0, 5, 1, 3, 2, 4})
      .reshape({batch, c.outChannels, gh * p, gw * p})
      .to(x.scalar_type());
}

}  // namespace lienzo
