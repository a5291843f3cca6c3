// Argument checks shared by the editing operations (internal to core/edit).
//
// Failure: every check throws std::invalid_argument with "<function>: <argument> ..." so the
// message names the call that was misused. Threads: no state.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/edit/pixels.h"

namespace lienzo::edit::detail {

inline void requireShape(const char* fn, const char* arg, int width, int height, size_t bytes,
                         int channels) {
  if (width <= 0 || height <= 0 || bytes == 0)
    throw std::invalid_argument(std::string(fn) + ": " + arg + " is empty (" +
                                std::to_string(width) + "x" + std::to_string(height) + ")");
  if (bytes != size_t(width) * size_t(height) * size_t(channels))
    throw std::invalid_argument(std::string(fn) + ": " + arg + " has " + std::to_string(bytes) +
                                " bytes, expected " + std::to_string(width) + "x" +
                                std::to_string(height) + "x" + std::to_string(channels));
}

inline void requireValid(const char* fn, const char* arg, const GrayImage& im) {
  requireShape(fn, arg, im.width, im.height, im.pixels.size(), 1);
}
inline void requireValid(const char* fn, const char* arg, const RgbImage& im) {
  requireShape(fn, arg, im.width, im.height, im.pixels.size(), 3);
}
inline void requireValid(const char* fn, const char* arg, const RgbaImage& im) {
  requireShape(fn, arg, im.width, im.height, im.pixels.size(), 4);
}

template <typename A, typename B>
void requireSameSize(const char* fn, const char* argA, const A& a, const char* argB, const B& b) {
  if (a.width != b.width || a.height != b.height)
    throw std::invalid_argument(std::string(fn) + ": " + argA + " is " + std::to_string(a.width) +
                                "x" + std::to_string(a.height) + " but " + argB + " is " +
                                std::to_string(b.width) + "x" + std::to_string(b.height));
}

inline void requirePositiveSize(const char* fn, int width, int height) {
  if (width <= 0 || height <= 0)
    throw std::invalid_argument(std::string(fn) + ": target size " + std::to_string(width) + "x" +
                                std::to_string(height) + " is not positive");
}

}  // namespace lienzo::edit::detail
