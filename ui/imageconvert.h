// RgbImage (core, 8-bit RGB) <-> QImage conversion. Tensor-free; safe on any thread.
#pragma once

#include <QImage>

#include "core/pipeline/pipeline.h"

namespace lienzo::ui {

/// A deep copy of `image` as QImage::Format_RGB888 (null QImage when `image` is empty or its
/// pixel buffer does not match width × height × 3).
QImage toQImage(const RgbImage& image);

/// A deep copy of `image` as 8-bit RGB (alpha dropped, other formats converted).
RgbImage toRgbImage(const QImage& image);

/// A deep copy of a mask as QImage::Format_Grayscale8 (null when empty or malformed).
QImage toQImage(const GrayImage& image);
/// A deep copy of `image` as 8-bit grey (other formats converted).
GrayImage toGrayImage(const QImage& image);

}  // namespace lienzo::ui
