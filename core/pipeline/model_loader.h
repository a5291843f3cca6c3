// Loading a model (a single-file checkpoint, a diffusers folder or the built-in model) and
// describing it, for the pipeline facade (pipeline.h includes this header). No torch types:
// the loaded ModelBundle is opaque here (model_bundle.h has its insides).
//
// Contract
// - loadModelBundle() memory-maps and loads a checkpoint once; the returned bundle is immutable
//   and may be shared by any number of threads and requests.
// - Failure: GenerationError (pipeline.h; ModelLoad, UnsupportedModel, InvalidParams for a bad
//   device) with a user-readable message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

enum class ComputeDType { Auto, F32, BF16, F16 };
const char* computeDTypeName(ComputeDType dtype);  ///< "auto", "f32", "bf16", "f16"

/// What a checkpoint is, for pickers and `lienzo info`.
struct ModelDescription {
  std::string family;  ///< "SD 1.x", "SD 2.x", "SDXL", "Lienzo built-in"
  std::string name;    ///< file stem
  std::string hash;    ///< A1111 "Model hash": first 10 hex digits of SHA-256
  std::filesystem::path path;
  int defaultWidth = 512;
  int defaultHeight = 512;
  int defaultSteps = 20;  ///< what the model was tuned for (built-in: its config)
  double defaultCfg = 7.0;
  std::string defaultSampler = "Euler a";
  std::vector<std::string> parts;  ///< "unet", "vae", "text_encoder", ...
  /// Flux dev: the distilled guidance it runs at unless GenerationParams::guidance says (3.5);
  /// unset for models without a guidance input (schnell, SD, SD3).
  std::optional<double> defaultGuidance;
  /// Facts that change a flow model's result, recorded in the infotext (params_infotext.h):
  /// the T5 token length (0: no T5), SD3's constant flow shift, Flux dev's resolution-dependent
  /// shift (base at 256 tokens, max at 4096).
  int t5Length = 0;
  std::optional<double> flowShift;
  std::optional<std::pair<double, double>> flowResolutionShift;
};

/// Separately distributed parts of SD3 / Flux models (ComfyUI's `clip/`, `text_encoders/` and
/// `vae/` files). Empty: taken from the model file when it bundles them, else looked for beside
/// the model and in the library's usual folders.
struct ModelParts {
  std::filesystem::path t5;     ///< T5-XXL encoder (t5xxl_fp16 / _fp8_e4m3fn .safetensors)
  std::filesystem::path clipL;  ///< CLIP-L text encoder
  std::filesystem::path clipG;  ///< CLIP-G (bigG) text encoder (SD3)
  std::filesystem::path vae;    ///< 16-channel autoencoder (Flux `ae.safetensors`, SD3 VAE)
};

struct LoadOptions {
  ComputeDType dtype = ComputeDType::Auto;
  std::string device = "cpu";
  bool computeHash = true;  ///< SHA-256 of the file for the "Model hash" field (reads it once)
  ModelParts parts;         ///< SD3 / Flux parts given explicitly (CLI --t5, --clip-l, ...)
  /// The most host RAM a big model (SD3 / Flux) may plan for, in bytes; the smaller of this and
  /// what the machine has available is what the memory plan checks (memory_plan.h). Unset: the
  /// machine's available memory.
  std::optional<uint64_t> hostMemoryLimit;
};

/// What the memory plan of a load may use: the machine's available RAM, capped by
/// options.hostMemoryLimit; nullopt when neither is known.
std::optional<uint64_t> plannableHostMemory(const LoadOptions& options);

class ModelBundle;  // immutable, defined in model_bundle.h (core internals)

/// Loads a checkpoint (single-file .safetensors or a supported folder). Throws GenerationError.
std::shared_ptr<const ModelBundle> loadModelBundle(const std::filesystem::path& path,
                                                   const LoadOptions& options = {});
const ModelDescription& describe(const ModelBundle& bundle);
/// What a model file or folder is and the settings it wants (size, steps, CFG, sampler), from its
/// header and JSON alone: cheap (no weights read, no hash), for pickers that adapt the controls.
/// Throws GenerationError (ModelLoad / UnsupportedModel) like loadModelBundle would.
ModelDescription describeModelFile(const std::filesystem::path& path);

}  // namespace lienzo
