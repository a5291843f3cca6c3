#include "core/model/latent_preview.h"

#include <ATen/ATen.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

namespace {

// Ref: ComfyUI comfy/latent_formats.py, class SD15 latent_rgb_factors (also used for SD2,
// whose VAE is the SD1 one).
const LatentRgbProjection kSd15{{
                                    {0.3512f, 0.2297f, 0.3227f},
                                    {0.3250f, 0.4974f, 0.2350f},
                                    {-0.2829f, 0.1762f, 0.2721f},
                                    {-0.2120f, -0.2616f, -0.7177f},
                                },
                                {0.0f, 0.0f, 0.0f}};

// Ref: ComfyUI comfy/latent_formats.py, class SDXL latent_rgb_factors and
// latent_rgb_factors_bias.
const LatentRgbProjection kSdxl{{
                                    {0.3651f, 0.4232f, 0.4341f},
                                    {-0.2533f, -0.0042f, 0.1068f},
                                    {0.1076f, 0.1111f, -0.0362f},
                                    {-0.3165f, -0.2492f, -0.2188f},
                                },
                                {0.1084f, -0.0175f, -0.0011f}};

// Ref: Stability-AI/sd3.5 sd3_impls.py SD3LatentFormat.decode_latent_to_preview (MIT).
const LatentRgbProjection kSd3{{
                                   {-0.0645f, 0.0177f, 0.1052f},
                                   {0.0028f, 0.0312f, 0.0650f},
                                   {0.1848f, 0.0762f, 0.0360f},
                                   {0.0944f, 0.0360f, 0.0889f},
                                   {0.0897f, 0.0506f, -0.0364f},
                                   {-0.0020f, 0.1203f, 0.0284f},
                                   {0.0855f, 0.0118f, 0.0283f},
                                   {-0.0539f, 0.0658f, 0.1047f},
                                   {-0.0057f, 0.0116f, 0.0700f},
                                   {-0.0412f, 0.0281f, -0.0039f},
                                   {0.1106f, 0.1171f, 0.1220f},
                                   {-0.0248f, 0.0682f, -0.0481f},
                                   {0.0815f, 0.0846f, 0.1207f},
                                   {-0.0120f, -0.0055f, -0.0867f},
                                   {-0.0749f, -0.0634f, -0.0456f},
                                   {-0.1418f, -0.1457f, -0.1259f},
                               },
                               {0.0f, 0.0f, 0.0f}};

// Ref: leejet/stable-diffusion.cpp latent-preview.h flux_latent_rgb_proj / _bias (MIT).
const LatentRgbProjection kFlux{{
                                    {-0.041168f, 0.019917f, 0.097253f},
                                    {0.028096f, 0.026730f, 0.129576f},
                                    {0.065618f, -0.067950f, -0.014651f},
                                    {-0.012998f, -0.014762f, 0.081251f},
                                    {0.078567f, 0.059296f, -0.024687f},
                                    {-0.015987f, -0.003697f, 0.005012f},
                                    {0.033605f, 0.138999f, 0.068517f},
                                    {-0.024450f, -0.063567f, -0.030101f},
                                    {-0.040194f, -0.016710f, 0.127185f},
                                    {0.112681f, 0.088764f, -0.041940f},
                                    {-0.023498f, 0.093664f, 0.025543f},
                                    {0.082899f, 0.048320f, 0.007491f},
                                    {0.075712f, 0.074139f, 0.081965f},
                                    {-0.143501f, 0.018263f, -0.136138f},
                                    {-0.025767f, -0.082035f, -0.040023f},
                                    {-0.111849f, -0.055589f, -0.032361f},
                                },
                                {0.024600f, -0.006937f, -0.008089f}};

const LatentFormatFacts kFacts[] = {
    {"SD1", 4, 0.18215, 0.0},
    {"SDXL", 4, 0.13025, 0.0},
    {"SD3", 16, 1.5305, 0.0609},
    {"Flux", 16, 0.3611, 0.1159},
};

}  // namespace

const LatentFormatFacts& latentFormatFacts(LatentFormat format) {
  return kFacts[static_cast<int>(format)];
}

const LatentRgbProjection& latentRgbProjection(LatentFormat format) {
  switch (format) {
    case LatentFormat::SDXL:
      return kSdxl;
    case LatentFormat::SD3:
      return kSd3;
    case LatentFormat::Flux:
      return kFlux;
    case LatentFormat::SD15:
      break;
  }
  return kSd15;
}

// Ref: ComfyUI latent_preview.py Latent2RGBPreviewer.decode_latent_to_preview +
// preview_to_image: F.linear(x0.movedim(0, -1), factorsᵀ, bias), ((v + 1) / 2).clamp(0, 1)
// .mul(255).to(uint8) (truncation).
at::Tensor latentPreviewRgb(const at::Tensor& latent, LatentFormat format) {
  const LatentRgbProjection& p = latentRgbProjection(format);
  const int64_t channels = static_cast<int64_t>(p.factors.size());
  if (!latent.defined() || (latent.dim() != 4 && latent.dim() != 3) ||
      latent.size(latent.dim() - 3) != channels)
    throw std::invalid_argument("latentPreviewRgb: a " +
                                std::string(latentFormatFacts(format).name) +
                                " latent must be [B," + std::to_string(channels) + ",h,w] or [" +
                                std::to_string(channels) + ",h,w]");
  const at::Tensor x =
      (latent.dim() == 3 ? latent.unsqueeze(0) : latent).to(at::kCPU, at::kFloat);  // [B,C,h,w]
  std::vector<float> w(static_cast<std::size_t>(3 * channels));  // [RGB, channel] (F.linear)
  for (int64_t c = 0; c < channels; ++c)
    for (int k = 0; k < 3; ++k) w[static_cast<std::size_t>(k * channels + c)] = p.factors[c][k];
  float b[3] = {p.bias[0], p.bias[1], p.bias[2]};
  const at::Tensor weight = at::from_blob(w.data(), {3, channels}, at::kFloat).clone();
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
