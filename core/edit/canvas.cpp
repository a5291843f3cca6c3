// Picture geometry. See canvas.h for the contract.
#include "core/edit/canvas.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "core/edit/image_checks.h"
#include "core/edit/resample.h"

namespace lienzo::edit {
namespace {

template <typename Image>
constexpr int channelsOf();
template <>
constexpr int channelsOf<GrayImage>() {
  return 1;
}
template <>
constexpr int channelsOf<RgbImage>() {
  return 3;
}
template <>
constexpr int channelsOf<RgbaImage>() {
  return 4;
}

template <typename Image>
Image blank(int width, int height) {
  Image out;
  out.width = width;
  out.height = height;
  out.pixels.assign(size_t(width) * height * channelsOf<Image>(), 0);
  return out;
}

template <typename Image>
Image cropImpl(const Image& image, const PixelRect& rect) {
  detail::requireValid("crop", "image", image);
  if (rect.width() <= 0 || rect.height() <= 0)
    throw std::invalid_argument("crop: rectangle is empty (" + std::to_string(rect.width()) + "x" +
                                std::to_string(rect.height()) + ")");
  constexpr int ch = channelsOf<Image>();
  Image out = blank<Image>(rect.width(), rect.height());
  for (int y = std::max(rect.y1, 0); y < std::min(rect.y2, image.height); ++y)
    for (int x = std::max(rect.x1, 0); x < std::min(rect.x2, image.width); ++x)
      std::copy_n(&image.pixels[(size_t(y) * image.width + x) * ch], ch,
                  &out.pixels[(size_t(y - rect.y1) * out.width + (x - rect.x1)) * ch]);
  return out;
}

// Ref: Pillow Paste.c ImagingPaste (clip the source to the destination).
template <typename Image>
void pasteInPlace(Image& base, const Image& picture, int x, int y) {
  constexpr int ch = channelsOf<Image>();
  const int x0 = std::max(x, 0), y0 = std::max(y, 0);
  const int x1 = std::min(x + picture.width, base.width);
  const int y1 = std::min(y + picture.height, base.height);
  if (x1 <= x0) return;
  for (int yy = y0; yy < y1; ++yy)
    std::copy_n(&picture.pixels[(size_t(yy - y) * picture.width + (x0 - x)) * ch],
                size_t(x1 - x0) * ch, &base.pixels[(size_t(yy) * base.width + x0) * ch]);
}

template <typename Image>
Image pasteImpl(const Image& base, const Image& picture, int x, int y) {
  detail::requireValid("paste", "base", base);
  detail::requireValid("paste", "picture", picture);
  Image out = base;
  pasteInPlace(out, picture, x, y);
  return out;
}

/// a * b // c for non-negative sizes, without int overflow.
int scaled(int a, int b, int c) {
  return int(int64_t(a) * b / c);
}

// Ref: A1111 images.resize_image (upscaler None: every resize is Pillow LANCZOS; the bands of
// mode 2 use Image.resize's default filter, BICUBIC, with a zero-height / zero-width box).
template <typename Image>
Image resizeImageImpl(const Image& image, int width, int height, ResizeMode mode) {
  detail::requireValid("resizeImage", "image", image);
  detail::requirePositiveSize("resizeImage", width, height);
  if (mode == ResizeMode::Just) return resize(image, width, height, ResampleFilter::Lanczos);

  const double ratio = double(width) / double(height);
  const double srcRatio = double(image.width) / double(image.height);
  int srcW = 0, srcH = 0;
  if (mode == ResizeMode::CropAndResize) {
    srcW = ratio > srcRatio ? width : scaled(image.width, height, image.height);
    srcH = ratio <= srcRatio ? height : scaled(image.height, width, image.width);
  } else {
    srcW = ratio < srcRatio ? width : scaled(image.width, height, image.height);
    srcH = ratio >= srcRatio ? height : scaled(image.height, width, image.width);
  }
  if (srcW <= 0 || srcH <= 0)
    throw std::invalid_argument("resizeImage: a " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " picture scales to an empty " +
                                std::to_string(srcW) + "x" + std::to_string(srcH) + " one");
  const Image resized = resize(image, srcW, srcH, ResampleFilter::Lanczos);
  Image res = blank<Image>(width, height);
  pasteInPlace(res, resized, width / 2 - srcW / 2, height / 2 - srcH / 2);
  if (mode == ResizeMode::ResizeAndFill) {
    const float rw = float(resized.width), rh = float(resized.height);
    if (ratio < srcRatio) {
      const int fillHeight = height / 2 - srcH / 2;
      if (fillHeight > 0) {
        pasteInPlace(res,
                     resize(resized, width, fillHeight, ResampleFilter::Bicubic,
                            SourceBox{0.f, 0.f, float(width), 0.f}),
                     0, 0);
        pasteInPlace(res,
                     resize(resized, width, fillHeight, ResampleFilter::Bicubic,
                            SourceBox{0.f, rh, float(width), rh}),
                     0, fillHeight + srcH);
      }
    } else if (ratio > srcRatio) {
      const int fillWidth = width / 2 - srcW / 2;
      if (fillWidth > 0) {
        pasteInPlace(res,
                     resize(resized, fillWidth, height, ResampleFilter::Bicubic,
                            SourceBox{0.f, 0.f, 0.f, float(height)}),
                     0, 0);
        pasteInPlace(res,
                     resize(resized, fillWidth, height, ResampleFilter::Bicubic,
                            SourceBox{rw, 0.f, rw, float(height)}),
                     fillWidth + srcW, 0);
      }
    }
  }
  return res;
}

}  // namespace

RgbImage resizeImage(const RgbImage& image, int width, int height, ResizeMode mode) {
  return resizeImageImpl(image, width, height, mode);
}
GrayImage resizeImage(const GrayImage& mask, int width, int height, ResizeMode mode) {
  return resizeImageImpl(mask, width, height, mode);
}

RgbImage crop(const RgbImage& image, const PixelRect& rect) {
  return cropImpl(image, rect);
}
GrayImage crop(const GrayImage& image, const PixelRect& rect) {
  return cropImpl(image, rect);
}

RgbImage paste(const RgbImage& base, const RgbImage& picture, int x, int y) {
  return pasteImpl(base, picture, x, y);
}
GrayImage paste(const GrayImage& base, const GrayImage& picture, int x, int y) {
  return pasteImpl(base, picture, x, y);
}
RgbaImage paste(const RgbaImage& base, const RgbaImage& picture, int x, int y) {
  return pasteImpl(base, picture, x, y);
}

// Ref: ComfyUI ImagePadForOutpaint.expand_image (grey 0.5 -> 128 here; mask 1.0 -> 255).
OutpaintCanvas extendCanvas(const RgbImage& image, int left, int top, int right, int bottom,
                            OutpaintFill fill, int feather) {
  detail::requireValid("extendCanvas", "image", image);
  if (left < 0 || top < 0 || right < 0 || bottom < 0)
    throw std::invalid_argument("extendCanvas: padding must be >= 0 on every side");
  if (feather < 0) throw std::invalid_argument("extendCanvas: feather must be >= 0");
  const int w = image.width, h = image.height;
  const int W = w + left + right, H = h + top + bottom;
  OutpaintCanvas out;
  out.original = PixelRect{left, top, left + w, top + h};
  out.image = blank<RgbImage>(W, H);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      uint8_t* dst = &out.image.pixels[(size_t(y) * W + x) * 3];
      const bool inside = x >= left && x < left + w && y >= top && y < top + h;
      if (!inside && fill == OutpaintFill::Neutral) {
        dst[0] = dst[1] = dst[2] = 128;
        continue;
      }
      const int sx = std::clamp(x - left, 0, w - 1), sy = std::clamp(y - top, 0, h - 1);
      std::copy_n(&image.pixels[(size_t(sy) * w + sx) * 3], 3, dst);
    }
  out.mask.width = W;
  out.mask.height = H;
  out.mask.pixels.assign(size_t(W) * H, 255);
  const bool feathered = feather > 0 && feather * 2 < h && feather * 2 < w;
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j) {
      uint8_t v = 0;
      if (feathered) {
        const int dt = top != 0 ? i : h, db = bottom != 0 ? h - i : h;
        const int dl = left != 0 ? j : w, dr = right != 0 ? w - j : w;
        const int d = std::min({dt, db, dl, dr});
        if (d < feather) {
          const double t = double(feather - d) / double(feather);
          v = uint8_t(std::lround(255.0 * t * t));
        }
      }
      out.mask.pixels[size_t(i + top) * W + (j + left)] = v;
    }
  return out;
}

}  // namespace lienzo::edit
