// hiresUpscalers() (declared in pipeline.h): the upscaler names the hires fix accepts.
#include "core/pipeline/pipeline.h"

namespace lienzo {

// Ref: AUTOMATIC1111 stable-diffusion-webui modules/shared.py latent_upscale_modes (the "Latent"
//      family: F.interpolate mode + antialias) and modules/upscaler.py UpscalerLanczos.
const std::vector<std::string>& hiresUpscalers() {
  static const std::vector<std::string> kNames = {
      "Latent",           "Latent (antialiased)",
      "Latent (bicubic)", "Latent (bicubic antialiased)",
      "Latent (nearest)", "Latent (nearest-exact)",
      "Lanczos",
  };
  return kNames;
}

}  // namespace lienzo
