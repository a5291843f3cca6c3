// Stage 2 of an editing request (img2img, inpainting, outpainting) and its pixel composite
// (stage 4b): everything between the user's picture and the latent the sampler starts from, and
// back. The picture operations are core/edit's (bit-exact with A1111's Pillow/OpenCV code); this
// file wires them into A1111's order of work.
// Ref: A1111 modules/processing.py StableDiffusionProcessingImg2Img.init / sample,
//      apply_overlay; Stability-AI LatentInpaintDiffusion (9-channel conditioning);
//      ../shared/specs/next-wave.md §1–2.
//
// Contract: pure functions of an immutable bundle and the request; they run on the calling thread
// under the caller's inference mode. Failure: GenerationError (InvalidParams for pictures the
// request cannot use, UnsupportedModel without a VAE encoder); torch errors propagate.
#pragma once

#include "core/edit/pixels.h"
#include "core/pipeline/model_bundle.h"
#include "core/pipeline/pipeline.h"

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace lienzo {

/// What prepareEdit() computes once per request (independent of the seed).
struct PreparedEdit {
  int width = 0, height = 0;  ///< processing size (the request's width × height)
  RgbImage source;            ///< the picture encoded for the init latent, processing size
  at::Tensor encoded;         ///< [1,C,h,w] posterior mean of `source`, diffusion space
  GrayImage mask;             ///< processing-size (blurred) mask, 255 = repaint; empty = img2img
  at::Tensor nmask;           ///< [1,C,h,w] latent mask, 1 = repaint (A1111 nmask); or undefined
  at::Tensor concat;          ///< [1,5,h,w] 9-channel conditioning [mask, masked latent]; or undef.
  MaskedContent maskedContent = MaskedContent::Original;

  // Composite (A1111 apply_overlay): the output canvas and what is laid over the generated picture.
  int canvasWidth = 0, canvasHeight = 0;
  RgbaImage overlay;  ///< canvas-size original with alpha 255 − mask_for_overlay; or empty
  bool onlyMasked = false;
  PixelRect pasteTo;  ///< "only masked": where the processed crop goes on the canvas
};

/// Stage 2, pixel half: resize / crop / outpaint-extend the picture, process the mask (invert,
/// blur, crop region), apply masked content "fill" in pixels, encode with the VAE, build the
/// latent mask and (9-channel models) the conditioning. Requires params.edit.active(); a
/// 9-channel (inpainting) model without a mask or outpaint margins is InvalidParams.
/// tiledVae: encode in tiles (vae_tiling.h).
PreparedEdit prepareEdit(const ModelBundle& bundle, const GenerationParams& params,
                         bool tiledVae = false);

/// 9-channel conditioning of a picture and a mask: cat([nearest(round(mask)), 0.18215-scaled
/// mean(encode(lerp(image, image·(1 − mask), weight)))], dim 1). image [1,3,H,W] in [-1,1],
/// mask01 [1,1,H,W] in [0,1] (1 = repaint) → [1,5,H/8,W/8].
// Ref: A1111 inpainting_image_conditioning; Stability-AI LatentInpaintDiffusion concat_keys
at::Tensor inpaintConditioning(const ModelBundle& bundle, const at::Tensor& image,
                               const at::Tensor& mask01, double weight);
/// txt2img with a 9-channel model: mask 1 everywhere and the latent of a black picture (A1111
/// txt2img_image_conditioning) → [1,5,h,w].
at::Tensor txt2imgInpaintConditioning(const ModelBundle& bundle, int64_t height, int64_t width);

/// The init latent of one image of the batch: the encoded picture, with masked content
/// "latent noise" (seeded N(0,1), the first draw of a generator seeded with `seed`) or
/// "latent nothing" (zeros) under nmask. [1,C,h,w] float32 CPU.
at::Tensor initialLatent(const PreparedEdit& edit, int64_t seed);
/// A1111's end of sample(): samples·nmask + init·(1 − nmask); plain img2img returns samples.
at::Tensor blendFinalLatent(const PreparedEdit& edit, const at::Tensor& samples,
                            const at::Tensor& init);
/// Stage 4b: the generated processing-size picture composited into the canvas (A1111
/// apply_overlay); pixels the mask does not reach are the original bytes. Plain img2img returns
/// `generated` unchanged.
RgbImage compositeEdit(const PreparedEdit& edit, const RgbImage& generated);

}  // namespace lienzo
