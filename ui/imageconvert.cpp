#include "ui/imageconvert.h"

#include <cstring>

namespace lienzo::ui {

QImage toQImage(const RgbImage& image) {
  if (image.empty() || image.width <= 0 || image.height <= 0) return {};
  const size_t rowBytes = static_cast<size_t>(image.width) * 3;
  if (image.pixels.size() != rowBytes * static_cast<size_t>(image.height)) return {};
  QImage out(image.width, image.height, QImage::Format_RGB888);
  if (out.isNull()) return {};
  // QImage rows are 4-byte aligned, so copy row by row.
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(out.scanLine(y), image.pixels.data() + rowBytes * static_cast<size_t>(y), rowBytes);
  }
  return out;
}

RgbImage toRgbImage(const QImage& image) {
  RgbImage out;
  if (image.isNull()) return out;
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  out.width = rgb.width();
  out.height = rgb.height();
  const size_t rowBytes = static_cast<size_t>(out.width) * 3;
  out.pixels.resize(rowBytes * static_cast<size_t>(out.height));
  for (int y = 0; y < out.height; ++y) {
    std::memcpy(out.pixels.data() + rowBytes * static_cast<size_t>(y), rgb.constScanLine(y),
                rowBytes);
  }
  return out;
}

QImage toQImage(const GrayImage& image) {
  if (image.empty() || image.width <= 0 || image.height <= 0) return {};
  const size_t rowBytes = static_cast<size_t>(image.width);
  if (image.pixels.size() != rowBytes * static_cast<size_t>(image.height)) return {};
  QImage out(image.width, image.height, QImage::Format_Grayscale8);
  if (out.isNull()) return {};
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(out.scanLine(y), image.pixels.data() + rowBytes * static_cast<size_t>(y), rowBytes);
  }
  return out;
}

GrayImage toGrayImage(const QImage& image) {
  GrayImage out;
  if (image.isNull()) return out;
  const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
  out.width = grey.width();
  out.height = grey.height();
  const size_t rowBytes = static_cast<size_t>(out.width);
  out.pixels.resize(rowBytes * static_cast<size_t>(out.height));
  for (int y = 0; y < out.height; ++y) {
    std::memcpy(out.pixels.data() + rowBytes * static_cast<size_t>(y), grey.constScanLine(y),
                rowBytes);
  }
  return out;
}

}  // namespace lienzo::ui
