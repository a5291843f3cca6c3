#include "core/adapters/adapter_keys.h"

#include <algorithm>
#include <array>
#include <regex>
#include <utility>

namespace lienzo {

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
std::string underscored(std::string s) {
  std::replace(s.begin(), s.end(), '.', '_');
  return s;
}

/// Key endings of every dialect → the kohya role (no ending is the end of another).
// Ref: comfy/weight_adapter/lora.py LoRAAdapter.load (the spellings), A1111 network_*.py (roles).
constexpr std::array<std::pair<const char*, const char*>, 30> kRoles{{
    {".lora_linear_layer.down.weight", "lora_down"},
    {".lora_linear_layer.up.weight", "lora_up"},
    {".lora_A.default.weight", "lora_down"},
    {".lora_B.default.weight", "lora_up"},
    {".lora_down.weight", "lora_down"},
    {".lora_up.weight", "lora_up"},
    {".lora_mid.weight", "lora_mid"},
    {".lora_A.weight", "lora_down"},
    {".lora_B.weight", "lora_up"},
    {"_lora.down.weight", "lora_down"},
    {"_lora.up.weight", "lora_up"},
    {".lora.down.weight", "lora_down"},
    {".lora.up.weight", "lora_up"},
    {".alpha", "alpha"},
    {".dora_scale", "dora_scale"},
    {".hada_w1_a", "hada_w1_a"},
    {".hada_w1_b", "hada_w1_b"},
    {".hada_w2_a", "hada_w2_a"},
    {".hada_w2_b", "hada_w2_b"},
    {".hada_t1", "hada_t1"},
    {".hada_t2", "hada_t2"},
    {".lokr_w1_a", "lokr_w1_a"},
    {".lokr_w1_b", "lokr_w1_b"},
    {".lokr_w2_a", "lokr_w2_a"},
    {".lokr_w2_b", "lokr_w2_b"},
    {".lokr_t2", "lokr_t2"},
    {".diff_b", "diff_b"},
    {".diff", "diff"},
    {".lokr_w1", "lokr_w1"},
    {".lokr_w2", "lokr_w2"},
}};

std::string resnetSuffix(const std::string& suffix) {
  // Ref: A1111 networks.py convert_diffusers_name_to_compvis (suffix_conversion["resnets"]).
  static const std::array<std::pair<const char*, const char*>, 6> kMap{{
      {"conv1", "in_layers_2"},
      {"conv2", "out_layers_3"},
      {"norm1", "in_layers_0"},
      {"norm2", "out_layers_0"},
      {"time_emb_proj", "emb_layers_1"},
      {"conv_shortcut", "skip_connection"},
  }};
  for (const auto& [from, to] : kMap)
    if (suffix == from) return to;
  return suffix;
}

/// OpenCLIP tower (SD2 text encoder, SDXL bigG) from HF CLIP names: rows of the fused q/k/v.
std::optional<AdapterTarget> openClipTarget(
    const AdapterKeyIndex& index, const std::string& prefix, const std::string& rest,
    std::string* whyNot,
    const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  static const std::regex kLayer("^text_model_encoder_layers_(\\d+)_(.+)$");
  std::smatch m;
  if (!std::regex_match(rest, m, kLayer)) {
    if (whyNot) *whyNot = "not an encoder layer of the OpenCLIP text tower";
    return std::nullopt;
  }
  const std::string block = prefix + "transformer_resblocks_" + m[1].str() + "_";
  const std::string tail = m[2].str();
  AdapterTarget target;
  target.part = AdapterPart::TextEncoder;
  std::string module;
  if (tail == "mlp_fc1") {
    module = block + "mlp_c_fc";
  } else if (tail == "mlp_fc2") {
    module = block + "mlp_c_proj";
  } else if (tail == "self_attn_out_proj") {
    module = block + "attn_out_proj";
  } else if (tail == "self_attn_q_proj" || tail == "self_attn_k_proj" ||
             tail == "self_attn_v_proj") {
    module = block + "attn_in_proj";
    target.rowBlock = tail[10] == 'q' ? 0 : tail[10] == 'k' ? 1 : 2;
  } else {
    if (whyNot) *whyNot = "no OpenCLIP counterpart for '" + tail + "'";
    return std::nullopt;
  }
  const auto key = lookup(module);
  if (!key) {
    if (whyNot)
      *whyNot = std::string("no module '") + module + "' in this " +
                adapterFamilyName(index.family()) + " model";
    return std::nullopt;
  }
  target.checkpointKey = *key;
  return target;
}

}  // namespace

