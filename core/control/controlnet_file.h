// ControlNet files: which key layout a .safetensors holds, the rename of the diffusers layout to
// the original one, and loading into a ControlNet module (controlnet.h).
//
// Layouts (next-wave.md §6.1; ../shared/fixtures/controlnet/README.md §1):
//   Original      `control_model.` + cldm ControlNet state_dict (control_sd15_*, control_v11*)
//   OriginalBare  the same keys without the prefix (sd-webui-controlnet extract_controlnet.py)
//   Diffusers     ControlNetModel: controlnet_cond_embedding.{conv_in, blocks.0-5, conv_out},
//                 controlnet_down_blocks.N, controlnet_mid_block, and the U-Net encoder names
//                 (conv_in, time_embedding, add_embedding, down_blocks, mid_block) — the way SDXL
//                 ControlNets are distributed.
// Tensors may be stored in F32, F16 or BF16 (read from the header); they are converted to the
// compute dtype on loading.
//
// Contract: pure functions; thread-safe. Failure: std::invalid_argument naming the file when it
// is not a ControlNet (or holds keys this table does not know, e.g. a "union" ControlNet),
// SafetensorsError for unreadable files, CheckpointError for pickles (never unpickled),
// std::runtime_error naming the key when a shape does not fit on loading.
// Ref: sd-webui-controlnet scripts/controlnet_diffusers.py; diffusers ControlNetModel.
#pragma once

#include "core/control/controlnet.h"
#include "core/io/diffusers_keys.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <memory>
#include <string>

namespace lienzo {

class SafetensorsFile;

enum class ControlNetLayout { Original, OriginalBare, Diffusers };
const char* controlNetLayoutName(
    ControlNetLayout layout);  ///< "original", "original (bare)", "diffusers"

/// diffusers ControlNetModel names -> original names (no prefix). Throws std::invalid_argument
/// naming an unknown key.
NamedTensors controlNetDiffusersToOriginal(const NamedTensors& tensors);
/// Original names (no prefix) -> diffusers names; the inverse of the above.
NamedTensors controlNetOriginalToDiffusers(const NamedTensors& tensors);

/// An opened ControlNet file, renamed to the original layout.
struct ControlNetFile {
  std::filesystem::path path;
  ControlNetLayout layout = ControlNetLayout::Original;
  std::shared_ptr<const SafetensorsFile> weights;  ///< original names below `prefix`
  std::string prefix;                              ///< "control_model." or ""
  ControlNetConfig config;                         ///< from the shapes (family head defaults)
  std::string storedDtype;                         ///< "F16", "BF16", "F32" or "mixed"
};

/// Opens `path` (memory-mapped; a diffusers file is renamed into memory) and reads its config.
ControlNetFile openControlNetFile(const std::filesystem::path& path);

/// Builds the module of `config` (normally file.config, with the base model's heads) and loads
/// its weights in `dtype` on `device`.
ControlNet loadControlNet(const ControlNetFile& file, const ControlNetConfig& config,
                          c10::ScalarType dtype, c10::Device device = c10::Device(c10::kCPU));

}  // namespace lienzo
