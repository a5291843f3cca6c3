// Checkpoint identification from tensor names and shapes alone (no config, nothing executed).
// The family rules themselves are torch-free and live in checkpoint_family.h.
//
// Contract: identifyCheckpoint() reads only the validated safetensors header. identifyFile()
// refuses pickle-based formats (.ckpt/.pt/.pth/.bin, or any file starting with a pickle or zip
// signature) with CheckpointError *before* reading them as anything else — they are never
// unpickled. Diffusers folders (model_index.json) are recognised by path.
// Thread-safe (pure functions).
#pragma once

#include "core/io/checkpoint_family.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CheckpointPart {
  std::string name;    ///< "unet", "vae", "text_encoder", "text_encoder_2"
  std::string prefix;  ///< key prefix inside the file, e.g. "model.diffusion_model."
  int64_t tensors = 0;
  int64_t parameters = 0;
  std::map<std::string, int64_t> dtypes;  ///< dtype name -> tensor count
};

struct CheckpointInfo {
  ModelFamily family = ModelFamily::Unknown;
  std::vector<CheckpointPart> parts;
  std::vector<std::string> notes;  ///< facts worth telling ("v or ε not knowable", "inpainting")
  int64_t tensors = 0;
  int64_t parameters = 0;
  uint64_t fileSize = 0;
  std::map<std::string, int64_t> dtypes;
  int64_t unetInChannels = 0;  ///< 4 for txt2img, 9 for inpainting models
  int64_t contextDim = 0;      ///< cross-attention width (0 if no U-Net)
  bool hasPart(const std::string& name) const;
  const CheckpointPart* part(const std::string& name) const;
};

/// Identifies a parsed safetensors checkpoint.
CheckpointInfo identifyCheckpoint(const SafetensorsFile& file);

/// Throws CheckpointError when `path` is a pickle-based checkpoint (by extension or signature).
void refuseUnsafeFormats(const std::filesystem::path& path);

/// refuseUnsafeFormats, then opens (SafetensorsError on corruption) and identifies.
CheckpointInfo identifyFile(const std::filesystem::path& path);

}  // namespace lienzo
