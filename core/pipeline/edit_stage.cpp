// Stage 2 (editing) and the pixel composite; see edit_stage.h.
#include "core/pipeline/edit_stage.h"

#include "core/edit/canvas.h"
#include "core/edit/composite.h"
#include "core/edit/mask.h"
#include "core/pipeline/model_calls.h"
#include "core/sampling/rng.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

edit::ResizeMode toEdit(ResizeMode mode) {
  switch (mode) {
    case ResizeMode::Crop:
      return edit::ResizeMode::CropAndResize;
    case ResizeMode::Fill:
      return edit::ResizeMode::ResizeAndFill;
    case ResizeMode::Just:
      break;
  }
  return edit::ResizeMode::Just;
}

/// Pixel-wise maximum of two masks of one size (the user's mask and the outpainting mask).
GrayImage unite(const GrayImage& a, const GrayImage& b) {
  GrayImage out = a;
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = std::max(out.pixels[i], b.pixels[i]);
  return out;
}

/// [1,1,H,W] float32 of a mask: value / 255.
at::Tensor maskTensor(const GrayImage& mask) {
  const auto u8 = at::from_blob(const_cast<uint8_t*>(mask.pixels.data()),
                                {1, 1, mask.height, mask.width}, at::kByte);
  return u8.to(at::kFloat) / 255.0f;
}

/// The user's picture and mask on the outpainting canvas (or as they are).
struct Canvas {
  RgbImage picture;
  GrayImage mask;  ///< empty: plain img2img
};

Canvas canvasOf(const EditParams& e) {
  Canvas c;
  c.picture = e.initImage;
  c.mask = e.mask;
  if (!c.mask.empty() && e.invertMask) c.mask = edit::invertMask(c.mask);
  if (!e.outpainting()) return c;
  const edit::OutpaintCanvas out = edit::extendCanvas(
      e.initImage, e.outpaintLeft, e.outpaintTop, e.outpaintRight, e.outpaintBottom,
      e.outpaintFill == OutpaintFill::Neutral ? edit::OutpaintFill::Neutral
                                              : edit::OutpaintFill::EdgeStretch,
      e.outpaintFeather);
  c.picture = out.image;
  if (c.mask.empty()) {
    c.mask = out.mask;
  } else {  // the user's mask, placed where the old picture sits, joined with the new area
    GrayImage placed;
    placed.width = out.mask.width;
    placed.height = out.mask.height;
    placed.pixels.assign(out.mask.pixels.size(), 0);
    placed = edit::paste(placed, c.mask, out.original.x1, out.original.y1);
    c.mask = unite(placed, out.mask);
  }
  return c;
}

}  // namespace

at::Tensor inpaintConditioning(const ModelBundle& bundle, const at::Tensor& image,
                               const at::Tensor& mask01, double weight) {
  const auto m = at::round(mask01.to(at::kFloat));  // [1,1,H,W] (A1111 mask_round)
  const auto img = image.to(at::kFloat);
  // Ref: A1111 inpainting_image_conditioning: lerp(image, image * (1 - mask), weight)
  const auto masked = at::lerp(img, img * (1.0f - m), weight);
  const auto latent = encodeImage(bundle, masked);  // [1,4,h,w]
  // Ref: Stability-AI LatentInpaintDiffusion: F.interpolate(mask, size=latent_hw) (nearest)
  const auto small = at::upsample_nearest2d(m, {latent.size(2), latent.size(3)});
  return at::cat({small, latent}, 1);  // [1,5,h,w]
}

at::Tensor txt2imgInpaintConditioning(const ModelBundle& bundle, int64_t height, int64_t width) {
  // Ref: A1111 txt2img_image_conditioning: encode zeros (a black picture), mask channel 1.
  const auto latent = encodeImage(bundle, at::zeros({1, 3, height, width}, at::kFloat));
  const auto ones = at::ones({1, 1, latent.size(2), latent.size(3)}, at::kFloat);
  return at::cat({ones, latent}, 1);  // [1,5,h,w]
}

