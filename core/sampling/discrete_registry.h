// Hook between the registry (registry.cpp) and the CompVis/diffusers-style samplers that
// discrete.cmake adds to lienzo_core_sampling. When discrete.cmake defines
// LIENZO_HAVE_DISCRETE_SAMPLERS on lienzo_core_sampling, the registry lists "DDIM", "PLMS",
// "UniPC" and "LCM" and creates them through makeDiscreteSampler(); without it they are absent.
#pragma once

#include <memory>
#include <string>

#include "core/sampling/sampler.h"

namespace lienzo {

/// Creates the sampler with the canonical catalog name "DDIM", "PLMS", "UniPC" or "LCM";
/// returns nullptr for any other name. Implemented by the discrete samplers' sources.
std::unique_ptr<Sampler> makeDiscreteSampler(const std::string& canonicalName);

}  // namespace lienzo
