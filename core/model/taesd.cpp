// TAESD decoder and encoder (taesd.h): the reference nn.Sequential as a list of layers whose
// weights are read from any of the three key layouts.
// Ref: madebyollin/taesd taesd.py (MIT); diffusers autoencoders/vae.py EncoderTiny/DecoderTiny
// (Apache-2.0) for the `layers.{N}` / `layers.{N-1}` numbering.
#include "core/model/taesd.h"
#include "core/model/layers.h"

#include "core/io/safetensors.h"

#include <ATen/ATen.h>

#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace lienzo {
namespace {

using taesd_detail::Layer;
using Kind = Layer::Kind;

enum class Part { Decoder, Encoder };

const char* partName(Part part) {
  return part == Part::Decoder ? "decoder" : "encoder";
}

/// The reference layers of one part, by Sequential index (weights empty). The channel counts
/// are not fixed here: they come from the weights and are checked against each other.
std::vector<Layer> architecture(Part part) {
  auto make = [](Kind kind, int64_t stride = 1) {
    Layer l;
    l.kind = kind;
    l.stride = stride;
    return l;
  };
  std::vector<Layer> layers;
  if (part == Part::Decoder) {
    layers = {make(Kind::Clamp), make(Kind::Conv), make(Kind::Relu)};
    for (int stage = 0; stage < 4; ++stage) {
      const int blocks = stage == 3 ? 1 : 3;
      if (stage > 0) {
        layers.push_back(make(Kind::Upsample));
        layers.push_back(make(Kind::Conv));
      }
      for (int b = 0; b < blocks; ++b) layers.push_back(make(Kind::Block));
    }
    layers.push_back(make(Kind::Conv));  // 19: 64 → 3
  } else {
    layers = {make(Kind::Conv), make(Kind::Block)};
    for (int stage = 0; stage < 3; ++stage) {
      layers.push_back(make(Kind::Conv, 2));
      for (int b = 0; b < 3; ++b) layers.push_back(make(Kind::Block));
    }
    layers.push_back(make(Kind::Conv));  // 14: 64 → C
  }
  return layers;
}

/// Conv layer `n` of `part` (of `count` layers): channels out/in and whether it has a bias. Only
/// the first and last convs have one (the upsampling / striding convs have none).
struct ConvShape {
  int64_t out, in;
  bool bias;
};
ConvShape convShape(Part part, std::size_t n, std::size_t count, int64_t latent, int64_t width) {
  const bool first = n == (part == Part::Decoder ? 1u : 0u);
  const bool last = n + 1 == count;
  const int64_t in = first ? (part == Part::Decoder ? latent : 3) : width;
  const int64_t out = last ? (part == Part::Decoder ? 3 : latent) : width;
  return {out, in, first || last};
}

/// The key prefix of layer `n` of `part` in `layout`.
std::string layerPrefix(TaesdLayout layout, Part part, std::size_t n) {
  switch (layout) {
    case TaesdLayout::Original:
      return std::to_string(n) + ".";
    case TaesdLayout::Combined:
      return std::string(partName(part)) + "." + std::to_string(n) + ".";
    case TaesdLayout::Diffusers:
      return std::string(partName(part)) + ".layers." +
             std::to_string(part == Part::Decoder ? n - 1 : n) + ".";
  }
  return {};
}

/// The prefix all of a part's keys share in `layout` ("" for the one-part original files).
std::string partPrefix(TaesdLayout layout, Part part) {
  return layout == TaesdLayout::Original ? "" : std::string(partName(part)) + ".";
}

/// The first conv's key: present exactly when the file holds that part in that layout.
std::string probeKey(TaesdLayout layout, Part part) {
  return layerPrefix(layout, part, part == Part::Decoder ? 1 : 0) + "weight";
}

std::string fileName(const SafetensorsFile& file) {
  return file.path().empty() ? std::string("<memory>") : file.path().filename().string();
}

[[noreturn]] void fail(const SafetensorsFile& file, const std::string& why) {
  throw std::invalid_argument("TAESD file '" + fileName(file) + "': " + why);
}

/// Which layout has `part` in `file`, if any. The original layout's one-part files are told
/// apart by their first conv: a decoder's is `1.weight` (C→64), an encoder's `0.weight` (3→64).
bool hasPart(const SafetensorsFile& file, TaesdLayout layout, Part part) {
  if (!file.contains(probeKey(layout, part))) return false;
  if (layout != TaesdLayout::Original) return true;
  // An original decoder file has no `0.weight`; an original encoder file no `19.weight`.
  return part == Part::Decoder ? !file.contains("0.weight") : !file.contains("19.weight");
}

/// Reads a weight and checks its shape; 4-D weights are stored channels_last on the CPU (the
/// layout oneDNN convolutions read fastest, as loadModuleWeights() does).
at::Tensor readWeight(const SafetensorsFile& file, const std::string& key,
                      const std::vector<int64_t>& shape, c10::ScalarType dtype, c10::Device device,
                      std::set<std::string>& used) {
  if (!file.contains(key)) fail(file, "missing key '" + key + "'");
  const StTensorInfo& info = file.info(key);
  if (info.shape != shape)
    fail(file,
         "key '" + key + "' has shape " + shapeText(info.shape) + ", expected " + shapeText(shape));
  used.insert(key);
  at::Tensor t = file.load(key, dtype, device);
  if (t.dim() == 4 && device.is_cpu()) t = t.contiguous(at::MemoryFormat::ChannelsLast);
  return t;
}

/// Fills the layers of `part` from `file`; returns them with the latent channel count.
std::pair<std::vector<Layer>, int64_t> loadPart(const SafetensorsFile& file, Part part,
                                                c10::ScalarType dtype, c10::Device device) {
  std::optional<TaesdLayout> layout;
  for (TaesdLayout l : {TaesdLayout::Diffusers, TaesdLayout::Combined, TaesdLayout::Original})
    if (!layout && hasPart(file, l, part)) layout = l;
  if (!layout) {
    (void)inspectTaesd(file);  // throws when the file is no TAESD at all
    fail(file, std::string("it holds no TAESD ") + partName(part) + " (only the " +
                   (part == Part::Decoder ? "encoder" : "decoder") + ")");
  }
  std::vector<Layer> layers = architecture(part);
  // The first conv gives the width and (decoder) the latent channels.
  const StTensorInfo& first = file.info(probeKey(*layout, part));
  if (first.shape.size() != 4 || first.shape[2] != 3 || first.shape[3] != 3)
    fail(file, "key '" + first.name + "' is not a 3x3 convolution weight");
  const int64_t width = first.shape[0];
  int64_t latent = part == Part::Decoder ? first.shape[1] : 0;
  if (part == Part::Encoder) {
    const std::string last = layerPrefix(*layout, part, layers.size() - 1) + "weight";
    if (!file.contains(last)) fail(file, "missing key '" + last + "'");
    latent = file.info(last).shape.empty() ? 0 : file.info(last).shape[0];
  }
  if (latent <= 0 || width <= 0) fail(file, "cannot read the latent channel count");

  std::set<std::string> used;
  for (std::size_t n = 0; n < layers.size(); ++n) {
    Layer& layer = layers[n];
    if (layer.kind != Kind::Conv && layer.kind != Kind::Block) continue;  // no weights
    const std::string p = layerPrefix(*layout, part, n);
    auto conv = [&](const std::string& key, int64_t out, int64_t in, int64_t k, bool bias) {
      layer.weights.push_back(
          readWeight(file, key + "weight", {out, in, k, k}, dtype, device, used));
      if (bias) layer.weights.push_back(readWeight(file, key + "bias", {out}, dtype, device, used));
    };
    if (layer.kind == Kind::Conv) {
      const ConvShape c = convShape(part, n, layers.size(), latent, width);
      conv(p, c.out, c.in, 3, c.bias);
    } else if (layer.kind == Kind::Block) {
      for (const char* c : {"conv.0.", "conv.2.", "conv.4."}) conv(p + c, width, width, 3, true);
      if (file.contains(p + "skip.weight"))
        layer.weights.push_back(
            readWeight(file, p + "skip.weight", {width, width, 1, 1}, dtype, device, used));
    }
  }
  // Keys of this part that no layer read: a variant Lienzo does not know (taef2's GroupNorm).
  const std::string prefix = partPrefix(*layout, part);
  for (const std::string& name : file.names()) {
    if (name.rfind(prefix, 0) == 0 && !used.count(name))
      fail(file, "unexpected key '" + name + "' (a TAESD variant Lienzo does not know)");
  }
  return {std::move(layers), latent};
}

at::Tensor runLayers(const std::vector<Layer>& layers, at::Tensor x) {
  for (const Layer& l : layers) {
    switch (l.kind) {
      case Kind::Clamp:
        x = taesdClamp(x);
        break;
      case Kind::Relu:
        x = at::relu(x);
        break;
      case Kind::Upsample:
        x = at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2});
        break;
      case Kind::Conv:
        x = at::conv2d(x, l.weights[0], l.weights.size() > 1 ? l.weights[1] : at::Tensor(),
                       {l.stride, l.stride}, {1, 1});
        break;
      case Kind::Block: {
        const auto& w = l.weights;
        at::Tensor h = at::relu(at::conv2d(x, w[0], w[1], 1, 1));
        h = at::relu(at::conv2d(h, w[2], w[3], 1, 1));
        h = at::conv2d(h, w[4], w[5], 1, 1);
        const at::Tensor skip = w.size() > 6 ? at::conv2d(x, w[6]) : x;
        x = at::relu(h + skip);
        break;
      }
    }
  }
  return x;
}

