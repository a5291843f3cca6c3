#include "core/pipeline/network_stage.h"

#include "core/adapters/adapter_merge.h"
#include "core/adapters/prompt_networks.h"
#include "core/adapters/weight_patcher.h"
#include "core/pipeline/model_bundle.h"

#include <algorithm>

namespace lienzo {

namespace {

namespace fs = std::filesystem;

std::string foldersText(const std::vector<fs::path>& folders) {
  if (folders.empty()) return "no LoRA folder is set";
  std::string out = "looked in ";
  for (size_t i = 0; i < folders.size(); ++i) out += (i ? ", " : "") + folders[i].string();
  return out;
}

std::string tagNames(const std::vector<LoraTag>& tags) {
  std::string out;
  for (const auto& t : tags)
    out +=
        t.name + ":" + std::to_string(t.textStrength) + ":" + std::to_string(t.unetStrength) + ";";
  return out;
}

}  // namespace

std::optional<fs::path> findLoraFile(const std::vector<fs::path>& folders,
                                     const std::string& name) {
  std::error_code ec;
  const fs::path direct(name);
  if ((direct.is_absolute() || name.find('/') != std::string::npos) &&
      fs::is_regular_file(direct, ec))
    return direct;
  for (const char* ext : {".safetensors", ".pt", ".ckpt", ".bin"}) {
    for (const auto& folder : folders) {
      const fs::path candidate = folder / (name + ext);
      if (fs::is_regular_file(candidate, ec)) return candidate;
    }
    for (const auto& folder : folders) {
      if (!fs::is_directory(folder, ec)) continue;
      for (fs::recursive_directory_iterator
               it(folder, fs::directory_options::skip_permission_denied, ec),
           end;
           it != end; it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file(ec) && it->path().extension() == ext &&
            it->path().stem().string() == name)
          return it->path();
      }
    }
  }
  return std::nullopt;
}

ActiveNetworks activateNetworks(const ModelBundle& bundle, const GenerationParams& params) {
  ActiveNetworks out;
  const PromptNetworks first = extractPromptNetworks(params.prompt);
  const PromptNetworks negative = extractPromptNetworks(params.negativePrompt);
  out.prompt = first.prompt;
  out.negativePrompt = negative.prompt;
  out.notices = first.notices;
  if (!negative.loras.empty())
    out.notices.push_back(
        "LoRA tags in the negative prompt are not applied (as in A1111); they "
        "were taken out of its text");
  if (!params.hires.prompt.empty()) {
    const PromptNetworks hires = extractPromptNetworks(params.hires.prompt);
    out.hiresPrompt = hires.prompt;
    if (tagNames(hires.loras) != tagNames(first.loras))
      out.notices.push_back(
          "the hires prompt names other LoRAs than the prompt; the prompt's "
          "LoRAs apply to both passes");
  }
  if (!params.hires.negativePrompt.empty())
    out.hiresNegativePrompt = extractPromptNetworks(params.hires.negativePrompt).prompt;

  // The requested adapters: the prompt's tags, then the caller's list.
  std::vector<AdapterUse> uses;
  for (const auto& tag : first.loras)
    uses.push_back(AdapterUse{tag.name, tag.textStrength, tag.unetStrength});
  uses.insert(uses.end(), params.adapters.begin(), params.adapters.end());

  // Without patchable weights (the built-in model) nothing is merged; missing files are still
  // named.
  WeightPatcher* weights = bundle.weights.get();
  if (weights) out.lock = weights->lock();
  std::vector<AdapterApplication> applications;
  std::vector<std::string> unusable;
  for (const auto& use : uses) {
    const auto path = findLoraFile(params.folders.loras, use.name);
    if (!path) {
      out.notices.push_back("LoRA '" + use.name + "' not found (" +
                            foldersText(params.folders.loras) + "); generating without it");
      continue;
    }
    if (!weights) {
      unusable.push_back(use.name);
      continue;
    }
    try {
      const auto opened = weights->openAdapter(*path);
      applications.push_back(AdapterApplication{opened.file, use.textStrength, use.unetStrength});
      const auto known = std::find_if(out.hashes.loras.begin(), out.hashes.loras.end(),
                                      [&](const auto& h) { return h.first == use.name; });
      if (known == out.hashes.loras.end())
        out.hashes.loras.emplace_back(use.name, opened.shortHash);
    } catch (const AdapterError& e) {
      out.notices.push_back(std::string("LoRA '") + use.name + "' not applied: " + e.what());
    }
  }
  if (!weights) {
    for (const auto& name : unusable)
      out.notices.push_back("LoRA '" + name + "' not applied: the " + bundle.description.family +
                            " model takes no LoRA");
    return out;
  }
  const AdapterReport report = applyAdapters(*weights, applications);
  const auto& reportNotices = report.cached ? weights->signatureNotices() : report.notices();
  out.notices.insert(out.notices.end(), reportNotices.begin(), reportNotices.end());
  out.patchedWeights = report.patchedWeights;
  return out;
}

}  // namespace lienzo
