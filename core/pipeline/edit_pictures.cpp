// Stage 2's picture half; see edit_pictures.h.
#include "core/pipeline/edit_pictures.h"

#include "core/edit/canvas.h"
#include "core/edit/composite.h"
#include "core/edit/mask.h"

#include <algorithm>

namespace lienzo {
namespace {

using Code = GenerationError::Code;

/// Pixel-wise maximum of two masks of one size (the user's mask and the outpainting mask).
GrayImage unite(const GrayImage& a, const GrayImage& b) {
  GrayImage out = a;
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = std::max(out.pixels[i], b.pixels[i]);
  return out;
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

edit::ResizeMode editResizeMode(ResizeMode mode) {
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

EditPictures prepareEditPictures(const GenerationParams& params) {
  const EditParams& e = params.edit;
  EditPictures out;
  out.width = params.width;
  out.height = params.height;
  out.maskedContent = e.maskedContent;
  Canvas canvas = canvasOf(e);
  const bool inpaint = !canvas.mask.empty();
  out.onlyMasked = inpaint && e.inpaintArea == InpaintArea::OnlyMasked;
  const edit::ResizeMode mode = editResizeMode(e.resizeMode);

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

  return out;
}

}  // namespace lienzo
