// The pictures an edit request starts from, read from files: the init picture of img2img /
// inpainting / outpainting and the inpainting mask.
//
// Contract
// - Accepted: PNG, JPEG and WebP (detected from the first bytes, not the extension), 8 bits per
//   channel, grey / grey+alpha / RGB / RGBA / palette. Refused with ImageIoError (image_io.h)
//   naming the file and the reason, before any pixel is decoded: unreadable or empty files,
//   other formats, truncated files (PNG without IEND, JPEG without an end-of-image marker after
//   its last scan, WebP shorter than its RIFF size), CMYK/YCCK JPEGs, 16-bit PNGs (and 12-bit
//   JPEGs), zero or negative sizes. Pictures above kMaxImagePixels are refused by readImage().
// - readEditPicture(): alpha is flattened onto `background` (A1111's img2img_background_color,
//   white by default) as PIL's alpha_composite does; grey is expanded to RGB.
// - readEditMask(): A1111 create_binary_mask: a picture with an alpha channel that is not all 255
//   uses its alpha, thresholded (> 128 -> 255 "repaint", else 0 "keep"); otherwise its
//   luminance (PIL "L": (19595 R + 38470 G + 7471 B + 2^15) >> 16), soft values kept. Unlike
//   A1111 a grey+alpha PNG is treated like RGBA. The mask is not resized here: it must have the
//   init picture's size (validateEditParams).
// - Thread-safety: no shared state.
#pragma once

#include "core/edit/pixels.h"
#include "core/io/image_io.h"

#include <array>
#include <cstdint>
#include <filesystem>

namespace lienzo {

/// The init picture, RGB; see the contract. Throws ImageIoError.
RgbImage readEditPicture(const std::filesystem::path& path,
                         std::array<uint8_t, 3> background = {255, 255, 255});

/// The inpainting mask, 255 = repaint; see the contract. Throws ImageIoError.
GrayImage readEditMask(const std::filesystem::path& path);

/// The header check both readers make first (format, truncation, CMYK, bit depth, size); throws
/// ImageIoError with "Cannot use '<path>' as <role>: <reason>". `role` e.g. "an init picture".
void checkEditInputFile(const std::filesystem::path& path, const char* role);

}  // namespace lienzo
