// The Stable Diffusion families' factory: a checkpoint in the original (CompVis / sgm) layout —
// a single file, or a diffusers folder renamed to it — into a ModelBundle's components:
//   text       SD 1.x Sd1TextConditioner, SD 2.x Sd2TextConditioner, SDXL SdxlTextConditioner
//   diffusion  UNetDiffusionModel (4 or 9 input channels)
//   schedule   DiscreteVpNoiseSchedule: the file's alphas_cumprod, else SD's scaled_linear, or
//              the folder's scheduler_config.json
//   vae        AutoencoderKlCodec (empty when the file has no VAE)
// The families' facts (prediction, latent scale factor, preview format) come from
// family_facts.h, overridden by what a sidecar / the folder's configs state.
//
// Contract: runs on the calling thread and fills a bundle no other thread sees yet. Failure:
// GenerationError(ModelLoad) when the CLIP vocabulary is not found; loader and torch errors
// (std::exception) propagate for the caller to translate.
#pragma once

#include "core/io/safetensors.h"
#include "core/pipeline/model_bundle.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

/// What the SD factory builds from.
struct SdModelSource {
  const SafetensorsFile* file = nullptr;  ///< original layout
  CheckpointInfo info;                    ///< family SD1, SD2 or SDXL (checked by the caller)
  ModelOverrides overrides;               ///< sidecar / diffusers configs
  std::vector<std::filesystem::path> vocabDirs;  ///< CLIP BPE vocabulary, in search order
  /// SD2: layers the stored text encoder already lacks. Diffusers SD2 folders ship the OpenCLIP
  /// tower without its last layer, so their last layer is the original's penultimate (1 there).
  int64_t textLayersDropped = 0;
  /// Diffusers folders: scheduler/scheduler_config.json and its `_class_name`; replaces the
  /// schedule table.
  std::optional<DiffusersConfig> scheduler;
  std::string schedulerClass;
};

/// The CLIP BPE tokenizer from the first of `dirs` holding a vocabulary (findClipVocab); also
/// used by the SD3 factory. Throws GenerationError(ModelLoad) naming every folder looked in.
std::shared_ptr<const ClipTokenizer> loadClipTokenizer(
    const std::vector<std::filesystem::path>& dirs);

/// Fills family, dtype, device and the four components of `bundle` (not its description).
void buildSdBundle(ModelBundle& bundle, const SdModelSource& source, c10::ScalarType dtype,
                   c10::Device device);

}  // namespace lienzo
