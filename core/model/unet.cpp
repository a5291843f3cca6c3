#include "core/model/unet.h"

#include "core/io/safetensors.h"
#include "core/model/buffer_recycling.h"
#include "core/model/cpu_kernels.h"
#include "core/model/layers.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {

const char* unetFamilyName(UNetFamily family) {
  switch (family) {
    case UNetFamily::SD1:
      return "SD1";
    case UNetFamily::SD2:
      return "SD2";
    case UNetFamily::SDXL:
      return "SDXL";
  }
  return "?";
}

// ---- configuration --------------------------------------------------------------------------

namespace {

void applyHeadDefaults(UNetConfig& config) {
  // Ref: v1-inference.yaml num_heads 8; v2-inference(-v).yaml and sd_xl_base.yaml
  // num_head_channels 64.
  if (config.family == UNetFamily::SD1) {
    config.numHeads = 8;
    config.numHeadChannels = -1;
  } else {
    config.numHeads = -1;
    config.numHeadChannels = 64;
  }
}

/// Number of `transformer_blocks.K` under `base` (e.g. "...input_blocks.1.1.").
int64_t countTransformerBlocks(const SafetensorsFile& file, const std::string& base) {
  int64_t depth = 0;
  while (file.contains(base + "transformer_blocks." + std::to_string(depth) + ".norm1.weight"))
    ++depth;
  return depth;
}

const std::vector<int64_t>& shapeOf(const SafetensorsFile& file, const std::string& key) {
  return file.info(key).shape;
}

}  // namespace

namespace {

[[noreturn]] void configError(const std::string& why) {
  throw std::invalid_argument("UNetConfig: " + why);
}

/// Everything but the head layout (which fromWeights() cannot know).
void validateStructure(const UNetConfig& c) {
  if (c.inChannels <= 0 || c.outChannels <= 0 || c.modelChannels <= 0)
    configError("non-positive widths");
  if (c.channelMult.empty()) configError("channelMult is empty");
  if (c.positionSide < 0) configError("negative positionSide");
  if (c.numResBlocks.size() != c.channelMult.size() ||
      c.transformerDepth.size() != c.channelMult.size())
    configError("channelMult, numResBlocks and transformerDepth need one entry per level");
  for (std::size_t i = 0; i < c.channelMult.size(); ++i) {
    if (c.channelMult[i] <= 0 || c.numResBlocks[i] <= 0 || c.transformerDepth[i] < 0)
      configError("invalid entry at level " + std::to_string(i));
    if ((c.modelChannels * c.channelMult[i]) % 32 != 0)
      configError("widths must be multiples of 32 (GroupNorm groups)");
  }
  if (c.transformerDepthMiddle < 0) configError("negative middle transformer depth");
  if (c.admInChannels < 0) configError("negative admInChannels");
  if (c.hasAttention() && c.contextDim <= 0) configError("attention needs a positive contextDim");
}

}  // namespace

