// EXIF UserComment ("UNICODE\0" + UTF-16BE) and its JPEG APP1 / WebP EXIF containers.
#include "core/io/exif_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace lienzo {
namespace {

std::string le32(std::uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}
std::string le16(std::uint16_t v) {
  return std::string{static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
}

/// SOI, APP0 JFIF, an old Exif APP1, DQT, SOS + entropy data, EOI (structure only).
std::string fakeJpeg() {
  std::string j("\xFF\xD8", 2);
  j += std::string("\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 18);
  j += std::string(
      "\xFF\xE1\x00\x0E"
      "Exif\x00\x00MM\x00*\x00\x00",
      16);
  j += std::string("\xFF\xDB\x00\x04\x00\x01", 6);
  j += std::string("\xFF\xDA\x00\x04\x01\x02\x12\x34\x56\xFF\x00\x78", 12);
  j += std::string("\xFF\xD9", 2);
  return j;
}

std::string fakeWebpLossless() {
  const std::string payload("\x2F\x01\x40\x00\x10\x75\x08", 7);  // odd size: padded
  std::string body = "VP8L" + le32(static_cast<std::uint32_t>(payload.size())) + payload + '\0';
  return "RIFF" + le32(static_cast<std::uint32_t>(4 + body.size())) + "WEBP" + body;
}

TEST(ExifText, UserCommentIsUnicodePrefixPlusUtf16be) {
  const std::string exif = makeExifUserComment("Aé🐱");
  EXPECT_EQ(exif.substr(0, 4), std::string("MM\0*", 4));
  const std::string expected = std::string("UNICODE\0", 8) + std::string(
                                                                 "\x00"
                                                                 "A"
                                                                 "\x00\xE9"
                                                                 "\xD8\x3D\xDC\x31",
                                                                 8);
  EXPECT_EQ(exif.substr(exif.size() - expected.size()), expected);
  EXPECT_EQ(readExifUserComment(exif), "Aé🐱");
}

TEST(ExifText, RoundTripsMultiLineNonAsciiParameters) {
  const std::string text =
      "un dragón sobre la montaña, \"épico\" 🐉\nNegative prompt: borroso\n"
      "Steps: 20, Sampler: Euler a, Seed: 42, Lora hashes: \"a: 1\"";
  const std::string exif = makeExifUserComment(text);
  EXPECT_EQ(readExifUserComment(exif), text);
  // With the "Exif\0\0" prefix some tools keep (PIL/piexif dumps).
  EXPECT_EQ(readExifUserComment(std::string("Exif\0\0", 6) + exif), text);
}

// Big-endian text whose characters end in a zero byte looks like little-endian Latin to the
// zero-byte heuristic; in our ("MM") blocks it must stay big-endian (fuzz_exif_text finding:
// U+54500, and CJK 一 = U+4E00).
TEST(ExifText, BigEndianBlocksKeepCharactersEndingInAZeroByte) {
  for (const std::string text :
       {"\xF1\x94\x94\x80", "\xE4\xB8\x80", "\xE4\xB8\x80\xE4\xB8\xAA girl"})
    EXPECT_EQ(readExifUserComment(makeExifUserComment(text)), text) << text;
}

// Trailing NULs are padding (exif_text.h); inner NULs are text and survive.
TEST(ExifText, TrailingNulsArePaddingInnerNulsAreKept) {
  EXPECT_EQ(readExifUserComment(makeExifUserComment(std::string("seed: 7\0\0", 9))), "seed: 7");
  const std::string inner("a\0b", 3);
  EXPECT_EQ(readExifUserComment(makeExifUserComment(inner)), inner);
}

TEST(ExifText, ReadsLittleEndianTiffAndOtherEncodings) {
  // II TIFF, UserComment directly in IFD0, UTF-16LE without BOM.
  const auto build = [](const std::string& comment) {
    std::string t("II*\0", 4);
    t += le32(8);
    t += le16(1) + le16(0x9286) + le16(7) + le32(static_cast<std::uint32_t>(comment.size())) +
         le32(26) + le32(0);
    return t + comment;
  };
  const std::string utf16le = std::string("UNICODE\0", 8) + std::string("h\0o\0l\0a\0", 8);
  EXPECT_EQ(readExifUserComment(build(utf16le)), "hola");
  EXPECT_EQ(readExifUserComment(build(std::string("ASCII\0\0\0plain", 13))), "plain");
  EXPECT_EQ(readExifUserComment(build(std::string(8, '\0') + "utf8 ñ")), "utf8 ñ");
  // BOM wins over the heuristic.
  EXPECT_EQ(readExifUserComment(build(std::string("UNICODE\0\xFF\xFEh\0i\0", 14))), "hi");
}

TEST(ExifText, MalformedBlocksGiveNothingNotACrash) {
  const std::string exif = makeExifUserComment("hola mundo, Steps: 20");
  EXPECT_FALSE(readExifUserComment("").has_value());
  EXPECT_FALSE(readExifUserComment("XX*\0\0\0\0\x08").has_value());
  for (std::size_t n = 0; n < exif.size(); ++n) {
    const auto r = readExifUserComment(exif.substr(0, n));
    if (n < 44) {
      EXPECT_FALSE(r.has_value()) << n;
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string m = exif;
    for (int e = 0; e < 3; ++e) m[rng() % m.size()] = static_cast<char>(rng());
    (void)readExifUserComment(m);  // any result; must not crash or throw
  }
}

TEST(ExifText, JpegGetsOneExifSegmentAfterJfif) {
  const std::string exif = makeExifUserComment("prompt ✓");
  const std::string jpeg = setJpegExif(fakeJpeg(), exif);
  EXPECT_EQ(jpeg.substr(0, 4), std::string("\xFF\xD8\xFF\xE0", 4));  // JFIF still first
  EXPECT_EQ(jpeg.substr(20, 2), std::string("\xFF\xE1", 2));
  EXPECT_EQ(jpegExif(jpeg), exif);
  EXPECT_EQ(readExifUserComment(*jpegExif(jpeg)), "prompt ✓");
  // The old Exif segment is gone, the rest is byte-identical.
  EXPECT_EQ(jpeg.find("Exif"), jpeg.rfind("Exif"));
  const std::string tail = fakeJpeg().substr(36);
  EXPECT_EQ(jpeg.substr(jpeg.size() - tail.size()), tail);
  // Replacing again keeps one segment.
  const std::string again = setJpegExif(jpeg, makeExifUserComment("otro"));
  EXPECT_EQ(readExifUserComment(*jpegExif(again)), "otro");
  EXPECT_EQ(again.find("Exif"), again.rfind("Exif"));
}

TEST(ExifText, JpegLimitsAndMalformedInput) {
  EXPECT_THROW(setJpegExif(fakeJpeg(), std::string(kMaxJpegExifBytes + 1, 'x')), ExifError);
  EXPECT_NO_THROW(setJpegExif(fakeJpeg(), std::string(kMaxJpegExifBytes, 'x')));
  EXPECT_THROW(jpegExif("not a jpeg"), ExifError);
  const std::string j = fakeJpeg();
  for (std::size_t n = 0; n < 50; ++n) {
    try {
      (void)jpegExif(j.substr(0, n));
    } catch (const ExifError&) {
    }
  }
  std::string badLength = j;
  badLength[5] = '\x01';  // APP0 length 1 (< 2)
  EXPECT_THROW(jpegExif(badLength), ExifError);
  EXPECT_FALSE(
      jpegExif(setJpegExif(j, makeExifUserComment("x")).substr(0, 2) + j.substr(36)).has_value());
}

TEST(ExifText, WebpSimpleFileBecomesExtendedWithExif) {
  const std::string exif = makeExifUserComment("niña con paraguas ☂");
  const std::string webp = setWebpExif(fakeWebpLossless(), exif, 300, 200, true);
  EXPECT_EQ(webp.substr(12, 4), "VP8X");
  EXPECT_EQ(static_cast<unsigned char>(webp[20]), 0x18);                      // EXIF | alpha
  EXPECT_EQ(webp.substr(24, 6), std::string("\x2B\x01\x00\xC7\x00\x00", 6));  // 299, 199
  EXPECT_EQ(webp.substr(30, 4), "VP8L");
  // RIFF size covers the file.
  const auto riff = static_cast<std::size_t>(static_cast<unsigned char>(webp[4])) |
                    (static_cast<std::size_t>(static_cast<unsigned char>(webp[5])) << 8) |
                    (static_cast<std::size_t>(static_cast<unsigned char>(webp[6])) << 16);
  EXPECT_EQ(riff + 8, webp.size());
  EXPECT_EQ(webpExif(webp), exif);
  EXPECT_EQ(readExifUserComment(*webpExif(webp)), "niña con paraguas ☂");
  // Extended file: the flag is set, the chunk replaced.
  const std::string again = setWebpExif(webp, makeExifUserComment("dos"), 300, 200, true);
  EXPECT_EQ(readExifUserComment(*webpExif(again)), "dos");
  EXPECT_EQ(again.find("EXIF"), again.rfind("EXIF"));
  EXPECT_FALSE(webpExif(fakeWebpLossless()).has_value());
}

TEST(ExifText, WebpMalformedInput) {
  EXPECT_THROW(webpExif("RIFF"), ExifError);
  std::string w = fakeWebpLossless();
  w[4] = '\x7F';  // RIFF size beyond the file
  EXPECT_THROW(webpExif(w), ExifError);
  EXPECT_THROW(setWebpExif(fakeWebpLossless(), "x", 0, 10, false), ExifError);
  const std::string good = setWebpExif(fakeWebpLossless(), makeExifUserComment("x"), 4, 4, false);
  std::mt19937 rng(3);
  for (int i = 0; i < 3000; ++i) {
    std::string m = good;
    m[rng() % m.size()] = static_cast<char>(rng());
    if (i % 3 == 0) m.resize(rng() % m.size());
    try {
      if (auto e = webpExif(m)) (void)readExifUserComment(*e);
      (void)setWebpExif(m, "x", 4, 4, false);
    } catch (const ExifError&) {
    }
  }
}

}  // namespace
}  // namespace lienzo
