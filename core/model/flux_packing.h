// Flux's latent packing: 2×2 patches of the 16-channel latent become the transformer's tokens,
// with (t, row, col) position ids; the text tokens get all-zero ids.
//
// Ref: black-forest-labs/flux src/flux/sampling.py get_noise, prepare, unpack
// (`b c (h ph) (w pw) <-> b (h w) (c ph pw)`, ph = pw = 2; img_ids = (0, row, col)).
//
// Contract: pure functions of their arguments (thread-safe); tensors keep their dtype and device
// (ids are float32 on the latent's device, or on `device`). Bad shapes throw std::invalid_argument
// naming the argument.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace lienzo {

/// The noise / latent shape for a `height` × `width` pixel picture:
/// [batch, channels, 2·⌈height/16⌉, 2·⌈width/16⌉] (get_noise; 72 px gives 10 latent rows).
/// Throws for non-positive arguments.
std::vector<int64_t> fluxLatentShape(int64_t batch, int64_t height, int64_t width,
                                     int64_t channels = 16);

/// latent [B, C, h, w] (h, w even) → tokens [B, (h/2)·(w/2), C·4]: token = row·(w/2) + col,
/// channel = c·4 + ph·2 + pw.
at::Tensor fluxPack(const at::Tensor& latent);

/// tokens [B, rows·cols, C·4] → latent [B, C, 2·rows, 2·cols] (the inverse of fluxPack).
at::Tensor fluxUnpack(const at::Tensor& tokens, int64_t rows, int64_t cols);

/// The reference `unpack(x, height, width)`: rows = ⌈height/16⌉, cols = ⌈width/16⌉ (pixels).
at::Tensor fluxUnpackPixels(const at::Tensor& tokens, int64_t height, int64_t width);

/// img_ids [batch, rows·cols, 3] float32: (0, row, col) in token order.
at::Tensor fluxImageIds(int64_t batch, int64_t rows, int64_t cols,
                        c10::Device device = c10::Device(c10::kCPU));

/// txt_ids [batch, length, 3] float32 zeros.
at::Tensor fluxTextIds(int64_t batch, int64_t length, c10::Device device = c10::Device(c10::kCPU));

}  // namespace lienzo