// Infers the UNetModel constructor arguments from the key layout of openaimodel.py
// UNetModel.__init__: input_blocks.0 = conv_in; per level `numResBlocks` blocks of
// [ResBlock, SpatialTransformer?] then (except at the last level) one [Downsample] block.
UNetConfig UNetConfig::fromWeights(const SafetensorsFile& file, const std::string& prefix,
                                   bool encoderOnly) {
  const std::string timeKey = prefix + "time_embed.0.weight";
  const std::string convInKey = prefix + "input_blocks.0.0.weight";
  const std::string outKey = prefix + "out.2.weight";
  if (!file.contains(timeKey) || !file.contains(convInKey) ||
      (!encoderOnly && !file.contains(outKey)))
    throw std::invalid_argument(file.path().string() + ": no diffusion U-Net under prefix '" +
                                prefix + "' (missing time_embed/input_blocks.0/out tensors)");
  UNetConfig config;
  config.modelChannels = shapeOf(file, timeKey).at(1);  // time_embed.0: [4mc, mc]
  config.inChannels = shapeOf(file, convInKey).at(1);   // [mc, in, 3, 3]
  config.outChannels =
      encoderOnly ? config.inChannels : shapeOf(file, outKey).at(0);  // [out, mc, 3, 3]
  config.channelMult.clear();
  config.numResBlocks.clear();
  config.transformerDepth.clear();
  config.contextDim = 0;
  config.linearProjection = false;

  auto noteTransformer = [&](const std::string& base) {
    const std::string k = base + "transformer_blocks.0.attn2.to_k.weight";
    if (config.contextDim == 0 && file.contains(k)) config.contextDim = shapeOf(file, k).at(1);
    if (file.contains(base + "proj_in.weight"))
      config.linearProjection = shapeOf(file, base + "proj_in.weight").size() == 2;
  };

  int64_t resInLevel = 0;
  for (int64_t n = 1;; ++n) {
    const std::string base = prefix + "input_blocks." + std::to_string(n) + ".";
    if (file.contains(base + "0.op.weight")) {  // Downsample closes a level
      if (resInLevel == 0)
        throw std::invalid_argument(file.path().string() + ": input_blocks." + std::to_string(n) +
                                    " downsamples an empty level");
      config.numResBlocks.push_back(resInLevel);
      resInLevel = 0;
      continue;
    }
    const std::string conv = base + "0.in_layers.2.weight";
    if (!file.contains(conv)) break;
    if (resInLevel == 0) {
      const int64_t outCh = shapeOf(file, conv).at(0);
      if (outCh % config.modelChannels != 0)
        throw std::invalid_argument(file.path().string() + ": " + conv +
                                    " width is not a multiple of model_channels");
      config.channelMult.push_back(outCh / config.modelChannels);
      const int64_t depth = countTransformerBlocks(file, base + "1.");
      config.transformerDepth.push_back(depth);
      if (depth > 0) noteTransformer(base + "1.");
    }
    ++resInLevel;
  }
  if (resInLevel == 0 || config.channelMult.empty())
    throw std::invalid_argument(file.path().string() + ": U-Net under '" + prefix +
                                "' has no ResBlocks in input_blocks");
  config.numResBlocks.push_back(resInLevel);

  const std::string mid = prefix + "middle_block.";
  if (!file.contains(mid + "0.in_layers.2.weight"))
    throw std::invalid_argument(file.path().string() + ": U-Net under '" + prefix +
                                "' has no middle_block");
  config.transformerDepthMiddle = countTransformerBlocks(file, mid + "1.");
  if (config.transformerDepthMiddle > 0) noteTransformer(mid + "1.");

  const std::string label = prefix + "label_emb.0.0.weight";
  config.admInChannels = file.contains(label) ? shapeOf(file, label).at(1) : 0;
  if (file.contains(prefix + "pos_emb"))
    config.positionSide = shapeOf(file, prefix + "pos_emb").at(2);

  if (config.admInChannels > 0) {
    config.family = UNetFamily::SDXL;
  } else if (config.linearProjection || config.contextDim == 1024) {
    config.family = UNetFamily::SD2;
  } else {
    config.family = UNetFamily::SD1;
  }
  applyHeadDefaults(config);
  validateStructure(config);
  return config;
}

UNetConfig UNetConfig::sd15() {
  UNetConfig c;  // the member defaults are SD 1.5
  applyHeadDefaults(c);
  return c;
}

UNetConfig UNetConfig::sd21() {
  UNetConfig c;
  c.family = UNetFamily::SD2;
  c.contextDim = 1024;
  c.linearProjection = true;
  applyHeadDefaults(c);
  return c;
}

UNetConfig UNetConfig::sdxlBase() {
  UNetConfig c;
  c.family = UNetFamily::SDXL;
  c.channelMult = {1, 2, 4};
  c.numResBlocks = {2, 2, 2};
  c.transformerDepth = {0, 2, 10};
  c.transformerDepthMiddle = 10;
  c.contextDim = 2048;
  c.linearProjection = true;
  c.admInChannels = 2816;
  applyHeadDefaults(c);
  return c;
}

std::pair<int64_t, int64_t> UNetConfig::headsFor(int64_t channels) const {
  // Ref: openaimodel.py UNetModel.__init__ (legacy=False):
  //   num_head_channels == -1 -> dim_head = ch // num_heads; else num_heads = ch //
  //   num_head_channels
  if (numHeadChannels > 0) return {channels / numHeadChannels, numHeadChannels};
  return {numHeads, channels / numHeads};
}

