#include "core/io/checkpoint_family.h"

namespace lienzo {

const char* familyName(ModelFamily family) {
  switch (family) {
    case ModelFamily::SD1:
      return "SD 1.x";
    case ModelFamily::SD2:
      return "SD 2.x";
    case ModelFamily::SDXL:
      return "SDXL base";
    case ModelFamily::SDXLRefiner:
      return "SDXL refiner";
    case ModelFamily::SD3:
      return "SD3 (MMDiT)";
    case ModelFamily::Flux:
      return "Flux";
    case ModelFamily::LienzoBuiltin:
      return "Lienzo built-in";
    case ModelFamily::Unknown:
      break;
  }
  return "unknown";
}

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// The shape of the first key under `prefix` containing `needle` (keys are sorted, so this is
/// deterministic); null when there is none.
const std::vector<int64_t>* findShape(const TensorShapes& tensors, const std::string& prefix,
                                      const std::string& needle) {
  for (auto it = tensors.lower_bound(prefix); it != tensors.end(); ++it) {
    if (!startsWith(it->first, prefix)) break;
    if (it->first.find(needle) != std::string::npos) return &it->second;
  }
  return nullptr;
}

}  // namespace

bool anyKeyStartsWith(const TensorShapes& tensors, const std::string& prefix) {
  const auto it = tensors.lower_bound(prefix);
  return it != tensors.end() && startsWith(it->first, prefix);
}

ModelFamily detectCheckpointFamily(const TensorShapes& tensors,
                                   const std::map<std::string, std::string>& metadata,
                                   bool* unetOnly) {
  if (unetOnly) *unetOnly = false;
  const std::string unet = "model.diffusion_model.";
  if (metadata.count("lienzo.model") != 0) return ModelFamily::LienzoBuiltin;
  if (anyKeyStartsWith(tensors, unet + "joint_blocks.")) return ModelFamily::SD3;
  if (anyKeyStartsWith(tensors, "double_blocks.") ||
      anyKeyStartsWith(tensors, unet + "double_blocks."))
    return ModelFamily::Flux;
  if (anyKeyStartsWith(tensors, "conditioner.embedders.")) {
    const bool clipL = anyKeyStartsWith(tensors, "conditioner.embedders.0.transformer.");
    const bool bigG = anyKeyStartsWith(tensors, "conditioner.embedders.1.model.");
    if (clipL && bigG) return ModelFamily::SDXL;
    if (anyKeyStartsWith(tensors, "conditioner.embedders.0.model."))
      return ModelFamily::SDXLRefiner;
    return ModelFamily::Unknown;
  }
  if (anyKeyStartsWith(tensors, "cond_stage_model.transformer.")) return ModelFamily::SD1;
  if (anyKeyStartsWith(tensors, "cond_stage_model.model.")) return ModelFamily::SD2;
  if (!anyKeyStartsWith(tensors, unet)) return ModelFamily::Unknown;
  // U-Net only: label_emb means SDXL; linear proj_in means SD2-style transformers.
  if (unetOnly) *unetOnly = true;
  if (anyKeyStartsWith(tensors, unet + "label_emb.")) return ModelFamily::SDXL;
  if (const auto* shape = findShape(tensors, unet, "proj_in.weight"))
    return shape->size() == 2 ? ModelFamily::SD2 : ModelFamily::SD1;
  return ModelFamily::Unknown;
}

}  // namespace lienzo
