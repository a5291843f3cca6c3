#include "core/io/metadata_import.h"

#include <nlohmann/json.hpp>

#include "core/io/comfy_custom_sampler.h"
#include "core/sampling/sampler_names.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace lienzo {
namespace {

using nlohmann::json;

constexpr int kMaxLinkHops = 64;  // guards against cycles in hostile graphs

/// A number as A1111 prints it: integers without a fraction, others in shortest round-trip form.
std::string formatNumber(const json& v) {
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d)) return {};
    if (d == std::floor(d) && std::fabs(d) < 1e15) {
      return std::to_string(static_cast<long long>(d));
    }
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, res.ptr);
  }
  if (v.is_string()) return v.get<std::string>();
  return {};
}

std::optional<double> asDouble(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    double d = 0;
    const auto res = std::from_chars(s.data(), s.data() + s.size(), d);
    if (res.ec == std::errc() && res.ptr == s.data() + s.size()) return d;
  }
  return std::nullopt;
}

/// "models/SD1.5/v1-5-pruned-emaonly.safetensors" -> "v1-5-pruned-emaonly".
std::string modelNameFromFile(std::string name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  const auto dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) {
    const std::string ext = name.substr(dot + 1);
    if (ext == "safetensors" || ext == "ckpt" || ext == "pt" || ext == "pth" || ext == "bin" ||
        ext == "gguf" || ext == "sft") {
      name = name.substr(0, dot);
    }
  }
  return name;
}

void setIfNotEmpty(Infotext& info, const std::string& key, const std::string& value) {
  if (!value.empty()) info.set(key, value);
}

// ---- ComfyUI API graph ---------------------------------------------------------------------

class ComfyGraph {
 public:
  explicit ComfyGraph(const json& graph) : m_graph(graph) {}

  /// Node visits left: bounds the work on graphs whose links fan out into cycles.
  bool spend() const { return --m_budget >= 0; }

  /// The node a link input points at: ["<id>", <output index>].
  struct Link {
    std::string id;
    int output = 0;
  };

  static std::optional<Link> asLink(const json& v) {
    if (!v.is_array() || v.size() != 2) return std::nullopt;
    Link link;
    if (v[0].is_string()) {
      link.id = v[0].get<std::string>();
    } else if (v[0].is_number_integer()) {
      link.id = std::to_string(v[0].get<std::int64_t>());
    } else {
      return std::nullopt;
    }
    if (v[1].is_number_integer()) {
      const auto out = v[1].get<std::int64_t>();
      if (out < 0 || out > INT_MAX) return std::nullopt;
      link.output = static_cast<int>(out);
    }
    return link;
  }

