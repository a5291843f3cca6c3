// Plain 8-bit pictures shared by the pipeline facade, the editing operations (core/edit) and the
// UI. No torch, no Qt: rows top to bottom, channels interleaved, no padding.
//
// Ownership: values (std::vector storage); copy or move freely. Threads: no shared state.
#pragma once

#include <cstdint>
#include <vector>

namespace lienzo {

/// 8-bit RGB picture, 3 bytes per pixel.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  ///< width * height * 3
  bool empty() const { return pixels.empty(); }
};

/// 8-bit single-channel picture (masks: 255 = repaint, 0 = keep).
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  ///< width * height
  bool empty() const { return pixels.empty(); }
};

/// 8-bit RGBA picture, straight (not premultiplied) alpha, 4 bytes per pixel.
struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  ///< width * height * 4
  bool empty() const { return pixels.empty(); }
};

/// A rectangle in pixels: [x1, x2) × [y1, y2).
struct PixelRect {
  int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  int width() const { return x2 - x1; }
  int height() const { return y2 - y1; }
  bool operator==(const PixelRect& o) const {
    return x1 == o.x1 && y1 == o.y1 && x2 == o.x2 && y2 == o.y2;
  }
};

}  // namespace lienzo