bool UNetConfig::hasAttention() const {
  return transformerDepthMiddle > 0 || std::any_of(transformerDepth.begin(), transformerDepth.end(),
                                                   [](int64_t d) { return d > 0; });
}

void UNetConfig::validate() const {
  validateStructure(*this);
  if (!hasAttention()) return;
  if (numHeadChannels <= 0 && numHeads <= 0)
    configError("set numHeads (> 0) or numHeadChannels (> 0)");
  auto checkHeads = [&](int64_t ch) {
    const auto [heads, dimHead] = headsFor(ch);
    if (heads <= 0 || dimHead <= 0 || heads * dimHead != ch)
      configError("width " + std::to_string(ch) + " does not split into whole heads");
  };
  for (std::size_t i = 0; i < channelMult.size(); ++i)
    if (transformerDepth[i] > 0) checkHeads(modelChannels * channelMult[i]);
  if (transformerDepthMiddle > 0) checkHeads(modelChannels * channelMult.back());
}

// ---- model ----------------------------------------------------------------------------------

namespace {

SpatialTransformer makeTransformer(const UNetConfig& c, int64_t ch, int64_t depth) {
  const auto [heads, dimHead] = c.headsFor(ch);
  SpatialTransformerOptions o;
  o.channels = ch;
  o.heads = heads;
  o.dimHead = dimHead;
  o.depth = depth;
  o.contextDim = c.contextDim;
  o.linearProjection = c.linearProjection;
  return SpatialTransformer(o);
}

}  // namespace

// Ref: CompVis ldm/modules/diffusionmodules/openaimodel.py UNetModel.__init__;
// sgm/modules/diffusionmodules/openaimodel.py (per-level transformer_depth, label_emb).
UNetEncoder::UNetEncoder(torch::nn::Module& root, const UNetConfig& config) : m_config(config) {
  const UNetConfig& c = m_config;
  const int64_t embDim = c.timeEmbedDim();
  m_timeEmbed0 = Linear(LinearOptions(c.modelChannels, embDim));
  m_timeEmbed2 = Linear(LinearOptions(embDim, embDim));
  registerNested(root, "time_embed.0", m_timeEmbed0.ptr());
  registerNested(root, "time_embed.2", m_timeEmbed2.ptr());
  if (c.admInChannels > 0) {
    m_labelEmb0 = Linear(LinearOptions(c.admInChannels, embDim));
    m_labelEmb2 = Linear(LinearOptions(embDim, embDim));
    registerNested(root, "label_emb.0.0", m_labelEmb0.ptr());
    registerNested(root, "label_emb.0.2", m_labelEmb2.ptr());
  }
  auto inputBlock = [&](TimestepSequential block) {
    registerNested(root, "input_blocks." + std::to_string(m_inputBlocks.size()), block.ptr());
    m_inputBlocks.push_back(std::move(block));
  };
  {
    TimestepSequential first;
    first->append(Conv2d(Conv2dOptions(c.inChannels, c.modelChannels, 3).withPadding(1)));
    inputBlock(first);
    m_skipChannels.push_back(c.modelChannels);
  }
  int64_t ch = c.modelChannels;
  for (int64_t level = 0; level < c.levels(); ++level) {
    const int64_t width = c.modelChannels * c.channelMult[level];
    for (int64_t r = 0; r < c.numResBlocks[level]; ++r) {
      TimestepSequential block;
      block->append(ResBlock(ch, width, embDim));
      ch = width;
      if (c.transformerDepth[level] > 0)
        block->append(makeTransformer(c, ch, c.transformerDepth[level]));
      inputBlock(block);
      m_skipChannels.push_back(ch);
    }
    if (level + 1 < c.levels()) {
      TimestepSequential block;
      block->append(Downsample(ch));
      inputBlock(block);
      m_skipChannels.push_back(ch);
    }
  }
  m_middleBlock = TimestepSequential();
  m_middleBlock->append(ResBlock(ch, ch, embDim));
  if (c.transformerDepthMiddle > 0)
    m_middleBlock->append(makeTransformer(c, ch, c.transformerDepthMiddle));
  m_middleBlock->append(ResBlock(ch, ch, embDim));
  root.register_module("middle_block", m_middleBlock.ptr());
}