  const json* node(const std::string& id) const {
    const auto it = m_graph.find(id);
    if (it == m_graph.end() || !it->is_object()) return nullptr;
    return &*it;
  }
  static std::string classType(const json& node) {
    const auto it = node.find("class_type");
    return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
  static const json* input(const json& node, const std::string& name) {
    const auto inputs = node.find("inputs");
    if (inputs == node.end() || !inputs->is_object()) return nullptr;
    const auto it = inputs->find(name);
    return it == inputs->end() ? nullptr : &*it;
  }
  /// The node behind a named link input of `node`.
  std::optional<Link> linkedInput(const json& node, const std::string& name) const {
    const json* in = input(node, name);
    return in ? asLink(*in) : std::nullopt;
  }

  /// A string value, or the string a linked primitive/text node holds.
  std::optional<std::string> resolveString(const json& value, int hops) const {
    if (value.is_string()) return value.get<std::string>();
    const auto link = asLink(value);
    if (!link || hops > kMaxLinkHops || !spend()) return std::nullopt;
    const json* n = node(link->id);
    if (!n) return std::nullopt;
    for (const char* name : {"text", "string", "value", "prompt", "text_g"}) {
      if (const json* in = input(*n, name)) {
        if (auto s = resolveString(*in, hops + 1)) return s;
      }
    }
    return std::nullopt;
  }

  /// A number value, or the number a linked primitive/seed node holds.
  std::optional<json> resolveNumber(const json& value, int hops) const {
    if (value.is_number()) return value;
    const auto link = asLink(value);
    if (!link || hops > kMaxLinkHops || !spend()) return std::nullopt;
    const json* n = node(link->id);
    if (!n) return std::nullopt;
    for (const char* name : {"seed", "noise_seed", "value", "int", "number", "float"}) {
      if (const json* in = input(*n, name)) {
        if (auto v = resolveNumber(*in, hops + 1)) return v;
      }
    }
    return std::nullopt;
  }

  /// Prompt text behind a conditioning link, through pass-through conditioning nodes.
  std::optional<std::string> conditioningText(const Link& link, int hops) const {
    if (hops > kMaxLinkHops || !spend()) return std::nullopt;
    const json* n = node(link.id);
    if (!n) return std::nullopt;
    for (const char* name : {"text", "text_g", "text_l"}) {
      if (const json* in = input(*n, name)) {
        if (auto s = resolveString(*in, hops + 1)) return s;
      }
    }
    // ControlNetApplyAdvanced & co.: outputs (positive, negative) mirror inputs.
    if (input(*n, "positive") && input(*n, "negative")) {
      if (auto next = linkedInput(*n, link.output == 1 ? "negative" : "positive")) {
        return conditioningText(*next, hops + 1);
      }
    }
    for (const char* name : {"conditioning", "conditioning_to", "conditioning_1", "cond"}) {
      if (auto next = linkedInput(*n, name)) return conditioningText(*next, hops + 1);
    }
    return std::nullopt;
  }

  /// The CLIPTextEncode-like node behind a conditioning link (for its `clip` input).
  const json* conditioningNode(const Link& link, int hops) const {
    if (hops > kMaxLinkHops || !spend()) return nullptr;
    const json* n = node(link.id);
    if (!n) return nullptr;
    if (input(*n, "clip")) return n;
    for (const char* name : {"conditioning", "conditioning_to", "conditioning_1", "positive"}) {
      if (auto next = linkedInput(*n, name)) return conditioningNode(*next, hops + 1);
    }
    return nullptr;
  }

  /// (width, height) of the empty latent behind a latent link.
  std::optional<std::pair<json, json>> latentSize(const Link& link, int hops) const {
    if (hops > kMaxLinkHops || !spend()) return std::nullopt;
    const json* n = node(link.id);
    if (!n) return std::nullopt;
    const json* w = input(*n, "width");
    const json* h = input(*n, "height");
    if (w && h) {
      auto wv = resolveNumber(*w, hops + 1);
      auto hv = resolveNumber(*h, hops + 1);
      if (wv && hv) return std::make_pair(*wv, *hv);
    }
    for (const char* name : {"samples", "latent", "latent_image"}) {
      if (auto next = linkedInput(*n, name)) return latentSize(*next, hops + 1);
    }
    return std::nullopt;
  }

  /// Whether a latent link leads straight to a node with width/height (an empty latent).
  bool fedByEmptyLatent(const json& sampler) const {
    const auto link = linkedInput(sampler, "latent_image");
    if (!link) return false;
    const json* n = node(link->id);
    // A source of latents (EmptyLatentImage & co.), not a resize of another latent.
    return n && input(*n, "width") && input(*n, "height") && !linkedInput(*n, "samples");
  }

  /// Checkpoint file behind a model link, through LoRA loaders and model patches.
  std::optional<std::string> checkpointName(const Link& link, int hops) const {
    if (hops > kMaxLinkHops || !spend()) return std::nullopt;
    const json* n = node(link.id);
    if (!n) return std::nullopt;
    for (const char* name : {"ckpt_name", "unet_name", "model_name"}) {
      if (const json* in = input(*n, name)) {
        if (auto s = resolveString(*in, hops + 1)) return s;
      }
    }
    if (auto next = linkedInput(*n, "model")) return checkpointName(*next, hops + 1);
    return std::nullopt;
  }

  /// The first node of class `type` on the chain behind `link`, following the `follow` inputs
  /// (the first that is linked) from node to node.
  const json* nodeOnChain(const Link& link, const std::string& type,
                          std::initializer_list<const char*> follow, int hops) const {
    if (hops > kMaxLinkHops || !spend()) return nullptr;
    const json* n = node(link.id);
    if (!n) return nullptr;
    if (classType(*n) == type) return n;
    for (const char* name : follow)
      if (auto next = linkedInput(*n, name)) return nodeOnChain(*next, type, follow, hops + 1);
    return nullptr;
  }

  /// -stop_at_clip_layer of a CLIPSetLastLayer on the clip chain (A1111 "Clip skip").
  std::optional<std::int64_t> clipSkip(const Link& link, int hops) const {
    if (hops > kMaxLinkHops || !spend()) return std::nullopt;
    const json* n = node(link.id);
    if (!n) return std::nullopt;
    if (const json* layer = input(*n, "stop_at_clip_layer")) {
      if (layer->is_number_integer()) return -layer->get<std::int64_t>();
    }
    if (auto next = linkedInput(*n, "clip")) return clipSkip(*next, hops + 1);
    return std::nullopt;
  }

  /// Ids of sampler nodes, best candidate first.
  std::vector<std::string> samplerIds() const {
    std::vector<std::pair<std::string, const json*>> found;
    for (auto it = m_graph.begin(); it != m_graph.end(); ++it) {
      if (!it->is_object()) continue;
      const std::string type = classType(*it);
      if (type.rfind("KSampler", 0) == 0 && input(*it, "positive")) {
        found.emplace_back(it.key(), &*it);
      }
    }
    const auto numericId = [](const std::string& id) {
      long long v = LLONG_MAX;
      std::from_chars(id.data(), id.data() + id.size(), v);
      return v;
    };
    std::stable_sort(found.begin(), found.end(), [&](const auto& a, const auto& b) {
      const bool ea = fedByEmptyLatent(*a.second), eb = fedByEmptyLatent(*b.second);
      if (ea != eb) return ea;
      const auto na = numericId(a.first), nb = numericId(b.first);
      if (na != nb) return na < nb;
      return a.first < b.first;
    });
    std::vector<std::string> ids;
    for (const auto& f : found) ids.push_back(f.first);
    return ids;
  }

 private:
  const json& m_graph;
  mutable int m_budget = 20000;
};

/// Splits A1111's legacy "DPM++ 2M Karras" into ("DPM++ 2M", "Karras") by the one rule of
/// core/sampling/sampler_names.h; other sampler names are left as written.
// Ref: AUTOMATIC1111 stable-diffusion-webui modules/sd_samplers.py get_sampler_and_scheduler
void splitLegacySamplerName(Infotext& info) {
  if (info.get("Schedule type")) return;
  const auto sampler = info.get("Sampler");
  if (!sampler) return;
  const auto resolved = resolveSamplerName(*sampler);
  if (!resolved || !resolved->schedule) return;
  info.set("Sampler", resolved->sampler);
  // Insert "Schedule type" right after "Sampler" (A1111's order).
  for (std::size_t i = 0; i < info.fields.size(); ++i) {
    if (info.fields[i].first == "Sampler") {
      info.fields.insert(info.fields.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                         {"Schedule type", *resolved->schedule});
      break;
    }
  }
}

// ---- img2img / inpainting / outpainting / hires keys --------------------------------------
// Ref: ComfyUI nodes.py VAEEncode, VAEEncodeForInpaint, SetLatentNoiseMask,
//      InpaintModelConditioning, ImagePadForOutpaint (grey 0.5 canvas, feathering), ImageScale,
//      ImageScaleBy, LatentUpscale, LatentUpscaleBy; comfy_extras/nodes_upscale_model.py.

/// What the latent a sampler starts from says about the edit: an encoded picture (img2img), a
/// noise mask (inpainting), a padded canvas (outpainting), a resize of the picture.
struct ComfyEditFacts {
  bool encoded = false;                           ///< the latent is a VAE-encoded picture
  bool masked = false;                            ///< ... with a noise mask / inpaint encoding
  std::optional<std::pair<json, json>> scaledTo;  ///< ImageScale width, height
  json pad;                                       ///< ImagePadForOutpaint inputs (object) or null
};

/// Follows the picture behind VAEEncode-like nodes (pad, scale) to its loader.
void comfyPixelFacts(const ComfyGraph& g, const ComfyGraph::Link& link, int hops,
                     ComfyEditFacts& facts) {
  if (hops > kMaxLinkHops || !g.spend()) return;
  const json* n = g.node(link.id);
  if (!n) return;
  const std::string type = ComfyGraph::classType(*n);
  if (type == "ImagePadForOutpaint" && facts.pad.is_null()) {
    facts.pad = json::object();
    for (const char* side : {"left", "top", "right", "bottom", "feathering"}) {
      if (const json* in = ComfyGraph::input(*n, side)) {
        if (auto v = g.resolveNumber(*in, hops + 1)) facts.pad[side] = *v;
      }
    }
  } else if (type == "ImageScale" && !facts.scaledTo) {
    const json* w = ComfyGraph::input(*n, "width");
    const json* h = ComfyGraph::input(*n, "height");
    if (w && h) {
      auto wv = g.resolveNumber(*w, hops + 1), hv = g.resolveNumber(*h, hops + 1);
      if (wv && hv) facts.scaledTo = std::make_pair(*wv, *hv);
    }
  }
  if (auto next = g.linkedInput(*n, "image")) comfyPixelFacts(g, *next, hops + 1, facts);
}

/// Follows a sampler's latent_image back to where it was made.
void comfyLatentFacts(const ComfyGraph& g, const ComfyGraph::Link& link, int hops,
                      ComfyEditFacts& facts) {
  if (hops > kMaxLinkHops || !g.spend()) return;
  const json* n = g.node(link.id);
  if (!n) return;
  const std::string type = ComfyGraph::classType(*n);
  if (type == "SetLatentNoiseMask" || type == "VAEEncodeForInpaint" ||
      type == "InpaintModelConditioning") {
    facts.masked = true;
  }
  if (type.rfind("VAEEncode", 0) == 0 || type == "InpaintModelConditioning") {
    facts.encoded = true;
    if (auto pixels = g.linkedInput(*n, "pixels")) comfyPixelFacts(g, *pixels, hops + 1, facts);
    return;
  }
  if (type.rfind("KSampler", 0) == 0) return;  // another pass's output: not a source
  for (const char* name : {"samples", "latent"}) {
    if (auto next = g.linkedInput(*n, name)) return comfyLatentFacts(g, *next, hops + 1, facts);
  }
}

/// How a second sampler's latent was made from the first pass's output.
struct ComfyHiresFacts {
  std::string upscaler;  ///< A1111-style name ("Latent (nearest-exact)", "Lanczos", a model stem)
  std::optional<json> scale;
  std::optional<std::pair<json, json>> size;
};

/// A1111 name of a ComfyUI latent upscale_method (the "Latent" family; unknown ones named alike).
std::string comfyLatentUpscaler(const std::string& method) {
  if (method == "bilinear") return "Latent";
  if (method == "bicubic") return "Latent (bicubic)";
  if (method == "nearest-exact") return "Latent (nearest-exact)";
  return "Latent (" + method + ")";  // area, bislerp: no A1111/Lienzo equivalent
}

/// Whether `link` leads back to node `firstId` through upscale nodes; fills `facts` on the way.
bool comfyHiresChain(const ComfyGraph& g, const ComfyGraph::Link& link, const std::string& firstId,
                     int hops, ComfyHiresFacts& facts) {
  if (link.id == firstId) return true;
  if (hops > kMaxLinkHops || !g.spend()) return false;
  const json* n = g.node(link.id);
  if (!n) return false;
  const std::string type = ComfyGraph::classType(*n);
  const auto text = [&](const char* name) -> std::string {
    const json* in = ComfyGraph::input(*n, name);
    return in ? g.resolveString(*in, hops + 1).value_or("") : std::string();
  };
  const auto number = [&](const char* name) -> std::optional<json> {
    const json* in = ComfyGraph::input(*n, name);
    return in ? g.resolveNumber(*in, hops + 1) : std::nullopt;
  };
  const bool latent = type == "LatentUpscale" || type == "LatentUpscaleBy";
  if (latent || type == "ImageScale" || type == "ImageScaleBy") {
    const std::string method = text("upscale_method");
    if (facts.upscaler.empty() && !method.empty())
      facts.upscaler = latent ? comfyLatentUpscaler(method)
                              : (method == "lanczos" ? std::string("Lanczos") : method);
    if (auto by = number("scale_by"); by && !facts.scale && !facts.size) facts.scale = by;
    auto w = number("width"), h = number("height");
    if (w && h && !facts.scale && !facts.size) facts.size = std::make_pair(*w, *h);
  } else if (type == "ImageUpscaleWithModel") {
    facts.scale.reset();  // a later ImageScaleBy scales the model's (unknown) output
    if (auto loader = g.linkedInput(*n, "upscale_model")) {
      if (const json* l = g.node(loader->id)) {
        if (const json* name = ComfyGraph::input(*l, "model_name"); name && name->is_string())
          facts.upscaler = modelNameFromFile(name->get<std::string>());
      }
    }
  }
  for (const char* name : {"samples", "pixels", "image", "latent"}) {
    if (auto next = g.linkedInput(*n, name))
      return comfyHiresChain(g, *next, firstId, hops + 1, facts);
  }
  return false;
}

/// Edit and hires keys of a ComfyUI graph whose first pass is `firstId` (see the header).
void addComfyUiEditKeys(const ComfyGraph& g, const std::string& firstId, const ComfyEditFacts& edit,
                        Infotext& info) {
  const json& first = *g.node(firstId);
  const json* denoise = ComfyGraph::input(first, "denoise");
  const auto denoiseValue = denoise ? g.resolveNumber(*denoise, 0) : std::nullopt;
  if (edit.encoded && denoiseValue) {
    setIfNotEmpty(info, "Denoising strength", formatNumber(*denoiseValue));
  }
  // ComfyUI runs exactly `steps` of a stretched schedule (KSampler.set_steps).
  if (info.get("Denoising strength")) info.set("Img2img steps", "fixed");
  if (edit.masked || !edit.pad.is_null()) info.set("Mask blur", "0");  // no blur in these nodes
  if (edit.pad.is_object()) {
    std::string margins;
    for (const char* side : {"left", "top", "right", "bottom"}) {
      const auto it = edit.pad.find(side);
      const std::string v = it != edit.pad.end() ? formatNumber(*it) : "0";
      margins += (margins.empty() ? "" : ",") + (v.empty() ? "0" : v);
    }
    info.set("Outpaint", margins);
    info.set("Outpaint fill", "neutral");  // ImagePadForOutpaint's grey canvas
    if (const auto it = edit.pad.find("feathering"); it != edit.pad.end())
      setIfNotEmpty(info, "Outpaint feather", formatNumber(*it));
  }

  // Hires: another sampler whose latent is an upscale of the first pass's output.
  for (const std::string& id : g.samplerIds()) {
    if (id == firstId) continue;
    const json& second = *g.node(id);
    ComfyHiresFacts hires;
    const auto latent = g.linkedInput(second, "latent_image");
    if (!latent || !comfyHiresChain(g, *latent, firstId, 0, hires)) continue;
    if (hires.size) {
      const std::string w = formatNumber(hires.size->first), h = formatNumber(hires.size->second);
      if (!w.empty() && !h.empty()) info.set("Hires resize", w + "x" + h);
    } else if (hires.scale) {
      setIfNotEmpty(info, "Hires upscale", formatNumber(*hires.scale));
    }
    const auto number = [&](const char* name) -> std::optional<json> {
      const json* in = ComfyGraph::input(second, name);
      return in ? g.resolveNumber(*in, 0) : std::nullopt;
    };
    if (auto steps = number("steps")) setIfNotEmpty(info, "Hires steps", formatNumber(*steps));
    info.set("Hires upscaler", hires.upscaler.empty() ? "Latent" : hires.upscaler);
    if (const json* in = ComfyGraph::input(second, "sampler_name")) {
      const std::string name = comfyUiSamplerToA1111(g.resolveString(*in, 0).value_or(""));
      if (!name.empty() && name != info.get("Sampler").value_or(""))
        info.set("Hires sampler", name);
    }
    for (const auto& [input, key, firstText] :
         {std::tuple{"positive", "Hires prompt", &info.prompt},
          std::tuple{"negative", "Hires negative prompt", &info.negativePrompt}}) {
      if (auto link = g.linkedInput(second, input)) {
        const auto text = g.conditioningText(*link, 0);
        if (text && *text != *firstText) setIfNotEmpty(info, key, *text);
      }
    }
    if (auto d = number("denoise")) {
      // One "Denoising strength": the edit's when the first pass is img2img.
      setIfNotEmpty(
          info, info.get("Denoising strength") ? "Hires denoising strength" : "Denoising strength",
          formatNumber(*d));
    }
    break;
  }
}

// Ref: InvokeAI invokeai/app/invocations/metadata.py CoreMetadataInvocation (strength,
//      init_image, hrf_enabled, hrf_method, hrf_strength); denoise_latents.py denoising_start.
void addInvokeAiEditKeys(const json& meta, Infotext& info) {
  const auto field = [&](const char* name) -> const json* {
    const auto it = meta.find(name);
    return it == meta.end() || it->is_null() ? nullptr : &*it;
  };
  const json* mode = field("generation_mode");
  const bool edit = field("init_image") ||
                    (mode && mode->is_string() &&
                     mode->get_ref<const std::string&>().find("txt2img") == std::string::npos);
  if (!info.get("Denoising strength")) {
    std::optional<double> strength;
    if (const json* v = field("strength")) strength = asDouble(*v);
    if (const json* v = field("denoising_start"); v && !strength) {
      if (auto start = asDouble(*v)) strength = 1.0 - *start;
    }
    if (strength && *strength >= 0.0 && *strength <= 1.0 && (edit || *strength < 1.0))
      info.set("Denoising strength", formatNumber(json(*strength)));
  }
  const json* hrf = field("hrf_enabled");
  if (!hrf || !hrf->is_boolean() || !hrf->get<bool>()) return;
  const json* w = field("width");
  const json* h = field("height");
  const json* hw = field("hrf_width");
  const json* hh = field("hrf_height");
  if (w && h) {
    const std::string ws = formatNumber(*w), hs = formatNumber(*h);
    if (!ws.empty() && !hs.empty()) info.set("Hires resize", ws + "x" + hs);
  }
  if (hw && hh) {  // InvokeAI 3's first-pass size (calculateHrfRes); width/height are the final
    const std::string ws = formatNumber(*hw), hs = formatNumber(*hh);
    if (!ws.empty() && !hs.empty()) info.set("Size", ws + "x" + hs);
  }
  std::string method;
  if (const json* m = field("hrf_method"); m && m->is_string()) method = m->get<std::string>();
  info.set("Hires upscaler", method.empty() || method == "bilinear" ? "Latent" : method);
  if (const json* v = field("hrf_strength")) {
    setIfNotEmpty(
        info, info.get("Denoising strength") ? "Hires denoising strength" : "Denoising strength",
        formatNumber(*v));
  }
}

}  // namespace

