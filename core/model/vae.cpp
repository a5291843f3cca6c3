// Ref: CompVis ldm/modules/diffusionmodules/model.py (Encoder, Decoder, ResnetBlock, AttnBlock,
//      Downsample, Upsample); ldm/models/autoencoder.py (AutoencoderKL encode/decode);
//      ldm/models/diffusion/ddpm.py (decode_first_stage, get_first_stage_encoding scale_factor).
#include "core/model/vae.h"

#include "core/io/safetensors.h"
#include "core/model/attention.h"
#include "core/model/buffer_recycling.h"
#include "core/model/cpu_kernels.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace lienzo {

namespace {

const std::vector<int64_t>& shapeOf(const SafetensorsFile& file, const std::string& key) {
  if (!file.contains(key)) {
    throw std::invalid_argument("VAE: " + file.path().string() + " has no tensor '" + key + "'");
  }
  return file.info(key).shape;
}

int64_t dimOf(const SafetensorsFile& file, const std::string& key, std::size_t dim) {
  const auto& shape = shapeOf(file, key);
  if (shape.size() <= dim) {
    throw std::invalid_argument("VAE: tensor '" + key + "' has rank " +
                                std::to_string(shape.size()));
  }
  return shape[dim];
}

int64_t countIndexed(const SafetensorsFile& file, const std::string& before,
                     const std::string& after) {
  int64_t n = 0;
  while (file.contains(before + std::to_string(n) + after)) ++n;
  return n;
}

std::string idx(const std::string& a, std::size_t i, const std::string& b = "") {
  return a + std::to_string(i) + b;
}

}  // namespace

// --- Config -------------------------------------------------------------------------------------

VaeConfig VaeConfig::fromWeights(const SafetensorsFile& file, const std::string& prefix) {
  VaeConfig c;
  const std::string enc = prefix + "encoder.";
  const std::string dec = prefix + "decoder.";
  c.hasEncoder = file.contains(enc + "conv_in.weight");
  c.hasDecoder = file.contains(dec + "conv_in.weight");
  if (!c.hasEncoder && !c.hasDecoder) {
    throw std::invalid_argument("VAE: " + file.path().string() + " has neither '" + enc +
                                "conv_in.weight' nor '" + dec + "conv_in.weight'");
  }
  c.hasQuantConv = c.hasEncoder && file.contains(prefix + "quant_conv.weight");
  c.hasPostQuantConv = c.hasDecoder && file.contains(prefix + "post_quant_conv.weight");

  // Levels, multipliers and block counts: the encoder is authoritative when present.
  const std::string levelPrefix = c.hasEncoder ? enc + "down." : dec + "up.";
  const int64_t levels = countIndexed(file, levelPrefix, ".block.0.conv1.weight");
  if (levels == 0) {
    throw std::invalid_argument("VAE: no tensor '" + levelPrefix + "0.block.0.conv1.weight'");
  }
  c.baseChannels = c.hasEncoder ? dimOf(file, enc + "conv_in.weight", 0)
                                : dimOf(file, dec + "conv_out.weight", 1);
  c.channelMult.clear();
  c.levelAttention.clear();
  for (int64_t i = 0; i < levels; ++i) {
    const int64_t width = dimOf(file, idx(levelPrefix, i, ".block.0.conv2.weight"), 0);
    if (width % c.baseChannels != 0) {
      throw std::invalid_argument("VAE: level " + std::to_string(i) + " width " +
                                  std::to_string(width) + " is not a multiple of " +
                                  std::to_string(c.baseChannels));
    }
    c.channelMult.push_back(width / c.baseChannels);
    c.levelAttention.push_back(file.contains(idx(levelPrefix, i, ".attn.0.q.weight")));
  }
  const int64_t blocks = countIndexed(file, levelPrefix + "0.block.", ".conv1.weight");
  c.numResBlocks = c.hasEncoder ? blocks : blocks - 1;

  if (c.hasDecoder) {
    c.zChannels = dimOf(file, dec + "conv_in.weight", 1);
    c.outChannels = dimOf(file, dec + "conv_out.weight", 0);
  }
  if (c.hasEncoder) {
    c.inChannels = dimOf(file, enc + "conv_in.weight", 1);
    const int64_t encOut = dimOf(file, enc + "conv_out.weight", 0);
    if (!c.hasDecoder) c.zChannels = encOut / 2;
    c.doubleZ = encOut == 2 * c.zChannels;
    if (!c.doubleZ && encOut != c.zChannels) {
      throw std::invalid_argument("VAE: encoder.conv_out has " + std::to_string(encOut) +
                                  " channels for " + std::to_string(c.zChannels) +
                                  " latent channels");
    }
  }
  if (c.hasPostQuantConv) {
    c.embedDim = dimOf(file, prefix + "post_quant_conv.weight", 0);
  } else if (c.hasQuantConv) {
    c.embedDim = dimOf(file, prefix + "quant_conv.weight", 0) / 2;
  } else {
    c.embedDim = c.zChannels;
  }
  // Tiny built-in VAEs may have no normalisation layers at all (groups = 0).
  if (!file.contains((c.hasDecoder ? dec : enc) + "norm_out.weight")) c.groups = 0;
  const std::string midQ = (c.hasEncoder ? enc : dec) + "mid.attn_1.q.weight";
  c.linearAttention = shapeOf(file, midQ).size() == 2;
  c.validate();
  return c;
}