PreparedEdit prepareEdit(const ModelBundle& bundle, const GenerationParams& params, bool tiledVae) {
  const EditParams& e = params.edit;
  if (!e.active())
    throw GenerationError(Code::InvalidParams, "prepareEdit: the request has no init picture");
  PreparedEdit out;
  out.width = params.width;
  out.height = params.height;
  out.maskedContent = e.maskedContent;
  Canvas canvas = canvasOf(e);
  const bool inpaint = !canvas.mask.empty();
  if (!inpaint && bundle.diffusion->inChannels() > bundle.diffusion->latentChannels())
    throw GenerationError(Code::InvalidParams,
                          bundle.description.name +
                              " is an inpainting model: with an init picture it needs a mask "
                              "(or outpaint margins); for plain img2img use a regular model");
  out.onlyMasked = inpaint && e.inpaintArea == InpaintArea::OnlyMasked;
  const edit::ResizeMode mode = toEdit(e.resizeMode);

  // Ref: A1111 StableDiffusionProcessingImg2Img.init, in its order of work.
  GrayImage overlayMask;
  PixelRect crop;
  if (inpaint) {
    GrayImage mask = canvas.mask;
    if (e.maskBlur > 0) mask = edit::blurMask(mask, e.maskBlur);
    if (out.onlyMasked) {
      overlayMask = mask;
      const auto region = edit::maskCropRegion(mask, e.inpaintPadding);
      if (!region)
        throw GenerationError(Code::InvalidParams, "the mask selects nothing to repaint");
      crop = edit::expandCropRegion(*region, out.width, out.height, mask.width, mask.height);
      out.mask = edit::resizeImage(edit::crop(mask, crop), out.width, out.height,
                                   edit::ResizeMode::ResizeAndFill);
      out.pasteTo = crop;
    } else {
      out.mask = edit::resizeImage(mask, out.width, out.height, mode);
      overlayMask = edit::maskForOverlay(out.mask);
    }
  }
  RgbImage picture = canvas.picture;
  if (!out.onlyMasked) picture = edit::resizeImage(picture, out.width, out.height, mode);
  out.canvasWidth = picture.width;
  out.canvasHeight = picture.height;
  if (inpaint) out.overlay = edit::makeOverlay(picture, overlayMask);
  if (out.onlyMasked)
    picture = edit::resizeImage(edit::crop(picture, crop), out.width, out.height,
                                edit::ResizeMode::ResizeAndFill);
  // Ref: A1111: `if self.inpainting_fill != 1: image = masking.fill(image, latent_mask)`
  if (inpaint && e.maskedContent != MaskedContent::Original)
    picture = edit::fillMaskedArea(picture, out.mask);
  out.source = picture;

  const at::Tensor image = rgbToImage(picture);        // [1,3,H,W]
  out.encoded = encodeImage(bundle, image, tiledVae);  // [1,C,h,w]
  const int64_t h = out.encoded.size(2), w = out.encoded.size(3);
  if (inpaint) {
    const GrayImage small = edit::latentMask(out.mask, static_cast<int>(w), static_cast<int>(h));
    const std::vector<float> values = edit::latentMaskValues(small, /*round=*/true);
    out.nmask = at::tensor(values, at::kFloat)
                    .reshape({1, 1, h, w})
                    .expand({1, out.encoded.size(1), h, w})
                    .contiguous();  // [1,C,h,w] 1 = repaint
  }
  if (bundle.diffusion->inChannels() > bundle.diffusion->latentChannels()) {
    const at::Tensor m =
        inpaint ? maskTensor(out.mask) : at::ones({1, 1, image.size(2), image.size(3)});
    out.concat = inpaintConditioning(bundle, image, m, e.maskWeight);
  }
  return out;
}

at::Tensor initialLatent(const PreparedEdit& edit, int64_t seed) {
  if (!edit.nmask.defined()) return edit.encoded;
  const at::Tensor keep = 1.0f - edit.nmask;
  switch (edit.maskedContent) {
    case MaskedContent::LatentNoise: {
      // Ref: A1111: init_latent * mask + create_random_tensors(shape, seeds) * nmask
      Generator gen(static_cast<uint64_t>(seed));
      const at::Tensor noise = randn(gen, edit.encoded.sizes());
      return edit.encoded * keep + noise * edit.nmask;
    }
    case MaskedContent::LatentNothing:
      return edit.encoded * keep;
    case MaskedContent::Fill:
    case MaskedContent::Original:
      break;
  }
  return edit.encoded;
}

at::Tensor blendFinalLatent(const PreparedEdit& edit, const at::Tensor& samples,
                            const at::Tensor& init) {
  if (!edit.nmask.defined()) return samples;
  // Ref: A1111 StableDiffusionProcessingImg2Img.sample: samples * nmask + init_latent * mask
  const auto n = edit.nmask.to(samples.device());
  return samples * n + init.to(samples.device()) * (1.0f - n);
}

RgbImage compositeEdit(const PreparedEdit& edit, const RgbImage& generated) {
  if (edit.overlay.empty()) return generated;
  if (edit.onlyMasked) return edit::applyOverlay(generated, edit.overlay, edit.pasteTo);
  return edit::applyOverlay(generated, edit.overlay);
}

}  // namespace lienzo
