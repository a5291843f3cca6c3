// readEditPicture() / readEditMask(): what an edit request may start from, and the clear
// refusals of files it may not (truncated, CMYK, 16-bit, empty, other formats).
#include "core/io/edit_inputs.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace lienzo {
namespace {

namespace fs = std::filesystem;

class EditInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("lienzo-edit-inputs-" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path path(const std::string& name) const { return m_dir / name; }
  fs::path writeBytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }
  static std::string readBytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  fs::path m_dir;
};

Image8 rgba(int w, int h) {
  Image8 img;
  img.width = w;
  img.height = h;
  img.channels = 4;
  img.pixels.resize(static_cast<std::size_t>(w) * h * 4);
  for (int i = 0; i < w * h; ++i) {  // alpha 129, 0, 255, 0, 255, 0, 129, ...
    img.pixels[i * 4 + 0] = 200;
    img.pixels[i * 4 + 1] = 100;
    img.pixels[i * 4 + 2] = 0;
    img.pixels[i * 4 + 3] = static_cast<uint8_t>(i % 2 ? 0 : (i % 3 ? 255 : 129));
  }
  return img;
}

/// A PNG chunk: length, type, data, CRC.
std::string chunk(const std::string& type, const std::string& data) {
  std::string out;
  const auto put32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xFF));
  };
  put32(static_cast<uint32_t>(data.size()));
  const std::string body = type + data;
  out += body;
  put32(static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
  return out;
}

/// A valid grey PNG of the given size and bit depth (all pixels 0x80 / 0x8080).
std::string greyPng(uint32_t w, uint32_t h, int depth) {
  std::string ihdr;
  for (uint32_t v : {w, h})
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(static_cast<char>((v >> s) & 0xFF));
  ihdr += {static_cast<char>(depth), 0, 0, 0, 0};
  std::string raw;
  for (uint32_t y = 0; y < h; ++y) raw += std::string(1, '\0') + std::string(w * depth / 8, '\x80');
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string z(size, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
           static_cast<uLong>(raw.size()));
  z.resize(size);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) +
         chunk("IEND", "");
}

#define EXPECT_REFUSED(statement, fragment)                                           \
  do {                                                                                \
    try {                                                                             \
      statement;                                                                      \
      ADD_FAILURE() << "not refused";                                                 \
    } catch (const ImageIoError& e) {                                                 \
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what(); \
    }                                                                                 \
  } while (0)

TEST_F(EditInputs, InitPictureAlphaIsFlattenedOntoWhite) {
  writeImage(path("a.png"), rgba(6, 4));
  const RgbImage img = readEditPicture(path("a.png"));
  ASSERT_EQ(img.width, 6);
  ASSERT_EQ(img.height, 4);
  // Pixel 0 has alpha 129, pixel 1 is transparent (-> white), pixel 2 opaque.
  EXPECT_EQ(img.pixels[0], (200 * 129 + 255 * 126 + 127) / 255);
  EXPECT_EQ(img.pixels[1], (100 * 129 + 255 * 126 + 127) / 255);
  EXPECT_EQ(img.pixels[2], (0 * 129 + 255 * 126 + 127) / 255);
  EXPECT_EQ(img.pixels[3], 255);
  EXPECT_EQ(img.pixels[4], 255);
  EXPECT_EQ(img.pixels[5], 255);
  EXPECT_EQ(img.pixels[6], 200);
  EXPECT_EQ(img.pixels[7], 100);
  EXPECT_EQ(img.pixels[8], 0);
  // Another background colour.
  const RgbImage black = readEditPicture(path("a.png"), {0, 0, 0});
  EXPECT_EQ(black.pixels[3], 0);
}

TEST_F(EditInputs, JpegWebpAndGreyPictures) {
  Image8 rgb;
  rgb.width = 16;
  rgb.height = 8;
  rgb.channels = 3;
  rgb.pixels.assign(16 * 8 * 3, 90);
  writeImage(path("p.jpg"), rgb);
  EXPECT_EQ(readEditPicture(path("p.jpg")).width, 16);
  ImageWriteOptions lossless;
  lossless.webpLossless = true;
  writeImage(path("p.webp"), rgb, {}, lossless);
  const RgbImage webp = readEditPicture(path("p.webp"));
  EXPECT_EQ(webp.height, 8);
  EXPECT_EQ(webp.pixels[5], 90);
  writeBytes("g.png", greyPng(5, 3, 8));
  const RgbImage grey = readEditPicture(path("g.png"));
  EXPECT_EQ(grey.width, 5);
  EXPECT_EQ(grey.pixels[0], 0x80);
  EXPECT_EQ(grey.pixels[2], 0x80);
}

