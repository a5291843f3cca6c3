// Blending for inpainting, bit-exact with Pillow's integer math: A1111's overlay (the original
// picture with alpha 255 - mask_for_overlay), Pillow's alpha_composite, A1111's apply_overlay
// (whole picture and "only masked" with its uncrop), and masking.fill (masked content "fill";
// also what "latent noise" / "latent nothing" encode).
//
// Ref: A1111 modules/processing.py (overlay_images in StableDiffusionProcessingImg2Img.init,
//      apply_overlay, uncrop), modules/masking.py (fill); Pillow src/libImaging/Paste.c
//      (paste with an L matte), Convert.c (RGBA <-> RGBa), AlphaComposite.c, BoxBlur.c;
//      ../shared/fixtures/README.md §7b.
//
// Ownership: values in, values out. Threads: pure functions, no shared state.
// Failure: std::invalid_argument for an empty or inconsistent picture, pictures / masks whose
// sizes do not match, or an empty / out-of-canvas paste rectangle.
#pragma once

#include "core/edit/pixels.h"

namespace lienzo::edit {

/// RGB -> RGBA with alpha 255.
RgbaImage toRgba(const RgbImage& image);
/// RGBA -> RGB: the alpha channel is dropped (Pillow convert('RGB')).
RgbImage dropAlpha(const RgbaImage& image);

/// A1111's overlay: `image` pasted with the L matte 255 - maskForOverlay into a transparent RGBa
/// picture, then converted to RGBA (c' = DIV255(c * a), alpha = a, unpremultiplied with
/// min(255, 255 * c' // a)). Same size as `image`.
RgbaImage makeOverlay(const RgbImage& image, const GrayImage& maskForOverlay);

/// Pillow Image.alpha_composite(dst, src): `src` over `dst`, both straight RGBA.
RgbaImage alphaComposite(const RgbaImage& dst, const RgbaImage& src);

/// A1111 apply_overlay (whole picture): generated -> RGBA, alpha_composite(overlay), -> RGB.
RgbImage applyOverlay(const RgbImage& generated, const RgbaImage& overlay);

/// A1111 uncrop ("only masked"): `generated` resized with resize mode 1 (crop and resize) to the
/// rectangle's size and pasted at the rectangle into a transparent canvasWidth x canvasHeight
/// RGBA picture.
RgbaImage uncrop(const RgbImage& generated, int canvasWidth, int canvasHeight,
                 const PixelRect& pasteRect);
/// A1111 apply_overlay with a paste location: uncrop to the overlay's size, alpha_composite the
/// overlay, -> RGB (outside the rectangle the result is the overlay over transparent black).
RgbImage applyOverlay(const RgbImage& generated, const RgbaImage& overlay,
                      const PixelRect& pasteRect);

/// A1111 masking.fill: the picture with the masked area (mask 255 = fill) cut out, blurred with
/// Pillow GaussianBlur radii 256, 64, 16 x2, 4 x4, 2 x2, 0 and alpha-composited into a
/// transparent picture, -> RGB.
RgbImage fillMaskedArea(const RgbImage& image, const GrayImage& mask);

}  // namespace lienzo::edit
