// Pillow-compatible `Image.resize` for 8-bit L / RGB / RGBA pictures, bit-exact with Pillow's
// integer path: NEAREST (affine scale), BILINEAR, BICUBIC (a = -0.5), LANCZOS (a = 3), with the
// antialiasing support of a downscale (support x scale), 8-bit fixed-point coefficients
// (PRECISION_BITS = 22), horizontal pass then vertical pass, and the optional source box.
// RGBA is resized premultiplied (RGBA -> RGBa -> resize -> RGBA) except with NEAREST, as
// Image.resize does. Same size and full box = a copy.
//
// Ref: Pillow src/libImaging/Resample.c (precompute_coeffs, normalize_coeffs_8bpc,
//      ImagingResampleHorizontal_8bpc / Vertical_8bpc, ImagingResampleInner), Geometry.c
//      (ImagingScaleAffine for NEAREST), _imaging.c (_resize), Image.py (Image.resize).
//
// Ownership: values in, values out. Threads: pure functions, no shared state.
// Failure: std::invalid_argument for an empty or inconsistent picture, a target size <= 0, or a
// box outside the picture / with x1 < x0 or y1 < y0.
#pragma once

#include "core/edit/pixels.h"

namespace lienzo::edit {

enum class ResampleFilter { Nearest, Bilinear, Bicubic, Lanczos };

/// Pillow's `box` argument: the source region [x0, x1) x [y0, y1) in (fractional) pixels.
/// A box of zero height (or width) is allowed: Pillow then extrapolates from the rows around it
/// (A1111's "Resize and fill" relies on this).
struct SourceBox {
  float x0 = 0.f, y0 = 0.f, x1 = 0.f, y1 = 0.f;
};

GrayImage resize(const GrayImage& image, int width, int height, ResampleFilter filter);
RgbImage resize(const RgbImage& image, int width, int height, ResampleFilter filter);
RgbaImage resize(const RgbaImage& image, int width, int height, ResampleFilter filter);

GrayImage resize(const GrayImage& image, int width, int height, ResampleFilter filter,
                 const SourceBox& box);
RgbImage resize(const RgbImage& image, int width, int height, ResampleFilter filter,
                const SourceBox& box);
RgbaImage resize(const RgbaImage& image, int width, int height, ResampleFilter filter,
                 const SourceBox& box);

}  // namespace lienzo::edit
