#include "core/model/dit_gguf.h"

#include "core/io/gguf_weights.h"

#include <stdexcept>

namespace lienzo {

namespace {

std::string sourceOf(const GgufWeights& weights) {
  return weights.file().path().string();
}

void requireFamily(const GgufWeights& weights, ModelFamily wanted) {
  const ModelFamily found = ggufDitFamily(weights);
  if (found != wanted)
    throw std::invalid_argument(
        sourceOf(weights) + ": not a " + familyName(wanted) + " transformer GGUF (" +
        (weights.file().architecture().empty()
             ? std::string("the tensor names say ") + familyName(weights.file().family())
             : "general.architecture is '" + weights.file().architecture() + "'") +
        ")");
}

}  // namespace

ModelFamily ggufDitFamily(const GgufWeights& weights) {
  const ModelFamily family = weights.file().family();
  return family == ModelFamily::Flux || family == ModelFamily::SD3 ? family : ModelFamily::Unknown;
}

FluxConfig fluxConfigFromGguf(const GgufWeights& weights,
                              const std::optional<std::vector<int64_t>>& axesDim) {
  requireFamily(weights, ModelFamily::Flux);
  return FluxConfig::fromShapes(weights.file().shapes(), weights.file().modelPrefix(),
                                sourceOf(weights), axesDim);
}

MmditConfig mmditConfigFromGguf(const GgufWeights& weights) {
  requireFamily(weights, ModelFamily::SD3);
  return MmditConfig::fromShapes(weights.file().shapes(), weights.file().modelPrefix(),
                                 sourceOf(weights));
}

Flux loadFluxGguf(const GgufWeights& weights, c10::ScalarType dtype, c10::Device device,
                  GgufWeightMode mode, const std::optional<std::vector<int64_t>>& axesDim,
                  GgufLoadReport* report) {
  Flux flux(fluxConfigFromGguf(weights, axesDim));
  const GgufLoadReport r =
      loadGgufModuleWeights(*flux, weights, weights.file().modelPrefix(), dtype, device, mode);
  if (report) *report = r;
  return flux;
}

Mmdit loadMmditGguf(const GgufWeights& weights, c10::ScalarType dtype, c10::Device device,
                    GgufWeightMode mode, GgufLoadReport* report) {
  Mmdit mmdit(mmditConfigFromGguf(weights));
  const GgufLoadReport r =
      loadGgufModuleWeights(*mmdit, weights, weights.file().modelPrefix(), dtype, device, mode);
  if (report) *report = r;
  return mmdit;
}

uint64_t ggufDitResidentBytes(const GgufWeights& weights, c10::ScalarType dtype) {
  return ggufPackedResidentBytes(weights, weights.file().modelPrefix(), dtype);
}

}  // namespace lienzo
