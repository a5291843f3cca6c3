// Pillow Image.resize, 8-bit path. See resample.h for the contract.
#include "core/edit/resample.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/edit/image_checks.h"
#include "core/edit/pillow_math.h"

namespace lienzo::edit {
namespace {

// Ref: Pillow Resample.c filters. Their double arithmetic is reproduced as written.
double bilinearFilter(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

double bicubicFilter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double sincFilter(double x) {
  if (x == 0.0) return 1.0;
  x = x * M_PI;
  return std::sin(x) / x;
}

double lanczosFilter(double x) {
  if (-3.0 <= x && x < 3.0) return sincFilter(x) * sincFilter(x / 3);
  return 0.0;
}

struct Filter {
  double (*fn)(double);
  double support;
};

Filter filterFor(ResampleFilter f) {
  switch (f) {
    case ResampleFilter::Bilinear:
      return {bilinearFilter, 1.0};
    case ResampleFilter::Bicubic:
      return {bicubicFilter, 2.0};
    case ResampleFilter::Lanczos:
      return {lanczosFilter, 3.0};
    case ResampleFilter::Nearest:
      break;
  }
  throw std::invalid_argument("resize: unsupported resampling filter");
}

constexpr int kPrecisionBits = 32 - 8 - 2;

/// Per output pixel: the first source index, the tap count and ksize fixed-point taps.
struct Coeffs {
  int ksize = 0;
  std::vector<int> bounds;  // [out][2] = xmin, count
  std::vector<int32_t> kk;  // [out][ksize]
};

// Ref: Resample.c precompute_coeffs + normalize_coeffs_8bpc.
Coeffs precomputeCoeffs(int inSize, float in0, float in1, int outSize, const Filter& filter) {
  double scale = double(in1 - in0) / outSize;
  double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = filter.support * filterscale;
  Coeffs c;
  c.ksize = int(std::ceil(support)) * 2 + 1;
  c.bounds.resize(size_t(outSize) * 2);
  c.kk.assign(size_t(outSize) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  for (int xx = 0; xx < outSize; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    double ww = 0.0;
    const double ss = 1.0 / filterscale;
    int xmin = int(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    for (int x = 0; x < xmax; ++x) {
      const double w = filter.fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x)
      if (ww != 0.0) k[x] /= ww;
    for (int x = 0; x < c.ksize; ++x) {
      const double v = x < xmax ? k[x] : 0.0;
      c.kk[size_t(xx) * c.ksize + x] = v < 0 ? int32_t(-0.5 + v * (1 << kPrecisionBits))
                                             : int32_t(0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[size_t(xx) * 2] = xmin;
    c.bounds[size_t(xx) * 2 + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int32_t in) {
  const int32_t v = in >> kPrecisionBits;  // arithmetic shift, as Pillow's lookup index
  return uint8_t(v < 0 ? 0 : (v > 255 ? 255 : v));
}

/// An interleaved 8-bit picture of any channel count (Pillow keeps 1 or 4 bytes per pixel; the
/// per-channel arithmetic is the same).
struct Buffer {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> px;  // interleaved
};

// Ref: ImagingResampleHorizontal_8bpc: rows [rowOffset, rowOffset + outRows) of the source.
Buffer resampleHorizontal(const Buffer& in, int outWidth, int rowOffset, int outRows,
                          const Coeffs& c) {
  Buffer out{outWidth, outRows, in.channels, {}};
  out.px.resize(size_t(outWidth) * outRows * in.channels);
  const int ch = in.channels;
  for (int yy = 0; yy < outRows; ++yy) {
    const uint8_t* row = &in.px[size_t(yy + rowOffset) * in.width * ch];
    uint8_t* dst = &out.px[size_t(yy) * outWidth * ch];
    for (int xx = 0; xx < outWidth; ++xx) {
      const int xmin = c.bounds[size_t(xx) * 2], xmax = c.bounds[size_t(xx) * 2 + 1];
      const int32_t* k = &c.kk[size_t(xx) * c.ksize];
      for (int b = 0; b < ch; ++b) {
        int32_t ss = 1 << (kPrecisionBits - 1);
        for (int x = 0; x < xmax; ++x) ss += int32_t(row[size_t(x + xmin) * ch + b]) * k[x];
        dst[size_t(xx) * ch + b] = clip8(ss);
      }
    }
  }
  return out;
}

// Ref: ImagingResampleVertical_8bpc.
Buffer resampleVertical(const Buffer& in, int outHeight, const Coeffs& c, int rowShift) {
  Buffer out{in.width, outHeight, in.channels, {}};
  out.px.resize(size_t(in.width) * outHeight * in.channels);
  const size_t stride = size_t(in.width) * in.channels;
  for (int yy = 0; yy < outHeight; ++yy) {
    const int ymin = c.bounds[size_t(yy) * 2] - rowShift, ymax = c.bounds[size_t(yy) * 2 + 1];
    const int32_t* k = &c.kk[size_t(yy) * c.ksize];
    uint8_t* dst = &out.px[size_t(yy) * stride];
    for (size_t i = 0; i < stride; ++i) {
      int32_t ss = 1 << (kPrecisionBits - 1);
      for (int y = 0; y < ymax; ++y) ss += int32_t(in.px[size_t(y + ymin) * stride + i]) * k[y];
      dst[i] = clip8(ss);
    }
  }
  return out;
}

// Ref: Geometry.c ImagingScaleAffine (NEAREST goes through an affine scale in _resize).
Buffer resizeNearest(const Buffer& in, int width, int height, const SourceBox& box) {
  const double a0 = double(box.x1 - box.x0) / width, a2 = box.x0;
  const double a4 = double(box.y1 - box.y0) / height, a5 = box.y0;
  auto coord = [](double v) { return v < 0.0 ? -1 : int(v); };
  std::vector<int> xintab(width, -1);
  double xo = a2 + a0 * 0.5;
  for (int x = 0; x < width; ++x) {
    const int xin = coord(xo);
    if (xin >= 0 && xin < in.width) xintab[x] = xin;
    xo += a0;
  }
  const int ch = in.channels;
  Buffer out{width, height, ch, std::vector<uint8_t>(size_t(width) * height * ch, 0)};
  double yo = a5 + a4 * 0.5;
  for (int y = 0; y < height; ++y) {
    const int yi = coord(yo);
    if (yi >= 0 && yi < in.height) {
      for (int x = 0; x < width; ++x) {
        if (xintab[x] < 0) continue;
        for (int b = 0; b < ch; ++b)
          out.px[(size_t(y) * width + x) * ch + b] =
              in.px[(size_t(yi) * in.width + xintab[x]) * ch + b];
      }
    }
    yo += a4;
  }
  return out;
}

// Ref: Resample.c ImagingResampleInner.
Buffer resampleInner(const Buffer& in, int xsize, int ysize, const Filter& filter,
                     const SourceBox& box) {
  const bool needHorizontal = xsize != in.width || box.x0 != 0.f || box.x1 != float(xsize);
  const bool needVertical = ysize != in.height || box.y0 != 0.f || box.y1 != float(ysize);
  const Coeffs vert = precomputeCoeffs(in.height, box.y0, box.y1, ysize, filter);
  const int yboxFirst = vert.bounds[0];
  const int yboxLast = vert.bounds[size_t(ysize) * 2 - 2] + vert.bounds[size_t(ysize) * 2 - 1];
  Buffer current;
  const Buffer* src = &in;
  int rowShift = 0;
  if (needHorizontal) {
    const Coeffs horiz = precomputeCoeffs(in.width, box.x0, box.x1, xsize, filter);
    current = resampleHorizontal(in, xsize, yboxFirst, yboxLast - yboxFirst, horiz);
    src = &current;
    rowShift = yboxFirst;
  }
  if (needVertical) return resampleVertical(*src, ysize, vert, rowShift);
  return needHorizontal ? current : in;
}

Buffer resizeBuffer(const Buffer& in, int width, int height, ResampleFilter filter,
                    const SourceBox& box) {
  // Ref: _imaging.c _resize argument checks.
  if (box.x0 < 0.f || box.y0 < 0.f)
    throw std::invalid_argument("resize: box offset can't be negative");
  if (box.x1 > float(in.width) || box.y1 > float(in.height))
    throw std::invalid_argument("resize: box can't exceed original image size");
  if (box.x1 - box.x0 < 0.f || box.y1 - box.y0 < 0.f)
    throw std::invalid_argument("resize: box can't be empty (x1 < x0 or y1 < y0)");
  if (in.width == width && in.height == height && box.x0 == 0.f && box.y0 == 0.f &&
      box.x1 == float(width) && box.y1 == float(height))
    return in;
  if (filter == ResampleFilter::Nearest) return resizeNearest(in, width, height, box);
  return resampleInner(in, width, height, filterFor(filter), box);
}

template <typename Image>
Image resizeImpl(const Image& image, int width, int height, ResampleFilter filter,
                 const SourceBox& box, int channels) {
  detail::requireValid("resize", "image", image);
  detail::requirePositiveSize("resize", width, height);
  Buffer in{image.width, image.height, channels, image.pixels};
  // Ref: Image.py Image.resize: RGBA is resized as RGBa unless the filter is NEAREST (and a
  // same-size full-box resize is a plain copy, before any conversion).
  const bool identity = image.width == width && image.height == height && box.x0 == 0.f &&
                        box.y0 == 0.f && box.x1 == float(width) && box.y1 == float(height);
  const bool premultiplied = channels == 4 && filter != ResampleFilter::Nearest && !identity;
  if (premultiplied) detail::premultiply(in.px);
  Buffer out = resizeBuffer(in, width, height, filter, box);
  if (premultiplied) detail::unpremultiply(out.px);
  Image result;
  result.width = out.width;
  result.height = out.height;
  result.pixels = std::move(out.px);
  return result;
}

template <typename Image>
SourceBox fullBox(const Image& image) {
  return {0.f, 0.f, float(image.width), float(image.height)};
}

}  // namespace

GrayImage resize(const GrayImage& image, int width, int height, ResampleFilter filter) {
  return resizeImpl(image, width, height, filter, fullBox(image), 1);
}
RgbImage resize(const RgbImage& image, int width, int height, ResampleFilter filter) {
  return resizeImpl(image, width, height, filter, fullBox(image), 3);
}
RgbaImage resize(const RgbaImage& image, int width, int height, ResampleFilter filter) {
  return resizeImpl(image, width, height, filter, fullBox(image), 4);
}
GrayImage resize(const GrayImage& image, int width, int height, ResampleFilter filter,
                 const SourceBox& box) {
  return resizeImpl(image, width, height, filter, box, 1);
}
RgbImage resize(const RgbImage& image, int width, int height, ResampleFilter filter,
                const SourceBox& box) {
  return resizeImpl(image, width, height, filter, box, 3);
}
RgbaImage resize(const RgbaImage& image, int width, int height, ResampleFilter filter,
                 const SourceBox& box) {
  return resizeImpl(image, width, height, filter, box, 4);
}

}  // namespace lienzo::edit