void VaeConfig::validate() const {
  if (inChannels <= 0 || outChannels <= 0 || baseChannels <= 0 || channelMult.empty() ||
      numResBlocks < (hasEncoder ? 1 : 0) || zChannels <= 0 || embedDim <= 0 || groups < 0 ||
      !(groupNormEps > 0)) {
    throw std::invalid_argument("VAE: every size in the config must be positive");
  }
  const int64_t g = groups == 0 ? 1 : groups;  // 0 = no normalisation layers
  for (auto m : channelMult) {
    if (m <= 0 || (baseChannels * m) % g != 0) {
      throw std::invalid_argument("VAE: level width " + std::to_string(baseChannels * m) +
                                  " is not a positive multiple of " + std::to_string(groups) +
                                  " groups");
    }
  }
  if (baseChannels % g != 0) {
    throw std::invalid_argument("VAE: base width is not a multiple of the group count");
  }
  if (!hasEncoder && !hasDecoder) throw std::invalid_argument("VAE: no encoder and no decoder");
  if (hasQuantConv && !doubleZ) {
    throw std::invalid_argument("VAE: quant_conv needs a double_z encoder (mean and logvar)");
  }
}

int64_t VaeConfig::downscaleFactor() const {
  return int64_t{1} << (static_cast<int64_t>(channelMult.size()) - 1);
}

// --- Latent distribution and scaling ------------------------------------------------------------

VaeLatentDistribution VaeLatentDistribution::fromMoments(const at::Tensor& moments) {
  if (moments.dim() != 4 || moments.size(1) % 2 != 0) {
    throw std::invalid_argument("VAE: moments must be [B,2E,h,w]");
  }
  VaeLatentDistribution d;
  d.moments = moments;
  const auto parts = moments.chunk(2, 1);  // 2×[B,E,h,w]
  d.mean = parts[0];
  d.logvar = at::clamp(parts[1], -30.0, 20.0);
  d.std = at::exp(d.logvar * 0.5);
  return d;
}

at::Tensor VaeLatentDistribution::sample(const at::Tensor& noise) const {
  if (!noise.sizes().equals(mean.sizes())) {
    throw std::invalid_argument("VAE: sampling noise must have the latent shape");
  }
  return mean + std * noise.to(mean.options());
}

