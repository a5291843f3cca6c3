// The facts of each Stable Diffusion family that the weights cannot tell, stated once: what
// the network predicts, the latent scale factor, the latent-preview projection, the default
// picture size. The loader (model_bundle.cpp), the cheap header-only description
// (describeModelFile) and the UI all read them from here, so they cannot disagree.
// The built-in model states its own facts in its metadata (builtin_config.h).
//
// Pure functions; any thread. Failure: std::invalid_argument for a family Lienzo does not run.
#pragma once

#include "core/io/checkpoint.h"
#include "core/model/latent_preview.h"
#include "core/sampling/sampler.h"

#include <optional>

namespace lienzo {

struct FamilyFacts {
  Prediction prediction = Prediction::Epsilon;
  double scaleFactor = 0.18215;  ///< diffusion latent = scale · VAE latent
  LatentFormat latentFormat = LatentFormat::SD15;
  int defaultSize = 512;  ///< square default picture side in pixels
  /// The TAESD variant of the latent space (madebyollin/taesd file names): "taesd" (SD 1.x/2.x),
  /// "taesdxl" (SDXL).
  const char* taesdName = "taesd";
};

/// The facts of `family` (SD1, SD2, SDXL); `prediction` and `scaleFactor` override the family's
/// defaults when a sidecar config or a diffusers scheduler states them. SD 2.x defaults to
/// v-prediction at 768 px; an ε-prediction SD 2.x (the 512 px base) gets 512.
// Ref: Stability-AI stablediffusion configs v2-inference(-v).yaml; sgm sd_xl_base.yaml;
// CompVis v1-inference.yaml
FamilyFacts familyFacts(ModelFamily family, std::optional<Prediction> prediction = std::nullopt,
                        std::optional<double> scaleFactor = std::nullopt);

}  // namespace lienzo
