// Inpainting masks as A1111 prepares them (255 = repaint, 0 = keep): binarisation, inversion,
// the OpenCV Gaussian mask blur, the overlay mask, the latent-size mask and the "only masked"
// crop region. Bit-exact with the reference (OpenCV's uint8 fixed-point Gaussian, Pillow's
// resize, numpy's float32 rounding).
//
// Ref: A1111 modules/processing.py (StableDiffusionProcessingImg2Img.init: create_binary_mask,
//      mask blur, mask_for_overlay, latent mask), modules/masking.py (get_crop_region,
//      expand_crop_region); OpenCV imgproc smooth.dispatch.cpp (getGaussianKernelBitExact,
//      getGaussianKernelFixedPoint_ED), fixedpoint.inl.hpp, BORDER_REFLECT_101;
//      ../shared/fixtures/README.md §7b.
//
// Ownership: values in, values out. Threads: pure functions, no shared state.
// Failure: std::invalid_argument for an empty or inconsistent picture and for out-of-range
// arguments (negative blur or padding, non-positive sizes, an empty crop region).
#pragma once

#include <optional>
#include <vector>

#include "core/edit/pixels.h"

namespace lienzo::edit {

/// Pillow's RGB -> L conversion (ITU-R 601-2 luma, L = (19595 R + 38470 G + 7471 B + 0x8000) >>
/// 16).
GrayImage toGray(const RgbImage& image);

/// A1111 create_binary_mask with mask_round: 255 where value > threshold (128), else 0.
GrayImage binarizeMask(const GrayImage& mask, int threshold = 128);
/// 255 - value (ImageOps.invert; A1111 "Inpaint not masked").
GrayImage invertMask(const GrayImage& mask);
/// True when every pixel is 0 (nothing to repaint).
bool isMaskAllZero(const GrayImage& mask);
/// True when every pixel is 255 (repaint everything).
bool isMaskAll255(const GrayImage& mask);

/// A1111's kernel size for a mask blur of `sigma` px: 2 * int(2.5 * sigma + 0.5) + 1.
int maskBlurKernelSize(double sigma);
/// OpenCV's 8.8 fixed-point Gaussian taps (sum 256) for an odd `ksize` and sigma > 0: the
/// normalised bit-exact kernel quantised with error diffusion from the outside in.
std::vector<int> gaussianTapsFixedPoint(int ksize, double sigma);

/// The A1111 mask blur: cv2.GaussianBlur(m, (kx, 1), blurX) then cv2.GaussianBlur(., (1, ky),
/// blurY) with the kernel sizes of maskBlurKernelSize; a blur of 0 skips that direction.
GrayImage blurMask(const GrayImage& mask, double blurX, double blurY);
inline GrayImage blurMask(const GrayImage& mask, double blur) {
  return blurMask(mask, blur, blur);
}

/// A1111 mask_for_overlay: uint8(clip(float32(blurred) * 2, 0, 255)).
GrayImage maskForOverlay(const GrayImage& blurred);

/// A1111 latent mask: the blurred mask resized (as RGB, Pillow's default BICUBIC with
/// antialiasing) to the latent size; channel 0.
GrayImage latentMask(const GrayImage& blurred, int latentWidth, int latentHeight);
/// The latent mask as floats [h * w]: float32(v) / 255, rounded half-to-even when `round`
/// (A1111 mask_round, the default). This is `nmask` (1 = repaint); `mask` = 1 - nmask.
std::vector<float> latentMaskValues(const GrayImage& latent, bool round = true);

/// A1111 masking.get_crop_region (v2 semantics): the bounding box of the non-zero pixels grown by
/// `pad` on every side and clipped to the picture; std::nullopt when the mask is all zero.
std::optional<PixelRect> maskCropRegion(const GrayImage& mask, int pad);
/// A1111 masking.expand_crop_region: grows `region` to the processing aspect ratio
/// (processingWidth : processingHeight), shifted back inside the image and clipped to it.
PixelRect expandCropRegion(const PixelRect& region, int processingWidth, int processingHeight,
                           int imageWidth, int imageHeight);

}  // namespace lienzo::edit