std::string comfyUiSamplerToA1111(const std::string& name) {
  return resolveComfySampler(name, "").sampler;
}

std::string comfyUiSchedulerToA1111(const std::string& name) {
  return resolveComfySampler("", name).schedule;
}

/// Flux / SD3 keys of params_infotext.h: FluxGuidance on the positive conditioning ("Distilled
/// CFG Scale"), ModelSamplingFlux ("Max shift", "Base shift") or ModelSamplingSD3 / AuraFlow
/// ("Shift") on the model chain.
// Ref: ComfyUI comfy_extras/nodes_flux.py FluxGuidance; nodes_model_advanced.py ModelSampling*.
static void addComfyUiFlowKeys(const ComfyGraph& g, const json& sampler, Infotext& info) {
  const auto number = [&](const json& node, const char* name) -> std::string {
    const json* in = ComfyGraph::input(node, name);
    const auto v = in ? g.resolveNumber(*in, 0) : std::nullopt;
    return v ? formatNumber(*v) : std::string();
  };
  if (auto link = g.linkedInput(sampler, "positive")) {
    if (const json* n = g.nodeOnChain(*link, "FluxGuidance",
                                      {"conditioning", "conditioning_to", "positive"}, 0))
      setIfNotEmpty(info, "Distilled CFG Scale", number(*n, "guidance"));
  }
  const auto model = g.linkedInput(sampler, "model");
  if (!model) return;
  if (const json* n = g.nodeOnChain(*model, "ModelSamplingFlux", {"model"}, 0)) {
    setIfNotEmpty(info, "Base shift", number(*n, "base_shift"));
    setIfNotEmpty(info, "Max shift", number(*n, "max_shift"));
  }
  for (const char* type : {"ModelSamplingSD3", "ModelSamplingAuraFlow"})
    if (const json* n = g.nodeOnChain(*model, type, {"model"}, 0))
      setIfNotEmpty(info, "Shift", number(*n, "shift"));
}

