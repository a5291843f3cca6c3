// The A1111 `parameters` text in JPEG and WebP files: EXIF UserComment (tag 0x9286) =
// "UNICODE\0" + UTF-16BE text, inside an EXIF (TIFF-structured) block that sits in a JPEG APP1
// "Exif\0\0" segment or a WebP RIFF "EXIF" chunk (see shared/formats/METADATA.md).
//
// Contract
// - Pure byte-level functions, no image decoding, thread-safe.
// - Input is untrusted: every offset and length is bounds-checked. Readers return std::nullopt
//   when the comment is absent or the EXIF block is malformed; container functions throw
//   ExifError for a malformed JPEG/WebP structure. Nothing reads out of bounds or crashes.
// - Decoded text is UTF-8 ("UNICODE" comments are UTF-16, big-endian as A1111/piexif write them;
//   little-endian ones from other writers are detected; "ASCII" and unprefixed comments are
//   taken as UTF-8), with invalid sequences replaced by U+FFFD.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lienzo {

class ExifError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A TIFF-structured EXIF block ("MM" byte order) holding IFD0 -> Exif IFD -> UserComment =
/// "UNICODE\0" + UTF-16BE(text). (What follows "Exif\0\0" in a JPEG APP1 segment.)
std::string makeExifUserComment(const std::string& utf8Text);

/// The decoded UserComment of an EXIF block (a leading "Exif\0\0" is accepted), looked up in the
/// Exif IFD (and IFD0 for lax writers); std::nullopt when absent or malformed.
/// Trailing NUL characters are padding (piexif pads) and are dropped, so text ending in NUL does
/// not survive makeExifUserComment → readExifUserComment unchanged; all other text does.
std::optional<std::string> readExifUserComment(std::string_view exif);

/// Largest EXIF block a JPEG APP1 segment can carry (65535 - 2 length bytes - 6 "Exif\0\0").
inline constexpr std::size_t kMaxJpegExifBytes = 65527;

/// The JPEG with its EXIF replaced: existing APP1 "Exif" segments are dropped and one holding
/// `exif` is inserted after SOI and any APP0 (JFIF) segments. Throws ExifError for a malformed
/// JPEG header or an EXIF block above kMaxJpegExifBytes.
std::string setJpegExif(const std::string& jpeg, const std::string& exif);
/// The EXIF block of the first APP1 "Exif\0\0" segment (without that prefix); std::nullopt when
/// there is none. Throws ExifError for a malformed JPEG header.
std::optional<std::string> jpegExif(const std::string& jpeg);

/// The WebP with an "EXIF" chunk holding `exif` (replacing any existing one); a simple-format
/// file (VP8/VP8L) becomes the extended format (VP8X with the EXIF flag; canvas width x height,
/// alpha flag when hasAlpha). Throws ExifError for a malformed RIFF/WebP structure or a canvas
/// outside 1..2^24.
std::string setWebpExif(const std::string& webp, const std::string& exif, int width, int height,
                        bool hasAlpha);
/// The content of the first "EXIF" chunk (a leading "Exif\0\0" written by some tools is
/// removed); std::nullopt when there is none. Throws ExifError for a malformed RIFF structure.
std::optional<std::string> webpExif(const std::string& webp);

}  // namespace lienzo
