// Merging LoRA-family adapters into a model's weights: every module of every file is resolved to
// a checkpoint weight (adapter_keys.h), its change computed (adapter_file.h) and accumulated in
// float32 onto the base weight, then the merged weights replace the modules' data
// (weight_patcher.h). Strict and said out loud: each module is applied or listed with the reason
// it was not (a file made for another family, a key this model has no weight for, an unknown
// adapter type, a shape mismatch). Nothing is skipped silently.
//
// Order: files in the given order, modules in file order; a weight several files change gets
// W + Σ ΔWᵢ·scaleᵢ·mᵢ (A1111 adds each network to the already-changed weight; only DoRA sees the
// difference). A text-encoder module uses the text strength, a U-Net module the U-Net strength
// (A1111 `<lora:name:te:unet>`); a strength of 0 leaves its weights alone.
// Ref: A1111 extensions-builtin/Lora/networks.py network_apply_weights; ComfyUI LoraLoader.
//
// Contract: call with the patcher's lock held (WeightPatcher::lock()). Restores the base first,
// so the result depends only on `adapters`; an empty list leaves the loaded model, bit for bit.
// When `signature` equals the patcher's, nothing is recomputed (switching back and forth between
// requests costs only what changed). Torch errors propagate; the patcher is then restored.
#pragma once

#include "core/adapters/adapter_file.h"
#include "core/adapters/weight_patcher.h"

#include <memory>
#include <string>
#include <vector>

namespace lienzo {

struct AdapterApplication {
  std::shared_ptr<const AdapterFile> file;
  double textStrength = 1.0;
  double unetStrength = 1.0;
};

struct UnappliedModule {
  std::string module;  ///< the file's module name (kohya form)
  std::string reason;
};

struct AdapterFileReport {
  std::string name;  ///< file stem
  size_t modules = 0;
  size_t applied = 0;
  std::vector<UnappliedModule> unapplied;
};

struct AdapterReport {
  std::vector<AdapterFileReport> files;
  size_t patchedWeights = 0;
  bool cached = false;  ///< the patches of the previous request were reused
  /// One sentence per file that was not applied in full, listing every module not applied,
  /// grouped by reason.
  std::vector<std::string> notices() const;
};

/// A cache key for `adapters`: paths, sizes, modification times and strengths.
std::string adapterSignature(const std::vector<AdapterApplication>& adapters);

AdapterReport applyAdapters(WeightPatcher& patcher,
                            const std::vector<AdapterApplication>& adapters);

}  // namespace lienzo
