// TAESD: the tiny autoencoder of madebyollin/taesd (MIT) for step previews and fast decodes —
// decoder and encoder of the SD 1.x/2.x (`taesd_*`) and SDXL (`taesdxl_*`) variants, which share
// one architecture and key layout; the 16-channel taesd3/taef1 files load too (the latent width
// is read from the weights). Ref: madebyollin/taesd taesd.py (Encoder, Decoder, Block, Clamp);
// ../shared/specs/next-wave.md §8; ../shared/fixtures/taesd/README.md.
//
// Architecture (all 3x3 convs, padding 1, 64 channels; N = index in the reference nn.Sequential):
//   Decoder: 0 Clamp tanh(x/3)·3 · 1 conv C→64 · 2 ReLU · 3–5 Block · 6 Upsample×2 · 7 conv (no
//            bias) · 8–10 Block · 11 Upsample · 12 conv · 13–15 Block · 16 Upsample · 17 conv ·
//            18 Block · 19 conv 64→3
//   Encoder: 0 conv 3→64 · 1 Block · 2 conv stride 2 (no bias) · 3–5 Block · 6 conv s2 · 7–9
//            Block · 10 conv s2 · 11–13 Block · 14 conv 64→C
//   Block:   relu(conv.4(relu(conv.2(relu(conv.0(x))))) + skip(x)), skip = 1×1 conv (no bias,
//            key `skip.weight`) when present, else the identity.
//
// Key layouts (TaesdLayout), detected from the names:
//   Original  the distributed taesd_decoder / taesd_encoder files: `{N}.*` (one part per file)
//   Combined  the reference TAESD module's state_dict: `decoder.{N}.*`, `encoder.{N}.*`
//   Diffusers AutoencoderTiny (diffusion_pytorch_model.safetensors): `encoder.layers.{N}.*`,
//             `decoder.layers.{N-1}.*` (its decoder applies the clamp in forward)
//
// Scaling (README §2): the decoder takes the latent the diffusion model works in (SD1 x0 as is —
// no division by the VAE's scale factor) and returns a picture in about [0, 1] (not clamped); the
// encoder takes a picture in [0, 1] and returns a diffusion-space latent.
//
// Contract: load() reads every weight once into float32 (or `dtype`) tensors on `device`; the
// objects are immutable afterwards, so decode()/encode() may run from several threads at once
// (under the caller's inference mode). Failure: std::invalid_argument naming the file and what
// is wrong (not a TAESD file, the part missing, a key of the wrong shape, an unknown variant's
// extra keys, a latent of the wrong channel count or an image whose sides are not multiples of 8).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

class SafetensorsFile;

enum class TaesdLayout { Original, Combined, Diffusers };
/// "original", "combined", "diffusers".
const char* taesdLayoutName(TaesdLayout layout);

/// What a safetensors file holds, from its names and shapes only (no tensor is read).
struct TaesdContents {
  TaesdLayout layout = TaesdLayout::Original;
  bool decoder = false;
  bool encoder = false;
  int64_t latentChannels = 0;  ///< from the decoder's first or the encoder's last conv
};

/// Throws std::invalid_argument naming the file when it holds neither a TAESD decoder nor an
/// encoder in a known layout.
TaesdContents inspectTaesd(const SafetensorsFile& file);

namespace taesd_detail {
/// One layer of the reference nn.Sequential.
struct Layer {
  enum class Kind { Clamp, Relu, Upsample, Conv, Block } kind = Kind::Relu;
  int64_t stride = 1;
  std::vector<at::Tensor> weights;  ///< Conv: {w, b?}; Block: {w0, b0, w2, b2, w4, b4, skip?}
};
}  // namespace taesd_detail

class TaesdDecoder {
 public:
  TaesdDecoder() = default;
  /// The decoder of `file` (any layout). Throws std::invalid_argument (see the contract).
  static TaesdDecoder load(const SafetensorsFile& file, c10::ScalarType dtype = c10::kFloat,
                           c10::Device device = c10::Device(c10::kCPU));
  bool empty() const { return m_layers.empty(); }
  int64_t latentChannels() const { return m_latentChannels; }
  /// [B,C,h,w] diffusion-space latent (any float dtype/device) → [B,3,8h,8w] about [0,1], raw,
  /// in the weights' dtype on their device.
  at::Tensor decode(const at::Tensor& latent) const;

 private:
  std::vector<taesd_detail::Layer> m_layers;
  int64_t m_latentChannels = 0;
  c10::ScalarType m_dtype = c10::kFloat;
  c10::Device m_device = c10::Device(c10::kCPU);
};

class TaesdEncoder {
 public:
  TaesdEncoder() = default;
  /// The encoder of `file` (any layout). Throws std::invalid_argument (see the contract).
  static TaesdEncoder load(const SafetensorsFile& file, c10::ScalarType dtype = c10::kFloat,
                           c10::Device device = c10::Device(c10::kCPU));
  bool empty() const { return m_layers.empty(); }
  int64_t latentChannels() const { return m_latentChannels; }
  /// [B,3,H,W] picture in [0,1], H and W multiples of 8 → [B,C,H/8,W/8] diffusion-space latent.
  at::Tensor encode(const at::Tensor& image) const;

 private:
  std::vector<taesd_detail::Layer> m_layers;
  int64_t m_latentChannels = 0;
  c10::ScalarType m_dtype = c10::kFloat;
  c10::Device m_device = c10::Device(c10::kCPU);
};

/// Names and shapes of every weight of a TAESD (decoder and encoder) in the combined layout
/// (`decoder.{N}.*`, `encoder.{N}.*`), for `latentChannels` and `width` channels — what a random
/// TAESD for benchmarks and tests is made of.
std::vector<std::pair<std::string, std::vector<int64_t>>> taesdWeightShapes(int64_t latentChannels,
                                                                            int64_t width = 64);

/// The decoder's input clamp (layer 0): tanh(z / 3) · 3.
at::Tensor taesdClamp(const at::Tensor& z);
/// A decoder output shown as 8-bit RGB: round(clamp(out, 0, 1) · 255) as uint8 [B,H,W,3] (NHWC,
/// contiguous, CPU) — what the reference scripts display.
at::Tensor taesdImageU8(const at::Tensor& out);
/// The reference's 8-bit latent packing: clamp(z / (2·magnitude) + shift, 0, 1) (TAESD's
/// scale_latents with latent_magnitude 3, latent_shift 0.5), and its inverse.
at::Tensor taesdScaleLatents(const at::Tensor& z, double magnitude = 3.0, double shift = 0.5);
at::Tensor taesdUnscaleLatents(const at::Tensor& u, double magnitude = 3.0, double shift = 0.5);

}  // namespace lienzo
