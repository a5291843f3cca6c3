// Helpers shared by the gallery reliability tests (test_gallery_kill.cpp, test_gallery_disk.cpp):
// deterministic noisy images (so PNG encoding takes real bytes and time), a parameters text per
// seed, and a check that a folder holds only complete, decodable gallery images.
// Header-only; UI-thread helpers (QImage, QDir); safe to call in a forked child before _exit.
#pragma once

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QImage>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <string>

#include "core/io/infotext.h"
#include "ui/pngmetadata.h"

namespace lienzo::ui::testing {

/// A `w`×`h` RGB image of xorshift noise (incompressible: ~3 bytes per pixel once encoded).
inline QImage noiseImage(int w, int h, uint32_t seed) {
  QImage image(w, h, QImage::Format_RGB888);
  uint32_t x = seed * 2654435761u + 1;
  for (int y = 0; y < h; ++y) {
    uchar* row = image.scanLine(y);
    for (int i = 0; i < w * 3; ++i) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      row[i] = static_cast<uchar>(x);
    }
  }
  return image;
}

/// The A1111 parameters saved with image `seed`.
inline QString paramsFor(int64_t seed) {
  Infotext info;
  info.prompt = "kill test image " + std::to_string(seed) + ", ñ 🌅";
  info.set("Steps", "4");
  info.set("Seed", std::to_string(seed));
  info.set("Size", "256x256");
  return QString::fromStdString(formatInfotext(info));
}

/// Every regular file under `folder` (hidden ones and .lienzo/ included), relative paths.
inline QStringList allFiles(const QString& folder) {
  QStringList out;
  QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                  QDirIterator::Subdirectories);
  while (it.hasNext()) out << QDir(folder).relativeFilePath(it.next());
  out.sort();
  return out;
}

/// The seed recorded in the parameters of a gallery image, or -1 when the file does not decode
/// or carries no parameters.
inline int64_t savedSeed(const QString& path) {
  if (QImage(path).isNull()) return -1;
  const auto info = readGenerationInfo(path);
  if (!info) return -1;
  const auto seed = info->get("Seed");
  return seed ? std::stoll(*seed) : -1;
}

inline QByteArray fileBytes(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace lienzo::ui::testing
