// ControlNet model (controlnet.h).
#include "core/control/controlnet.h"
#include "core/model/layers.h"

#include "core/io/safetensors.h"
#include "core/model/buffer_recycling.h"

#include <ATen/ATen.h>

#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {
namespace {

// input_hint_block: eight 3x3 convs at the even indices, SiLU at the odd ones; convs 2, 4 and 6
// halve the size. Ref: cldm.py ControlNet.__init__ input_hint_block.
constexpr int kHintConvs = 8;
constexpr int64_t kHintStride[kHintConvs] = {1, 1, 2, 1, 2, 1, 2, 1};

std::string hintKey(int i) {
  return "input_hint_block." + std::to_string(2 * i) + ".weight";
}

}  // namespace

ControlNetConfig ControlNetConfig::fromWeights(const SafetensorsFile& file,
                                               const std::string& prefix) {
  if (!file.contains(prefix + hintKey(0)) || !file.contains(prefix + "zero_convs.0.0.weight"))
    throw std::invalid_argument(file.path().string() + ": no ControlNet under prefix '" + prefix +
                                "' (missing input_hint_block / zero_convs)");
  ControlNetConfig config;
  config.unet = UNetConfig::fromWeights(file, prefix, /*encoderOnly=*/true);
  config.hintChannels = file.info(prefix + hintKey(0)).shape.at(1);  // [16, 3, 3, 3]
  config.hintWidths.clear();
  for (int i = 0; i < kHintConvs; ++i) {
    if (!file.contains(prefix + hintKey(i)))
      throw std::invalid_argument(file.path().string() + ": ControlNet lacks " + prefix +
                                  hintKey(i));
    config.hintWidths.push_back(file.info(prefix + hintKey(i)).shape.at(0));
  }
  if (config.hintWidths.back() != config.unet.modelChannels)
    throw std::invalid_argument(file.path().string() + ": the hint block ends with " +
                                std::to_string(config.hintWidths.back()) +
                                " channels, the encoder starts with " +
                                std::to_string(config.unet.modelChannels));
  return config;
}

int64_t ControlNetConfig::residualCount() const {
  int64_t blocks = 1;  // conv_in
  for (int64_t level = 0; level < unet.levels(); ++level)
    blocks += unet.numResBlocks[level] + (level + 1 < unet.levels() ? 1 : 0);
  return blocks + 1;
}

ControlNetImpl::ControlNetImpl(ControlNetConfig config) : m_config(std::move(config)) {
  const ControlNetConfig& c = m_config;
  c.unet.validate();
  if (static_cast<int>(c.hintWidths.size()) != kHintConvs || c.hintChannels <= 0 ||
      c.hintWidths.back() != c.unet.modelChannels)
    throw std::invalid_argument("ControlNet: the hint block needs 8 widths ending with " +
                                std::to_string(c.unet.modelChannels));
  m_encoder = UNetEncoder(*this, c.unet);
  int64_t in = c.hintChannels;
  for (int i = 0; i < kHintConvs; ++i) {
    Conv2d conv(Conv2dOptions(in, c.hintWidths[i], 3).withPadding(1).withStride(kHintStride[i]));
    registerNested(*this, "input_hint_block." + std::to_string(2 * i), conv.ptr());
    m_hintConvs.push_back(conv);
    in = c.hintWidths[i];
  }
  const auto& channels = m_encoder.skipChannels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    Conv2d conv(Conv2dOptions(channels[i], channels[i], 1));
    registerNested(*this, "zero_convs." + std::to_string(i) + ".0", conv.ptr());
    m_zeroConvs.push_back(conv);
  }
  m_middleOut = Conv2d(Conv2dOptions(channels.back(), channels.back(), 1));
  registerNested(*this, "middle_block_out.0", m_middleOut.ptr());
}

at::Tensor ControlNetImpl::hintEmbedding(const at::Tensor& hint) {
  if (!hint.defined() || hint.dim() != 4 || hint.size(1) != m_config.hintChannels)
    throw std::invalid_argument("ControlNet: the hint must be [N," +
                                std::to_string(m_config.hintChannels) + ",H,W], got " +
                                (hint.defined() ? shapeText(hint) : std::string("undefined")));
  at::Tensor g = hint.to(device(), dtype());  // [N,3,8h,8w]
  if (g.is_cpu()) g = g.contiguous(at::MemoryFormat::ChannelsLast);
  for (int i = 0; i < kHintConvs; ++i) {
    g = m_hintConvs[i](g);
    if (i + 1 < kHintConvs) g = at::silu(g);  // each stride-2 conv: out = ceil(n/2)
  }
  return g;  // [N,mc,h,w]
}

// Ref: cldm.py ControlNet.forward: h = input_blocks[0](x) + hint_emb, then the other blocks; one
// zero conv per block output; middle_block_out after the middle block.
UNetResiduals ControlNetImpl::forward(const at::Tensor& x, const at::Tensor& hintEmb,
                                      const at::Tensor& timesteps, const at::Tensor& context,
                                      const at::Tensor& y) {
  const UNetConfig& c = m_config.unet;
  m_encoder.checkInputs("ControlNet::forward", x, timesteps, context, y);
  const int64_t batch = x.size(0);
  if (!hintEmb.defined() || hintEmb.dim() != 4 ||
      (hintEmb.size(0) != batch && hintEmb.size(0) != 1) || hintEmb.size(1) != c.modelChannels ||
      hintEmb.size(2) != x.size(2) || hintEmb.size(3) != x.size(3))
    throw std::invalid_argument(
        "ControlNet::forward: the hint embedding " +
        (hintEmb.defined() ? shapeText(hintEmb) : std::string("(undefined)")) +
        " does not match the latent " + shapeText(x) + " (the hint must be 8x the latent size)");
  const BufferRecyclingScope recycling(std::size_t{256} << 20);
  const auto dtype = this->dtype();
  const auto device = this->device();
  const at::Tensor embSilu = m_encoder.embedSilu(timesteps, batch, y);  // [B,4mc]
  const at::Tensor ctx = c.hasAttention() ? context.to(device, dtype) : at::Tensor();
  at::Tensor h = x.to(device, dtype);  // [B,in,h,w]
  if (h.is_cpu()) h = h.contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor g = hintEmb.to(device, dtype).contiguous(h.suggest_memory_format());

  UNetResiduals out;
  auto& blocks = m_encoder.inputBlocks();
  out.skips.reserve(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    h = blocks[i](h, embSilu, ctx);
    if (i == 0) h = h + g;                   // after block 0 only
    out.skips.push_back(m_zeroConvs[i](h));  // [B,C_i,h_i,w_i]
  }
  h = m_encoder.middleBlock()(h, embSilu, ctx);
  out.middle = m_middleOut(h);
  return out;
}

}  // namespace lienzo
