// diffusers model folders (see diffusers_folder.h).
// Ref: diffusers pipelines/pipeline_utils.py DiffusionPipeline.from_pretrained (model_index.json,
// one sub-folder per component, `variant` file names), models/modeling_utils.py (weight names).
#include "core/io/diffusers_folder.h"

#include "core/io/diffusers_keys.h"
#include "core/io/safetensors.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <optional>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

nlohmann::json readJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw CheckpointError(path.string() + ": cannot read");
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw CheckpointError(path.string() + ": not valid JSON: " + e.what());
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The safetensors weights of one component folder, preferring full precision; refuses pickles.
std::optional<fs::path> componentWeights(const fs::path& dir, const std::string& stem) {
  if (!fs::is_directory(dir)) return std::nullopt;
  for (const char* variant : {"", ".fp16", ".bf16"}) {
    const fs::path p = dir / (stem + variant + ".safetensors");
    if (fs::is_regular_file(p)) return p;
  }
  if (fs::exists(dir / (stem + ".safetensors.index.json")))
    throw CheckpointError(dir.string() + ": sharded weights are not supported yet");
  for (const char* variant : {"", ".fp16"}) {
    const fs::path p = dir / (stem + variant + ".bin");
    if (fs::exists(p))
      throw CheckpointError(p.string() +
                            ": this component is a PyTorch pickle (.bin), which can run arbitrary "
                            "code when loaded; Lienzo never unpickles files. Save the model with "
                            "safe_serialization=True (.safetensors) first.");
  }
  return std::nullopt;
}

/// The first tensor whose name ends with `suffix` (names are sorted: deterministic).
const std::string* findSuffix(const SafetensorsFile& file, const std::string& suffix) {
  for (const auto& n : file.names())
    if (n.size() >= suffix.size() &&
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
      return &n;
  return nullptr;
}

}  // namespace

nlohmann::json DiffusersFolder::config(const std::string& component) const {
  const fs::path p = component == "scheduler" ? root / "scheduler" / "scheduler_config.json"
                                              : root / component / "config.json";
  return fs::is_regular_file(p) ? readJson(p) : nlohmann::json::object();
}

bool isDiffusersFolder(const fs::path& path) {
  return fs::is_directory(path) && fs::is_regular_file(path / "model_index.json");
}

DiffusersFolder openDiffusersFolder(const fs::path& path) {
  if (!isDiffusersFolder(path))
    throw CheckpointError(path.string() +
                          ": not a diffusers model folder (no model_index.json inside)");
  DiffusersFolder folder;
  folder.root = path;
  folder.index = readJson(path / "model_index.json");
  if (!folder.index.is_object())
    throw CheckpointError((path / "model_index.json").string() + ": not a JSON object");
  folder.className = folder.index.value("_class_name", std::string());
  // model_index.json lists components as "name": [library, class] (null when absent).
  for (const char* name : {"unet", "vae", "text_encoder", "text_encoder_2", "transformer"}) {
    const auto it = folder.index.find(name);
    if (it != folder.index.end() && it->is_array() && !it->empty() && it->at(0).is_null()) continue;
    const bool model = std::string(name) == "unet" || std::string(name) == "vae" ||
                       std::string(name) == "transformer";
    if (auto w = componentWeights(path / name, model ? "diffusion_pytorch_model" : "model"))
      folder.weights[name] = *w;
  }
  return folder;
}

CheckpointInfo identifyDiffusersFolder(const DiffusersFolder& folder) {
  CheckpointInfo info;
  std::optional<SafetensorsFile> unet;
  for (const auto& [name, path] : folder.weights) {
    const SafetensorsFile file = SafetensorsFile::open(path);
    CheckpointPart part;
    part.name = name;
    part.prefix = name + "/";
    for (const auto& n : file.names()) {
      const auto& ti = file.info(n);
      ++part.tensors;
      part.parameters += ti.numel();
      ++part.dtypes[stDTypeName(ti.dtype)];
      ++info.dtypes[stDTypeName(ti.dtype)];
    }
    info.tensors += part.tensors;
    info.parameters += part.parameters;
    info.fileSize += file.fileSize();
    info.parts.push_back(std::move(part));
    if (name == "unet") unet = file;
  }
  if (unet) {
    if (unet->contains("conv_in.weight") && unet->info("conv_in.weight").shape.size() == 4)
      info.unetInChannels = unet->info("conv_in.weight").shape[1];
    if (const auto* k = findSuffix(*unet, "attn2.to_k.weight"))
      info.contextDim = unet->info(*k).shape.back();
  }

  const std::string cls = lower(folder.className);
  if (cls.find("stablediffusion3") != std::string::npos) {
    info.family = ModelFamily::SD3;
  } else if (cls.find("flux") != std::string::npos) {
    info.family = ModelFamily::Flux;
  } else if (cls.find("stablediffusionxl") != std::string::npos) {
    if (folder.has("text_encoder") && folder.has("text_encoder_2"))
      info.family = ModelFamily::SDXL;
    else if (folder.has("text_encoder_2"))
      info.family = ModelFamily::SDXLRefiner;
  } else if (cls.rfind("stablediffusion", 0) == 0 && unet && folder.has("text_encoder")) {
    // SD 2.x transformers project with Linear layers ([C,C]), SD 1.x with 1x1 convs.
    const auto* k = findSuffix(*unet, "proj_in.weight");
    if (k) info.family = unet->info(*k).shape.size() == 2 ? ModelFamily::SD2 : ModelFamily::SD1;
  }

  info.notes.push_back("diffusers folder, pipeline class " +
                       (folder.className.empty() ? std::string("(none)") : folder.className));
  const auto sched = folder.config("scheduler");
  if (sched.contains("prediction_type") && sched["prediction_type"].is_string())
    info.notes.push_back("scheduler: " + sched.value("_class_name", std::string("?")) +
                         ", prediction " + sched["prediction_type"].get<std::string>());
  if (info.unetInChannels == 9) info.notes.push_back("inpainting U-Net (9 input channels)");
  if (info.unetInChannels == 8) info.notes.push_back("instruct-pix2pix U-Net (8 input channels)");
  if (unet && !folder.has("vae")) info.notes.push_back("no VAE inside: an external VAE is needed");
  return info;
}

SafetensorsFile diffusersAsOriginal(const DiffusersFolder& folder, ModelFamily family) {
  NamedTensors all;
  constexpr std::array<DiffusersComponent, 4> kComponents{
      DiffusersComponent::Unet, DiffusersComponent::Vae, DiffusersComponent::TextEncoder,
      DiffusersComponent::TextEncoder2};
  for (const auto component : kComponents) {
    const std::string dir = diffusersComponentDir(component);
    if (!folder.has(dir)) continue;
    if (component == DiffusersComponent::TextEncoder2 && family != ModelFamily::SDXL) continue;
    const ComponentLayout layout = componentLayout(family, component);
    const SafetensorsFile file = SafetensorsFile::open(folder.weights.at(dir));
    NamedTensors tensors;
    tensors.reserve(file.names().size());
    for (const auto& n : file.names()) tensors.emplace_back(n, file.view(n));  // zero-copy
    for (auto& kt : diffusersToOriginal(layout, tensors)) all.push_back(std::move(kt));
  }
  return SafetensorsFile::fromBytes(serializeSafetensors(all, {{"format", "pt"}}),
                                    folder.root.string());
}

}  // namespace lienzo
