// Hires fix geometry and upscalers (hires_stage.h).
#include "core/pipeline/hires_stage.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace lienzo {

using Code = GenerationError::Code;

bool isLatentUpscaler(const std::string& name) {
  return name.rfind("Latent", 0) == 0;
}

HiresTarget hiresTarget(int width, int height, const HiresParams& hires, int factor) {
  HiresTarget t;
  const int rx = hires.width, ry = hires.height;
  // Ref: A1111 StableDiffusionProcessingTxt2Img.calculate_target_resolution
  if (rx == 0 && ry == 0) {
    t.upscaledWidth = static_cast<int>(width * hires.scale);
    t.upscaledHeight = static_cast<int>(height * hires.scale);
  } else if (ry == 0) {
    t.upscaledWidth = rx;
    t.upscaledHeight = rx * height / width;
  } else if (rx == 0) {
    t.upscaledWidth = ry * width / height;
    t.upscaledHeight = ry;
  } else {
    const double src = double(width) / height, dst = double(rx) / ry;
    if (src < dst) {
      t.upscaledWidth = rx;
      t.upscaledHeight = rx * height / width;
    } else {
      t.upscaledWidth = ry * width / height;
      t.upscaledHeight = ry;
    }
    t.truncateX = (t.upscaledWidth - rx) / factor;
    t.truncateY = (t.upscaledHeight - ry) / factor;
  }
  t.upscaledWidth = t.upscaledWidth / factor * factor;
  t.upscaledHeight = t.upscaledHeight / factor * factor;
  t.width = t.upscaledWidth - t.truncateX * factor;
  t.height = t.upscaledHeight - t.truncateY * factor;
  if (t.width < factor || t.height < factor)
    throw GenerationError(Code::InvalidParams, "the hires target size " + std::to_string(t.width) +
                                                   "x" + std::to_string(t.height) +
                                                   " is too small");
  return t;
}

at::Tensor truncateLatent(const at::Tensor& latent, const HiresTarget& t) {
  if (t.truncateX == 0 && t.truncateY == 0) return latent;
  // Ref: A1111 sample_hr_pass: x[:, :, ty//2 : h-(ty+1)//2, tx//2 : w-(tx+1)//2]
  const int64_t h = latent.size(2), w = latent.size(3);
  return latent.narrow(2, t.truncateY / 2, h - t.truncateY / 2 - (t.truncateY + 1) / 2)
      .narrow(3, t.truncateX / 2, w - t.truncateX / 2 - (t.truncateX + 1) / 2);
}

at::Tensor upscaleLatent(const at::Tensor& latent, const std::string& upscaler,
                         const HiresTarget& t, int factor) {
  const std::vector<int64_t> dims = {t.upscaledHeight / factor, t.upscaledWidth / factor};
  const at::IntArrayRef size(dims);
  const auto x = latent.to(at::kFloat);  // [1,C,h,w]
  at::Tensor out;
  // Ref: A1111 shared.latent_upscale_modes → torch.nn.functional.interpolate(mode, antialias)
  if (upscaler == "Latent")
    out = at::upsample_bilinear2d(x, size, /*align_corners=*/false);
  else if (upscaler == "Latent (antialiased)")
    out = at::_upsample_bilinear2d_aa(x, size, false);
  else if (upscaler == "Latent (bicubic)")
    out = at::upsample_bicubic2d(x, size, false);
  else if (upscaler == "Latent (bicubic antialiased)")
    out = at::_upsample_bicubic2d_aa(x, size, false);
  else if (upscaler == "Latent (nearest)")
    out = at::upsample_nearest2d(x, size);
  else if (upscaler == "Latent (nearest-exact)")
    out = at::_upsample_nearest_exact2d(x, size);
  else
    throw GenerationError(Code::InvalidParams, "unknown latent upscaler '" + upscaler + "'");
  return truncateLatent(out, t);
}

}  // namespace lienzo
