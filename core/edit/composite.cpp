// Inpainting blends. See composite.h for the contract.
#include "core/edit/composite.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "core/edit/box_blur.h"
#include "core/edit/canvas.h"
#include "core/edit/image_checks.h"
#include "core/edit/pillow_math.h"

namespace lienzo::edit {
namespace {

/// Pillow: paste(source RGBa, mask = L matte) into a zero RGBa picture, per Paste.c's BLEND with
/// a zero destination: c' = DIV255(c * a); alpha = DIV255(255 * a) = a.
RgbaImage cutOut(const RgbImage& image, const GrayImage& matte) {
  RgbaImage out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(size_t(image.width) * image.height * 4);
  for (size_t i = 0; i < matte.pixels.size(); ++i) {
    const uint32_t a = matte.pixels[i];
    for (int c = 0; c < 3; ++c)
      out.pixels[i * 4 + c] = uint8_t(detail::div255(image.pixels[i * 3 + c] * a));
    out.pixels[i * 4 + 3] = uint8_t(detail::div255(255 * a));
  }
  return out;
}

// Ref: AlphaComposite.c ImagingAlphaComposite, scalar path (PRECISION_BITS 7).
void compositeInPlace(RgbaImage& dst, const RgbaImage& src) {
  constexpr uint32_t kBits = 7;
  for (size_t i = 0; i < dst.pixels.size(); i += 4) {
    const uint32_t sa = src.pixels[i + 3];
    if (sa == 0) continue;
    uint8_t* d = &dst.pixels[i];
    const uint8_t* s = &src.pixels[i];
    const uint32_t blend = d[3] * (255 - sa);
    const uint32_t outa255 = sa * 255 + blend;
    const uint32_t coef1 = sa * 255 * 255 * (1u << kBits) / outa255;
    const uint32_t coef2 = 255 * (1u << kBits) - coef1;
    for (int c = 0; c < 3; ++c) {
      const uint32_t t = s[c] * coef1 + d[c] * coef2;
      d[c] = uint8_t(detail::shiftForDiv255(t + (0x80u << kBits)) >> kBits);
    }
    d[3] = uint8_t(detail::shiftForDiv255(outa255 + 0x80));
  }
}

}  // namespace

RgbaImage toRgba(const RgbImage& image) {
  detail::requireValid("toRgba", "image", image);
  RgbaImage out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(size_t(image.width) * image.height * 4);
  for (size_t i = 0, n = size_t(image.width) * image.height; i < n; ++i) {
    for (int c = 0; c < 3; ++c) out.pixels[i * 4 + c] = image.pixels[i * 3 + c];
    out.pixels[i * 4 + 3] = 255;
  }
  return out;
}

RgbImage dropAlpha(const RgbaImage& image) {
  detail::requireValid("dropAlpha", "image", image);
  RgbImage out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(size_t(image.width) * image.height * 3);
  for (size_t i = 0, n = size_t(image.width) * image.height; i < n; ++i)
    for (int c = 0; c < 3; ++c) out.pixels[i * 3 + c] = image.pixels[i * 4 + c];
  return out;
}

RgbaImage makeOverlay(const RgbImage& image, const GrayImage& maskForOverlay) {
  detail::requireValid("makeOverlay", "image", image);
  detail::requireValid("makeOverlay", "maskForOverlay", maskForOverlay);
  detail::requireSameSize("makeOverlay", "image", image, "maskForOverlay", maskForOverlay);
  GrayImage matte = maskForOverlay;  // ImageOps.invert(mask_for_overlay)
  for (auto& v : matte.pixels) v = uint8_t(255 - v);
  // image.convert("RGBA").convert("RGBa") is the picture itself (alpha 255).
  RgbaImage out = cutOut(image, matte);
  detail::unpremultiply(out.pixels);  // RGBa -> RGBA
  return out;
}

RgbaImage alphaComposite(const RgbaImage& dst, const RgbaImage& src) {
  detail::requireValid("alphaComposite", "dst", dst);
  detail::requireValid("alphaComposite", "src", src);
  detail::requireSameSize("alphaComposite", "dst", dst, "src", src);
  RgbaImage out = dst;
  compositeInPlace(out, src);
  return out;
}

RgbImage applyOverlay(const RgbImage& generated, const RgbaImage& overlay) {
  detail::requireValid("applyOverlay", "generated", generated);
  detail::requireValid("applyOverlay", "overlay", overlay);
  detail::requireSameSize("applyOverlay", "generated", generated, "overlay", overlay);
  RgbaImage out = toRgba(generated);
  compositeInPlace(out, overlay);
  return dropAlpha(out);
}

RgbaImage uncrop(const RgbImage& generated, int canvasWidth, int canvasHeight,
                 const PixelRect& pasteRect) {
  detail::requireValid("uncrop", "generated", generated);
  detail::requirePositiveSize("uncrop", canvasWidth, canvasHeight);
  if (pasteRect.width() <= 0 || pasteRect.height() <= 0)
    throw std::invalid_argument("uncrop: paste rectangle is empty");
  if (pasteRect.x1 < 0 || pasteRect.y1 < 0 || pasteRect.x2 > canvasWidth ||
      pasteRect.y2 > canvasHeight)
    throw std::invalid_argument("uncrop: paste rectangle lies outside the " +
                                std::to_string(canvasWidth) + "x" + std::to_string(canvasHeight) +
                                " canvas");
  RgbaImage canvas;
  canvas.width = canvasWidth;
  canvas.height = canvasHeight;
  canvas.pixels.assign(size_t(canvasWidth) * canvasHeight * 4, 0);
  const RgbImage fitted =
      resizeImage(generated, pasteRect.width(), pasteRect.height(), ResizeMode::CropAndResize);
  return paste(canvas, toRgba(fitted), pasteRect.x1, pasteRect.y1);
}

RgbImage applyOverlay(const RgbImage& generated, const RgbaImage& overlay,
                      const PixelRect& pasteRect) {
  detail::requireValid("applyOverlay", "overlay", overlay);
  RgbaImage out = uncrop(generated, overlay.width, overlay.height, pasteRect);
  compositeInPlace(out, overlay);
  return dropAlpha(out);
}

// Ref: A1111 masking.fill.
RgbImage fillMaskedArea(const RgbImage& image, const GrayImage& mask) {
  detail::requireValid("fillMaskedArea", "image", image);
  detail::requireValid("fillMaskedArea", "mask", mask);
  detail::requireSameSize("fillMaskedArea", "image", image, "mask", mask);
  GrayImage matte = mask;  // ImageOps.invert(mask): keep where the mask is 0
  for (auto& v : matte.pixels) v = uint8_t(255 - v);
  const RgbaImage masked = cutOut(image, matte);  // RGBa (premultiplied)
  RgbaImage result;
  result.width = image.width;
  result.height = image.height;
  result.pixels.assign(size_t(image.width) * image.height * 4, 0);
  constexpr std::pair<float, int> kPasses[] = {{256.f, 1}, {64.f, 1}, {16.f, 2},
                                               {4.f, 4},   {2.f, 2},  {0.f, 1}};
  for (const auto& [radius, repeats] : kPasses) {
    RgbaImage blurred = gaussianBlur(masked, radius);  // blurred as RGBa
    detail::unpremultiply(blurred.pixels);             // .convert('RGBA')
    for (int r = 0; r < repeats; ++r) compositeInPlace(result, blurred);
  }
  return dropAlpha(result);
}

}  // namespace lienzo::edit
