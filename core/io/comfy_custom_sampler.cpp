// ComfyUI custom-sampling nodes as KSampler nodes (comfy_custom_sampler.h).
#include "core/io/comfy_custom_sampler.h"

#include <string>
#include <utility>
#include <vector>

namespace lienzo {
namespace {

using json = nlohmann::json;

/// The node a link input ["<id>", n] of `node` points at, or null.
const json* linked(const json& graph, const json& node, const char* name) {
  const auto inputs = node.find("inputs");
  if (inputs == node.end() || !inputs->is_object()) return nullptr;
  const auto in = inputs->find(name);
  if (in == inputs->end() || !in->is_array() || in->size() != 2) return nullptr;
  std::string id;
  if ((*in)[0].is_string())
    id = (*in)[0].get<std::string>();
  else if ((*in)[0].is_number_integer())
    id = std::to_string((*in)[0].get<long long>());
  else
    return nullptr;
  const auto it = graph.find(id);
  return it != graph.end() && it->is_object() ? &*it : nullptr;
}

/// A value or a link ["<id>", n]: what an input holds. Anything else (a hostile graph's deeply
/// nested array) is not copied: json copies recurse.
bool inputValue(const json& v) {
  if (v.is_primitive()) return true;
  if (!v.is_array() || v.size() > 2) return false;
  for (const json& e : v)
    if (!e.is_primitive()) return false;
  return true;
}

/// Copies input `from` of `node` (when present and an input value) to `to[as]`.
void copyInput(const json* node, const char* from, json& to, const char* as) {
  if (!node) return;
  const auto inputs = node->find("inputs");
  if (inputs == node->end() || !inputs->is_object()) return;
  const auto in = inputs->find(from);
  if (in != inputs->end() && inputValue(*in)) to[as] = *in;
}

json asKSampler(const json& graph, const json& node, bool advanced) {
  json inputs = json::object();
  const json* self = &node;
  if (advanced) {
    const json* guider = linked(graph, node, "guider");
    copyInput(guider, "model", inputs, "model");
    copyInput(guider, "conditioning", inputs, "positive");  // BasicGuider
    copyInput(guider, "positive", inputs, "positive");      // CFGGuider
    copyInput(guider, "negative", inputs, "negative");
    copyInput(guider, "cfg", inputs, "cfg");
    if (!inputs.contains("cfg")) inputs["cfg"] = 1.0;  // BasicGuider: no CFG
    copyInput(linked(graph, node, "noise"), "noise_seed", inputs, "seed");
  } else {
    for (const char* name : {"model", "positive", "negative", "cfg"})
      copyInput(self, name, inputs, name);
    copyInput(self, "noise_seed", inputs, "seed");
  }
  copyInput(linked(graph, node, "sampler"), "sampler_name", inputs, "sampler_name");
  const json* sigmas = linked(graph, node, "sigmas");
  for (const char* name : {"scheduler", "steps", "denoise"}) copyInput(sigmas, name, inputs, name);
  if (!inputs.contains("model")) copyInput(sigmas, "model", inputs, "model");
  copyInput(self, "latent_image", inputs, "latent_image");
  return json{{"class_type", "KSampler"}, {"inputs", std::move(inputs)}};
}

}  // namespace

void comfyCustomSamplersAsKSampler(json& graph) {
  if (!graph.is_object()) return;
  std::vector<std::pair<std::string, json>> replaced;  // built from the unchanged graph
  for (auto it = graph.begin(); it != graph.end(); ++it) {
    if (!it->is_object()) continue;
    const auto type = it->find("class_type");
    if (type == it->end() || !type->is_string()) continue;
    const std::string t = type->get<std::string>();
    if (t == "SamplerCustomAdvanced" || t == "SamplerCustom")
      replaced.emplace_back(it.key(), asKSampler(graph, *it, t == "SamplerCustomAdvanced"));
  }
  for (auto& [id, node] : replaced) graph[id] = std::move(node);
}

}  // namespace lienzo