at::Tensor LatentScaling::toVae(const at::Tensor& z) const {
  // Ref: ddpm.py decode_first_stage: z = 1. / self.scale_factor * z (float op, double scalar);
  // shifted spaces divide: sd3_impls SD3LatentFormat.process_out, flux AutoEncoder.decode
  // (z / scale_factor + shift_factor).
  if (shift != 0.0) return z / scale + shift;
  return z * (1.0 / scale);
}

at::Tensor LatentScaling::fromVae(const at::Tensor& z) const {
  // Ref: ddpm.py get_first_stage_encoding: self.scale_factor * z; SD3LatentFormat.process_in,
  // flux AutoEncoder.encode: scale_factor * (z - shift_factor).
  if (shift != 0.0) return (z - shift) * scale;
  return z * scale;
}

// --- Internal modules (names = checkpoint keys) -------------------------------------------------

namespace {

GroupNorm makeNorm(const VaeConfig& c, int64_t channels) {
  return GroupNorm(GroupNormOptions(c.groups, channels, c.groupNormEps));
}

}  // namespace

class VaeResnetBlockImpl : public torch::nn::Module {
 public:
  VaeResnetBlockImpl(const VaeConfig& c, int64_t in, int64_t out) {
    norm1 = register_module("norm1", makeNorm(c, in));
    conv1 = register_module("conv1", Conv2d(Conv2dOptions(in, out, 3).withPadding(1)));
    norm2 = register_module("norm2", makeNorm(c, out));
    conv2 = register_module("conv2", Conv2d(Conv2dOptions(out, out, 3).withPadding(1)));
    if (in != out)
      nin_shortcut = register_module("nin_shortcut", Conv2d(Conv2dOptions(in, out, 1)));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,in,H,W] → [B,out,H,W]
    auto h = conv1(cpu::groupNormSilu(*norm1, x));
    h = conv2(cpu::groupNormSilu(*norm2, h));  // dropout 0 at inference
    return (nin_shortcut ? nin_shortcut(x) : x) + h;
  }

  GroupNorm norm1{nullptr}, norm2{nullptr};
  Conv2d conv1{nullptr}, conv2{nullptr}, nin_shortcut{nullptr};
};
TORCH_MODULE(VaeResnetBlock);

/// A 1x1 projection stored either as a conv weight [C,C,1,1] or a linear weight [C,C], applied to
/// tokens [B,N,C] (a 1x1 conv over pixels is a linear map over channels).
class VaeAttnProjImpl : public torch::nn::Module {
 public:
  VaeAttnProjImpl(int64_t channels, bool linear) : m_channels(channels) {
    if (linear) {
      weight = registerEmptyParameter(*this, "weight", {channels, channels});
    } else {
      weight = registerEmptyParameter(*this, "weight", {channels, channels, 1, 1});
    }
    bias = registerEmptyParameter(*this, "bias", {channels});
  }

  at::Tensor forward(const at::Tensor& tokens) {  // [B,N,C] → [B,N,C]
    return at::linear(tokens, weight.reshape({m_channels, m_channels}), bias);
  }

  at::Tensor weight, bias;

 private:
  int64_t m_channels;
};
TORCH_MODULE(VaeAttnProj);

/// Single-head self-attention over all pixels, scale C^-0.5, residual.
class VaeAttnBlockImpl : public torch::nn::Module {
 public:
  VaeAttnBlockImpl(const VaeConfig& c, int64_t channels) {
    norm = register_module("norm", makeNorm(c, channels));
    q = register_module("q", VaeAttnProj(channels, c.linearAttention));
    k = register_module("k", VaeAttnProj(channels, c.linearAttention));
    v = register_module("v", VaeAttnProj(channels, c.linearAttention));
    proj_out = register_module("proj_out", VaeAttnProj(channels, c.linearAttention));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,C,H,W]
    const int64_t b = x.size(0), ch = x.size(1), hgt = x.size(2), wid = x.size(3);
    const auto tokens = norm(x).flatten(2).transpose(1, 2);  // [B,HW,C]
    AttentionOptions options;
    options.heads = 1;                                                      // scale = C^-0.5
    auto h = multiHeadAttention(q(tokens), k(tokens), v(tokens), options);  // [B,HW,C]
    h = proj_out(h).transpose(1, 2).reshape({b, ch, hgt, wid});             // [B,C,H,W]
    return x + h;
  }

  GroupNorm norm{nullptr};
  VaeAttnProj q{nullptr}, k{nullptr}, v{nullptr}, proj_out{nullptr};
};
TORCH_MODULE(VaeAttnBlock);

