// Stage 0 of a generation: the networks a request names. The prompt's `<lora:…>` tags
// (prompt_networks.h) and GenerationParams::adapters are found in LibraryFolders::loras, merged
// into the model's weights (adapter_merge.h) and taken out of the text the encoders see. What
// could not be done as asked — a tag naming no file, a file that cannot be read, modules not
// applied, a model that takes no adapters — becomes a notice; the generation goes on (A1111).
// Ref: A1111 modules/extra_networks.py activate, extensions-builtin/Lora/networks.py
// load_networks; next-wave.md §4.3.
//
// Contract: runs on the generating thread. The returned ActiveNetworks holds the bundle's weight
// lock (WeightPatcher::lock) for as long as it lives: keep it until the request's last forward
// pass. Torch errors while merging propagate (the weights are then restored).
#pragma once

#include "core/pipeline/params_infotext.h"
#include "core/pipeline/pipeline.h"

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

struct ActiveNetworks {
  std::unique_lock<std::mutex> lock;  ///< the bundle's weights (empty for the built-in model)
  std::string prompt;                 ///< the prompt without extra-network tags
  std::string negativePrompt;         ///< likewise
  std::string hiresPrompt;            ///< likewise ("" = the first pass's)
  std::string hiresNegativePrompt;
  NetworkHashes hashes;  ///< the LoRAs applied ("Lora hashes")
  std::vector<std::string> notices;
  size_t patchedWeights = 0;
};

ActiveNetworks activateNetworks(const ModelBundle& bundle, const GenerationParams& params);

/// The adapter file `name` names: an existing path as given (absolute, or with a '/'), else the
/// first `<folder>/…/<name>.safetensors` of `folders` (searched recursively, as A1111's Lora
/// folder is), else a pickle of that name (.pt/.ckpt/.bin, which opening then refuses).
std::optional<std::filesystem::path> findLoraFile(const std::vector<std::filesystem::path>& folders,
                                                  const std::string& name);

}  // namespace lienzo
