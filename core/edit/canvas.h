// Picture geometry for img2img / inpainting / outpainting: crop, paste, A1111's three resize
// modes (bit-exact with Pillow's Lanczos / bicubic integer path) and the outpainting canvas with
// its feathered mask.
//
// Ref: A1111 modules/images.py resize_image (modes 0-2, upscaler "None"), Pillow Image.crop /
//      Image.paste (Paste.c clipping), ComfyUI nodes.py ImagePadForOutpaint.expand_image (mask
//      and feather semantics).
//
// Ownership: values in, values out. Threads: pure functions, no shared state.
// Failure: std::invalid_argument for an empty or inconsistent picture, non-positive target
// sizes, negative padding / feather, an empty crop rectangle, or a resize that would produce an
// empty intermediate picture.
#pragma once

#include "core/edit/pixels.h"

namespace lienzo::edit {

/// A1111 img2img "Resize mode" (0, 1, 2; "Just resize (latent upscale)" is not a pixel mode).
enum class ResizeMode {
  Just,           ///< 0: Lanczos to width x height, aspect not kept
  CropAndResize,  ///< 1: scale to cover, centre, crop the excess
  ResizeAndFill,  ///< 2: scale to fit, centre, fill the bands from the edge rows / columns
};

/// The picture at width x height as A1111's images.resize_image(mode, ...) makes it. Mode 2 fills
/// the bands with Pillow's zero-height-box bicubic resize of the edge (an extrapolation of the two
/// outermost rows / columns) and, when the band sizes are odd, leaves A1111's black last row /
/// column. A picture already at the size is returned unchanged by mode 0.
RgbImage resizeImage(const RgbImage& image, int width, int height, ResizeMode mode);
/// The same for a mask (A1111 resizes an L mask with the same taps; modes 1 and 2 return RGB
/// there, whose three channels equal this result).
GrayImage resizeImage(const GrayImage& mask, int width, int height, ResizeMode mode);

/// Pillow Image.crop: the pixels of `rect`; parts outside the picture are 0.
RgbImage crop(const RgbImage& image, const PixelRect& rect);
GrayImage crop(const GrayImage& image, const PixelRect& rect);

/// Pillow Image.paste without a mask: `picture` copied into `base` with its top-left corner at
/// (x, y), clipped to `base`.
RgbImage paste(const RgbImage& base, const RgbImage& picture, int x, int y);
GrayImage paste(const GrayImage& base, const GrayImage& picture, int x, int y);
RgbaImage paste(const RgbaImage& base, const RgbaImage& picture, int x, int y);

/// How the area added around an outpainted picture is filled before inpainting.
enum class OutpaintFill {
  EdgeStretch,  ///< the nearest edge pixel of the picture
  Neutral,      ///< mid grey (128)
};

struct OutpaintCanvas {
  RgbImage image;      ///< (left + w + right) x (top + h + bottom)
  GrayImage mask;      ///< 255 = repaint: the new area plus the feather into the old picture
  PixelRect original;  ///< where the old picture sits in the canvas
};

/// The outpainting canvas: the picture padded by left/top/right/bottom px, and its mask: 255 in
/// the new area and, inside the old picture within `feather` px of a padded side,
/// round(255 * ((feather - d) / feather)^2) with d = the distance to the nearest padded side
/// (ComfyUI ImagePadForOutpaint: d is the row / column index from a padded top / left side and
/// h - row / w - column from a padded bottom / right side; no feather unless 2 * feather < w
/// and 2 * feather < h).
OutpaintCanvas extendCanvas(const RgbImage& image, int left, int top, int right, int bottom,
                            OutpaintFill fill, int feather = 40);

}  // namespace lienzo::edit