/// Holds `conv`: Downsample (pad right/bottom by 1, 3x3 stride 2) or Upsample (nearest x2, 3x3).
class VaeResampleImpl : public torch::nn::Module {
 public:
  VaeResampleImpl(int64_t channels, bool down) : m_down(down) {
    conv = register_module("conv", Conv2d(Conv2dOptions(channels, channels, 3)
                                              .withStride(down ? 2 : 1)
                                              .withPadding(down ? 0 : 1)));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,C,H,W]
    if (m_down) {
      return conv(at::constant_pad_nd(x, {0, 1, 0, 1}, 0));  // → [B,C,H/2,W/2]
    }
    return conv(at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}));  // → [B,C,2H,2W]
  }

  Conv2d conv{nullptr};

 private:
  bool m_down;
};
TORCH_MODULE(VaeResample);

/// One resolution level: `block.N`, optional `attn.N`, optional `downsample`/`upsample`.
struct VaeLevel {
  std::vector<VaeResnetBlock> blocks;
  std::vector<VaeAttnBlock> attns;
  VaeResample resample{nullptr};

  at::Tensor forward(at::Tensor h) {
    for (std::size_t j = 0; j < blocks.size(); ++j) {
      h = blocks[j](h);
      if (!attns.empty()) h = attns[j](h);
    }
    return resample ? resample(h) : h;
  }
};

namespace {

/// Registers `level`'s modules under `parent.<index>` (block.N, attn.N, downsample/upsample).
VaeLevel makeLevel(torch::nn::Module& parent, std::size_t index, const VaeConfig& c, int64_t in,
                   int64_t out, int64_t blocks, bool attention, const char* resampleName,
                   bool down) {
  VaeLevel level;
  auto node = parent.register_module(std::to_string(index), std::make_shared<torch::nn::Module>());
  auto blockNode = node->register_module("block", std::make_shared<torch::nn::Module>());
  std::shared_ptr<torch::nn::Module> attnNode;
  if (attention) attnNode = node->register_module("attn", std::make_shared<torch::nn::Module>());
  for (int64_t j = 0; j < blocks; ++j) {
    level.blocks.push_back(
        blockNode->register_module(std::to_string(j), VaeResnetBlock(c, j == 0 ? in : out, out)));
    if (attention) {
      level.attns.push_back(attnNode->register_module(std::to_string(j), VaeAttnBlock(c, out)));
    }
  }
  if (resampleName) level.resample = node->register_module(resampleName, VaeResample(out, down));
  return level;
}

}  // namespace

/// mid.block_1 → mid.attn_1 → mid.block_2.
struct VaeMid {
  VaeResnetBlock block1{nullptr};
  VaeAttnBlock attn1{nullptr};
  VaeResnetBlock block2{nullptr};

  VaeMid(torch::nn::Module& parent, const VaeConfig& c, int64_t ch) {
    auto mid = parent.register_module("mid", std::make_shared<torch::nn::Module>());
    block1 = mid->register_module("block_1", VaeResnetBlock(c, ch, ch));
    attn1 = mid->register_module("attn_1", VaeAttnBlock(c, ch));
    block2 = mid->register_module("block_2", VaeResnetBlock(c, ch, ch));
  }
  at::Tensor forward(const at::Tensor& h) { return block2(attn1(block1(h))); }
};

