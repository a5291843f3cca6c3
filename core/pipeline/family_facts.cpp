#include "core/pipeline/family_facts.h"

#include <stdexcept>
#include <string>

namespace lienzo {

FamilyFacts familyFacts(ModelFamily family, std::optional<Prediction> prediction,
                        std::optional<double> scaleFactor) {
  FamilyFacts f;
  switch (family) {
    case ModelFamily::SD1:
      break;
    case ModelFamily::SD2:
      f.prediction = Prediction::V;
      break;
    case ModelFamily::SDXL:
      f.latentFormat = LatentFormat::SDXL;
      f.taesdName = "taesdxl";
      f.defaultSize = 1024;
      break;
    default:
      throw std::invalid_argument(std::string("no Stable Diffusion facts for ") +
                                  familyName(family));
  }
  f.scaleFactor = latentFormatFacts(f.latentFormat).scale;  // the latent space's own scale
  if (prediction) f.prediction = *prediction;
  if (scaleFactor) f.scaleFactor = *scaleFactor;
  if (family == ModelFamily::SD2) f.defaultSize = f.prediction == Prediction::V ? 768 : 512;
  return f;
}

}  // namespace lienzo