static std::optional<Infotext> importComfyUiPromptImpl(const std::string& promptJson) {
  json graph = json::parse(promptJson, nullptr, /*allow_exceptions=*/false);
  if (!graph.is_object()) return std::nullopt;
  // Custom-sampling graphs (Flux workflows) read as the KSampler they amount to.
  comfyCustomSamplersAsKSampler(graph);
  const ComfyGraph g(graph);
  const auto ids = g.samplerIds();
  if (ids.empty()) return std::nullopt;
  const json& sampler = *g.node(ids.front());
  ComfyEditFacts edit;
  if (auto link = g.linkedInput(sampler, "latent_image")) comfyLatentFacts(g, *link, 0, edit);

  Infotext info;
  if (auto link = g.linkedInput(sampler, "positive")) {
    info.prompt = g.conditioningText(*link, 0).value_or("");
  }
  if (auto link = g.linkedInput(sampler, "negative")) {
    info.negativePrompt = g.conditioningText(*link, 0).value_or("");
  }

  const auto number = [&](const char* name) -> std::optional<json> {
    const json* in = ComfyGraph::input(sampler, name);
    return in ? g.resolveNumber(*in, 0) : std::nullopt;
  };
  const auto text = [&](const char* name) -> std::optional<std::string> {
    const json* in = ComfyGraph::input(sampler, name);
    return in ? g.resolveString(*in, 0) : std::nullopt;
  };

  if (auto steps = number("steps")) setIfNotEmpty(info, "Steps", formatNumber(*steps));
  const ForeignSamplerNames names =
      resolveComfySampler(text("sampler_name").value_or(""), text("scheduler").value_or(""));
  setIfNotEmpty(info, "Sampler", names.sampler);
  setIfNotEmpty(info, "Schedule type", names.schedule);
  if (auto cfg = number("cfg")) setIfNotEmpty(info, "CFG scale", formatNumber(*cfg));
  auto seed = number("seed");
  if (!seed) seed = number("noise_seed");
  if (seed) setIfNotEmpty(info, "Seed", formatNumber(*seed));
  if (auto link = g.linkedInput(sampler, "latent_image")) {
    if (auto size = g.latentSize(*link, 0)) {
      const std::string w = formatNumber(size->first), h = formatNumber(size->second);
      if (!w.empty() && !h.empty()) info.set("Size", w + "x" + h);
    }
  }
  if (edit.scaledTo && !info.get("Size")) {  // img2img: the resized picture + outpaint margins
    const auto margin = [&](const char* side) {
      const auto it = edit.pad.is_object() ? edit.pad.find(side) : edit.pad.end();
      return it != edit.pad.end() ? asDouble(*it).value_or(0.0) : 0.0;
    };
    const auto w = asDouble(edit.scaledTo->first), h = asDouble(edit.scaledTo->second);
    if (w && h)
      info.set("Size", formatNumber(json(*w + margin("left") + margin("right"))) + "x" +
                           formatNumber(json(*h + margin("top") + margin("bottom"))));
  }
  if (auto link = g.linkedInput(sampler, "model")) {
    if (auto ckpt = g.checkpointName(*link, 0))
      setIfNotEmpty(info, "Model", modelNameFromFile(*ckpt));
  }
  if (auto denoise = number("denoise")) {
    if (auto d = asDouble(*denoise); d && *d < 1.0) {
      setIfNotEmpty(info, "Denoising strength", formatNumber(*denoise));
    }
  }
  if (auto link = g.linkedInput(sampler, "positive")) {
    if (const json* encoder = g.conditioningNode(*link, 0)) {
      if (auto clip = g.linkedInput(*encoder, "clip")) {
        if (auto skip = g.clipSkip(*clip, 0); skip && *skip > 1) {
          info.set("Clip skip", std::to_string(*skip));
        }
      }
    }
  }
  addComfyUiFlowKeys(g, sampler, info);
  addComfyUiEditKeys(g, ids.front(), edit, info);
  return info;
}

