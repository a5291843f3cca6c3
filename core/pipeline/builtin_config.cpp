// Built-in model config (see builtin_config.h).
#include "core/pipeline/builtin_config.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace lienzo {
namespace {

void requirePositive(int64_t v, const char* what) {
  if (v <= 0)
    throw std::invalid_argument(std::string("built-in model config: ") + what +
                                " must be positive");
}

}  // namespace

// ---- config ----------------------------------------------------------------------------------

nlohmann::json BuiltinModelConfig::toJson() const {
  nlohmann::json j;
  j["format"] = 1;
  j["image_size"] = imageSize;
  j["vae"] = {{"channels", vaeChannels},
              {"mult", vaeMult},
              {"res_blocks", vaeResBlocks},
              {"latent_channels", latentChannels},
              {"groups", vaeGroups}};
  j["text"] = {{"vocab_size", vocabSize}, {"tokens", tokens},   {"width", textWidth},
               {"layers", textLayers},    {"heads", textHeads}, {"intermediate", textIntermediate},
               {"pooled", pooledText}};
  j["unet"] = {{"channels", unetChannels},        {"mult", unetMult},
               {"res_blocks", unetResBlocks},     {"transformer_depth", unetTransformerDepth},
               {"middle_depth", unetMiddleDepth}, {"head_channels", unetHeadChannels}};
  if (unetPositional) j["unet"]["positional"] = true;
  j["diffusion"] = {{"schedule", schedule},     {"timesteps", timesteps},
                    {"prediction", prediction}, {"scale_factor", scaleFactor},
                    {"x0_clamp", x0Clamp},      {"cfg", defaultCfg},
                    {"steps", defaultSteps}};
  j["tokenizer_file"] = tokenizerFile;
  return j;
}

BuiltinModelConfig BuiltinModelConfig::fromJson(const nlohmann::json& j) {
  BuiltinModelConfig c;
  try {
    c.imageSize = j.value("image_size", c.imageSize);
    const auto& v = j.at("vae");
    c.vaeChannels = v.at("channels").get<int64_t>();
    c.vaeMult = v.at("mult").get<std::vector<int64_t>>();
    c.vaeResBlocks = v.at("res_blocks").get<int64_t>();
    c.latentChannels = v.at("latent_channels").get<int64_t>();
    c.vaeGroups = v.value("groups", c.vaeGroups);
    const auto& t = j.at("text");
    c.vocabSize = t.at("vocab_size").get<int64_t>();
    c.tokens = t.at("tokens").get<int64_t>();
    c.textWidth = t.at("width").get<int64_t>();
    c.textLayers = t.at("layers").get<int64_t>();
    c.textHeads = t.at("heads").get<int64_t>();
    c.textIntermediate = t.at("intermediate").get<int64_t>();
    c.pooledText = t.value("pooled", false);
    const auto& u = j.at("unet");
    c.unetChannels = u.at("channels").get<int64_t>();
    c.unetMult = u.at("mult").get<std::vector<int64_t>>();
    c.unetResBlocks = u.at("res_blocks").get<std::vector<int64_t>>();
    c.unetTransformerDepth = u.at("transformer_depth").get<std::vector<int64_t>>();
    c.unetMiddleDepth = u.at("middle_depth").get<int64_t>();
    c.unetHeadChannels = u.at("head_channels").get<int64_t>();
    c.unetPositional = u.value("positional", false);
    const auto& d = j.at("diffusion");
    c.schedule = d.at("schedule").get<std::string>();
    c.timesteps = d.at("timesteps").get<int64_t>();
    c.prediction = d.value("prediction", c.prediction);
    c.scaleFactor = d.at("scale_factor").get<double>();
    c.x0Clamp = d.value("x0_clamp", c.x0Clamp);
    c.defaultCfg = d.value("cfg", c.defaultCfg);
    c.defaultSteps = d.value("steps", c.defaultSteps);
    c.tokenizerFile = j.value("tokenizer_file", c.tokenizerFile);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("built-in model config: ") + e.what());
  }
  c.validate();
  return c;
}

