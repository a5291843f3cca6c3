// Image files: decode PNG/JPEG/WebP to 8-bit pixels (OpenImageIO) and write them atomically with
// the generation metadata other tools read (see shared/formats/METADATA.md).
//
// Contract
// - readImage() returns 8-bit RGB or RGBA (grey is expanded, 16-bit is converted, palettes are
//   expanded). EXIF orientation is not applied. Images above kMaxImagePixels are refused.
// - writeImage() picks the format by extension (.png, .jpg/.jpeg, .webp; case-insensitive).
//   PNG: every text chunk is written (tEXt when Latin-1, else iTXt; see png_text.h).
//   JPEG/WebP: only "parameters" is stored, as EXIF UserComment ("UNICODE\0" + UTF-16BE); other
//   keywords are not representable there and are dropped. A JPEG cannot hold an EXIF block
//   above 64 KiB (about 32 700 characters of parameters): such a write fails with ImageIoError.
// - Writes are atomic: the encoded bytes go to a hidden temporary file in the target folder
//   (".<name>.tmp-XXXXXX"), which is fsync'ed and renamed over the target (then the folder is
//   fsync'ed). On any failure (encoder error, read-only folder, full disk, a throwing
//   beforeCommit hook) the temporary file is removed and ImageIoError says what and where; an
//   existing file at the target is never modified or half-overwritten.
// - Errors: ImageIoError (std::runtime_error) with the path and the reason; std::invalid_argument
//   for caller bugs: an Image8 whose size does not match its pixels or an unsupported channel
//   count, a PNG text keyword PNG does not allow, text that is not valid UTF-8 or holds NUL.
// - WebP is encoded and decoded with libwebp (OpenImageIO 2.4's WebP writer and reader alter
//   pixels: YUV for "lossless", 8-bit (un)premultiplication); other formats go through
//   OpenImageIO. Straight (unassociated) alpha is kept exactly in PNG and lossless WebP.
// - Thread-safety: the functions share no state; different files may be read/written from
//   different threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

/// 8-bit image, row-major, interleaved channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
/// pixels.size() == width * height * channels.
struct Image8 {
  int width = 0, height = 0, channels = 3;
  std::vector<uint8_t> pixels;
};

class ImageIoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Largest image readImage() accepts (width * height): 2^28 pixels (16384 x 16384).
inline constexpr std::int64_t kMaxImagePixels = std::int64_t{1} << 28;

/// PNG/JPEG/WebP (anything OpenImageIO reads), converted to 8-bit RGB (3 channels) or RGBA (4).
Image8 readImage(const std::filesystem::path& path);

/// Options for writeImage's overload.
struct ImageWriteOptions {
  int jpegQuality = 95;  ///< 1..100
  int webpQuality = 95;  ///< 1..100 (lossy WebP)
  bool webpLossless = false;
  /// Called with the temporary file (complete and fsync'ed) just before the rename that commits
  /// it. Throwing aborts the write like an I/O failure (temporary file removed, exception
  /// propagated). Lets a caller verify the file; tests use it to simulate failures.
  std::function<void(const std::filesystem::path& tempFile)> beforeCommit;
};

/// Writes PNG/JPEG/WebP by extension; see the contract above.
void writeImage(const std::filesystem::path& path, const Image8& image,
                const std::map<std::string, std::string>& textChunks = {});
void writeImage(const std::filesystem::path& path, const Image8& image,
                const std::map<std::string, std::string>& textChunks,
                const ImageWriteOptions& options);

/// The encoded file bytes writeImage() would write (format by the extension of `nameForFormat`).
std::string encodeImage(const std::filesystem::path& nameForFormat, const Image8& image,
                        const std::map<std::string, std::string>& textChunks = {},
                        const ImageWriteOptions& options = {});

/// The generation metadata of an image file as keyword -> UTF-8 text: a PNG's text chunks, or
/// {"parameters": <EXIF UserComment>} for JPEG/WebP (empty map when there is none). The format
/// is detected from the file's first bytes. Throws ImageIoError when the file cannot be read or
/// its structure is malformed.
std::map<std::string, std::string> readImageText(const std::filesystem::path& path);

/// Atomically replaces `path` with `bytes` (temporary file + fsync + rename, as writeImage).
/// Throws ImageIoError; `beforeCommit` as in ImageWriteOptions.
void writeFileAtomically(
    const std::filesystem::path& path, const std::string& bytes,
    const std::function<void(const std::filesystem::path& tempFile)>& beforeCommit = {});

}  // namespace lienzo
