// The network calls of a generation's stages 2–4, shared by txt2img, img2img, inpainting and
// the hires pass: pictures ↔ tensors, VAE encode (posterior mean) and decode, and the guided
// diffusion-model call the samplers see as a ModelFn (core/sampling/sampler.h).
//
// Each is a thin use of the bundle's components (TextConditioner::vector, DiffusionModel::forward,
// VaeCodec::encode/decode), so the stages never depend on a family.
//
// Contract: pure functions of a loaded, immutable bundle; they run on the calling thread (under
// the caller's inference mode) and may be called from several threads at once. Tensors returned
// are new float32 CPU tensors unless stated. Failure: GenerationError (UnsupportedModel without a
// VAE / encoder, NumericalError for a non-finite decode, InvalidParams for malformed pictures);
// torch errors propagate.
#pragma once

#include "core/edit/pixels.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/pipeline.h"
#include "core/sampling/sampler.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace lienzo {

/// A control hook (core/pipeline/control_stage.h): the residuals to add to one batched
/// diffusion-model call. x [B,latentChannels,h,w] (the latent, without inpainting channels),
/// t [B], context and y as the model gets them; uncondRows[b] says whether row b is the
/// unconditional half of classifier-free guidance. An empty result adds nothing.
using ControlFn =
    std::function<UNetResiduals(const at::Tensor& x, const at::Tensor& t, const at::Tensor& context,
                                const at::Tensor& y, const std::vector<bool>& uncondRows)>;

/// Raw diffusion-model prediction with classifier-free guidance, cond and uncond as one batch of
/// 2. x_in [1,C,h,w] float32, t [1] float32 → guided eps/v [1,C,h,w] float32 (flow-matching
/// models: the sampler passes the flow latent and FlowSchedule::timestep(σ), the result is the
/// guided velocity; guidance on v equals guidance on x − σ·v). height/width are
/// the image size in pixels (TextConditioner::vector: SDXL size conditioning; unused by SD1/SD2).
/// `concat` [1,K,h,w] (9-channel inpainting models: [mask, masked-image latent], K = 5) is appended
/// to the input channels of both halves, unscaled. Ref: ldm DiffusionWrapper 'hybrid'; ComfyUI
/// _apply_model. `control` (optional) adds ControlNet residuals to every call.
/// Out of memory (isOutOfMemory) in a batched guided call: the call is retried at once with the
/// two halves one after the other (about half the activation memory; the same result up to float
/// rounding), and every later call of this closure runs that way. The first time, a sentence
/// saying so goes to `notices` (when given; it must outlive the closure's calls). A sequential
/// call, or an unguided one, that runs out of memory rethrows.
ModelFn makeGuidedModel(const ModelBundle& bundle, const Conditioning& cond,
                        const Conditioning& uncond, double cfgScale, int64_t height, int64_t width,
                        const at::Tensor& concat = at::Tensor(), ControlFn control = {},
                        std::vector<std::string>* notices = nullptr);

/// 8-bit RGB → [1,3,H,W] float32 in [-1,1]: (u8 / 255) · 2 − 1 (A1111 / diffusers). Throws
/// GenerationError(InvalidParams) for an empty or malformed picture.
at::Tensor rgbToImage(const RgbImage& rgb);
/// Image [1,3,H,W] in [-1,1] → 8-bit RGB: round-half-even of clamp((x+1)/2, 0, 1) * 255.
RgbImage imageToRgb(const at::Tensor& image);

/// Whether `e` is an allocation failure: libtorch's CPU "can't allocate", CUDA's "out of memory"
/// (c10::OutOfMemoryError), std::bad_alloc. The one rule for the pipeline's OutOfMemory errors.
bool isOutOfMemory(const std::exception& e);

/// Encodes image [1,3,H,W] in [-1,1] (H, W multiples of the VAE factor) to the posterior mean in
/// diffusion space [1,C,H/f,W/f] (next-wave.md §1.1: the mean, as ComfyUI and Flux do).
/// `tiled`: in overlapping tiles (core/model/vae_tiling.h; large pictures, bounded memory).
/// An untiled encode that runs out of memory (isOutOfMemory) is retried once in tiles, and a
/// sentence saying so is appended to `notices` (when given); a tiled one that does is rethrown.
at::Tensor encodeImage(const ModelBundle& bundle, const at::Tensor& image, bool tiled = false,
                       std::vector<std::string>* notices = nullptr);

/// Decodes a diffusion-space latent [1,C,h,w] → image [1,3,H,W] float32 (about [-1,1]).
/// VaeCodec::decode (AutoencoderKlCodec retries a half-precision VAE's NaN/Inf once in float32);
/// throws GenerationError(NumericalError) when the result is still not finite. `tiled`: in
/// overlapping tiles (core/model/vae_tiling.h). Out of memory untiled: retried in tiles, as for
/// encodeImage.
at::Tensor decodeLatent(const ModelBundle& bundle, const at::Tensor& latent, bool tiled = false,
                        std::vector<std::string>* notices = nullptr);

}  // namespace lienzo
