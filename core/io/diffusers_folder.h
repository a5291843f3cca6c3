// diffusers model folders: `model_index.json` plus one sub-folder per component (unet/, vae/,
// text_encoder/, text_encoder_2/ with safetensors weights and config.json; tokenizer/ with
// vocab.json + merges.txt; scheduler/scheduler_config.json).
//
// Contract
// - openDiffusersFolder() reads model_index.json and finds each component's weights
//   (`diffusion_pytorch_model[.fp16].safetensors` / `model[.fp16].safetensors`). A component
//   stored only as a pickle (`.bin`) or sharded is refused with CheckpointError (never
//   unpickled); a missing or malformed model_index.json is a CheckpointError too.
// - identifyDiffusersFolder() reads only the safetensors headers and the JSON files: family from
//   the pipeline class and the U-Net layout, parts = the components present (prefix "<dir>/").
// - diffusersAsOriginal() returns every component of an SD1/SD2/SDXL folder as one in-memory
//   safetensors image in the original single-file layout (diffusers_keys.h), so the
//   single-file loaders read it unchanged. It holds one copy of the weights in their stored
//   dtype until the returned file (and every tensor viewing it) is released.
// - Thread-safe (no shared state); throws CheckpointError / SafetensorsError /
//   std::invalid_argument (unknown keys).
#pragma once

#include "core/io/checkpoint.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace lienzo {

class SafetensorsFile;

struct DiffusersFolder {
  std::filesystem::path root;
  std::string className;  ///< model_index.json `_class_name`, e.g. "StableDiffusionXLPipeline"
  nlohmann::json index;   ///< model_index.json
  /// Weight file of each component present: "unet" -> root/unet/diffusion_pytorch_model.safetensors
  std::map<std::string, std::filesystem::path> weights;

  bool has(const std::string& component) const { return weights.count(component) != 0; }
  /// `<component>/config.json` ("scheduler": scheduler/scheduler_config.json), or an empty
  /// object when absent. Throws CheckpointError when present but not valid JSON.
  nlohmann::json config(const std::string& component) const;
};

/// True when `path` is a directory holding model_index.json.
bool isDiffusersFolder(const std::filesystem::path& path);

DiffusersFolder openDiffusersFolder(const std::filesystem::path& path);

CheckpointInfo identifyDiffusersFolder(const DiffusersFolder& folder);

/// See the contract. `family` must be SD1, SD2 or SDXL (std::invalid_argument otherwise).
SafetensorsFile diffusersAsOriginal(const DiffusersFolder& folder, ModelFamily family);

}  // namespace lienzo
