// The hires fix's geometry and upscalers (stage 2 of the second pass): the target size A1111
// computes from "Upscale by" / "Resize width/height to", the latent upscalers
// (F.interpolate modes) and the pixel Lanczos path. The second pass itself is an img2img run
// with fixed-steps semantics (denoise_stage.h).
// Ref: A1111 modules/processing.py StableDiffusionProcessingTxt2Img
//      .calculate_target_resolution / sample_hr_pass, shared.latent_upscale_modes;
//      ../shared/specs/next-wave.md §3.1.
//
// Contract: pure functions; any thread. Failure: GenerationError(InvalidParams) for an unknown
// upscaler or a target size that is not positive.
#pragma once

#include "core/pipeline/pipeline.h"

#include <ATen/core/Tensor.h>

#include <string>

namespace lienzo {

struct HiresTarget {
  int upscaledWidth = 0, upscaledHeight = 0;  ///< the size the first pass is upscaled to
  int width = 0, height = 0;                  ///< the final size (after the central crop)
  /// Latent pixels cropped after upscaling (A1111 truncate_x/y, when both "Resize to" sides are
  /// given and the aspect differs: upscale to cover, then crop centrally).
  int truncateX = 0, truncateY = 0;
};

/// A1111 calculate_target_resolution with sizes rounded down to multiples of `factor` (the VAE
/// factor; A1111 truncates to latent pixels the same way).
HiresTarget hiresTarget(int width, int height, const HiresParams& hires, int factor = 8);

/// True for the "Latent …" upscalers (the latent is interpolated; no decode/encode in between).
bool isLatentUpscaler(const std::string& name);

/// F.interpolate(latent, (H/f, W/f), mode, antialias) for a latent upscaler name, then the
/// central crop of `target`. latent [1,C,h,w] → [1,C,height/f,width/f].
at::Tensor upscaleLatent(const at::Tensor& latent, const std::string& upscaler,
                         const HiresTarget& target, int factor = 8);

/// The central crop of `target` applied to a latent that is already upscaledWidth/f wide.
at::Tensor truncateLatent(const at::Tensor& latent, const HiresTarget& target);

}  // namespace lienzo
