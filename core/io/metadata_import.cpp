#include "core/io/metadata_import.h"

#include <nlohmann/json.hpp>

#include "core/sampling/sampler_names.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <string_view>
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

}  // namespace

std::string comfyUiSamplerToA1111(const std::string& name) {
  return resolveComfySampler(name, "").sampler;
}

std::string comfyUiSchedulerToA1111(const std::string& name) {
  return resolveComfySampler("", name).schedule;
}

static std::optional<Infotext> importComfyUiPromptImpl(const std::string& promptJson) {
  const json graph = json::parse(promptJson, nullptr, /*allow_exceptions=*/false);
  if (!graph.is_object()) return std::nullopt;
  const ComfyGraph g(graph);
  const auto ids = g.samplerIds();
  if (ids.empty()) return std::nullopt;
  const json& sampler = *g.node(ids.front());

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