void BuiltinModelConfig::validate() const {
  requirePositive(imageSize, "image_size");
  requirePositive(vaeChannels, "vae.channels");
  requirePositive(latentChannels, "vae.latent_channels");
  requirePositive(vocabSize, "text.vocab_size");
  requirePositive(tokens, "text.tokens");
  requirePositive(timesteps, "diffusion.timesteps");
  if (vaeMult.empty() || unetMult.empty())
    throw std::invalid_argument("built-in model config: empty channel multipliers");
  if (unetResBlocks.size() != unetMult.size() || unetTransformerDepth.size() != unetMult.size())
    throw std::invalid_argument(
        "built-in model config: unet res_blocks/transformer_depth need one entry per level");
  if (schedule != "cosine" && schedule != "scaled_linear")
    throw std::invalid_argument("built-in model config: unknown schedule '" + schedule + "'");
  if (prediction != "epsilon" && prediction != "v")
    throw std::invalid_argument("built-in model config: unknown prediction '" + prediction + "'");
  if (!(scaleFactor > 0)) throw std::invalid_argument("built-in model config: scale_factor <= 0");
  if (imageSize % (int64_t(1) << (vaeMult.size() - 1)) != 0)
    throw std::invalid_argument(
        "built-in model config: image size not a multiple of the VAE factor");
  vaeConfig().validate();
  textConfig().validate();
  unetConfig().validate();
}

UNetConfig BuiltinModelConfig::unetConfig() const {
  UNetConfig u;
  u.family = UNetFamily::SD1;
  u.inChannels = latentChannels;
  u.outChannels = latentChannels;
  u.modelChannels = unetChannels;
  u.channelMult = unetMult;
  u.numResBlocks = unetResBlocks;
  u.transformerDepth = unetTransformerDepth;
  u.transformerDepthMiddle = unetMiddleDepth;
  u.contextDim = textWidth;
  u.admInChannels = pooledText ? textWidth : 0;
  u.linearProjection = true;
  u.numHeadChannels = unetHeadChannels;
  u.numHeads = -1;
  if (unetPositional) u.positionSide = imageSize >> (vaeMult.size() - 1);  // latent side
  return u;
}

VaeConfig BuiltinModelConfig::vaeConfig() const {
  VaeConfig v;
  v.baseChannels = vaeChannels;
  v.channelMult = vaeMult;
  v.numResBlocks = vaeResBlocks;
  v.zChannels = latentChannels;
  v.embedDim = latentChannels;
  v.groups = vaeGroups;
  v.levelAttention.assign(vaeMult.size(), false);
  return v;
}

at::Tensor BuiltinModelConfig::pooled(const at::Tensor& context) const {
  if (!pooledText) return at::Tensor();
  return context.select(1, context.size(1) - 1);  // [B,W]
}

ClipTextConfig BuiltinModelConfig::textConfig() const {
  ClipTextConfig t;
  t.vocabSize = vocabSize;
  t.maxPositions = tokens;
  t.width = textWidth;
  t.layers = textLayers;
  t.heads = textHeads;
  t.intermediate = textIntermediate;
  return t;
}

at::Tensor cosineAlphasCumprod(int64_t timesteps) {
  // Ref: Nichol & Dhariwal 2021 (improved-diffusion gaussian_diffusion.py betas_for_alpha_bar).
  const double s = 0.008;
  auto f = [&](double t) {
    const double a = std::cos((t / double(timesteps) + s) / (1.0 + s) * M_PI / 2.0);
    return a * a;
  };
  auto out = at::empty({timesteps}, at::kDouble);
  auto* p = out.data_ptr<double>();
  double abar = 1.0;
  for (int64_t i = 0; i < timesteps; ++i) {
    const double beta = std::min(1.0 - f(double(i + 1)) / f(double(i)), 0.999);
    abar *= 1.0 - beta;
    p[i] = abar;
  }
  return out.to(at::kFloat);  // [T]
}

at::Tensor BuiltinModelConfig::alphasCumprod() const {
  if (schedule == "cosine") return cosineAlphasCumprod(timesteps);
  // SD "scaled_linear": betas = linspace(sqrt(0.00085), sqrt(0.012), T)^2, cumprod in float64.
  // Ref: CompVis ldm/modules/diffusionmodules/util.py make_beta_schedule
  const auto betas =
      at::linspace(std::sqrt(0.00085), std::sqrt(0.012), timesteps, at::kDouble).pow(2);
  return at::cumprod(1.0 - betas, 0).to(at::kFloat);
}

// ---- base64 ----------------------------------------------------------------------------------

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64Encode(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v =
        (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) out += kB64[(v >> (6 * k)) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64Decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) throw std::invalid_argument("base64: length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = value(c)) < 0) {
        throw std::invalid_argument("base64: invalid character");
      }
    }
    const uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += char((w >> 16) & 255);
    if (pad < 2) out += char((w >> 8) & 255);
    if (pad < 1) out += char(w & 255);
  }
  return out;
}

}  // namespace lienzo
