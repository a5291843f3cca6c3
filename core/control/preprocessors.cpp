// No-network ControlNet preprocessors (preprocessors.h).
#include "core/control/preprocessors.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace lienzo {
namespace {

void checkImage(const RgbImage& image, const char* who) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
    throw std::invalid_argument(std::string(who) + ": the picture is empty or malformed");
}

RgbImage grayToRgb(const GrayImage& g) {
  RgbImage out;
  out.width = g.width;
  out.height = g.height;
  out.pixels.resize(g.pixels.size() * 3);
  for (std::size_t i = 0; i < g.pixels.size(); ++i)
    out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = g.pixels[i];
  return out;
}

/// Per pixel of `image`: 255 when pred(r, g, b), else 0, on 3 channels.
template <typename Pred>
RgbImage binaryMap(const RgbImage& image, Pred pred) {
  RgbImage out = image;
  for (std::size_t i = 0; i < out.pixels.size(); i += 3) {
    const uint8_t v = pred(image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]) ? 255 : 0;
    out.pixels[i] = out.pixels[i + 1] = out.pixels[i + 2] = v;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& controlPreprocessors() {
  static const std::vector<std::string> names = {"none",   "canny",         "scribble", "threshold",
                                                 "invert", "tile_resample", "inpaint"};
  return names;
}

std::optional<std::string> resolvePreprocessor(const std::string& name) {
  for (const auto& n : controlPreprocessors())
    if (n == name) return n;
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"scribble_thr", "scribble"},
      {"binary", "threshold"},
      {"inpaint_only", "inpaint"},
      {"inpaint_global_harmonious", "inpaint"},
      {"invert (from white bg & black line)", "invert"}};
  for (const auto& [alias, canonical] : aliases)
    if (alias == name) return canonical;
  return std::nullopt;
}

// Ref: OpenCV imgproc/src/canny.cpp (generic path, apertureSize 3, L1 gradient): Sobel with
// BORDER_REPLICATE, per-pixel channel of largest |dx|+|dy|, fixed-point non-maximum suppression,
// hysteresis through 8-connected candidates. Algorithm as written down in
// ../shared/fixtures/controlnet/README.md §4.
GrayImage cannyEdges(const RgbImage& image, double lowIn, double highIn) {
  checkImage(image, "canny");
  if (!(lowIn >= 0.0 && highIn >= 0.0 && lowIn <= 1e6 && highIn <= 1e6))
    throw std::invalid_argument("canny: thresholds must be between 0 and 1000000");
  if (lowIn > highIn) std::swap(lowIn, highIn);
  const int64_t low = static_cast<int64_t>(std::floor(lowIn));
  const int64_t high = static_cast<int64_t>(std::floor(highIn));
  const int w = image.width, h = image.height;
  auto px = [&](int y, int x, int c) -> int {
    y = std::clamp(y, 0, h - 1);  // BORDER_REPLICATE
    x = std::clamp(x, 0, w - 1);
    return image.pixels[(std::size_t(y) * w + x) * 3 + c];
  };
  std::vector<int> dxs(std::size_t(w) * h), dys(std::size_t(w) * h);
  std::vector<int64_t> mag(std::size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int bestDx = 0, bestDy = 0, best = -1;
      for (int c = 0; c < 3; ++c) {
        const int dx = (px(y - 1, x + 1, c) - px(y - 1, x - 1, c)) +
                       2 * (px(y, x + 1, c) - px(y, x - 1, c)) +
                       (px(y + 1, x + 1, c) - px(y + 1, x - 1, c));
        const int dy = (px(y + 1, x - 1, c) - px(y - 1, x - 1, c)) +
                       2 * (px(y + 1, x, c) - px(y - 1, x, c)) +
                       (px(y + 1, x + 1, c) - px(y - 1, x + 1, c));
        const int m = std::abs(dx) + std::abs(dy);
        if (m > best) {  // the first channel on ties
          best = m;
          bestDx = dx;
          bestDy = dy;
        }
      }
      const std::size_t i = std::size_t(y) * w + x;
      dxs[i] = bestDx;
      dys[i] = bestDy;
      mag[i] = best;
    }
  auto magAt = [&](int y, int x) -> int64_t {
    if (y < 0 || y >= h || x < 0 || x >= w) return 0;
    return mag[std::size_t(y) * w + x];
  };
  // 0 = not a candidate, 1 = candidate (kept by the suppression), 2 = edge
  std::vector<uint8_t> state(std::size_t(w) * h, 0);
  std::vector<int> stack;
  constexpr int64_t kTg22 = 13573;  // round(tan(22.5 deg) * 2^15)
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const std::size_t i = std::size_t(y) * w + x;
      const int64_t m = mag[i];
      if (m <= low) continue;
      const int dx = dxs[i], dy = dys[i];
      const int64_t ax = std::abs(dx);
      const int64_t ay = int64_t(std::abs(dy)) << 15;
      const int64_t tg22x = ax * kTg22;
      const int64_t tg67x = tg22x + (ax << 16);
      bool keep = false;
      if (ay < tg22x) {
        keep = m > magAt(y, x - 1) && m >= magAt(y, x + 1);
      } else if (ay > tg67x) {
        keep = m > magAt(y - 1, x) && m >= magAt(y + 1, x);
      } else {
        const int s = (dx ^ dy) < 0 ? -1 : 1;
        keep = m > magAt(y - 1, x - s) && m > magAt(y + 1, x + s);
      }
      if (!keep) continue;
      state[i] = 1;
      if (m > high) {
        state[i] = 2;
        stack.push_back(static_cast<int>(i));
      }
    }
  while (!stack.empty()) {  // grow the edges through 8-connected candidates
    const int i = stack.back();
    stack.pop_back();
    const int y = i / w, x = i % w;
    for (int ny = y - 1; ny <= y + 1; ++ny)
      for (int nx = x - 1; nx <= x + 1; ++nx) {
        if (ny < 0 || ny >= h || nx < 0 || nx >= w) continue;
        const std::size_t j = std::size_t(ny) * w + nx;
        if (state[j] == 1) {
          state[j] = 2;
          stack.push_back(static_cast<int>(j));
        }
      }
  }
  GrayImage out;
  out.width = w;
  out.height = h;
  out.pixels.resize(state.size());
  for (std::size_t i = 0; i < state.size(); ++i) out.pixels[i] = state[i] == 2 ? 255 : 0;
  return out;
}