TEST_F(EditInputs, MaskFromAlphaOrLuminance) {
  writeImage(path("alpha.png"), rgba(6, 4));
  const GrayImage fromAlpha = readEditMask(path("alpha.png"));
  ASSERT_EQ(fromAlpha.pixels.size(), 24u);
  EXPECT_EQ(fromAlpha.pixels[0], 255);  // alpha 129 > 128
  EXPECT_EQ(fromAlpha.pixels[1], 0);    // alpha 0
  EXPECT_EQ(fromAlpha.pixels[2], 255);  // alpha 255
  // Opaque RGBA and RGB: luminance, soft values kept.
  Image8 opaque = rgba(3, 1);
  for (int i = 0; i < 3; ++i) opaque.pixels[i * 4 + 3] = 255;
  opaque.pixels[4] = opaque.pixels[5] = opaque.pixels[6] = 77;
  writeImage(path("opaque.png"), opaque);
  const GrayImage fromLum = readEditMask(path("opaque.png"));
  EXPECT_EQ(fromLum.pixels[0], (19595u * 200 + 38470u * 100 + 0x8000u) >> 16);
  EXPECT_EQ(fromLum.pixels[1], 77);
  writeBytes("g.png", greyPng(4, 4, 8));
  EXPECT_EQ(readEditMask(path("g.png")).pixels[15], 0x80);
}

TEST_F(EditInputs, RefusesBadFiles) {
  EXPECT_REFUSED(readEditPicture(path("missing.png")), "Cannot use '");
  writeBytes("empty.png", "");
  EXPECT_REFUSED(readEditPicture(path("empty.png")), "the file is empty");
  writeBytes("notes.txt", "just some text, not a picture");
  EXPECT_REFUSED(readEditMask(path("notes.txt")), "not a PNG, JPEG or WebP file");
  writeBytes("deep.png", greyPng(4, 4, 16));
  EXPECT_REFUSED(readEditPicture(path("deep.png")), "16 bits per channel");
  EXPECT_REFUSED(readEditMask(path("deep.png")), "as a mask: it has 16 bits per channel");
  writeBytes("zero.png", greyPng(0, 4, 8));
  EXPECT_REFUSED(readEditPicture(path("zero.png")), "no pixels (0x4)");
  // Truncated PNG, JPEG, WebP.
  const std::string png = greyPng(32, 32, 8);
  writeBytes("cut.png", png.substr(0, png.size() - 20));
  EXPECT_REFUSED(readEditPicture(path("cut.png")), "truncated");
  Image8 rgb;
  rgb.width = rgb.height = 32;
  rgb.pixels.assign(32 * 32 * 3, 0);
  for (std::size_t i = 0; i < rgb.pixels.size(); ++i) rgb.pixels[i] = static_cast<uint8_t>(i * 7);
  writeImage(path("whole.jpg"), rgb);
  const std::string jpg = readBytes(path("whole.jpg"));
  writeBytes("cut.jpg", jpg.substr(0, jpg.size() - 100));
  EXPECT_REFUSED(readEditPicture(path("cut.jpg")), "the JPEG is truncated");
  writeImage(path("whole.webp"), rgb);
  const std::string webp = readBytes(path("whole.webp"));
  writeBytes("cut.webp", webp.substr(0, webp.size() - 10));
  EXPECT_REFUSED(readEditMask(path("cut.webp")), "the WebP is truncated");
  // CMYK JPEG: a frame header with four components (refused before any decoding).
  const std::string sof = std::string("\xFF\xC0\x00\x14\x08\x00\x10\x00\x10\x04", 10) +
                          std::string("\x01\x11\x00\x02\x11\x00\x03\x11\x00\x04\x11\x00", 12);
  writeBytes("cmyk.jpg", std::string("\xFF\xD8", 2) + sof + std::string("\xFF\xD9", 2));
  EXPECT_REFUSED(readEditPicture(path("cmyk.jpg")), "CMYK JPEG; convert it to RGB");
  // 12-bit JPEG.
  std::string deep = sof;
  deep[4] = 12;
  deep[9] = 3;
  writeBytes("deep.jpg", std::string("\xFF\xD8", 2) + deep + std::string("\xFF\xD9", 2));
  EXPECT_REFUSED(readEditPicture(path("deep.jpg")), "12 bits per channel");
}

}  // namespace
}  // namespace lienzo
