// Where models live: categories, configured roots (A1111 install, ComfyUI install, plain folder)
// and the category folders each root stands for.
//
// Contract
// - detectLayout() and expandRoot() only look at names on disk (exists / is_directory); no file is
//   opened except a ComfyUI root's extra_model_paths.yaml.
// - expandRoot() lists every folder the layout defines, present or not — the scan reports the
//   missing ones (an A1111 install without models/LyCORIS is normal; nothing here is fatal). An
//   unreadable or malformed extra_model_paths.yaml becomes a warning naming file and line.
// - Files are never copied or moved: a folder is a place to read from.
// - Thread-safe (pure functions).
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

/// What a model file is for. LyCORIS files (LoHa, LoKr, ...) are LoRAs.
/// VaeApprox: approximate decoders for previews and fast decodes (TAESD: taesd_decoder, taesdxl_…).
enum class ModelCategory { Checkpoint, Lora, Embedding, Vae, ControlNet, VaeApprox };
inline constexpr std::array<ModelCategory, 6> kModelCategories{
    ModelCategory::Checkpoint, ModelCategory::Lora,       ModelCategory::Embedding,
    ModelCategory::Vae,        ModelCategory::ControlNet, ModelCategory::VaeApprox};
/// "checkpoint", "lora", "embedding", "vae", "controlnet", "vae-approx".
const char* categoryName(ModelCategory category);
/// Accepts the names above, plurals, any case, and the A1111 / ComfyUI folder names
/// ("Stable-diffusion", "checkpoints", "Lora", "loras", "LyCORIS", "embeddings", "VAE",
/// "ControlNet", "ti", "textual_inversion", "VAE-approx", "vae_approx", "taesd"); std::nullopt
/// otherwise.
std::optional<ModelCategory> parseCategory(const std::string& text);

/// How a configured root is laid out.
enum class RootKind { A1111, ComfyUI, Folder };
/// "a1111", "comfyui", "folder".
const char* rootKindName(RootKind kind);
std::optional<RootKind> parseRootKind(const std::string& text);

/// One configured place (library settings, CLI options).
struct LibraryRoot {
  RootKind kind = RootKind::Folder;
  std::filesystem::path path;
  /// Folder roots: the category of every file in it; std::nullopt = decided per file from its
  /// header (checkpoint, LoRA, embedding, VAE, ControlNet keys). Ignored for install roots.
  std::optional<ModelCategory> category;
  bool operator==(const LibraryRoot& other) const {
    return kind == other.kind && path == other.path && category == other.category;
  }
};

/// One folder to scan (recursively).
struct LibraryFolder {
  std::optional<ModelCategory> category;  ///< std::nullopt: per file, from the header
  std::filesystem::path path;             ///< absolute, lexically normal
  std::string origin;  ///< for people: "A1111 models/Lora", "extra_model_paths.yaml [a111]"
};

struct LayoutReport {
  std::vector<LibraryFolder> folders;
  std::vector<std::string> warnings;  ///< e.g. a malformed extra_model_paths.yaml (file:line: why)
};

/// A1111 when `dir` has models/Stable-diffusion (or webui.py beside a models/ folder); ComfyUI
/// when it has models/checkpoints, comfy/ or extra_model_paths.yaml; otherwise a plain folder.
RootKind detectLayout(const std::filesystem::path& dir);

/// The category folders of `root` (see the contract).
/// - A1111: models/Stable-diffusion, models/Lora, models/LyCORIS, embeddings, models/VAE,
///   models/ControlNet, extensions/sd-webui-controlnet/models and models/VAE-approx.
/// - ComfyUI: models/checkpoints (and the transformer-only models/diffusion_models and
///   models/unet: Flux, SD3.5, GGUF), models/loras, models/embeddings, models/vae,
///   models/controlnet, models/vae_approx, then every matching category of
///   <root>/extra_model_paths.yaml (extra_model_paths.h).
/// - Folder: the folder itself with the root's category.
LayoutReport expandRoot(const LibraryRoot& root);

/// The folders of `category` over all `roots`, in root order, each once (what generate() looks
/// names up in: GenerationParams::folders). Folders of roots without a category are left out:
/// their files are sorted per file, which only a scan does. Warnings of expandRoot are dropped.
std::vector<std::filesystem::path> categoryFolders(const std::vector<LibraryRoot>& roots,
                                                   ModelCategory category);

}  // namespace lienzo
