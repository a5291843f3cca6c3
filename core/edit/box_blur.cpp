// Pillow's box / Gaussian blur. See box_blur.h for the contract.
#include "core/edit/box_blur.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/edit/image_checks.h"

namespace lienzo::edit {
namespace {

/// One line of Pillow's extended box blur: `n` pixels of `ch` channels at `stride` bytes apart
/// (a row: stride = ch; a column: stride = width * ch), read from `in`, written contiguously
/// (n * ch bytes) to `out`.
/// Ref: BoxBlur.c ImagingLineBoxBlur8/32 (UINT32 accumulators, wrap-around as in C).
void lineBoxBlur(uint8_t* out, const uint8_t* in, int n, size_t stride, int ch, int radius,
                 uint32_t ww, uint32_t fw) {
  const int lastx = n - 1;
  const int edgeA = std::min(radius + 1, n);
  const int edgeB = std::max(n - radius - 1, 0);
  auto at = [&](int x, int c) -> uint32_t { return in[size_t(x) * stride + c]; };
  for (int c = 0; c < ch; ++c) {
    uint32_t acc = at(0, c) * uint32_t(radius + 1);
    for (int x = 0; x < edgeA - 1; ++x) acc += at(x, c);
    acc += at(lastx, c) * uint32_t(radius - edgeA + 1);
    auto step = [&](int x, int subtract, int add, int left, int right) {
      acc += at(add, c) - at(subtract, c);
      const uint32_t bulk = acc * ww + (at(left, c) + at(right, c)) * fw;
      out[size_t(x) * ch + c] = uint8_t((bulk + (1u << 23)) >> 24);
    };
    if (edgeA <= edgeB) {
      for (int x = 0; x < edgeA; ++x) step(x, 0, x + radius, 0, x + radius + 1);
      for (int x = edgeA; x < edgeB; ++x)
        step(x, x - radius - 1, x + radius, x - radius - 1, x + radius + 1);
      for (int x = edgeB; x <= lastx; ++x) step(x, x - radius - 1, lastx, x - radius - 1, lastx);
    } else {
      for (int x = 0; x < edgeB; ++x) step(x, 0, x + radius, 0, x + radius + 1);
      for (int x = edgeB; x < edgeA; ++x) step(x, 0, lastx, 0, lastx);
      for (int x = edgeA; x <= lastx; ++x) step(x, x - radius - 1, lastx, x - radius - 1, lastx);
    }
  }
}

/// `passes` box passes along rows (horizontal) or columns of an interleaved picture, in place.
/// Ref: ImagingHorizontalBoxBlur (weights), ImagingBoxBlur (columns = rows of the transpose).
void boxBlurPasses(std::vector<uint8_t>& px, int width, int height, int ch, float floatRadius,
                   int passes, bool horizontal) {
  const int radius = int(floatRadius);
  const uint32_t ww = uint32_t(float(1u << 24) / (floatRadius * 2 + 1));
  const uint32_t fw = ((1u << 24) - uint32_t(radius * 2 + 1) * ww) / 2;
  const int lines = horizontal ? height : width;
  const int n = horizontal ? width : height;
  const size_t stride = horizontal ? size_t(ch) : size_t(width) * ch;
  std::vector<uint8_t> line(size_t(n) * ch);
  for (int p = 0; p < passes; ++p)
    for (int l = 0; l < lines; ++l) {
      uint8_t* base = horizontal ? &px[size_t(l) * width * ch] : &px[size_t(l) * ch];
      lineBoxBlur(line.data(), base, n, stride, ch, radius, ww, fw);
      for (int x = 0; x < n; ++x)  // commit the line (Pillow blurs in place through a buffer)
        for (int c = 0; c < ch; ++c) base[size_t(x) * stride + c] = line[size_t(x) * ch + c];
    }
}

template <typename Image>
Image blurImpl(const Image& image, float radius, int ch) {
  detail::requireValid("gaussianBlur", "image", image);
  if (!(radius >= 0.f) || !std::isfinite(radius))
    throw std::invalid_argument("gaussianBlur: radius must be finite and >= 0");
  Image out = image;
  // Ref: ImageFilter.GaussianBlur.filter (radius 0 = copy); ImagingGaussianBlur (3 passes).
  if (radius == 0.f) return out;
  const float boxRadius = pillowBoxRadiusForGaussian(radius, 3);
  if (boxRadius == 0.f) return out;
  boxBlurPasses(out.pixels, image.width, image.height, ch, boxRadius, 3, true);
  boxBlurPasses(out.pixels, image.width, image.height, ch, boxRadius, 3, false);
  return out;
}

}  // namespace

// Ref: BoxBlur.c _gaussian_blur_radius, float arithmetic as written (Gwosdek et al., SSVM 2011).
float pillowBoxRadiusForGaussian(float radius, int passes) {
  if (passes < 1) throw std::invalid_argument("pillowBoxRadiusForGaussian: passes must be >= 1");
  const float sigma2 = radius * radius / float(passes);
  const float L = float(std::sqrt(12.0 * double(sigma2) + 1.0));
  const float l = float(std::floor((double(L) - 1.0) / 2.0));
  float a = (2 * l + 1) * (l * (l + 1) - 3 * sigma2);
  a /= 6 * (sigma2 - (l + 1) * (l + 1));
  return l + a;
}

GrayImage gaussianBlur(const GrayImage& image, float radius) {
  return blurImpl(image, radius, 1);
}
RgbImage gaussianBlur(const RgbImage& image, float radius) {
  return blurImpl(image, radius, 3);
}
RgbaImage gaussianBlur(const RgbaImage& image, float radius) {
  return blurImpl(image, radius, 4);
}

}  // namespace lienzo::edit
