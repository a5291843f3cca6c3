// The latent formats (the VAE latent spaces the diffusion models work in) and their facts, stated
// once: channels, the diffusion-space scaling (model latent = (VAE latent − shift)·scale) and the
// cheap latent -> RGB preview, a per-pixel linear projection of the latent channels to RGB (no
// VAE) at latent resolution, used for the per-step preview of the predicted x0.
//
// Contract: input latents are in the diffusion (scaled) space, i.e. what the sampler works on
// ((VAE latent − shift)·scale), [B,C,h,w] or [C,h,w] with the format's C channels, any floating
// dtype and device. Output is a
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

/// The latent space. SD 1.x and SD 2.x share the SD1 VAE latent space; SD3 / SD3.5 and Flux.1
/// have 16-channel VAEs of their own.
enum class LatentFormat { SD15, SDXL, SD3, Flux };

/// What a latent format is.
struct LatentFormatFacts {
  const char* name;  ///< "SD1", "SDXL", "SD3", "Flux"
  int64_t channels;  ///< latent channels (4 or 16)
  double scale;      ///< diffusion latent = (VAE latent − shift) · scale
  double shift;
};
// Ref: CompVis v1-inference.yaml scale_factor 0.18215; sgm sd_xl_base.yaml 0.13025;
// Stability-AI/sd3.5 sd3_impls.py SD3LatentFormat (1.5305, 0.0609); black-forest-labs/flux
// util.py AutoEncoderParams (0.3611, 0.1159).
const LatentFormatFacts& latentFormatFacts(LatentFormat format);

struct LatentRgbProjection {
  std::vector<std::array<float, 3>> factors;  ///< [latent channel][R,G,B]
  std::array<float, 3> bias;                  ///< added to RGB (zero for SD15)
};

/// The coefficients (see latent_preview.cpp for their source).
const LatentRgbProjection& latentRgbProjection(LatentFormat format);

/// [B,C,h,w] or [C,h,w] (C = the format's channels) -> uint8 [B,h,w,3] on the CPU.
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
