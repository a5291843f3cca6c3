#include "core/library/library_layout.h"

#include "core/library/extra_model_paths.h"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace lienzo {

const char* categoryName(ModelCategory category) {
  switch (category) {
    case ModelCategory::Checkpoint:
      return "checkpoint";
    case ModelCategory::Lora:
      return "lora";
    case ModelCategory::Embedding:
      return "embedding";
    case ModelCategory::Vae:
      return "vae";
    case ModelCategory::ControlNet:
      return "controlnet";
    case ModelCategory::VaeApprox:
      return "vae-approx";
  }
  return "?";
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool isDir(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_directory(p, ec);
}

bool pathExists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

std::filesystem::path normalAbsolute(const std::filesystem::path& p) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(p, ec);
  return (ec ? p : abs).lexically_normal();
}

}  // namespace

std::optional<ModelCategory> parseCategory(const std::string& text) {
  const std::string t = lower(text);
  if (t == "checkpoint" || t == "checkpoints" || t == "ckpt" || t == "stable-diffusion" ||
      t == "model" || t == "models")
    return ModelCategory::Checkpoint;
  if (t == "lora" || t == "loras" || t == "lycoris" || t == "locon") return ModelCategory::Lora;
  if (t == "embedding" || t == "embeddings" || t == "ti" || t == "textual_inversion" ||
      t == "textual-inversion")
    return ModelCategory::Embedding;
  if (t == "vae" || t == "vaes") return ModelCategory::Vae;
  if (t == "controlnet" || t == "controlnets" || t == "control") return ModelCategory::ControlNet;
  if (t == "vae-approx" || t == "vae_approx" || t == "vaeapprox" || t == "taesd")
    return ModelCategory::VaeApprox;
  return std::nullopt;
}

const char* rootKindName(RootKind kind) {
  switch (kind) {
    case RootKind::A1111:
      return "a1111";
    case RootKind::ComfyUI:
      return "comfyui";
    case RootKind::Folder:
      return "folder";
  }
  return "?";
}

std::optional<RootKind> parseRootKind(const std::string& text) {
  const std::string t = lower(text);
  if (t == "a1111" || t == "automatic1111" || t == "webui" || t == "forge") return RootKind::A1111;
  if (t == "comfyui" || t == "comfy") return RootKind::ComfyUI;
  if (t == "folder" || t == "plain") return RootKind::Folder;
  return std::nullopt;
}

RootKind detectLayout(const std::filesystem::path& dir) {
  if (isDir(dir / "models" / "Stable-diffusion") ||
      (pathExists(dir / "webui.py") && isDir(dir / "models")))
    return RootKind::A1111;
  if (isDir(dir / "models" / "checkpoints") || isDir(dir / "comfy") ||
      pathExists(dir / "extra_model_paths.yaml"))
    return RootKind::ComfyUI;
  return RootKind::Folder;
}

LayoutReport expandRoot(const LibraryRoot& root) {
  LayoutReport report;
  const auto base = normalAbsolute(root.path);
  const auto add = [&](std::optional<ModelCategory> category, const std::filesystem::path& rel,
                       const std::string& origin) {
    report.folders.push_back({category, (base / rel).lexically_normal(), origin});
  };
  switch (root.kind) {
    case RootKind::Folder:
      report.folders.push_back({root.category, base, "folder"});
      break;
    case RootKind::A1111:
      add(ModelCategory::Checkpoint, "models/Stable-diffusion", "A1111 models/Stable-diffusion");
      add(ModelCategory::Lora, "models/Lora", "A1111 models/Lora");
      add(ModelCategory::Lora, "models/LyCORIS", "A1111 models/LyCORIS");
      add(ModelCategory::Embedding, "embeddings", "A1111 embeddings");
      add(ModelCategory::Vae, "models/VAE", "A1111 models/VAE");
      add(ModelCategory::ControlNet, "models/ControlNet", "A1111 models/ControlNet");
      add(ModelCategory::ControlNet, "extensions/sd-webui-controlnet/models",
          "A1111 extensions/sd-webui-controlnet/models");
      add(ModelCategory::VaeApprox, "models/VAE-approx", "A1111 models/VAE-approx");
      break;
    case RootKind::ComfyUI: {
      add(ModelCategory::Checkpoint, "models/checkpoints", "ComfyUI models/checkpoints");
      // Diffusion-model-only files (Flux, SD3.5 transformers, GGUF quantizations).
      add(ModelCategory::Checkpoint, "models/diffusion_models", "ComfyUI models/diffusion_models");
      add(ModelCategory::Checkpoint, "models/unet", "ComfyUI models/unet");
      add(ModelCategory::Lora, "models/loras", "ComfyUI models/loras");
      add(ModelCategory::Embedding, "models/embeddings", "ComfyUI models/embeddings");
      add(ModelCategory::Vae, "models/vae", "ComfyUI models/vae");
      add(ModelCategory::ControlNet, "models/controlnet", "ComfyUI models/controlnet");
      add(ModelCategory::VaeApprox, "models/vae_approx", "ComfyUI models/vae_approx");
      const auto yaml = base / "extra_model_paths.yaml";
      if (!pathExists(yaml)) break;
      try {
        for (const auto& section : readExtraModelPaths(yaml)) {
          for (const auto& [key, paths] : section.paths) {
            // ComfyUI folder names; other keys (clip, upscale_models, ...) are not ours.
            std::optional<ModelCategory> category;
            if (key == "checkpoints" || key == "diffusion_models" || key == "unet")
              category = ModelCategory::Checkpoint;
            if (key == "loras") category = ModelCategory::Lora;
            if (key == "embeddings") category = ModelCategory::Embedding;
            if (key == "vae") category = ModelCategory::Vae;
            if (key == "controlnet") category = ModelCategory::ControlNet;
            if (key == "vae_approx") category = ModelCategory::VaeApprox;
            if (!category) continue;
            for (const auto& p : paths)
              report.folders.push_back(
                  {category, p, "extra_model_paths.yaml [" + section.name + "] " + key});
          }
        }
      } catch (const ExtraModelPathsError& e) {
        report.warnings.push_back(std::string(e.what()) + " — its folders are not scanned");
      }
      break;
    }
  }
  return report;
}

std::vector<std::filesystem::path> categoryFolders(const std::vector<LibraryRoot>& roots,
                                                   ModelCategory category) {
  std::vector<std::filesystem::path> out;
  for (const auto& root : roots) {
    for (const auto& folder : expandRoot(root).folders) {
      if (folder.category != category) continue;
      if (std::find(out.begin(), out.end(), folder.path) == out.end()) out.push_back(folder.path);
    }
  }
  return out;
}

}  // namespace lienzo
