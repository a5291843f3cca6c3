// ControlNet hint tensors (control_hint.h).
#include "core/control/control_hint.h"

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace lienzo {

at::Tensor controlHint(const RgbImage& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
    throw std::invalid_argument("ControlNet hint: the picture is empty or malformed");
  const auto u8 = at::from_blob(const_cast<uint8_t*>(image.pixels.data()),
                                {1, image.height, image.width, 3}, at::kByte);
  return (u8.to(at::kFloat) / 255.0f).permute({0, 3, 1, 2}).contiguous();  // [1,3,H,W]
}

GrayImage binarizeInpaintMask(const GrayImage& mask) {
  GrayImage out = mask;
  for (auto& v : out.pixels) v = v > 127 ? 255 : 0;
  return out;
}

at::Tensor inpaintHint(const RgbImage& image, const GrayImage& mask) {
  at::Tensor hint = controlHint(image);  // [1,3,H,W]
  if (mask.width != image.width || mask.height != image.height ||
      mask.pixels.size() != std::size_t(mask.width) * std::size_t(mask.height))
    throw std::invalid_argument("ControlNet inpaint hint: the mask is " +
                                std::to_string(mask.width) + "x" + std::to_string(mask.height) +
                                ", the picture " + std::to_string(image.width) + "x" +
                                std::to_string(image.height));
  const auto m = at::from_blob(const_cast<uint8_t*>(mask.pixels.data()),
                               {1, 1, mask.height, mask.width}, at::kByte)
                     .gt(127);  // alpha / 255 > 0.5 of the binarised alpha
  return hint.masked_fill(m.expand_as(hint), -1.0f);
}

}  // namespace lienzo