const char* adapterFamilyName(AdapterFamily family) {
  switch (family) {
    case AdapterFamily::Sd1:
      return "SD 1.x";
    case AdapterFamily::Sd2:
      return "SD 2.x";
    case AdapterFamily::Sdxl:
      return "SDXL";
    case AdapterFamily::Unknown:
      break;
  }
  return "unknown";
}

AdapterKey splitAdapterKey(const std::string& key, bool sdxlTextEncoders) {
  AdapterKey out;
  std::string module;
  for (const auto& [ending, role] : kRoles) {
    const size_t n = std::char_traits<char>::length(ending);
    if (key.size() > n && endsWith(key, ending)) {
      module = key.substr(0, key.size() - n);
      out.role = role;
      break;
    }
  }
  if (out.role.empty()) {
    // Unknown role: kohya names have no '.' in the module, so the role is everything after the
    // first one; dotted (PEFT / bare) names keep their last one or two components.
    const bool kohya = startsWith(key, "lora_") || startsWith(key, "lycoris_");
    size_t cut = kohya ? key.find('.') : key.rfind('.');
    if (!kohya && cut != std::string::npos && cut > 0 &&
        (endsWith(key, ".weight") || endsWith(key, ".bias")))
      cut = key.rfind('.', cut - 1);
    if (cut == std::string::npos) cut = key.size();
    module = key.substr(0, cut);
    out.role = cut < key.size() ? key.substr(cut + 1) : std::string();
  }
  // The old diffusers attention-processor form: attn1.processor.to_out_lora → attn1.to_out.0.
  if (const auto p = module.find(".processor."); p != std::string::npos) {
    module.erase(p, std::string(".processor").size());
    if (endsWith(module, ".to_out")) module += ".0";
  }
  if (startsWith(module, "unet.")) {
    out.module = "lora_unet_" + underscored(module.substr(5));
  } else if (startsWith(module, "text_encoder_2.")) {
    out.module = "lora_te2_" + underscored(module.substr(15));
  } else if (startsWith(module, "text_encoder.")) {
    out.module = (sdxlTextEncoders ? "lora_te1_" : "lora_te_") + underscored(module.substr(13));
  } else if (startsWith(module, "lycoris_")) {
    out.module = "lora_unet_" + module.substr(8);
  } else if (startsWith(module, "lora_unet_") || startsWith(module, "lora_te_") ||
             startsWith(module, "lora_te1_") || startsWith(module, "lora_te2_")) {
    out.module = module;
  } else {
    out.module = underscored(module);
    out.bare = true;
  }
  return out;
}

std::vector<std::string> diffusersUnetNameToLdm(const std::string& name) {
  // Ref: A1111 extensions-builtin/Lora/networks.py convert_diffusers_name_to_compvis.
  // Block numbers have at most four digits, so no index arithmetic below can overflow.
  static const std::regex kDown("^down_blocks_(\\d{1,4})_(attentions|resnets)_(\\d{1,4})_(.+)$");
  static const std::regex kMid("^mid_block_(attentions|resnets)_(\\d{1,4})_(.+)$");
  static const std::regex kUp("^up_blocks_(\\d{1,4})_(attentions|resnets)_(\\d{1,4})_(.+)$");
  static const std::regex kDownsample("^down_blocks_(\\d{1,4})_downsamplers_0_conv$");
  static const std::regex kUpsample("^up_blocks_(\\d{1,4})_upsamplers_0_conv$");
  static const std::regex kTime("^time_embedding_linear_(\\d{1,4})$");
  static const std::regex kAdd("^add_embedding_linear_(\\d{1,4})$");
  std::smatch m;
  const auto num = [&](int i) { return std::stoi(m[i].str()); };
  if (std::regex_match(name, m, kDown)) {
    const bool attn = m[2] == "attentions";
    return {"input_blocks_" + std::to_string(1 + 3 * num(1) + num(3)) + (attn ? "_1_" : "_0_") +
            (attn ? m[4].str() : resnetSuffix(m[4].str()))};
  }
  if (std::regex_match(name, m, kMid)) {
    const bool attn = m[1] == "attentions";
    return {"middle_block_" + std::to_string(attn ? 1 : 2 * num(2)) + "_" +
            (attn ? m[3].str() : resnetSuffix(m[3].str()))};
  }
  if (std::regex_match(name, m, kUp)) {
    const bool attn = m[2] == "attentions";
    return {"output_blocks_" + std::to_string(3 * num(1) + num(3)) + (attn ? "_1_" : "_0_") +
            (attn ? m[4].str() : resnetSuffix(m[4].str()))};
  }
  if (std::regex_match(name, m, kDownsample))
    return {"input_blocks_" + std::to_string(3 * (num(1) + 1)) + "_0_op"};
  if (std::regex_match(name, m, kUpsample)) {
    // Index 1 when the level has no attention (SD1's lowest up block), else 2: the model decides.
    const std::string block = "output_blocks_" + std::to_string(2 + 3 * num(1));
    return {block + "_1_conv", block + "_2_conv"};
  }
  if (name == "conv_in") return {"input_blocks_0_0"};
  if (name == "conv_out") return {"out_2"};
  if (name == "conv_norm_out") return {"out_0"};
  if (std::regex_match(name, m, kTime)) return {"time_embed_" + std::to_string(2 * num(1) - 2)};
  if (std::regex_match(name, m, kAdd)) return {"label_emb_0_" + std::to_string(2 * num(1) - 2)};
  return {name};
}