class VaeEncoderImpl : public torch::nn::Module {
 public:
  explicit VaeEncoderImpl(const VaeConfig& c) {
    const auto levels = c.channelMult.size();
    conv_in = register_module(
        "conv_in", Conv2d(Conv2dOptions(c.inChannels, c.baseChannels, 3).withPadding(1)));
    auto down = register_module("down", std::make_shared<torch::nn::Module>());
    int64_t in = c.baseChannels;
    for (std::size_t i = 0; i < levels; ++i) {
      const int64_t out = c.baseChannels * c.channelMult[i];
      const bool last = i + 1 == levels;
      m_levels.push_back(makeLevel(*down, i, c, in, out, c.numResBlocks, c.attentionAt(i),
                                   last ? nullptr : "downsample", /*down=*/true));
      in = out;
    }
    m_mid = std::make_unique<VaeMid>(*this, c, in);
    norm_out = register_module("norm_out", makeNorm(c, in));
    const int64_t zOut = c.doubleZ ? 2 * c.zChannels : c.zChannels;
    conv_out = register_module("conv_out", Conv2d(Conv2dOptions(in, zOut, 3).withPadding(1)));
  }

  at::Tensor forward(const at::Tensor& x) {  // [B,3,H,W] → [B,2z,H/f,W/f]
    auto h = conv_in(x);                     // [B,ch,H,W]
    for (auto& level : m_levels) h = level.forward(h);
    h = m_mid->forward(h);  // [B,ch*mult[-1],H/f,W/f]
    return conv_out(cpu::groupNormSilu(*norm_out, h));
  }

  Conv2d conv_in{nullptr}, conv_out{nullptr};
  GroupNorm norm_out{nullptr};

 private:
  std::vector<VaeLevel> m_levels;
  std::unique_ptr<VaeMid> m_mid;
};

class VaeDecoderImpl : public torch::nn::Module {
 public:
  explicit VaeDecoderImpl(const VaeConfig& c) {
    const auto levels = c.channelMult.size();
    int64_t in = c.baseChannels * c.channelMult.back();
    conv_in = register_module("conv_in", Conv2d(Conv2dOptions(c.zChannels, in, 3).withPadding(1)));
    m_mid = std::make_unique<VaeMid>(*this, c, in);
    auto up = register_module("up", std::make_shared<torch::nn::Module>());
    // up.N is level N (N = 0 is the full resolution); they run from the deepest level up.
    m_levels.resize(levels);
    for (std::size_t r = 0; r < levels; ++r) {
      const std::size_t i = levels - 1 - r;
      const int64_t out = c.baseChannels * c.channelMult[i];
      m_levels[i] = makeLevel(*up, i, c, in, out, c.numResBlocks + 1, c.attentionAt(i),
                              i == 0 ? nullptr : "upsample", /*down=*/false);
      in = out;
    }
    norm_out = register_module("norm_out", makeNorm(c, in));
    conv_out =
        register_module("conv_out", Conv2d(Conv2dOptions(in, c.outChannels, 3).withPadding(1)));
  }

  at::Tensor forward(const at::Tensor& z) {  // [B,z,h,w] → [B,3,h*f,w*f]
    auto h = m_mid->forward(conv_in(z));     // [B,ch*mult[-1],h,w]
    for (auto it = m_levels.rbegin(); it != m_levels.rend(); ++it) h = it->forward(h);
    return conv_out(cpu::groupNormSilu(*norm_out, h));  // raw output, no tanh
  }

  Conv2d conv_in{nullptr}, conv_out{nullptr};
  GroupNorm norm_out{nullptr};

 private:
  std::vector<VaeLevel> m_levels;
  std::unique_ptr<VaeMid> m_mid;
};

// --- AutoencoderKL ------------------------------------------------------------------------------

