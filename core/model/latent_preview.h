// Cheap latent -> RGB previews: a per-pixel linear projection of the 4 latent channels to RGB
// (no VAE), at latent resolution. Used for the per-step preview of the predicted x0.
//
// Contract: input latents are in the diffusion (scaled) space, i.e. what the sampler works on
// (VAE latent * scale_factor), [B,4,h,w] or [4,h,w], any floating dtype and device. Output is a
// CPU uint8 tensor [B,h,w,3] (NHWC, contiguous), computed as
//   rgb = latentᵀ · factors + bias;  u8 = trunc(clamp((rgb + 1) / 2, 0, 1) * 255)
// (NaN maps to 0 before clamping). Pure functions, thread-safe; std::invalid_argument on a wrong
// shape.
#pragma once

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <vector>

namespace lienzo {

/// Which projection to use. SD 1.x and SD 2.x share the SD1 VAE latent space.
enum class LatentFormat { SD15, SDXL };

struct LatentRgbProjection {
  std::array<std::array<float, 3>, 4> factors;  ///< [latent channel][R,G,B]
  std::array<float, 3> bias;                    ///< added to RGB (zero for SD15)
};

/// The coefficients (see latent_preview.cpp for their source).
const LatentRgbProjection& latentRgbProjection(LatentFormat format);

/// [B,4,h,w] or [4,h,w] -> uint8 [B,h,w,3] on the CPU.
at::Tensor latentPreviewRgb(const at::Tensor& latent, LatentFormat format);

/// One image of a preview batch as plain bytes (for code that keeps torch out, e.g. the UI glue).
struct PreviewImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> rgb;  ///< height * width * 3 bytes, row-major, RGB888
};

/// latentPreviewRgb() of latent[index] (index ignored for a [4,h,w] latent); throws
/// std::out_of_range for a bad index.
PreviewImage latentPreviewImage(const at::Tensor& latent, LatentFormat format, int64_t index = 0);

}  // namespace lienzo
