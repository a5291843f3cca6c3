#include "core/model/flux_packing.h"

#include "core/model/layers.h"

#include <ATen/ATen.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace lienzo {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

// Ref: flux/sampling.py get_noise (2·ceil(height/16) × 2·ceil(width/16)).
std::vector<int64_t> fluxLatentShape(int64_t batch, int64_t height, int64_t width,
                                     int64_t channels) {
  if (batch <= 0 || height <= 0 || width <= 0 || channels <= 0)
    throw std::invalid_argument("fluxLatentShape: batch, size and channels must be positive");
  return {batch, channels, 2 * ceilDiv(height, 16), 2 * ceilDiv(width, 16)};
}

// Ref: flux/sampling.py prepare (rearrange "b c (h ph) (w pw) -> b (h w) (c ph pw)").
at::Tensor fluxPack(const at::Tensor& latent) {
  if (!latent.defined() || latent.dim() != 4 || latent.size(2) % 2 != 0 || latent.size(3) % 2 != 0)
    throw std::invalid_argument("fluxPack: latent must be [B, C, h, w] with even h and w, got " +
                                shapeText(latent));
  const int64_t b = latent.size(0), c = latent.size(1);
  const int64_t rows = latent.size(2) / 2, cols = latent.size(3) / 2;
  return latent.reshape({b, c, rows, 2, cols, 2})
      .permute({0, 2, 4, 1, 3, 5})  // [B, rows, cols, C, ph, pw]
      .reshape({b, rows * cols, c * 4});
}

// Ref: flux/sampling.py unpack (rearrange "b (h w) (c ph pw) -> b c (h ph) (w pw)").
at::Tensor fluxUnpack(const at::Tensor& tokens, int64_t rows, int64_t cols) {
  if (!tokens.defined() || tokens.dim() != 3 || rows <= 0 || cols <= 0 ||
      tokens.size(1) != rows * cols || tokens.size(2) % 4 != 0)
    throw std::invalid_argument("fluxUnpack: tokens must be [B, " + std::to_string(rows * cols) +
                                ", C*4], got " + shapeText(tokens));
  const int64_t b = tokens.size(0), c = tokens.size(2) / 4;
  return tokens.reshape({b, rows, cols, c, 2, 2})
      .permute({0, 3, 1, 4, 2, 5})  // [B, C, rows, ph, cols, pw]
      .reshape({b, c, rows * 2, cols * 2});
}

at::Tensor fluxUnpackPixels(const at::Tensor& tokens, int64_t height, int64_t width) {
  if (height <= 0 || width <= 0)
    throw std::invalid_argument("fluxUnpackPixels: height and width must be positive");
  return fluxUnpack(tokens, ceilDiv(height, 16), ceilDiv(width, 16));
}

// Ref: flux/sampling.py prepare (img_ids[..., 1] = row, img_ids[..., 2] = col; txt_ids zeros).
at::Tensor fluxImageIds(int64_t batch, int64_t rows, int64_t cols, c10::Device device) {
  if (batch <= 0 || rows <= 0 || cols <= 0)
    throw std::invalid_argument("fluxImageIds: batch, rows and cols must be positive");
  const auto opts = at::TensorOptions().dtype(at::kFloat).device(device);
  at::Tensor ids = at::zeros({rows, cols, 3}, opts);
  ids.select(2, 1).add_(at::arange(rows, opts).unsqueeze(1));
  ids.select(2, 2).add_(at::arange(cols, opts).unsqueeze(0));
  return ids.reshape({1, rows * cols, 3}).expand({batch, rows * cols, 3}).contiguous();
}

at::Tensor fluxTextIds(int64_t batch, int64_t length, c10::Device device) {
  if (batch <= 0 || length < 0)
    throw std::invalid_argument("fluxTextIds: batch must be positive and length non-negative");
  return at::zeros({batch, length, 3}, at::TensorOptions().dtype(at::kFloat).device(device));
}

}  // namespace lienzo
