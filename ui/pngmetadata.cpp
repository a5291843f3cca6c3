#include "ui/pngmetadata.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QSaveFile>

#include <exception>

#include "core/io/metadata_import.h"
#include "core/io/png_text.h"

namespace lienzo::ui {

/// Translation context for the messages of this file.
class PngMetadata {
  Q_DECLARE_TR_FUNCTIONS(PngMetadata)
};

namespace {
void setError(QString* error, const QString& message) {
  if (error) *error = message;
}
}  // namespace

QByteArray encodePng(const QImage& image, const std::map<std::string, std::string>& textChunks,
                     QString* error) {
  QByteArray bytes;
  {
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, "PNG")) {
      setError(error, PngMetadata::tr("Could not encode the image as PNG."));
      return {};
    }
  }
  try {
    std::string png(bytes.constData(), static_cast<size_t>(bytes.size()));
    for (const auto& [keyword, text] : textChunks) png = addPngTextChunk(png, keyword, text);
    return QByteArray(png.data(), static_cast<qsizetype>(png.size()));
  } catch (const std::exception& e) {
    setError(error, PngMetadata::tr("Could not add the metadata to the PNG: %1")
                        .arg(QString::fromUtf8(e.what())));
    return {};
  }
}

bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    setError(error, PngMetadata::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return false;
  }
  if (file.write(bytes) != bytes.size()) {
    setError(error, PngMetadata::tr("Cannot write %1: %2").arg(path, file.errorString()));
    file.cancelWriting();
    return false;
  }
  if (!file.commit()) {
    setError(error, PngMetadata::tr("Cannot write %1: %2").arg(path, file.errorString()));
    return false;
  }
  return true;
}

std::optional<std::map<std::string, std::string>> readPngText(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    setError(error, PngMetadata::tr("Cannot open %1: %2").arg(path, file.errorString()));
    return std::nullopt;
  }
  const QByteArray bytes = file.readAll();
  try {
    std::map<std::string, std::string> out;
    for (const PngTextChunk& chunk :
         readPngTextChunks(std::string(bytes.constData(), static_cast<size_t>(bytes.size())))) {
      out.emplace(chunk.keyword, chunk.text);  // the first chunk of a keyword wins
    }
    return out;
  } catch (const std::exception& e) {
    setError(
        error,
        PngMetadata::tr("%1 is not a readable PNG: %2").arg(path, QString::fromUtf8(e.what())));
    return std::nullopt;
  }
}

std::optional<Infotext> readGenerationInfo(const QString& path, QString* error) {
  const auto chunks = readPngText(path, error);
  if (!chunks) return std::nullopt;
  try {
    return importGenerationMetadata(*chunks);
  } catch (const std::exception& e) {
    setError(error, PngMetadata::tr("The metadata in %1 could not be read: %2")
                        .arg(path, QString::fromUtf8(e.what())));
    return std::nullopt;
  }
}

}  // namespace lienzo::ui
