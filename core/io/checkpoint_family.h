// Checkpoint family from tensor names and shapes alone — the torch-free half of checkpoint.h.
//
// Contract: pure functions over a name → shape index (what a safetensors header holds), so both
// the torch-linked checkpoint identification (checkpoint.h, from a mapped SafetensorsFile) and the
// torch-free model library (core/library, from a header read with safetensors_header.h) decide
// the family with the same rules. Nothing is read from disk here. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lienzo {

enum class ModelFamily {
  Unknown,
  SD1,   ///< SD 1.x: CLIP ViT-L text encoder (HF layout), conv proj in transformers
  SD2,   ///< SD 2.x: OpenCLIP ViT-H text encoder, linear proj (ε or v: not knowable from keys)
  SDXL,  ///< SDXL base: two text encoders + label_emb (ADM) vector conditioning
  SDXLRefiner,   ///< SDXL refiner: OpenCLIP bigG only
  SD3,           ///< MMDiT (joint_blocks)
  Flux,          ///< Flux (double_blocks / single_blocks)
  LienzoBuiltin  ///< Lienzo's own trained model (metadata "lienzo.model")
};
const char* familyName(ModelFamily family);

/// Tensor name → shape, sorted by name (std::map), as read from a safetensors header.
using TensorShapes = std::map<std::string, std::vector<int64_t>>;

/// The family of a single-file checkpoint. `metadata` is the header's `__metadata__` (only
/// "lienzo.model" is consulted). `unetOnly`, when given, is set to true when the family was
/// inferred from a U-Net without text encoders (a fact identifyCheckpoint() reports as a note).
ModelFamily detectCheckpointFamily(const TensorShapes& tensors,
                                   const std::map<std::string, std::string>& metadata,
                                   bool* unetOnly = nullptr);

/// True when some tensor name starts with `prefix` (O(log n) on the sorted index).
bool anyKeyStartsWith(const TensorShapes& tensors, const std::string& prefix);

}  // namespace lienzo
