// The picture ↔ latent codec of a loaded model as the stages see it: encode a picture to the
// diffusion-space posterior mean, decode a diffusion-space latent to a picture, and the latent
// space's facts (pixels per latent pixel, channels, the preview projection).
// Implementation per architecture: AutoencoderKlCodec (AutoencoderKL + the family's
// LatentScaling; SD 1.x / 2.x / SDXL, the built-in model, and the 16-channel SD3 / Flux VAEs —
// the same LDM layout without quant convs, in the latent space of LatentFormat::SD3 / Flux with
// its shift, see loadAutoencoderKlCodec). TAESD would add its own; the pipeline does not change.
//
// Contract: immutable after construction; encode()/decode() run on the calling thread under the
// caller's inference mode and may be called from several threads at once. Tensors returned are
// new float32 CPU tensors. Failure: GenerationError (UnsupportedModel without the encoder or
// decoder, NumericalError for a non-finite decode); torch errors propagate.
#pragma once

#include "core/model/latent_preview.h"
#include "core/model/vae.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <string>

namespace lienzo {

class VaeCodec {
 public:
  virtual ~VaeCodec() = default;
  /// Whether decode() / encode() can run (a checkpoint may ship without its VAE, or a VAE
  /// without its encoder).
  virtual bool hasDecoder() const = 0;
  virtual bool hasEncoder() const = 0;
  /// image [1,3,H,W] in [-1,1] (H, W multiples of factor()) → posterior mean in diffusion space
  /// [1,C,H/f,W/f] (next-wave.md §1.1: the mean, as ComfyUI and Flux do). `tiled`: in
  /// overlapping tiles (bounded memory for large pictures).
  virtual at::Tensor encode(const at::Tensor& image, bool tiled = false) const = 0;
  /// Diffusion-space latent [1,C,h,w] → image [1,3,H,W] (about [-1,1]). `tiled` as for encode.
  virtual at::Tensor decode(const at::Tensor& latent, bool tiled = false) const = 0;
  /// Image pixels per latent pixel.
  virtual int64_t factor() const = 0;
  /// Channels of the diffusion-space latent.
  virtual int64_t latentChannels() const = 0;
  /// The latent → RGB projection of step previews.
  virtual LatentFormat latentFormat() const = 0;
  /// Rough peak working memory (bytes, weights excluded) of one untiled decode / encode of a
  /// height × width picture; 0 without a decoder / encoder.
  virtual uint64_t decodeBytes(int64_t height, int64_t width) const = 0;
  virtual uint64_t encodeBytes(int64_t height, int64_t width) const = 0;
};

/// The latent space of an AutoencoderKL codec.
struct LatentSpace {
  LatentScaling scaling;  ///< diffusion latent = (VAE latent − shift) · scale
  LatentFormat format = LatentFormat::SD15;
  int64_t channels = 4;
  int64_t factor = 8;  ///< pixels per latent pixel (the VAE's when present)

  /// The space of `format` with its own facts (latentFormatFacts: channels, scale, shift).
  static LatentSpace of(LatentFormat format, int64_t factor = 8);
};

/// AutoencoderKL (core/model/vae.h) with parameters in `dtype` on `device`, or an empty one
/// (a checkpoint without a VAE: hasDecoder() false, the latent facts still hold).
class AutoencoderKlCodec final : public VaeCodec {
 public:
  AutoencoderKlCodec(AutoencoderKL vae, LatentSpace space, c10::ScalarType dtype,
                     c10::Device device);
  bool hasDecoder() const override { return !m_vae.is_empty(); }
  bool hasEncoder() const override;
  /// tiled: encodeMomentsTiled (core/model/vae_tiling.h) with its default tiles.
  at::Tensor encode(const at::Tensor& image, bool tiled = false) const override;
  /// A half-precision VAE whose output has NaN/Inf is retried once in float32 (a temporary
  /// copy); throws GenerationError(NumericalError) when the result is still not finite.
  /// tiled: decodeTiled (core/model/vae_tiling.h) with its default tiles.
  at::Tensor decode(const at::Tensor& latent, bool tiled = false) const override;
  int64_t factor() const override { return m_space.factor; }
  int64_t latentChannels() const override { return m_space.channels; }
  LatentFormat latentFormat() const override { return m_space.format; }
  /// vae_tiling.h's calibrated estimates (estimateVaeDecodeBytes / estimateVaeEncodeBytes).
  uint64_t decodeBytes(int64_t height, int64_t width) const override;
  uint64_t encodeBytes(int64_t height, int64_t width) const override;
  const AutoencoderKL& autoencoder() const { return m_vae; }
  const LatentScaling& scaling() const { return m_space.scaling; }

 private:
  AutoencoderKL m_vae;
  LatentSpace m_space;
  c10::ScalarType m_dtype;
  c10::Device m_device;
};

class SafetensorsFile;

/// The AutoencoderKL under `prefix` of `file` (VaeConfig::fromWeights: SD3 single files
/// "first_stage_model.", Flux `ae.safetensors` "") as a codec in the latent space of `format`
/// (LatentSpace::of; the shift included). Throws std::invalid_argument when the file has no VAE
/// there or its latent channels are not the format's (naming both), std::runtime_error from the
/// weight loader for a checkpoint of another shape.
std::shared_ptr<const VaeCodec> loadAutoencoderKlCodec(const SafetensorsFile& file,
                                                       const std::string& prefix,
                                                       LatentFormat format, c10::ScalarType dtype,
                                                       c10::Device device);

}  // namespace lienzo