/// The input in the weights' dtype/device, channels_last on the CPU like the weights.
at::Tensor prepareInput(const at::Tensor& x, c10::ScalarType dtype, c10::Device device) {
  at::Tensor y = x.to(device, dtype);
  if (device.is_cpu()) y = y.contiguous(at::MemoryFormat::ChannelsLast);
  return y;
}

}  // namespace

const char* taesdLayoutName(TaesdLayout layout) {
  switch (layout) {
    case TaesdLayout::Original:
      return "original";
    case TaesdLayout::Combined:
      return "combined";
    case TaesdLayout::Diffusers:
      return "diffusers";
  }
  return "?";
}

TaesdContents inspectTaesd(const SafetensorsFile& file) {
  for (TaesdLayout layout :
       {TaesdLayout::Diffusers, TaesdLayout::Combined, TaesdLayout::Original}) {
    TaesdContents c;
    c.layout = layout;
    c.decoder = hasPart(file, layout, Part::Decoder);
    c.encoder = hasPart(file, layout, Part::Encoder);
    if (!c.decoder && !c.encoder) continue;
    const StTensorInfo& probe =
        file.info(probeKey(layout, c.decoder ? Part::Decoder : Part::Encoder));
    if (probe.shape.size() != 4) fail(file, "key '" + probe.name + "' is not a convolution weight");
    if (c.decoder) {
      c.latentChannels = probe.shape[1];
    } else {
      const std::string last =
          layerPrefix(layout, Part::Encoder, architecture(Part::Encoder).size() - 1) + "weight";
      c.latentChannels = file.contains(last) ? file.info(last).shape.at(0) : 0;
    }
    return c;
  }
  fail(file,
       "not a TAESD decoder or encoder (none of the keys 'decoder.layers.0.weight', "
       "'decoder.1.weight', '1.weight' (decoder) or 'encoder.layers.0.weight', "
       "'encoder.0.weight', '0.weight' (encoder))");
}

