// Pillow's 8-bit integer helpers shared by the editing operations (internal to core/edit).
//
// Every function is pure and exact: these are the macros of Pillow's libImaging that the picture
// operations must reproduce bit for bit. Threads: no state.
// Ref: Pillow src/libImaging/ImPlatform.h / Imaging.h (DIV255, MULDIV255, SHIFTFORDIV255),
//      Convert.c (rgbA2rgba premultiply, rgba2rgbA unpremultiply).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lienzo::edit::detail {

/// Pillow's rounded division by 255 of a product of two bytes.
inline uint32_t div255(uint32_t x) {
  const uint32_t t = x + 128;
  return ((t >> 8) + t) >> 8;
}

/// Pillow's SHIFTFORDIV255: ((x >> 8) + x) >> 8 (the caller adds the rounding term).
inline uint32_t shiftForDiv255(uint32_t x) {
  return ((x >> 8) + x) >> 8;
}

/// RGBA (straight) -> RGBa (premultiplied), in place on interleaved 4-byte pixels.
inline void premultiply(std::vector<uint8_t>& rgba) {
  for (size_t i = 0; i + 3 < rgba.size(); i += 4) {
    const uint32_t a = rgba[i + 3];
    for (int c = 0; c < 3; ++c) rgba[i + c] = uint8_t(div255(rgba[i + c] * a));
  }
}

/// RGBa (premultiplied) -> RGBA (straight), in place: unchanged where alpha is 0 or 255, else
/// min(255, 255 * c / alpha) (integer division).
inline void unpremultiply(std::vector<uint8_t>& rgba) {
  for (size_t i = 0; i + 3 < rgba.size(); i += 4) {
    const uint32_t a = rgba[i + 3];
    if (a == 0 || a == 255) continue;
    for (int c = 0; c < 3; ++c)
      rgba[i + c] = uint8_t(std::min<uint32_t>(255, 255 * rgba[i + c] / a));
  }
}

}  // namespace lienzo::edit::detail
