// Hook between the registry (registry.cpp) and the CompVis/diffusers-style samplers that
// discrete.cmake adds to lienzo_core_sampling: the registry creates the catalog's "DDIM", "PLMS",
// "UniPC" and "LCM" through makeDiscreteSampler().
#pragma once

#include <memory>
#include <string>

#include "core/sampling/sampler.h"

namespace lienzo {

/// Creates the sampler with the canonical catalog name "DDIM", "PLMS", "UniPC" or "LCM";
/// returns nullptr for any other name. Implemented by the discrete samplers' sources.
std::unique_ptr<Sampler> makeDiscreteSampler(const std::string& canonicalName);

}  // namespace lienzo