TaesdDecoder TaesdDecoder::load(const SafetensorsFile& file, c10::ScalarType dtype,
                                c10::Device device) {
  TaesdDecoder d;
  std::tie(d.m_layers, d.m_latentChannels) = loadPart(file, Part::Decoder, dtype, device);
  d.m_dtype = dtype;
  d.m_device = device;
  return d;
}

at::Tensor TaesdDecoder::decode(const at::Tensor& latent) const {
  if (empty()) throw std::invalid_argument("TAESD decoder: no weights loaded");
  if (latent.dim() != 4 || latent.size(1) != m_latentChannels)
    throw std::invalid_argument("TAESD decoder: expected a [B," + std::to_string(m_latentChannels) +
                                ",h,w] latent, got " + shapeText(latent.sizes().vec()));
  return runLayers(m_layers, prepareInput(latent, m_dtype, m_device)).contiguous();  // [B,3,8h,8w]
}

TaesdEncoder TaesdEncoder::load(const SafetensorsFile& file, c10::ScalarType dtype,
                                c10::Device device) {
  TaesdEncoder e;
  std::tie(e.m_layers, e.m_latentChannels) = loadPart(file, Part::Encoder, dtype, device);
  e.m_dtype = dtype;
  e.m_device = device;
  return e;
}

at::Tensor TaesdEncoder::encode(const at::Tensor& image) const {
  if (empty()) throw std::invalid_argument("TAESD encoder: no weights loaded");
  if (image.dim() != 4 || image.size(1) != 3 || image.size(2) % 8 != 0 || image.size(3) % 8 != 0)
    throw std::invalid_argument(
        "TAESD encoder: expected a [B,3,H,W] picture with H and W multiples of 8, got " +
        shapeText(image.sizes().vec()));
  return runLayers(m_layers, prepareInput(image, m_dtype, m_device)).contiguous();  // [B,C,H/8,W/8]
}

std::vector<std::pair<std::string, std::vector<int64_t>>> taesdWeightShapes(int64_t latent,
                                                                            int64_t width) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  for (Part part : {Part::Decoder, Part::Encoder}) {
    const std::vector<Layer> layers = architecture(part);
    for (std::size_t n = 0; n < layers.size(); ++n) {
      const std::string p = layerPrefix(TaesdLayout::Combined, part, n);
      if (layers[n].kind == Kind::Conv) {
        const ConvShape c = convShape(part, n, layers.size(), latent, width);
        out.push_back({p + "weight", {c.out, c.in, 3, 3}});
        if (c.bias) out.push_back({p + "bias", {c.out}});
      } else if (layers[n].kind == Kind::Block) {
        for (const char* c : {"conv.0.", "conv.2.", "conv.4."}) {
          out.push_back({p + c + "weight", {width, width, 3, 3}});
          out.push_back({p + c + "bias", {width}});
        }
      }
    }
  }
  return out;
}

at::Tensor taesdClamp(const at::Tensor& z) {
  return at::tanh(z / 3.0) * 3.0;
}

at::Tensor taesdImageU8(const at::Tensor& out) {
  return at::round(out.detach().to(at::kCPU, at::kFloat).clamp(0.0, 1.0) * 255.0)
      .to(at::kByte)
      .permute({0, 2, 3, 1})
      .contiguous();  // [B,H,W,3]
}

at::Tensor taesdScaleLatents(const at::Tensor& z, double magnitude, double shift) {
  return (z / (2.0 * magnitude) + shift).clamp(0.0, 1.0);
}

at::Tensor taesdUnscaleLatents(const at::Tensor& u, double magnitude, double shift) {
  return (u - shift) * (2.0 * magnitude);
}

}  // namespace lienzo
