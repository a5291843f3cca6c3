// makeDiscreteSampler(): the registry's hook (discrete_registry.h) for the CompVis/diffusers-style
// samplers.
#include "core/sampling/discrete_registry.h"

#include "core/sampling/ddim.h"
#include "core/sampling/lcm.h"
#include "core/sampling/plms.h"
#include "core/sampling/unipc.h"

namespace lienzo {

std::unique_ptr<Sampler> makeDiscreteSampler(const std::string& canonicalName) {
  if (canonicalName == "DDIM") return makeDdimSampler();
  if (canonicalName == "PLMS") return makePlmsSampler();
  if (canonicalName == "UniPC") return makeUniPcSampler();
  if (canonicalName == "LCM") return makeLcmSampler();
  return nullptr;
}

}  // namespace lienzo
