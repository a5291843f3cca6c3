// Pillow's ImageFilter.GaussianBlur: three passes of an extended box blur per direction
// (horizontal first, then vertical), 8-bit fixed point, edges extended with the edge pixel.
// Channels are blurred independently as stored: RGBA is not premultiplied here (callers that
// want Pillow's "RGBa" behaviour pass premultiplied bytes, as A1111's masking.fill does).
//
// Ref: Pillow src/libImaging/BoxBlur.c (ImagingLineBoxBlur8/32, ImagingHorizontalBoxBlur,
//      ImagingBoxBlur, _gaussian_blur_radius, ImagingGaussianBlur), ImageFilter.py.
//
// Ownership: values in, values out. Threads: pure functions, no shared state.
// Failure: std::invalid_argument for an empty or inconsistent picture or a negative / non-finite
// radius.
#pragma once

#include "core/edit/pixels.h"

namespace lienzo::edit {

/// The extended box radius Pillow uses for a Gaussian of `radius` over `passes` box passes.
float pillowBoxRadiusForGaussian(float radius, int passes = 3);

GrayImage gaussianBlur(const GrayImage& image, float radius);
RgbImage gaussianBlur(const RgbImage& image, float radius);
RgbaImage gaussianBlur(const RgbaImage& image, float radius);

}  // namespace lienzo::edit