AutoencoderKLImpl::AutoencoderKLImpl(const VaeConfig& config) : m_config(config) {
  m_config.validate();
  const int64_t e = m_config.embedDim;
  if (m_config.hasEncoder) {
    m_encoder = register_module("encoder", std::make_shared<VaeEncoderImpl>(m_config));
    if (m_config.hasQuantConv) {
      m_quantConv =
          register_module("quant_conv", Conv2d(Conv2dOptions(2 * m_config.zChannels, 2 * e, 1)));
    }
  }
  if (m_config.hasDecoder) {
    m_decoder = register_module("decoder", std::make_shared<VaeDecoderImpl>(m_config));
    if (m_config.hasPostQuantConv) {
      m_postQuantConv =
          register_module("post_quant_conv", Conv2d(Conv2dOptions(e, m_config.zChannels, 1)));
    }
  }
}

c10::ScalarType AutoencoderKLImpl::dtype() const {
  return (m_decoder ? m_decoder->conv_in : m_encoder->conv_in)->weight.scalar_type();
}

c10::Device AutoencoderKLImpl::device() const {
  return (m_decoder ? m_decoder->conv_in : m_encoder->conv_in)->weight.device();
}

at::Tensor AutoencoderKLImpl::encodeMoments(const at::Tensor& xIn) {
  if (!m_encoder) throw std::invalid_argument("VAE: this checkpoint has no encoder");
  const int64_t f = m_config.downscaleFactor();
  if (!xIn.defined() || xIn.dim() != 4 || xIn.size(1) != m_config.inChannels ||
      xIn.size(2) % f != 0 || xIn.size(3) % f != 0 || xIn.size(2) == 0 || xIn.size(3) == 0) {
    throw std::invalid_argument("VAE encode: expected an image [B," +
                                std::to_string(m_config.inChannels) +
                                ",H,W] with H and W positive multiples of " + std::to_string(f));
  }
  const BufferRecyclingScope recycling;  // large activations are freed and reallocated often
  auto x = xIn.to(device(), dtype());
  // channels_last suits oneDNN's CPU convolutions; every layer keeps it (docs/performance.md).
  if (x.is_cpu()) x = x.contiguous(at::MemoryFormat::ChannelsLast);
  auto moments = m_encoder->forward(x);             // [B,2z,H/f,W/f]
  if (m_quantConv) moments = m_quantConv(moments);  // [B,2E,H/f,W/f]
  return moments.contiguous(xIn.suggest_memory_format());
}

VaeLatentDistribution AutoencoderKLImpl::encode(const at::Tensor& x) {
  return VaeLatentDistribution::fromMoments(encodeMoments(x));
}

at::Tensor AutoencoderKLImpl::decode(const at::Tensor& zIn) {
  if (!m_decoder) throw std::invalid_argument("VAE: this checkpoint has no decoder");
  if (!zIn.defined() || zIn.dim() != 4 || zIn.size(1) != m_config.embedDim || zIn.size(2) == 0 ||
      zIn.size(3) == 0) {
    throw std::invalid_argument("VAE decode: expected a latent [B," +
                                std::to_string(m_config.embedDim) + ",h,w]");
  }
  const BufferRecyclingScope recycling;  // large activations are freed and reallocated often
  auto z = zIn.to(device(), dtype());
  if (z.is_cpu()) z = z.contiguous(at::MemoryFormat::ChannelsLast);      // as in encodeMoments
  if (m_postQuantConv) z = m_postQuantConv(z);                           // [B,z,h,w]
  return m_decoder->forward(z).contiguous(zIn.suggest_memory_format());  // [B,3,h*f,w*f]
}

AutoencoderKL loadAutoencoderKL(const SafetensorsFile& file, const std::string& prefix,
                                c10::ScalarType dtype, c10::Device device) {
  AutoencoderKL model(VaeConfig::fromWeights(file, prefix));
  loadModuleWeights(*model, file, prefix, dtype, device);
  model->eval();
  return model;
}

}  // namespace lienzo
