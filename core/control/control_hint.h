// The hint tensor a ControlNet sees, from a preprocessed 8-bit picture: `float32(u8) / 255` in
// [1,3,H,W] (one float32 division per value, as the references do), and the inpaint hint whose
// masked pixels are exactly -1 in all three channels.
//
// Contract: pure functions, thread-safe; float32 CPU tensors out. Failure: std::invalid_argument
// for an empty or malformed picture, or a mask of another size.
// Ref: lllyasviel/ControlNet gradio_*.py (`torch.from_numpy(img).float() / 255.0`);
// sd-webui-controlnet hook.py "ControlNet inpaint protocol"; comfyui_controlnet_aux
// InpaintPreprocessor (`image[mask > 0.5] = -1`).
#pragma once

#include "core/edit/pixels.h"

#include <ATen/core/Tensor.h>

namespace lienzo {

/// [1,3,H,W] float32 = u8 / 255.
at::Tensor controlHint(const RgbImage& image);

/// The binarised alpha sd-webui-controlnet hands on: 255 where mask > 127, else 0.
GrayImage binarizeInpaintMask(const GrayImage& mask);

/// [1,3,H,W] float32: u8 / 255 where the mask is <= 127, exactly -1 where it is > 127 (masked).
at::Tensor inpaintHint(const RgbImage& image, const GrayImage& mask);

}  // namespace lienzo
