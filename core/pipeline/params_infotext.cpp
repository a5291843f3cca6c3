#include "core/pipeline/params_infotext.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string_view>

#include "core/pipeline/control_infotext.h"
#include "core/pipeline/edit_validation.h"
#include "core/sampling/sampler_names.h"

namespace lienzo {
namespace {

std::string formatNumber(double v) {
  // A1111 writes CFG scale as Python would print it: 7 -> "7", 7.5 -> "7.5".
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// ---- img2img / inpainting / outpainting / hires keys --------------------------------------------

/// Shortest text that reads back to the same double, as Python's repr (0.75 -> "0.75", 2 -> "2").
std::string formatExact(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

/// A whole-string number; std::invalid_argument otherwise (the caller lists it as skipped).
double parseDouble(const std::string& s) {
  std::size_t used = 0;
  const double v = std::stod(s, &used);
  if (used != s.size()) throw std::invalid_argument(s);
  return v;
}
int parseInt(const std::string& s) {
  std::size_t used = 0;
  const int v = std::stoi(s, &used);
  if (used != s.size()) throw std::invalid_argument(s);
  return v;
}

/// A value of a fixed set of labels (exact spelling); std::invalid_argument for any other.
template <typename Enum, std::size_t N>
Enum parseLabel(const std::string& value, const std::pair<Enum, const char*> (&labels)[N]) {
  for (const auto& [e, label] : labels)
    if (value == label) return e;
  throw std::invalid_argument(value);
}
template <typename Enum, std::size_t N>
const char* labelOf(Enum e, const std::pair<Enum, const char*> (&labels)[N]) {
  for (const auto& [v, label] : labels)
    if (v == e) return label;
  return labels[0].second;
}

// Ref: A1111 modules/processing.py StableDiffusionProcessingImg2Img.init (extra_generation_params)
//      and modules/ui.py img2img_paste_fields; Lienzo's own labels for what A1111 does not write.
const std::pair<MaskedContent, const char*> kMaskedContent[] = {
    {MaskedContent::Fill, "fill"},
    {MaskedContent::Original, "original"},
    {MaskedContent::LatentNoise, "latent noise"},
    {MaskedContent::LatentNothing, "latent nothing"}};
const std::pair<InpaintArea, const char*> kInpaintArea[] = {
    {InpaintArea::WholePicture, "Whole picture"}, {InpaintArea::OnlyMasked, "Only masked"}};
const std::pair<bool, const char*> kMaskMode[] = {{false, "Inpaint masked"},
                                                  {true, "Inpaint not masked"}};
const std::pair<ResizeMode, const char*> kResizeMode[] = {{ResizeMode::Just, "Just resize"},
                                                          {ResizeMode::Crop, "Crop and resize"},
                                                          {ResizeMode::Fill, "Resize and fill"}};
const std::pair<bool, const char*> kImg2imgSteps[] = {{false, "full"}, {true, "fixed"}};
const std::pair<OutpaintFill, const char*> kOutpaintFill[] = {
    {OutpaintFill::EdgeStretch, "stretch"}, {OutpaintFill::Neutral, "neutral"}};
const std::pair<VaeTiling, const char*> kVaeTiling[] = {
    {VaeTiling::Auto, "auto"}, {VaeTiling::On, "on"}, {VaeTiling::Off, "off"}};

/// Edit keys A1111 writes among its extras (after RNG), then Lienzo's own.
void appendEditFields(Infotext& info, const EditParams& e) {
  if (e.inpainting()) {
    if (!e.mask.empty() && e.invertMask) info.set("Mask mode", labelOf(true, kMaskMode));
    info.set("Mask blur", std::to_string(e.maskBlur));  // A1111 leaves out 0; Lienzo writes it
    if (e.inpaintArea == InpaintArea::OnlyMasked) {
      info.set("Inpaint area", labelOf(e.inpaintArea, kInpaintArea));
      info.set("Masked area padding", std::to_string(e.inpaintPadding));
    }
    if (e.maskedContent != MaskedContent::Original)
      info.set("Masked content", labelOf(e.maskedContent, kMaskedContent));
  }
  if (e.resizeMode != ResizeMode::Just) info.set("Resize mode", labelOf(e.resizeMode, kResizeMode));
  if (e.fixedSteps) info.set("Img2img steps", labelOf(true, kImg2imgSteps));
  if (e.outpainting()) {
    info.set("Outpaint", std::to_string(e.outpaintLeft) + "," + std::to_string(e.outpaintTop) +
                             "," + std::to_string(e.outpaintRight) + "," +
                             std::to_string(e.outpaintBottom));
    info.set("Outpaint fill", labelOf(e.outpaintFill, kOutpaintFill));
    info.set("Outpaint feather", std::to_string(e.outpaintFeather));
  }
}

// Ref: A1111 modules/processing.py StableDiffusionProcessingTxt2Img.init and
//      calculate_target_resolution (the order the hires keys enter extra_generation_params).
void appendHiresFields(Infotext& info, const GenerationParams& p) {
  const HiresParams& h = p.hires;
  if (!h.sampler.empty() && h.sampler != p.sampler) info.set("Hires sampler", h.sampler);
  if (!h.prompt.empty() && h.prompt != p.prompt) info.set("Hires prompt", h.prompt);
  if (!h.negativePrompt.empty() && h.negativePrompt != p.negativePrompt)
    info.set("Hires negative prompt", h.negativePrompt);
  if (h.width > 0 || h.height > 0) {
    info.set("Hires resize", std::to_string(h.width) + "x" + std::to_string(h.height));
  } else {
    info.set("Hires upscale", formatExact(h.scale));
  }
  if (h.steps > 0) info.set("Hires steps", std::to_string(h.steps));
  info.set("Hires upscaler", h.upscaler);
  // A1111 has one "Denoising strength"; with an edit it is the edit's, so the hires pass's own
  // goes into a Lienzo key.
  if (p.edit.active()) info.set("Hires denoising strength", formatExact(h.denoise));
}

/// Distilled guidance and the flow-model facts (params_infotext.h). Guidance: the request's,
/// else the model's default; a model known to have no guidance input gets none.
// Ref: Forge modules/processing.py ("Distilled CFG Scale" for Flux, "Shift" for SD3);
//      ComfyUI comfy_extras/nodes_model_advanced.py ModelSamplingFlux (max_shift, base_shift).
void appendFlowFields(Infotext& info, const GenerationParams& p, const ModelDescription* model) {
  std::optional<double> guidance = p.guidance;
  if (model)
    guidance = model->defaultGuidance ? p.guidance.value_or(*model->defaultGuidance)
                                      : std::optional<double>();
  if (guidance) info.set("Distilled CFG Scale", formatExact(*guidance));
  if (!model) return;
  if (model->flowShift) info.set("Shift", formatExact(*model->flowShift));
  if (model->flowResolutionShift) {
    info.set("Base shift", formatExact(model->flowResolutionShift->first));
    info.set("Max shift", formatExact(model->flowResolutionShift->second));
  }
  if (model->t5Length > 0) info.set("T5 length", std::to_string(model->t5Length));
}

/// Applies one flow-model key; false when `key` is none of them.
bool applyFlowKey(const std::string& key, const std::string& value, RestoredParams& out) {
  // Not a bare "Guidance": other tools use it (and "Guidance Scale") for the CFG scale.
  if (key == "Distilled CFG Scale" || key == "Distilled CFG" || key == "Flux guidance") {
    out.params.guidance = parseDouble(value);
  } else if (key == "Shift") {
    out.flowShift = parseDouble(value);
  } else if (key == "Base shift" || key == "Max shift") {
    // Ref: black-forest-labs/flux sampling.py get_schedule defaults (0.5, 1.15) for the other.
    auto pair = out.flowResolutionShift.value_or(std::make_pair(0.5, 1.15));
    (key == "Base shift" ? pair.first : pair.second) = parseDouble(value);
    out.flowResolutionShift = pair;
  } else if (key == "T5 length" || key == "T5 max length" || key == "Max sequence length") {
    out.t5Length = parseInt(value);
  } else {
    return false;
  }
  return true;
}

bool hasHiresKeys(const Infotext& info) {
  for (const char* key : {"Hires upscale", "Hires resize", "Hires upscaler", "Hires steps"})
    if (info.get(key)) return true;
  return false;
}

/// Applies one img2img / inpainting / outpainting / hires / tiling key; false when `key` is none
/// of them. Throws std::invalid_argument (or std::out_of_range) for a value it cannot read.
bool applyEditKey(const std::string& key, const std::string& value, bool denoiseIsHires,
                  GenerationParams& p) {
  EditParams& e = p.edit;
  HiresParams& h = p.hires;
  if (key == "Denoising strength") {
    (denoiseIsHires ? h.denoise : e.strength) = parseDouble(value);
  } else if (key == "Conditional mask weight") {
    e.maskWeight = parseDouble(value);
  } else if (key == "Mask mode") {
    e.invertMask = parseLabel(value, kMaskMode);
  } else if (key == "Mask blur") {
    e.maskBlur = parseInt(value);
  } else if (key == "Inpaint area") {
    e.inpaintArea = parseLabel(value, kInpaintArea);
  } else if (key == "Masked area padding") {
    e.inpaintPadding = parseInt(value);
  } else if (key == "Masked content") {
    e.maskedContent = parseLabel(value, kMaskedContent);
  } else if (key == "Resize mode") {
    e.resizeMode = parseLabel(value, kResizeMode);
  } else if (key == "Img2img steps") {
    e.fixedSteps = parseLabel(value, kImg2imgSteps);
  } else if (key == "Outpaint") {
    int m[4];
    std::size_t start = 0;
    for (int i = 0; i < 4; ++i) {
      const std::size_t comma = value.find(',', start);
      if ((comma == std::string::npos) != (i == 3)) throw std::invalid_argument(value);
      m[i] = parseInt(value.substr(start, comma == std::string::npos ? comma : comma - start));
      start = comma + 1;
    }
    e.outpaintLeft = m[0];
    e.outpaintTop = m[1];
    e.outpaintRight = m[2];
    e.outpaintBottom = m[3];
  } else if (key == "Outpaint fill") {
    e.outpaintFill = parseLabel(value, kOutpaintFill);
  } else if (key == "Outpaint feather") {
    e.outpaintFeather = parseInt(value);
  } else if (key == "Hires upscale") {
    h.scale = parseDouble(value);
  } else if (key == "Hires resize") {
    const auto x = value.find('x');
    if (x == std::string::npos) throw std::invalid_argument(value);
    const int w = parseInt(value.substr(0, x));
    h.height = parseInt(value.substr(x + 1));
    h.width = w;
  } else if (key == "Hires steps") {
    h.steps = parseInt(value);
  } else if (key == "Hires upscaler") {
    const auto& names = hiresUpscalers();
    if (std::find(names.begin(), names.end(), value) == names.end())
      throw std::invalid_argument(value);  // e.g. an ESRGAN model Lienzo does not have
    h.upscaler = value;
  } else if (key == "Hires sampler") {
    if (value == "Use same sampler") {
      h.sampler.clear();
    } else {  // canonical when known (sampler_names.h), as written otherwise
      const auto resolved = resolveSamplerName(value);
      h.sampler = resolved ? resolved->sampler : value;
    }
  } else if (key == "Hires prompt") {
    h.prompt = value;
  } else if (key == "Hires negative prompt") {
    h.negativePrompt = value;
  } else if (key == "Hires denoising strength") {
    h.denoise = parseDouble(value);
  } else if (key == "VAE tiling") {
    p.vaeTiling = parseLabel(value, kVaeTiling);
  } else if (key == "VAE Decoder") {  // Ref: A1111 sd_vae_decode_method ("Full" | "TAESD")
    if (value != "Full" && value != "TAESD") throw std::invalid_argument(value);
    p.fastDecode = value == "TAESD";
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parseNetworkHashes(const std::string& value) {
  // Ref: A1111 extensions-builtin/Lora/scripts/lora_script.py (parse_lora_hashes): entries split
  // at ',', each at its last ':', both halves stripped.
  std::vector<std::pair<std::string, std::string>> out;
  const auto trim = [](std::string s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return std::string();
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  };
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    const std::string entry = value.substr(start, end - start);
    const auto colon = entry.rfind(':');
    if (colon != std::string::npos) {
      std::string name = trim(entry.substr(0, colon)), hash = trim(entry.substr(colon + 1));
      if (!name.empty() && !hash.empty()) out.emplace_back(std::move(name), std::move(hash));
    }
    start = end + 1;
  }
  return out;
}

namespace {
std::string formatNetworkHashes(const std::vector<std::pair<std::string, std::string>>& list) {
  std::string out;
  for (const auto& [name, hash] : list) {
    if (!out.empty()) out += ", ";
    // ',' and ':' would break the list; A1111 strips them from names the same way.
    std::string clean;
    for (char c : name)
      if (c != ',' && c != ':') clean += c;
    out += clean + ": " + hash;
  }
  return out;
}
}  // namespace

Infotext toInfotext(const GenerationParams& params, const ModelDescription* model,
                    const NetworkHashes* networks) {
  Infotext info;
  info.prompt = params.prompt;
  info.negativePrompt = params.negativePrompt;
  info.set("Steps", std::to_string(params.steps));
  info.set("Sampler", params.sampler);
  if (!params.schedule.empty() && params.schedule != "Automatic")
    info.set("Schedule type", params.schedule);
  info.set("CFG scale", formatNumber(params.cfgScale));
  info.set("Seed", std::to_string(params.seed));
  info.set("Size", std::to_string(params.width) + "x" + std::to_string(params.height));
  if (model) {
    if (!model->hash.empty()) info.set("Model hash", model->hash);
    if (!model->name.empty()) info.set("Model", model->name);
  }
  // A1111 puts these two between the model and Clip skip (create_infotext).
  const EditParams& edit = params.edit;
  if (edit.active()) {
    info.set("Denoising strength", formatExact(edit.strength));
    if (edit.inpainting() && edit.maskWeight != 1.0)
      info.set("Conditional mask weight", formatExact(edit.maskWeight));
  } else if (params.hires.enabled()) {
    info.set("Denoising strength", formatExact(params.hires.denoise));
  }
  if (params.clipSkip > 1) info.set("Clip skip", std::to_string(params.clipSkip));
  info.set("RNG", "CPU");
  appendFlowFields(info, params, model);
  if (edit.active()) appendEditFields(info, edit);
  if (params.hires.enabled()) appendHiresFields(info, params);
  // A1111 adds these to extra_generation_params when the networks activate: after the hires keys.
  if (networks && !networks->loras.empty())
    info.set("Lora hashes", formatNetworkHashes(networks->loras));
  if (networks && !networks->embeddings.empty())
    info.set("TI hashes", formatNetworkHashes(networks->embeddings));
  // sd-webui-controlnet adds its units to extra_generation_params as well.
  for (std::size_t i = 0; i < params.controls.size(); ++i)
    info.set(controlUnitKey(i), formatControlUnit(params.controls[i]));
  if (params.vaeTiling != VaeTiling::Auto)
    info.set("VAE tiling", labelOf(params.vaeTiling, kVaeTiling));
  if (params.fastDecode) info.set("VAE Decoder", "TAESD");
  info.set("Version", std::string("Lienzo ") + LIENZO_VERSION);
  return info;
}

RestoredParams applyInfotext(const Infotext& info, const GenerationParams& base) {
  RestoredParams out;
  out.params = base;
  GenerationParams& p = out.params;
  p.prompt = info.prompt;
  p.negativePrompt = info.negativePrompt;
  // What a key's absence means (A1111's reader: parse_generation_parameters defaults). Hires: off
  // without hires keys; with them, "same as the first pass" for sampler and prompts and A1111's
  // "Upscale by" 2 unless a resize is given. An img2img text (its "Denoising strength" is not the
  // hires pass's): the edit options A1111 leaves out at their defaults.
  const bool hires = hasHiresKeys(info);
  const bool denoiseIsHires = hires && !info.get("Hires denoising strength");
  p.hires.width = p.hires.height = p.hires.steps = 0;
  p.fastDecode = false;  // no "VAE Decoder": the full VAE made the picture
  p.guidance.reset();    // no "Distilled CFG Scale": the model's default
  p.hires.scale = hires && !info.get("Hires resize") ? 2.0 : 0.0;
  if (hires) p.hires.sampler = p.hires.prompt = p.hires.negativePrompt = "";
  if (info.get("Denoising strength") && !denoiseIsHires) {
    p.edit.invertMask = false;
    p.edit.inpaintArea = InpaintArea::WholePicture;
    p.edit.maskedContent = MaskedContent::Original;
    p.edit.maskWeight = 1.0;
    p.edit.resizeMode = ResizeMode::Just;
    p.edit.fixedSteps = false;
    p.edit.outpaintLeft = p.edit.outpaintTop = p.edit.outpaintRight = p.edit.outpaintBottom = 0;
  }
  // ControlNet units: the text's units replace the base's (a base unit at the same index lends
  // its picture, which the text cannot carry).
  std::vector<ControlUnit> controls;
  bool hasControls = false;
  for (const auto& [key, value] : info.fields) {
    try {
      if (const int index = controlUnitIndex(key); index >= 0) {
        hasControls = true;
        ControlUnit unit = parseControlUnit(value);
        if (std::size_t(index) < base.controls.size())
          unit.image = base.controls[std::size_t(index)].image;
        controls.push_back(std::move(unit));
      } else if (applyEditKey(key, value, denoiseIsHires, p) || applyFlowKey(key, value, out)) {
        // handled
      } else if (key == "Steps") {
        p.steps = std::stoi(value);
      } else if (key == "CFG scale") {
        p.cfgScale = std::stod(value);
      } else if (key == "Seed") {
        p.seed = std::stoll(value);
      } else if (key == "Size") {
        const auto x = value.find('x');
        if (x == std::string::npos) throw std::invalid_argument("size");
        p.width = std::stoi(value.substr(0, x));
        p.height = std::stoi(value.substr(x + 1));
      } else if (key == "Clip skip") {
        p.clipSkip = std::stoi(value);
      } else if (key == "Model") {
        out.modelName = value;
      } else if (key == "Model hash") {
        out.modelHash = value;
      } else if (key == "Lora hashes") {
        out.networks.loras = parseNetworkHashes(value);
      } else if (key == "TI hashes") {
        out.networks.embeddings = parseNetworkHashes(value);
      }
    } catch (const std::exception&) {
      out.skipped.push_back(key + ": " + value);
    }
  }
  // Sampler and schedule by the rule of core/sampling/sampler_names.h: canonical names, a legacy
  // "DPM++ 2M Karras" carries its schedule unless a "Schedule type" field chose one; names Lienzo
  // does not know are kept as written (the UI says so when it shows them).
  const auto samplerField = info.get("Sampler");
  const auto scheduleField = info.get("Schedule type");
  const auto resolved = samplerField ? resolveSamplerName(*samplerField) : std::nullopt;
  if (samplerField) p.sampler = resolved ? resolved->sampler : *samplerField;
  if (scheduleField || (resolved && resolved->schedule)) {
    p.schedule = effectiveSchedule(resolved.value_or(ResolvedSampler{}),
                                   scheduleField.value_or(kAutomaticSchedule));
  }
  if (!info.get("Clip skip")) p.clipSkip = 1;
  if (hasControls) p.controls = std::move(controls);
  return out;
}

}  // namespace lienzo