void UNetEncoder::checkInputs(const char* who, const at::Tensor& x, const at::Tensor& timesteps,
                              const at::Tensor& context, const at::Tensor& y) const {
  const UNetConfig& c = m_config;
  auto fail = [who](const std::string& why) {
    throw std::invalid_argument(std::string(who) + ": " + why);
  };
  if (!x.defined() || x.dim() != 4 || x.size(1) != c.inChannels)
    fail("x must be [B," + std::to_string(c.inChannels) + ",H,W], got " +
         (x.defined() ? shapeText(x) : std::string("undefined")));
  const int64_t batch = x.size(0);
  if (!timesteps.defined() || (timesteps.numel() != batch && timesteps.numel() != 1))
    fail("timesteps must have B or 1 elements");
  if (c.hasAttention() && (!context.defined() || context.dim() != 3 || context.size(0) != batch ||
                           context.size(2) != c.contextDim))
    fail("context must be [B,M," + std::to_string(c.contextDim) + "], got " +
         (context.defined() ? shapeText(context) : std::string("undefined")));
  if (c.admInChannels > 0) {
    if (!y.defined() || y.dim() != 2 || y.size(0) != batch || y.size(1) != c.admInChannels)
      fail("y must be [B," + std::to_string(c.admInChannels) + "], got " +
           (y.defined() ? shapeText(y) : std::string("undefined")));
  } else if (y.defined()) {
    fail("this U-Net takes no y (class/vector) conditioning");
  }
}

at::Tensor UNetEncoder::embedSilu(const at::Tensor& timesteps, int64_t batch,
                                  const at::Tensor& y) const {
  const UNetConfig& c = m_config;
  const auto dtype = this->dtype();
  const auto device = this->device();
  at::Tensor t = timesteps.reshape({-1}).to(device, at::kFloat);
  if (t.numel() != batch) t = t.expand({batch});
  const at::Tensor tEmb =
      timestepEmbedding(t, c.modelChannels, c.maxPeriod).to(device, dtype);  // [B,mc]
  Linear e0 = m_timeEmbed0, e2 = m_timeEmbed2;  // holders share the modules (forward is not const)
  at::Tensor emb = e2(at::silu(e0(tEmb)));      // [B,4mc]
  if (c.admInChannels > 0) {
    Linear l0 = m_labelEmb0, l2 = m_labelEmb2;
    emb = emb + l2(at::silu(l0(y.to(device, dtype))));
  }
  return at::silu(emb);
}

// Ref: CompVis ldm/modules/diffusionmodules/openaimodel.py UNetModel.__init__;
// sgm/modules/diffusionmodules/openaimodel.py (per-level transformer_depth, label_emb).
UNetImpl::UNetImpl(UNetConfig config) : m_config(std::move(config)) {
  const UNetConfig& c = m_config;
  c.validate();
  const int64_t embDim = c.timeEmbedDim();
  m_encoder = UNetEncoder(*this, c);
  if (c.positionSide > 0)
    m_posEmb = register_parameter("pos_emb",
                                  at::zeros({1, c.modelChannels, c.positionSide, c.positionSide}));
  auto outputBlock = [&](TimestepSequential block) {
    registerNested(*this, "output_blocks." + std::to_string(m_outputBlocks.size()), block.ptr());
    m_outputBlocks.push_back(std::move(block));
  };

  // Up path: one more ResBlock per level, each concatenating one skip tensor.
  std::vector<int64_t> skipChannels = m_encoder.skipChannels();
  int64_t ch = skipChannels.back();
  for (int64_t level = c.levels() - 1; level >= 0; --level) {
    const int64_t width = c.modelChannels * c.channelMult[level];
    for (int64_t r = 0; r <= c.numResBlocks[level]; ++r) {
      const int64_t skip = skipChannels.back();
      skipChannels.pop_back();
      TimestepSequential block;
      block->append(ResBlock(ch + skip, width, embDim));
      ch = width;
      if (c.transformerDepth[level] > 0)
        block->append(makeTransformer(c, ch, c.transformerDepth[level]));
      if (level > 0 && r == c.numResBlocks[level]) block->append(Upsample(ch));
      outputBlock(block);
    }
  }

  m_outNorm = GroupNorm(GroupNormOptions(32, ch, 1e-5));
  m_outConv = Conv2d(Conv2dOptions(c.modelChannels, c.outChannels, 3).withPadding(1));
  registerNested(*this, "out.0", m_outNorm.ptr());
  registerNested(*this, "out.2", m_outConv.ptr());
}

