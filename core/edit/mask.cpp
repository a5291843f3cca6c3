// Inpainting mask operations. See mask.h for the contract.
#include "core/edit/mask.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/edit/image_checks.h"
#include "core/edit/resample.h"

namespace lienzo::edit {
namespace {

GrayImage sameShape(const GrayImage& mask) {
  GrayImage out;
  out.width = mask.width;
  out.height = mask.height;
  out.pixels.resize(mask.pixels.size());
  return out;
}

// Ref: OpenCV borderInterpolate, BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba).
int reflect101(int p, int len) {
  if (len == 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * (len - 1) - p;
  return p;
}

/// One separable pass of OpenCV's bit-exact uint8 Gaussian along x (horizontal) or y: with the
/// other direction's 1-tap kernel (1.0) the result is (sum q[i] p[i] + 128) >> 8.
GrayImage gaussianPass(const GrayImage& in, double sigma, bool horizontal) {
  const int k = maskBlurKernelSize(sigma);
  if (k <= 1) return in;  // cv2.GaussianBlur with a 1x1 kernel copies
  const std::vector<int> q = gaussianTapsFixedPoint(k, sigma);
  const int half = k / 2;
  GrayImage out = sameShape(in);
  const int len = horizontal ? in.width : in.height;
  std::vector<int> idx(size_t(len) + 2 * half);
  for (int j = -half; j < len + half; ++j) idx[size_t(j + half)] = reflect101(j, len);
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < in.width; ++x) {
      const int j = horizontal ? x : y;
      uint32_t sum = 128;
      for (int i = 0; i < k; ++i) {
        const int s = idx[size_t(j + i)];  // reflect101(j + i - half)
        const uint8_t p =
            horizontal ? in.pixels[size_t(y) * in.width + s] : in.pixels[size_t(s) * in.width + x];
        sum += uint32_t(q[size_t(i)]) * p;
      }
      out.pixels[size_t(y) * in.width + x] = uint8_t(std::min<uint32_t>(sum >> 8, 255));
    }
  return out;
}

int floorDiv(int a, int b) {
  int q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

GrayImage toGray(const RgbImage& image) {
  detail::requireValid("toGray", "image", image);
  GrayImage out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(size_t(image.width) * image.height);
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    const uint8_t* p = &image.pixels[i * 3];
    out.pixels[i] = uint8_t((p[0] * 19595u + p[1] * 38470u + p[2] * 7471u + 0x8000u) >> 16);
  }
  return out;
}

GrayImage binarizeMask(const GrayImage& mask, int threshold) {
  detail::requireValid("binarizeMask", "mask", mask);
  GrayImage out = sameShape(mask);
  for (size_t i = 0; i < mask.pixels.size(); ++i)
    out.pixels[i] = mask.pixels[i] > threshold ? 255 : 0;
  return out;
}

GrayImage invertMask(const GrayImage& mask) {
  detail::requireValid("invertMask", "mask", mask);
  GrayImage out = sameShape(mask);
  for (size_t i = 0; i < mask.pixels.size(); ++i) out.pixels[i] = uint8_t(255 - mask.pixels[i]);
  return out;
}

bool isMaskAllZero(const GrayImage& mask) {
  detail::requireValid("isMaskAllZero", "mask", mask);
  return std::all_of(mask.pixels.begin(), mask.pixels.end(), [](uint8_t v) { return v == 0; });
}

bool isMaskAll255(const GrayImage& mask) {
  detail::requireValid("isMaskAll255", "mask", mask);
  return std::all_of(mask.pixels.begin(), mask.pixels.end(), [](uint8_t v) { return v == 255; });
}

int maskBlurKernelSize(double sigma) {
  if (!(sigma >= 0.0) || !std::isfinite(sigma))
    throw std::invalid_argument("maskBlurKernelSize: blur " + std::to_string(sigma) +
                                " must be finite and >= 0");
  return 2 * int(2.5 * sigma + 0.5) + 1;
}

// Ref: OpenCV smooth.dispatch.cpp getGaussianKernelBitExact (normalised taps, multiplied by the
// reciprocal of their sum) and getGaussianKernelFixedPoint_ED (8 fraction bits, error
// diffusion from the outermost tap inwards, centre = 256 - sum of the others).
std::vector<int> gaussianTapsFixedPoint(int ksize, double sigma) {
  if (ksize < 1 || ksize % 2 == 0)
    throw std::invalid_argument("gaussianTapsFixedPoint: kernel size " + std::to_string(ksize) +
                                " must be odd and >= 1");
  if (!(sigma > 0.0) || !std::isfinite(sigma))
    throw std::invalid_argument("gaussianTapsFixedPoint: sigma must be finite and > 0");
  const int n2 = (ksize - 1) / 2;
  const double scale2X = -0.125 / (sigma * sigma);
  std::vector<double> values(size_t(n2) + 1);
  double sum = 0.0;
  for (int i = 0, x = 1 - ksize; i < n2; ++i, x += 2) {
    const double t = std::exp(double(x * x) * scale2X);  // x = 2 (i - k//2)
    values[size_t(i)] = t;
    sum += t;
  }
  sum *= 2.0;
  sum += 1.0;
  const double mul1 = 1.0 / sum;
  for (int i = 0; i < n2; ++i) values[size_t(i)] *= mul1;

  std::vector<int> taps(static_cast<size_t>(ksize));
  double err = 0.0;
  long long total = 0;
  for (int i = 0; i < n2; ++i) {
    const double adj = values[size_t(i)] * 256.0 + err;
    const long long v = std::llrint(adj);  // round half to even (default rounding mode)
    err = adj - double(v);
    taps[size_t(i)] = taps[size_t(ksize - 1 - i)] = int(v);
    total += v;
  }
  taps[size_t(n2)] = int(256 - 2 * total);
  return taps;
}

GrayImage blurMask(const GrayImage& mask, double blurX, double blurY) {
  detail::requireValid("blurMask", "mask", mask);
  if (!(blurX >= 0.0) || !(blurY >= 0.0) || !std::isfinite(blurX) || !std::isfinite(blurY))
    throw std::invalid_argument("blurMask: blur must be finite and >= 0");
  GrayImage out = mask;
  if (blurX > 0.0) out = gaussianPass(out, blurX, true);
  if (blurY > 0.0) out = gaussianPass(out, blurY, false);
  return out;
}

GrayImage maskForOverlay(const GrayImage& blurred) {
  detail::requireValid("maskForOverlay", "blurred", blurred);
  GrayImage out = sameShape(blurred);
  for (size_t i = 0; i < blurred.pixels.size(); ++i)
    out.pixels[i] = uint8_t(std::min(2 * int(blurred.pixels[i]), 255));
  return out;
}

GrayImage latentMask(const GrayImage& blurred, int latentWidth, int latentHeight) {
  detail::requireValid("latentMask", "blurred", blurred);
  detail::requirePositiveSize("latentMask", latentWidth, latentHeight);
  // An RGB picture with three equal channels resizes channel by channel with the same taps.
  return resize(blurred, latentWidth, latentHeight, ResampleFilter::Bicubic);
}

std::vector<float> latentMaskValues(const GrayImage& latent, bool round) {
  detail::requireValid("latentMaskValues", "latent", latent);
  std::vector<float> out(latent.pixels.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const float v = float(latent.pixels[i]) / 255.0f;
    out[i] = round ? std::nearbyint(v) : v;
  }
  return out;
}

std::optional<PixelRect> maskCropRegion(const GrayImage& mask, int pad) {
  detail::requireValid("maskCropRegion", "mask", mask);
  if (pad < 0) throw std::invalid_argument("maskCropRegion: padding must be >= 0");
  int x1 = mask.width, y1 = mask.height, x2 = 0, y2 = 0;
  for (int y = 0; y < mask.height; ++y)
    for (int x = 0; x < mask.width; ++x)
      if (mask.pixels[size_t(y) * mask.width + x] != 0) {
        x1 = std::min(x1, x);
        y1 = std::min(y1, y);
        x2 = std::max(x2, x + 1);
        y2 = std::max(y2, y + 1);
      }
  if (x2 == 0) return std::nullopt;
  return PixelRect{std::max(x1 - pad, 0), std::max(y1 - pad, 0), std::min(x2 + pad, mask.width),
                   std::min(y2 + pad, mask.height)};
}

PixelRect expandCropRegion(const PixelRect& region, int processingWidth, int processingHeight,
                           int imageWidth, int imageHeight) {
  if (region.width() <= 0 || region.height() <= 0)
    throw std::invalid_argument("expandCropRegion: crop region is empty");
  if (processingWidth <= 0 || processingHeight <= 0 || imageWidth <= 0 || imageHeight <= 0)
    throw std::invalid_argument("expandCropRegion: sizes must be positive");
  int x1 = region.x1, y1 = region.y1, x2 = region.x2, y2 = region.y2;
  const double ratioCrop = double(x2 - x1) / double(y2 - y1);
  const double ratioProcessing = double(processingWidth) / double(processingHeight);
  if (ratioCrop > ratioProcessing) {
    const double desiredHeight = double(x2 - x1) / ratioProcessing;
    const int diff = int(desiredHeight - double(y2 - y1));  // Python int(): toward zero
    y1 -= floorDiv(diff, 2);
    y2 += diff - floorDiv(diff, 2);
    if (y2 >= imageHeight) {
      const int d = y2 - imageHeight;
      y2 -= d;
      y1 -= d;
    }
    if (y1 < 0) {
      y2 -= y1;
      y1 = 0;
    }
    if (y2 >= imageHeight) y2 = imageHeight;
  } else {
    const double desiredWidth = double(y2 - y1) * ratioProcessing;
    const int diff = int(desiredWidth - double(x2 - x1));
    x1 -= floorDiv(diff, 2);
    x2 += diff - floorDiv(diff, 2);
    if (x2 >= imageWidth) {
      const int d = x2 - imageWidth;
      x2 -= d;
      x1 -= d;
    }
    if (x1 < 0) {
      x2 -= x1;
      x1 = 0;
    }
    if (x2 >= imageWidth) x2 = imageWidth;
  }
  return PixelRect{x1, y1, x2, y2};
}

}  // namespace lienzo::edit