// Ref: InvokeAI invokeai/app/invocations/metadata.py CoreMetadataInvocation;
//      invokeai/backend/stable_diffusion/schedulers/schedulers.py SCHEDULER_MAP
static std::optional<Infotext> importInvokeAiMetadataImpl(const std::string& metadataJson) {
  const json meta = json::parse(metadataJson, nullptr, /*allow_exceptions=*/false);
  if (!meta.is_object()) return std::nullopt;
  const auto field = [&](const char* name) -> const json* {
    const auto it = meta.find(name);
    return it == meta.end() || it->is_null() ? nullptr : &*it;
  };
  if (!field("positive_prompt") && !field("steps") && !field("seed")) return std::nullopt;

  Infotext info;
  if (const json* p = field("positive_prompt"); p && p->is_string())
    info.prompt = p->get<std::string>();
  if (const json* n = field("negative_prompt"); n && n->is_string()) {
    info.negativePrompt = n->get<std::string>();
  }
  if (const json* v = field("steps")) setIfNotEmpty(info, "Steps", formatNumber(*v));
  if (const json* v = field("scheduler"); v && v->is_string()) {
    const ForeignSamplerNames names = resolveInvokeAiScheduler(v->get<std::string>());
    info.set("Sampler", names.sampler);  // unknown: kept as written
    setIfNotEmpty(info, "Schedule type", names.schedule);
  }
  if (const json* v = field("cfg_scale")) setIfNotEmpty(info, "CFG scale", formatNumber(*v));
  if (const json* v = field("seed")) setIfNotEmpty(info, "Seed", formatNumber(*v));
  const json* w = field("width");
  const json* h = field("height");
  if (w && h) {
    const std::string ws = formatNumber(*w), hs = formatNumber(*h);
    if (!ws.empty() && !hs.empty()) info.set("Size", ws + "x" + hs);
  }
  if (const json* m = field("model")) {
    std::string name;
    if (m->is_string()) {
      name = m->get<std::string>();
    } else if (m->is_object()) {
      for (const char* key : {"name", "model_name"}) {  // v4+ / v3
        const auto it = m->find(key);
        if (it != m->end() && it->is_string()) {
          name = it->get<std::string>();
          break;
        }
      }
    }
    setIfNotEmpty(info, "Model", modelNameFromFile(name));
  }
  if (const json* v = field("strength")) {
    if (auto d = asDouble(*v); d && *d < 1.0 && *d > 0.0) {
      setIfNotEmpty(info, "Denoising strength", formatNumber(*v));
    }
  }
  if (const json* v = field("clip_skip"); v && v->is_number_integer()) {
    const auto skip = v->get<std::int64_t>() + 1;  // InvokeAI counts skipped layers from 0
    if (skip > 1) info.set("Clip skip", std::to_string(skip));
  }
  addInvokeAiEditKeys(meta, info);
  return info;
}

std::optional<Infotext> importComfyUiPrompt(const std::string& promptJson) {
  try {
    return importComfyUiPromptImpl(promptJson);
  } catch (const std::exception&) {  // a type mismatch deep in a hostile graph
    return std::nullopt;
  }
}

std::optional<Infotext> importInvokeAiMetadata(const std::string& metadataJson) {
  try {
    return importInvokeAiMetadataImpl(metadataJson);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<Infotext> importGenerationMetadata(
    const std::map<std::string, std::string>& textChunks) {
  if (const auto it = textChunks.find("parameters");
      it != textChunks.end() && it->second.find_first_not_of(" \t\r\n") != std::string::npos) {
    Infotext info = parseInfotext(it->second);
    splitLegacySamplerName(info);
    return info;
  }
  if (const auto it = textChunks.find("prompt"); it != textChunks.end()) {
    if (auto info = importComfyUiPrompt(it->second)) return info;
  }
  if (const auto it = textChunks.find("invokeai_metadata"); it != textChunks.end()) {
    if (auto info = importInvokeAiMetadata(it->second)) return info;
  }
  return std::nullopt;
}

}  // namespace lienzo
