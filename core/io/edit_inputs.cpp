#include "core/io/edit_inputs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

struct Refusal {
  std::string reason;
};

uint32_t be16(std::string_view b, std::size_t i) {
  return (uint32_t{static_cast<uint8_t>(b[i])} << 8) | static_cast<uint8_t>(b[i + 1]);
}
uint32_t be32(std::string_view b, std::size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
uint32_t le32(std::string_view b, std::size_t i) {
  return uint32_t{static_cast<uint8_t>(b[i])} | (uint32_t{static_cast<uint8_t>(b[i + 1])} << 8) |
         (uint32_t{static_cast<uint8_t>(b[i + 2])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[i + 3])} << 24);
}

// Ref: PNG specification (ISO/IEC 15948) §11.2.2 IHDR, §11.2.5 IEND.
void checkPng(std::string_view b) {
  if (b.size() < 33 || b.substr(12, 4) != "IHDR") throw Refusal{"the PNG header is damaged"};
  const uint32_t w = be32(b, 16), h = be32(b, 20);
  const int depth = static_cast<uint8_t>(b[24]);
  if (w == 0 || h == 0 || w > 0x7fffffff || h > 0x7fffffff)
    throw Refusal{"the PNG has no pixels (" + std::to_string(w) + "x" + std::to_string(h) + ")"};
  if (depth == 16) throw Refusal{"it has 16 bits per channel; save it with 8 bits per channel"};
  // The last chunk is IEND (a few bytes of trailing junk are tolerated).
  const std::size_t tail = b.size() > 64 ? b.size() - 64 : 0;
  if (b.find("IEND", tail) == std::string_view::npos)
    throw Refusal{"the PNG is truncated (no IEND chunk at its end)"};
}

// Ref: ITU-T T.81 (JPEG) Annex B: marker segments, SOFn (B.2.2), SOS, EOI.
void checkJpeg(std::string_view b) {
  std::size_t i = 2;
  bool sawFrame = false;
  while (i + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[i]) != 0xFF) throw Refusal{"the JPEG structure is damaged"};
    const uint8_t marker = static_cast<uint8_t>(b[i + 1]);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD9) throw Refusal{"the JPEG has no image data"};
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      i += 2;
      continue;
    }
    const uint32_t length = be16(b, i + 2);
    if (length < 2 || i + 2 + length > b.size()) throw Refusal{"the JPEG is truncated"};
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof && !sawFrame) {
      if (length < 8) throw Refusal{"the JPEG frame header is damaged"};
      sawFrame = true;
      const int precision = static_cast<uint8_t>(b[i + 4]);
      const uint32_t h = be16(b, i + 5), w = be16(b, i + 7);
      const int components = static_cast<uint8_t>(b[i + 9]);
      if (precision != 8)
        throw Refusal{"it has " + std::to_string(precision) +
                      " bits per channel; save it with 8 bits per channel"};
      if (components == 4) throw Refusal{"it is a CMYK JPEG; convert it to RGB first"};
      if (components != 1 && components != 3)
        throw Refusal{"a JPEG with " + std::to_string(components) + " colour channels"};
      if (w == 0 || h == 0)
        throw Refusal{"the JPEG has no pixels (" + std::to_string(w) + "x" + std::to_string(h) +
                      ")"};
    }
    if (marker == 0xDA) {  // start of scan: entropy-coded data follows
      if (!sawFrame) throw Refusal{"the JPEG has no frame header"};
      // After the last scan comes EOI (FF D9); FF bytes inside scans are stuffed (FF 00) or
      // restart markers, so a missing EOI after the last SOS means a cut-off file.
      const std::size_t lastScan = b.rfind("\xFF\xDA");
      if (b.find("\xFF\xD9", lastScan) == std::string_view::npos)
        throw Refusal{"the JPEG is truncated (no end-of-image marker)"};
      return;
    }
    i += 2 + length;
  }
  throw Refusal{"the JPEG is truncated"};
}