c10::ScalarType UNetImpl::dtype() const {
  return m_encoder.dtype();
}

// Ref: openaimodel.py UNetModel.forward (CompVis and sgm); output blocks upsample to the size of
// the next skip tensor as in ComfyUI's forward (output_shape = hs[-1].shape).
at::Tensor UNetImpl::forward(const at::Tensor& x, const at::Tensor& timesteps,
                             const at::Tensor& context, const at::Tensor& y,
                             const UNetResiduals* residuals) {
  const UNetConfig& c = m_config;
  m_encoder.checkInputs("UNet::forward", x, timesteps, context, y);
  auto& inputBlocks = m_encoder.inputBlocks();
  if (residuals && !residuals->skips.empty() && residuals->skips.size() != inputBlocks.size())
    throw std::invalid_argument("UNet::forward: " + std::to_string(residuals->skips.size()) +
                                " skip residuals for " + std::to_string(inputBlocks.size()) +
                                " input blocks (a ControlNet of another architecture?)");
  const int64_t batch = x.size(0);

  // The blocks below free and reallocate the same large activations many times. 256 MiB of kept
  // buffers catch most of it at SD sizes without raising the peak memory much.
  const BufferRecyclingScope recycling(std::size_t{256} << 20);
  const auto dtype = this->dtype();
  const auto device = m_encoder.device();
  auto cast = [&](const at::Tensor& t) { return t.to(device, dtype); };

  const at::Tensor embSilu = m_encoder.embedSilu(timesteps, batch, y);  // [B,4mc]
  const at::Tensor ctx = c.hasAttention() ? cast(context) : at::Tensor();
  // oneDNN's CPU convolutions are fastest on channels_last (NHWC) activations, and every block
  // keeps that layout (docs/performance.md); the result gets the input's layout back.
  at::Tensor h = cast(x);  // [B,in,H,W]
  if (h.is_cpu()) h = h.contiguous(at::MemoryFormat::ChannelsLast);

  // residual + a tensor of the same shape, or a clear error (before torch's broadcast message).
  auto addResidual = [&](const at::Tensor& to, const at::Tensor& r, const std::string& where) {
    if (!r.defined()) return to;
    if (r.sizes() != to.sizes())
      throw std::invalid_argument("UNet::forward: residual for " + where + " is " + shapeText(r) +
                                  ", the U-Net has " + shapeText(to));
    return to + cast(r).contiguous(to.suggest_memory_format());
  };

  std::vector<at::Tensor> skips;
  skips.reserve(inputBlocks.size());
  for (auto& block : inputBlocks) {
    h = block(h, embSilu, ctx);
    // After conv_in: + the learned position map [1,mc,H,W] (Ref: the learned absolute position
    // embeddings of ViT, Dosovitskiy et al. 2020, on the latent grid instead of patches).
    if (skips.empty() && m_posEmb.defined()) {
      at::Tensor pos = cast(m_posEmb);
      if (pos.size(2) != h.size(2) || pos.size(3) != h.size(3))
        pos = at::upsample_bilinear2d(pos, {h.size(2), h.size(3)}, false);
      h = h + pos.contiguous(h.suggest_memory_format());
    }
    skips.push_back(h);
  }
  h = m_encoder.middleBlock()(h, embSilu, ctx);
  if (residuals) h = addResidual(h, residuals->middle, "the middle block");
  for (auto& block : m_outputBlocks) {
    at::Tensor skip = skips.back();
    if (residuals && !residuals->skips.empty()) {
      const std::size_t i = skips.size() - 1;
      skip = addResidual(skip, residuals->skips[i], "input block " + std::to_string(i));
    }
    h = at::cat({h, skip}, 1);  // [B,C+Cskip,h,w]
    skips.pop_back();
    const std::vector<int64_t> upSize =
        skips.empty() ? std::vector<int64_t>{}
                      : std::vector<int64_t>{skips.back().size(2), skips.back().size(3)};
    h = block(h, embSilu, ctx, upSize);
  }
  h = m_outConv(cpu::groupNormSilu(*m_outNorm, h));  // [B,out,H,W]
  return h.to(x.scalar_type()).contiguous(x.suggest_memory_format());
}

}  // namespace lienzo
