// PNG files with generation metadata, for the gallery and for drag-and-drop import.
//
// Encoding goes through QImage (no OpenImageIO in the UI); text chunks are added and read with
// core/io/png_text.h, because QImageReader::text() flattens multi-line prompts.
// All functions are reentrant (no shared state) and may run on any thread.
#pragma once

#include <QByteArray>
#include <QImage>
#include <QString>

#include <map>
#include <optional>
#include <string>

#include "core/io/infotext.h"

namespace lienzo::ui {

/// PNG bytes of `image` with one text chunk per entry (tEXt when Latin-1, else iTXt).
/// Returns empty bytes and sets `error` on failure.
QByteArray encodePng(const QImage& image, const std::map<std::string, std::string>& textChunks,
                     QString* error = nullptr);

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename): the
/// file is either the old one or the complete new one, never a torn write.
bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error = nullptr);

/// Every text chunk of the PNG at `path` (keyword -> UTF-8 text); nullopt and `error` when the
/// file cannot be read or is not a well-formed PNG.
std::optional<std::map<std::string, std::string>> readPngText(const QString& path,
                                                              QString* error = nullptr);

/// Generation parameters carried by the PNG at `path` (A1111, ComfyUI or InvokeAI), mapped onto
/// A1111 keys; nullopt when there are none (with `error` set when the file is unreadable).
std::optional<Infotext> readGenerationInfo(const QString& path, QString* error = nullptr);

}  // namespace lienzo::ui