// Ref: WebP container specification (RIFF header, VP8 / VP8L / VP8X chunks).
void checkWebp(std::string_view b) {
  if (b.size() < 30) throw Refusal{"the WebP is truncated"};
  const uint64_t riffSize = le32(b, 4);
  if (riffSize + 8 > b.size()) throw Refusal{"the WebP is truncated"};
  const std::string_view fourcc = b.substr(12, 4);
  uint32_t w = 1, h = 1;
  if (fourcc == "VP8X") {
    w = 1 + (le32(b, 24) & 0xFFFFFF);
    h = 1 + (le32(b, 27) & 0xFFFFFF);
    if (static_cast<uint8_t>(b[20]) & 0x02) throw Refusal{"an animated WebP"};
  } else if (fourcc == "VP8 ") {
    // Key frame header: 14-bit little-endian width and height after the start code.
    w = (static_cast<uint8_t>(b[26]) | (static_cast<uint8_t>(b[27]) << 8)) & 0x3FFF;
    h = (static_cast<uint8_t>(b[28]) | (static_cast<uint8_t>(b[29]) << 8)) & 0x3FFF;
  } else if (fourcc != "VP8L") {
    throw Refusal{"the WebP holds no still picture"};
  }
  if (w == 0 || h == 0) throw Refusal{"the WebP has no pixels"};
}

std::string readFile(const fs::path& path, const char* role) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ImageIoError("Cannot use '" + path.string() + "' as " + role + ": " +
                       std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad())
    throw ImageIoError("Cannot use '" + path.string() + "' as " + role + ": read error");
  return buffer.str();
}

Image8 readChecked(const fs::path& path, const char* role) {
  checkEditInputFile(path, role);
  try {
    return readImage(path);
  } catch (const ImageIoError& e) {
    throw ImageIoError("Cannot use '" + path.string() + "' as " + role + ": " + e.what());
  }
}

}  // namespace

void checkEditInputFile(const fs::path& path, const char* role) {
  const std::string bytes = readFile(path, role);
  const std::string_view b = bytes;
  try {
    if (b.empty()) throw Refusal{"the file is empty"};
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) {
      checkPng(b);
    } else if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") {
      checkJpeg(b);
    } else if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
      checkWebp(b);
    } else {
      throw Refusal{"not a PNG, JPEG or WebP file"};
    }
  } catch (const Refusal& r) {
    throw ImageIoError("Cannot use '" + path.string() + "' as " + role + ": " + r.reason);
  }
}

RgbImage readEditPicture(const fs::path& path, std::array<uint8_t, 3> background) {
  const Image8 in = readChecked(path, "an init picture");  // [H,W,3|4]
  RgbImage out;
  out.width = in.width;
  out.height = in.height;
  const std::size_t n = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height);
  out.pixels.resize(n * 3);
  for (std::size_t i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      const uint32_t v = in.pixels[i * in.channels + c];
      if (in.channels == 4) {
        // Ref: A1111 modules/images.py flatten (PIL alpha_composite onto the background).
        const uint32_t a = in.pixels[i * 4 + 3];
        out.pixels[i * 3 + c] =
            static_cast<uint8_t>((v * a + uint32_t{background[c]} * (255 - a) + 127) / 255);
      } else {
        out.pixels[i * 3 + c] = static_cast<uint8_t>(v);
      }
    }
  }
  return out;
}

GrayImage readEditMask(const fs::path& path) {
  const Image8 in = readChecked(path, "a mask");  // [H,W,3|4]
  GrayImage out;
  out.width = in.width;
  out.height = in.height;
  const std::size_t n = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height);
  out.pixels.resize(n);
  bool useAlpha = false;
  if (in.channels == 4) {
    for (std::size_t i = 0; i < n && !useAlpha; ++i) useAlpha = in.pixels[i * 4 + 3] != 255;
  }
  // Ref: A1111 modules/processing.py create_binary_mask; PIL ImageMode "L" conversion.
  for (std::size_t i = 0; i < n; ++i) {
    const uint8_t* p = &in.pixels[i * in.channels];
    if (useAlpha) {
      out.pixels[i] = p[3] > 128 ? 255 : 0;
    } else {
      out.pixels[i] =
          static_cast<uint8_t>((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16);
    }
  }
  return out;
}

}  // namespace lienzo