// Ref: OpenCV imgproc/src/resize.cpp INTER_AREA: an integer ratio is the box mean rounded half
// up (resizeAreaFast); otherwise each output pixel is the area-weighted mean of its footprint
// [d*s, (d+1)*s), s = src/dst per axis (resizeArea), rounded to nearest. OpenCV accumulates the
// general case in float32, so a .5 tie may land one apart from this exact mean.
RgbImage resizeArea(const RgbImage& image, int width, int height) {
  checkImage(image, "resizeArea");
  if (width <= 0 || height <= 0 || width > image.width || height > image.height)
    throw std::invalid_argument("resizeArea: the size must be a downscale to at least 1x1");
  const int sw = image.width, sh = image.height;
  RgbImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(std::size_t(width) * height * 3);
  auto src = [&](int y, int x, int c) { return image.pixels[(std::size_t(y) * sw + x) * 3 + c]; };
  if (sw % width == 0 && sh % height == 0) {
    const int rx = sw / width, ry = sh / height, area = rx * ry;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        for (int c = 0; c < 3; ++c) {
          int sum = 0;
          for (int yy = 0; yy < ry; ++yy)
            for (int xx = 0; xx < rx; ++xx) sum += src(y * ry + yy, x * rx + xx, c);
          out.pixels[(std::size_t(y) * width + x) * 3 + c] = uint8_t((sum + area / 2) / area);
        }
    return out;
  }
  // Per axis: the (source index, weight) pairs of each output index, weights summing to 1.
  auto taps = [](int srcN, int dstN) {
    const double s = double(srcN) / double(dstN);
    std::vector<std::vector<std::pair<int, double>>> t(dstN);
    for (int d = 0; d < dstN; ++d) {
      const double a = d * s, b = std::min((d + 1) * s, double(srcN));
      for (int i = int(std::floor(a)); i < int(std::ceil(b)) && i < srcN; ++i) {
        const double overlap = std::min(b, double(i + 1)) - std::max(a, double(i));
        if (overlap > 1e-12) t[d].emplace_back(i, overlap / (b - a));
      }
    }
    return t;
  };
  const auto tx = taps(sw, width), ty = taps(sh, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) {
        double acc = 0.0;
        for (const auto& [iy, wy] : ty[y])
          for (const auto& [ix, wx] : tx[x]) acc += wy * wx * src(iy, ix, c);
        out.pixels[(std::size_t(y) * width + x) * 3 + c] =
            uint8_t(std::clamp(std::lround(acc), 0L, 255L));
      }
  return out;
}

RgbImage preprocessControlImage(const std::string& name, const RgbImage& image,
                                const PreprocessorOptions& o) {
  const std::optional<std::string> canonical = resolvePreprocessor(name);
  if (!canonical) {
    std::string known;
    for (const auto& n : controlPreprocessors()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown ControlNet preprocessor \"" + name +
                                "\" (known: " + known + ")");
  }
  checkImage(image, canonical->c_str());
  const std::string& p = *canonical;
  if (p == "none" || p == "inpaint") return image;
  if (p == "canny") return grayToRgb(cannyEdges(image, o.low, o.high));
  if (p == "invert") {
    RgbImage out = image;
    for (auto& v : out.pixels) v = uint8_t(255 - v);
    return out;
  }
  if (o.threshold < 0 || o.threshold > 255)
    throw std::invalid_argument("ControlNet threshold must be between 0 and 255");
  if (p == "scribble")
    return binaryMap(image, [&](int r, int g, int b) { return std::min({r, g, b}) < o.threshold; });
  if (p == "threshold")  // OpenCV COLOR_RGB2GRAY: (4899 R + 9617 G + 1868 B + 8192) >> 14
    return binaryMap(image, [&](int r, int g, int b) {
      return ((4899 * r + 9617 * g + 1868 * b + 8192) >> 14) > o.threshold;
    });
  // tile_resample
  if (!(o.tileRate >= 1.0 && o.tileRate <= 64.0))
    throw std::invalid_argument("tile_resample: the down sampling rate must be between 1 and 64");
  if (o.tileRate < 1.1) return image;
  const int w = int(double(image.width) / o.tileRate), h = int(double(image.height) / o.tileRate);
  if (w < 1 || h < 1)
    throw std::invalid_argument("tile_resample: the rate leaves no pixel of the picture");
  return resizeArea(image, w, h);
}

}  // namespace lienzo