AdapterKeyIndex::AdapterKeyIndex(const std::vector<std::string>& checkpointKeys,
                                 AdapterFamily family)
    : m_family(family) {
  for (const auto& key : checkpointKeys) {
    // ".weight" and "in_proj_weight" both end in 7 characters that name no module.
    if (endsWith(key, ".weight") || endsWith(key, ".in_proj_weight"))
      m_index.emplace_back(underscored(key.substr(0, key.size() - 7)), key);
  }
  std::sort(m_index.begin(), m_index.end());
}

std::optional<std::string> AdapterKeyIndex::lookup(const std::string& name) const {
  const auto it =
      std::lower_bound(m_index.begin(), m_index.end(), std::make_pair(name, std::string()));
  if (it != m_index.end() && it->first == name) return it->second;
  return std::nullopt;
}

std::optional<AdapterTarget> AdapterKeyIndex::resolve(const std::string& module,
                                                      std::string* whyNot) const {
  const auto find = [this](const std::string& n) { return lookup(n); };
  const auto missing = [&](const std::string& tried) {
    if (whyNot)
      *whyNot = std::string("no module '") + tried + "' in this " + adapterFamilyName(m_family) +
                " model";
    return std::nullopt;
  };
  const auto clipL = [&](const std::string& prefix,
                         const std::string& rest) -> std::optional<AdapterTarget> {
    const std::string name = prefix + rest;
    if (const auto key = lookup(name)) return AdapterTarget{*key, -1, AdapterPart::TextEncoder};
    return missing(name);
  };
  const auto otherFamily = [&](const char* what) -> std::optional<AdapterTarget> {
    if (whyNot)
      *whyNot = std::string(what) + " key on an " + adapterFamilyName(m_family) +
                " model (another family)";
    return std::nullopt;
  };

  if (startsWith(module, "lora_unet_")) {
    const auto candidates = diffusersUnetNameToLdm(module.substr(10));
    for (const auto& c : candidates)
      if (const auto key = lookup("model_diffusion_model_" + c))
        return AdapterTarget{*key, -1, AdapterPart::DiffusionModel};
    return missing("model_diffusion_model_" + candidates.front());
  }
  if (startsWith(module, "lora_te1_")) {
    if (m_family != AdapterFamily::Sdxl && m_family != AdapterFamily::Unknown)
      return otherFamily("an SDXL CLIP-L (lora_te1_)");
    return clipL("conditioner_embedders_0_transformer_", module.substr(9));
  }
  if (startsWith(module, "lora_te2_")) {
    if (m_family != AdapterFamily::Sdxl && m_family != AdapterFamily::Unknown)
      return otherFamily("an SDXL OpenCLIP bigG (lora_te2_)");
    return openClipTarget(*this, "conditioner_embedders_1_model_", module.substr(9), whyNot, find);
  }
  if (startsWith(module, "lora_te_")) {
    const std::string rest = module.substr(8);
    switch (m_family) {
      case AdapterFamily::Sd1:
        return clipL("cond_stage_model_transformer_", rest);
      case AdapterFamily::Sd2:
        return openClipTarget(*this, "cond_stage_model_model_", rest, whyNot, find);
      case AdapterFamily::Sdxl:  // an SDXL LoRA that says lora_te_ for CLIP-L (next-wave §4.4)
        return clipL("conditioner_embedders_0_transformer_", rest);
      case AdapterFamily::Unknown:
        break;
    }
    if (auto t = clipL("cond_stage_model_transformer_", rest)) return t;
    return openClipTarget(*this, "cond_stage_model_model_", rest, whyNot, find);
  }
  // Bare module paths: the checkpoint's own, or below "model." (diffusion_model.…).
  for (const std::string& name : {module, "model_" + module}) {
    if (const auto key = lookup(name)) {
      const bool unet = startsWith(*key, "model.diffusion_model.");
      return AdapterTarget{*key, -1, unet ? AdapterPart::DiffusionModel : AdapterPart::TextEncoder};
    }
  }
  return missing(module);
}

}  // namespace lienzo
