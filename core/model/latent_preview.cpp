#include "core/model/latent_preview.h"

#include <ATen/ATen.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace lienzo {

namespace {

// Ref: ComfyUI comfy/latent_formats.py, class SD15 latent_rgb_factors (also used for SD2,
// whose VAE is the SD1 one).
const LatentRgbProjection kSd15{{{
                                    {0.3512f, 0.2297f, 0.3227f},
                                    {0.3250f, 0.4974f, 0.2350f},
                                    {-0.2829f, 0.1762f, 0.2721f},
                                    {-0.2120f, -0.2616f, -0.7177f},
                                }},
                                {0.0f, 0.0f, 0.0f}};

// Ref: ComfyUI comfy/latent_formats.py, class SDXL latent_rgb_factors and
// latent_rgb_factors_bias.
const LatentRgbProjection kSdxl{{{
                                    {0.3651f, 0.4232f, 0.4341f},
                                    {-0.2533f, -0.0042f, 0.1068f},
                                    {0.1076f, 0.1111f, -0.0362f},
                                    {-0.3165f, -0.2492f, -0.2188f},
                                }},
                                {0.1084f, -0.0175f, -0.0011f}};

}  // namespace

const LatentRgbProjection& latentRgbProjection(LatentFormat format) {
  return format == LatentFormat::SDXL ? kSdxl : kSd15;
}

// Ref: ComfyUI latent_preview.py Latent2RGBPreviewer.decode_latent_to_preview +
// preview_to_image: F.linear(x0.movedim(0, -1), factorsᵀ, bias), ((v + 1) / 2).clamp(0, 1)
// .mul(255).to(uint8) (truncation).
at::Tensor latentPreviewRgb(const at::Tensor& latent, LatentFormat format) {
  if (!latent.defined() || (latent.dim() != 4 && latent.dim() != 3) ||
      latent.size(latent.dim() - 3) != 4)
    throw std::invalid_argument("latentPreviewRgb: latent must be [B,4,h,w] or [4,h,w]");
  const at::Tensor x =
      (latent.dim() == 3 ? latent.unsqueeze(0) : latent).to(at::kCPU, at::kFloat);  // [B,4,h,w]
  const LatentRgbProjection& p = latentRgbProjection(format);
  float w[3][4];  // [RGB, channel], the F.linear weight layout
  for (int c = 0; c < 4; ++c)
    for (int k = 0; k < 3; ++k) w[k][c] = p.factors[c][k];
  float b[3] = {p.bias[0], p.bias[1], p.bias[2]};
  const at::Tensor weight = at::from_blob(w, {3, 4}, at::kFloat).clone();
  const at::Tensor bias = at::from_blob(b, {3}, at::kFloat).clone();
  at::Tensor rgb = at::linear(x.permute({0, 2, 3, 1}), weight, bias);  // [B,h,w,3]
  rgb = at::nan_to_num(rgb, 0.0).add_(1.0).div_(2.0).clamp_(0.0, 1.0).mul_(255.0);
  return rgb.to(at::kByte).contiguous();  // truncation toward zero; [B,h,w,3]
}

PreviewImage latentPreviewImage(const at::Tensor& latent, LatentFormat format, int64_t index) {
  at::Tensor one = latent;
  if (latent.defined() && latent.dim() == 4) {
    if (index < 0 || index >= latent.size(0))
      throw std::out_of_range("latentPreviewImage: index " + std::to_string(index) +
                              " outside the batch of " + std::to_string(latent.size(0)));
    one = latent[index];
  }
  const at::Tensor rgb = latentPreviewRgb(one, format)[0];  // [h,w,3] contiguous
  PreviewImage image;
  image.height = rgb.size(0);
  image.width = rgb.size(1);
  image.rgb.resize(static_cast<std::size_t>(rgb.numel()));
  std::memcpy(image.rgb.data(), rgb.data_ptr<uint8_t>(), image.rgb.size());
  return image;
}

}  // namespace lienzo
