// GenerationParams <-> A1111 infotext (the `parameters` text every saved image carries).
//
// Contract: toInfotext() writes A1111's key order (Steps, Sampler, Schedule type, CFG scale,
// Seed, Size, Model hash, Model, Clip skip, RNG, Version) with the params' *actual* seed.
// applyInfotext() restores what the text carries onto `base` and leaves the other fields as they
// are; unknown keys are ignored and unparsable values are skipped (listed in `skipped`), never
// fatal — a PNG from another tool restores what it can. Sampler and schedule names are resolved to
// their canonical spelling (core/sampling/sampler_names.h): aliases ("k_euler_a" -> "Euler a",
// "Normal" -> "Uniform"), and old A1111 names such as "DPM++ 2M Karras" are split into sampler
// "DPM++ 2M" + schedule "Karras"; names Lienzo does not know are kept as written. Thread-safe.
#pragma once

#include "core/io/infotext.h"
#include "core/pipeline/pipeline.h"

#include <string>
#include <vector>

namespace lienzo {

Infotext toInfotext(const GenerationParams& params, const ModelDescription* model = nullptr);

struct RestoredParams {
  GenerationParams params;
  std::string modelName;             ///< "Model" field, if any
  std::string modelHash;             ///< "Model hash" field, if any
  std::vector<std::string> skipped;  ///< "Key: value" pairs that could not be applied
};
RestoredParams applyInfotext(const Infotext& info, const GenerationParams& base);

}  // namespace lienzo
