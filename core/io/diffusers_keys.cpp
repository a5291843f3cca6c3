// diffusers <-> original key map (see diffusers_keys.h).
// Ref: diffusers scripts/convert_diffusers_to_original_stable_diffusion.py (unet_conversion_map,
// unet_conversion_map_resnet, unet_conversion_map_layer, vae_conversion_map(_attn),
// textenc_conversion_lst), convert_diffusers_to_original_sdxl.py (label_emb <-> add_embedding),
// convert_original_stable_diffusion_to_diffusers.py (convert_open_clip_checkpoint).
//
// The U-Net block indices are computed from the layout instead of the scripts' fixed tables, so
// any level count and resnets-per-level works: with R resnets per level, level i's resnet j is
// input_blocks.(R+1)i+j+1, its downsampler input_blocks.(R+1)(i+1).0.op, up level i's resnet j
// output_blocks.(R+1)i+j and its upsampler the last module of output_blocks.(R+1)i+R (slot 2
// after an attention, else 1).
#include "core/io/diffusers_keys.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <stdexcept>

namespace lienzo {
namespace {

using Parts = std::vector<std::string>;

Parts split(const std::string& key) {
  Parts parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

/// parts[from..] joined with '.' ("weight", "conv.bias"); empty past the end.
std::string tail(const Parts& p, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < p.size(); ++i) out += (out.empty() ? "" : ".") + p[i];
  return out;
}

bool isIndex(const std::string& s) {
  return !s.empty() && s.size() < 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

[[noreturn]] void unknownKey(const char* component, const std::string& key) {
  throw std::invalid_argument(std::string("diffusers key map: ") + component + " tensor '" + key +
                              "' has no known counterpart (unsupported layout)");
}

/// Index at parts[i] (throws through unknownKey when absent or not a number).
int64_t indexAt(const Parts& p, std::size_t i, const char* component, const std::string& key) {
  if (i >= p.size() || !isIndex(p[i])) unknownKey(component, key);
  return std::stoll(p[i]);
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// Prefix-rename with a table of (from, to) pairs; nullopt-like empty string when none applies.
template <std::size_t N>
std::string renamePrefix(const std::string& rest,
                         const std::array<std::pair<const char*, const char*>, N>& table,
                         bool reverse) {
  for (const auto& [a, b] : table) {
    const std::string from = reverse ? b : a;
    const std::string to = reverse ? a : b;
    if (startsWith(rest, from)) return to + rest.substr(from.size());
  }
  return {};
}

// ---- U-Net ------------------------------------------------------------------------------------

// (original, diffusers) inside a ResBlock. Ref: unet_conversion_map_resnet.
constexpr std::array<std::pair<const char*, const char*>, 6> kUnetResnet{{
    {"in_layers.0.", "norm1."},
    {"in_layers.2.", "conv1."},
    {"out_layers.0.", "norm2."},
    {"out_layers.3.", "conv2."},
    {"emb_layers.1.", "time_emb_proj."},
    {"skip_connection.", "conv_shortcut."},
}};

// (original, diffusers) outside the blocks. Ref: unet_conversion_map (+ SDXL label_emb).
constexpr std::array<std::pair<const char*, const char*>, 7> kUnetTop{{
    {"time_embed.0.", "time_embedding.linear_1."},
    {"time_embed.2.", "time_embedding.linear_2."},
    {"label_emb.0.0.", "add_embedding.linear_1."},
    {"label_emb.0.2.", "add_embedding.linear_2."},
    {"input_blocks.0.0.", "conv_in."},
    {"out.0.", "conv_norm_out."},
    {"out.2.", "conv_out."},
}};

std::string unetResnet(const std::string& rest, bool toOriginal, const std::string& key) {
  const std::string r = renamePrefix(rest, kUnetResnet, toOriginal);
  if (r.empty()) unknownKey("unet", key);
  return r;
}

/// R (resnets per down level) of an original U-Net: input_blocks.(R+1).0.op is the first
/// downsampler; without one (a single level) every input block after conv_in is a resnet.
int64_t originalResBlocks(const std::vector<std::string>& rel) {
  int64_t firstOp = -1, maxBlock = 0;
  for (const auto& k : rel) {
    if (!startsWith(k, "input_blocks.")) continue;
    const Parts p = split(k);
    if (p.size() < 4 || !isIndex(p[1])) continue;
    const int64_t n = std::stoll(p[1]);
    maxBlock = std::max<int64_t>(maxBlock, n);
    if (p[2] == "0" && p[3] == "op" && (firstOp < 0 || n < firstOp)) firstOp = n;
  }
  return firstOp > 0 ? firstOp - 1 : maxBlock;
}

std::string unetToDiffusers(const std::string& key, int64_t R) {
  if (std::string top = renamePrefix(key, kUnetTop, false); !top.empty()) return top;
  const Parts p = split(key);
  const std::string& block = p[0];
  if (block == "input_blocks" || block == "output_blocks") {
    const int64_t n = indexAt(p, 1, "unet", key);
    const int64_t m = indexAt(p, 2, "unet", key);
    const std::string rest = tail(p, 3);
    if (block == "input_blocks") {
      const int64_t i = (n - 1) / (R + 1), j = (n - 1) % (R + 1);
      const std::string level = "down_blocks." + std::to_string(i) + ".";
      if (j == R) {  // downsampler: input_blocks.N.0.op.* -> downsamplers.0.conv.*
        if (m != 0 || p.size() < 5 || p[3] != "op") unknownKey("unet", key);
        return level + "downsamplers.0.conv." + tail(p, 4);
      }
      if (m == 0)
        return level + "resnets." + std::to_string(j) + "." + unetResnet(rest, false, key);
      if (m == 1) return level + "attentions." + std::to_string(j) + "." + rest;
      unknownKey("unet", key);
    }
    const int64_t i = n / (R + 1), j = n % (R + 1);
    const std::string level = "up_blocks." + std::to_string(i) + ".";
    if (m == 0) return level + "resnets." + std::to_string(j) + "." + unetResnet(rest, false, key);
    // The upsampler is the only module of an output block with a top-level `conv`.
    if (p.size() >= 4 && p[3] == "conv") {
      if (j != R) unknownKey("unet", key);
      return level + "upsamplers.0." + rest;
    }
    if (m == 1) return level + "attentions." + std::to_string(j) + "." + rest;
    unknownKey("unet", key);
  }
  if (block == "middle_block") {
    const int64_t n = indexAt(p, 1, "unet", key);
    const std::string rest = tail(p, 2);
    if (n == 0) return "mid_block.resnets.0." + unetResnet(rest, false, key);
    if (n == 1) return "mid_block.attentions.0." + rest;
    if (n == 2) return "mid_block.resnets.1." + unetResnet(rest, false, key);
  }
  unknownKey("unet", key);
}

struct DiffusersUnetShape {
  int64_t resBlocks = 0;         // R
  std::set<int64_t> upWithAttn;  // up_blocks.i that have attentions
};

DiffusersUnetShape diffusersUnetShape(const NamedTensors& tensors) {
  DiffusersUnetShape s;
  std::set<int64_t> resnets0;
  for (const auto& [k, t] : tensors) {
    const Parts p = split(k);
    if (p.size() < 4) continue;
    if (p[0] == "down_blocks" && p[1] == "0" && p[2] == "resnets" && isIndex(p[3]))
      resnets0.insert(std::stoll(p[3]));
    if (p[0] == "up_blocks" && isIndex(p[1]) && p[2] == "attentions")
      s.upWithAttn.insert(std::stoll(p[1]));
  }
  s.resBlocks = static_cast<int64_t>(resnets0.size());
  return s;
}

std::string unetToOriginal(const std::string& key, const DiffusersUnetShape& s) {
  if (std::string top = renamePrefix(key, kUnetTop, true); !top.empty()) return top;
  const Parts p = split(key);
  const int64_t R = s.resBlocks;
  if (p[0] == "down_blocks" || p[0] == "up_blocks") {
    const int64_t i = indexAt(p, 1, "unet", key);
    if (p.size() < 5) unknownKey("unet", key);
    const std::string& kind = p[2];
    const int64_t j = indexAt(p, 3, "unet", key);
    const std::string rest = tail(p, 4);
    if (p[0] == "down_blocks") {
      const std::string block = "input_blocks." + std::to_string((R + 1) * i + j + 1);
      if (kind == "resnets") return block + ".0." + unetResnet(rest, true, key);
      if (kind == "attentions") return block + ".1." + rest;
      if (kind == "downsamplers" && j == 0 && p[4] == "conv")
        return "input_blocks." + std::to_string((R + 1) * (i + 1)) + ".0.op." + tail(p, 5);
      unknownKey("unet", key);
    }
    const std::string block = "output_blocks." + std::to_string((R + 1) * i + j);
    if (kind == "resnets") return block + ".0." + unetResnet(rest, true, key);
    if (kind == "attentions") return block + ".1." + rest;
    if (kind == "upsamplers" && j == 0 && p[4] == "conv")
      return "output_blocks." + std::to_string((R + 1) * i + R) +
             (s.upWithAttn.count(i) ? ".2." : ".1.") + rest;
    unknownKey("unet", key);
  }
  if (p[0] == "mid_block" && p.size() >= 4) {
    const std::string rest = tail(p, 3);
    if (p[1] == "resnets" && p[2] == "0") return "middle_block.0." + unetResnet(rest, true, key);
    if (p[1] == "attentions" && p[2] == "0") return "middle_block.1." + rest;
    if (p[1] == "resnets" && p[2] == "1") return "middle_block.2." + unetResnet(rest, true, key);
  }
  unknownKey("unet", key);
}

// ---- VAE --------------------------------------------------------------------------------------

// (original, diffusers) inside a VAE ResnetBlock. Ref: vae_conversion_map (nin_shortcut).
constexpr std::array<std::pair<const char*, const char*>, 5> kVaeResnet{{
    {"norm1.", "norm1."},
    {"conv1.", "conv1."},
    {"norm2.", "norm2."},
    {"conv2.", "conv2."},
    {"nin_shortcut.", "conv_shortcut."},
}};

// (original, diffusers) inside the mid attention; older diffusers names accepted on the way in.
// Ref: vae_conversion_map_attn.
constexpr std::array<std::pair<const char*, const char*>, 10> kVaeAttn{{
    {"norm.", "group_norm."},
    {"q.", "to_q."},
    {"k.", "to_k."},
    {"v.", "to_v."},
    {"proj_out.", "to_out.0."},
    {"norm.", "norm."},
    {"q.", "query."},
    {"k.", "key."},
    {"v.", "value."},
    {"proj_out.", "proj_attn."},
}};

std::string vaeResnet(const std::string& rest, bool toOriginal, const std::string& key) {
  const std::string r = renamePrefix(rest, kVaeResnet, toOriginal);
  if (r.empty()) unknownKey("vae", key);
  return r;
}

/// Level count of the decoder (`decoder.up.K` or `decoder.up_blocks.K`, K + 1 levels).
int64_t vaeLevels(const std::vector<std::string>& rel, const char* upName) {
  int64_t levels = 0;
  for (const auto& k : rel) {
    const Parts p = split(k);
    if (p.size() > 2 && p[0] == "decoder" && p[1] == upName && isIndex(p[2]))
      levels = std::max<int64_t>(levels, std::stoll(p[2]) + 1);
  }
  return levels;
}

/// 1x1-conv attention weight [C,C,1,1] <-> linear [C,C] (a view).
at::Tensor attnWeight(const at::Tensor& w, bool toOriginal) {
  if (toOriginal) return w.dim() == 2 ? w.reshape({w.size(0), w.size(1), 1, 1}) : w;
  return w.dim() == 4 ? w.reshape({w.size(0), w.size(1)}) : w;
}

std::string vaeToDiffusers(const std::string& key, int64_t levels, bool& attnLinear) {
  attnLinear = false;
  const Parts p = split(key);
  if (p[0] == "quant_conv" || p[0] == "post_quant_conv") return key;
  if ((p[0] != "encoder" && p[0] != "decoder") || p.size() < 3) unknownKey("vae", key);
  const std::string side = p[0] + ".";
  const std::string& part = p[1];
  if (part == "conv_in" || part == "conv_out") return key;
  if (part == "norm_out") return side + "conv_norm_out." + tail(p, 2);
  if ((part == "down" || part == "up") && p.size() >= 5) {
    const int64_t k = indexAt(p, 2, "vae", key);
    const bool down = part == "down";
    const std::string level = side + (down ? "down_blocks." : "up_blocks.") +
                              std::to_string(down ? k : levels - 1 - k) + ".";
    if (p[3] == "block")
      return level + "resnets." + std::to_string(indexAt(p, 4, "vae", key)) + "." +
             vaeResnet(tail(p, 5), false, key);
    if (p[3] == (down ? "downsample" : "upsample"))
      return level + (down ? "downsamplers.0." : "upsamplers.0.") + tail(p, 4);
    unknownKey("vae", key);
  }
  if (part == "mid" && p.size() >= 4) {
    if (p[2] == "block_1") return side + "mid_block.resnets.0." + vaeResnet(tail(p, 3), false, key);
    if (p[2] == "block_2") return side + "mid_block.resnets.1." + vaeResnet(tail(p, 3), false, key);
    if (p[2] == "attn_1") {
      const std::string r = renamePrefix(tail(p, 3), kVaeAttn, false);
      if (r.empty()) unknownKey("vae", key);
      attnLinear = p[3] != "norm";
      return side + "mid_block.attentions.0." + r;
    }
  }
  unknownKey("vae", key);
}

std::string vaeToOriginal(const std::string& key, int64_t levels, bool& attnConv) {
  attnConv = false;
  const Parts p = split(key);
  if (p[0] == "quant_conv" || p[0] == "post_quant_conv") return key;
  if ((p[0] != "encoder" && p[0] != "decoder") || p.size() < 3) unknownKey("vae", key);
  const std::string side = p[0] + ".";
  const std::string& part = p[1];
  if (part == "conv_in" || part == "conv_out") return key;
  if (part == "conv_norm_out") return side + "norm_out." + tail(p, 2);
  if ((part == "down_blocks" || part == "up_blocks") && p.size() >= 6) {
    const int64_t i = indexAt(p, 2, "vae", key);
    const bool down = part == "down_blocks";
    const std::string level =
        side + (down ? "down." : "up.") + std::to_string(down ? i : levels - 1 - i) + ".";
    const int64_t j = indexAt(p, 4, "vae", key);
    if (p[3] == "resnets")
      return level + "block." + std::to_string(j) + "." + vaeResnet(tail(p, 5), true, key);
    if (p[3] == (down ? "downsamplers" : "upsamplers") && j == 0)
      return level + (down ? "downsample." : "upsample.") + tail(p, 5);
    unknownKey("vae", key);
  }
  if (part == "mid_block" && p.size() >= 5) {
    const std::string rest = tail(p, 4);
    if (p[2] == "resnets" && p[3] == "0") return side + "mid.block_1." + vaeResnet(rest, true, key);
    if (p[2] == "resnets" && p[3] == "1") return side + "mid.block_2." + vaeResnet(rest, true, key);
    if (p[2] == "attentions" && p[3] == "0") {
      const std::string r = renamePrefix(rest, kVaeAttn, true);
      if (r.empty()) unknownKey("vae", key);
      attnConv = !startsWith(r, "norm.");
      return side + "mid.attn_1." + r;
    }
  }
  unknownKey("vae", key);
}

// ---- OpenCLIP text tower <-> HF CLIPTextModel(WithProjection) --------------------------------

// (OpenCLIP, HF) inside a resblock. Ref: textenc_conversion_lst.
constexpr std::array<std::pair<const char*, const char*>, 6> kOpenClipBlock{{
    {"ln_1.", "layer_norm1."},
    {"ln_2.", "layer_norm2."},
    {"mlp.c_fc.", "mlp.fc1."},
    {"mlp.c_proj.", "mlp.fc2."},
    {"attn.out_proj.", "self_attn.out_proj."},
    {"attn.in_proj_", "self_attn.in_proj_"},  // placeholder: split/merged separately
}};

constexpr const char* kHfLayers = "text_model.encoder.layers.";
constexpr const char* kOcBlocks = "transformer.resblocks.";

void openClipToHf(const std::string& key, const at::Tensor& t, const ComponentLayout& layout,
                  NamedTensors& out) {
  if (key == "token_embedding.weight") {
    out.emplace_back("text_model.embeddings.token_embedding.weight", t);
  } else if (key == "positional_embedding") {  // [N,W]
    out.emplace_back("text_model.embeddings.position_embedding.weight", t);
  } else if (startsWith(key, "ln_final.")) {
    out.emplace_back("text_model.final_layer_norm." + key.substr(9), t);
  } else if (key == "text_projection") {  // [W,E] used as x @ P -> Linear weight [E,W]
    if (layout.textProjection) out.emplace_back("text_projection.weight", t.t().contiguous());
  } else if (key == "logit_scale" || key == "attn_mask") {
    // Not part of the text model (CLIP training temperature / a fixed causal mask).
  } else if (startsWith(key, kOcBlocks)) {
    const Parts p = split(key.substr(std::string(kOcBlocks).size()));
    const int64_t n = indexAt(p, 0, "text encoder", key);
    const std::string rest = tail(p, 1);
    const std::string layer = kHfLayers + std::to_string(n) + ".";
    if (rest == "attn.in_proj_weight" || rest == "attn.in_proj_bias") {
      // [3W,...] rows = q, k, v stacked. Ref: convert_open_clip_checkpoint.
      const auto qkv = t.chunk(3, 0);
      const std::string what = rest == "attn.in_proj_weight" ? "weight" : "bias";
      const std::array<const char*, 3> names{"q_proj.", "k_proj.", "v_proj."};
      for (int i = 0; i < 3; ++i) out.emplace_back(layer + "self_attn." + names[i] + what, qkv[i]);
      return;
    }
    const std::string r = renamePrefix(rest, kOpenClipBlock, false);
    if (r.empty() || startsWith(r, "self_attn.in_proj_")) unknownKey("text encoder", key);
    out.emplace_back(layer + r, t);
  } else {
    unknownKey("text encoder", key);
  }
}

/// HF -> OpenCLIP for one component (needs all of it: q/k/v are merged).
NamedTensors hfToOpenClip(const ComponentLayout& layout, const NamedTensors& tensors) {
  NamedTensors out;
  std::map<std::string, std::array<at::Tensor, 3>> qkv;  // "<n>.weight" -> q, k, v
  int64_t width = 0;
  for (const auto& [key, t] : tensors) {
    const std::string& pre = layout.originalPrefix;
    if (key == "text_model.embeddings.token_embedding.weight") {
      out.emplace_back(pre + "token_embedding.weight", t);
      width = t.size(1);
    } else if (key == "text_model.embeddings.position_embedding.weight") {
      out.emplace_back(pre + "positional_embedding", t);
    } else if (key == "text_model.embeddings.position_ids") {
      // OpenCLIP has no position ids (positions are 0..N-1 implicitly).
    } else if (startsWith(key, "text_model.final_layer_norm.")) {
      out.emplace_back(pre + "ln_final." + key.substr(28), t);
    } else if (key == "text_projection.weight") {  // Linear [E,W] -> x @ P with P [W,E]
      out.emplace_back(pre + "text_projection", t.t().contiguous());
    } else if (startsWith(key, kHfLayers)) {
      const Parts p = split(key.substr(std::string(kHfLayers).size()));
      const int64_t n = indexAt(p, 0, "text encoder", key);
      const std::string rest = tail(p, 1);
      const std::string block = pre + kOcBlocks + std::to_string(n) + ".";
      const std::array<const char*, 3> names{"self_attn.q_proj.", "self_attn.k_proj.",
                                             "self_attn.v_proj."};
      bool isQkv = false;
      for (int i = 0; i < 3; ++i) {
        if (startsWith(rest, names[i])) {
          qkv[block + "attn.in_proj_" + rest.substr(std::string(names[i]).size())][i] = t;
          isQkv = true;
        }
      }
      if (isQkv) continue;
      const std::string r = renamePrefix(rest, kOpenClipBlock, true);
      if (r.empty() || startsWith(r, "attn.in_proj_")) unknownKey("text encoder", key);
      out.emplace_back(block + r, t);
    } else {
      unknownKey("text encoder", key);
    }
  }
  for (const auto& [name, parts] : qkv) {
    for (const auto& part : parts)
      if (!part.defined())
        throw std::invalid_argument("diffusers key map: " + name + " lacks one of q/k/v_proj");
    out.emplace_back(name, at::cat({parts[0], parts[1], parts[2]}, 0));  // [3W,...]
  }
  if (!layout.textProjection && width > 0)  // SD2: CLIPTextModel has none; unused by SD2
    out.emplace_back(layout.originalPrefix + "text_projection", at::eye(width, at::kFloat));
  return out;
}

}  // namespace

const char* diffusersComponentDir(DiffusersComponent component) {
  switch (component) {
    case DiffusersComponent::Unet:
      return "unet";
    case DiffusersComponent::Vae:
      return "vae";
    case DiffusersComponent::TextEncoder:
      return "text_encoder";
    case DiffusersComponent::TextEncoder2:
      return "text_encoder_2";
  }
  return "?";
}

ComponentLayout componentLayout(ModelFamily family, DiffusersComponent component) {
  ComponentLayout l;
  l.component = component;
  const bool xl = family == ModelFamily::SDXL;
  if (family != ModelFamily::SD1 && family != ModelFamily::SD2 && !xl)
    throw std::invalid_argument(std::string("diffusers key map: no layout for ") +
                                familyName(family));
  switch (component) {
    case DiffusersComponent::Unet:
      l.originalPrefix = "model.diffusion_model.";
      break;
    case DiffusersComponent::Vae:
      l.originalPrefix = "first_stage_model.";
      break;
    case DiffusersComponent::TextEncoder:
      if (family == ModelFamily::SD2) {
        l.originalPrefix = "cond_stage_model.model.";
        l.textKind = TextEncoderKind::OpenClip;
      } else {
        l.originalPrefix =
            xl ? "conditioner.embedders.0.transformer." : "cond_stage_model.transformer.";
      }
      break;
    case DiffusersComponent::TextEncoder2:
      if (!xl)
        throw std::invalid_argument(std::string("diffusers key map: ") + familyName(family) +
                                    " has no text_encoder_2");
      l.originalPrefix = "conditioner.embedders.1.model.";
      l.textKind = TextEncoderKind::OpenClip;
      l.textProjection = true;
      break;
  }
  return l;
}

NamedTensors diffusersToOriginal(const ComponentLayout& layout, const NamedTensors& tensors) {
  NamedTensors out;
  out.reserve(tensors.size());
  const std::string& pre = layout.originalPrefix;
  switch (layout.component) {
    case DiffusersComponent::Unet: {
      const DiffusersUnetShape shape = diffusersUnetShape(tensors);
      for (const auto& [k, t] : tensors) out.emplace_back(pre + unetToOriginal(k, shape), t);
      break;
    }
    case DiffusersComponent::Vae: {
      std::vector<std::string> keys;
      for (const auto& kt : tensors) keys.push_back(kt.first);
      const int64_t levels = vaeLevels(keys, "up_blocks");
      for (const auto& [k, t] : tensors) {
        bool conv = false;
        const std::string name = vaeToOriginal(k, levels, conv);
        out.emplace_back(pre + name, conv ? attnWeight(t, true) : t);
      }
      break;
    }
    case DiffusersComponent::TextEncoder:
    case DiffusersComponent::TextEncoder2:
      if (layout.textKind == TextEncoderKind::OpenClip) return hfToOpenClip(layout, tensors);
      for (const auto& [k, t] : tensors) out.emplace_back(pre + k, t);  // same HF names
      break;
  }
  return out;
}

NamedTensors originalToDiffusers(const ComponentLayout& layout, const NamedTensors& tensors) {
  const std::string& pre = layout.originalPrefix;
  NamedTensors mine;  // names relative to the prefix
  std::vector<std::string> rel;
  for (const auto& [k, t] : tensors) {
    if (!startsWith(k, pre)) continue;
    mine.emplace_back(k.substr(pre.size()), t);
    rel.push_back(mine.back().first);
  }
  NamedTensors out;
  out.reserve(mine.size());
  switch (layout.component) {
    case DiffusersComponent::Unet: {
      const int64_t R = originalResBlocks(rel);
      for (const auto& [k, t] : mine) out.emplace_back(unetToDiffusers(k, R), t);
      break;
    }
    case DiffusersComponent::Vae: {
      const int64_t levels = vaeLevels(rel, "up");
      for (const auto& [k, t] : mine) {
        bool linear = false;
        const std::string name = vaeToDiffusers(k, levels, linear);
        out.emplace_back(name, linear ? attnWeight(t, false) : t);
      }
      break;
    }
    case DiffusersComponent::TextEncoder:
    case DiffusersComponent::TextEncoder2:
      for (const auto& [k, t] : mine) {
        if (layout.textKind == TextEncoderKind::OpenClip) {
          openClipToHf(k, t, layout, out);
        } else {  // early SD1 files lack the `text_model.` level of the HF layout
          out.emplace_back(startsWith(k, "text_model.") ? k : "text_model." + k, t);
        }
      }
      break;
  }
  return out;
}

}  // namespace lienzo
