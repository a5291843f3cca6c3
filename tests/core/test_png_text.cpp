// PNG text chunk walker: tEXt/zTXt/iTXt reading, tEXt/iTXt writing, strict validation of
// untrusted bytes (truncation, CRC, lengths, zip bombs, random mutations).
#include "core/io/png_text.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>

#include "support/fixtures.h"

namespace lienzo {
namespace {

void be32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xFF));
}

std::string chunk(const std::string& type, const std::string& data) {
  std::string out;
  be32(out, static_cast<std::uint32_t>(data.size()));
  out += type + data;
  const std::string crcInput = type + data;
  be32(out, static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(crcInput.data()),
                                             static_cast<uInt>(crcInput.size()))));
  return out;
}

std::string deflate(const std::string& in) {
  uLongf size = compressBound(static_cast<uLong>(in.size()));
  std::string out(size, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(in.data()), static_cast<uLong>(in.size())),
            Z_OK);
  out.resize(size);
  return out;
}

/// A valid 2x2 8-bit RGB PNG with optional extra chunks before IDAT.
std::string makePng(const std::string& beforeIdat = "") {
  std::string ihdr;
  be32(ihdr, 2);
  be32(ihdr, 2);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  std::string raw;
  for (int y = 0; y < 2; ++y)
    raw += std::string(
        "\0"
        "\x10\x20\x30\x40\x50\x60",
        7);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + beforeIdat +
         chunk("IDAT", deflate(raw)) + chunk("IEND", "");
}

std::vector<std::string> chunkTypes(const std::string& png) {
  std::vector<std::string> types;
  std::size_t pos = 8;
  while (pos + 12 <= png.size()) {
    const auto len = (std::uint32_t(std::uint8_t(png[pos])) << 24) |
                     (std::uint32_t(std::uint8_t(png[pos + 1])) << 16) |
                     (std::uint32_t(std::uint8_t(png[pos + 2])) << 8) | std::uint8_t(png[pos + 3]);
    types.push_back(png.substr(pos + 4, 4));
    pos += 12 + len;
  }
  return types;
}

TEST(PngText, Latin1TextBecomesTextChunkWithLatin1Bytes) {
  const std::string png = addPngTextChunk(makePng(), "parameters", "señor, café: 5€?");
  // '€' is not Latin-1 -> iTXt; without it -> tEXt.
  const std::string latin = addPngTextChunk(makePng(), "parameters", "señor, café");
  const auto types = chunkTypes(latin);
  ASSERT_EQ(types, (std::vector<std::string>{"IHDR", "tEXt", "IDAT", "IEND"}));
  EXPECT_NE(latin.find(std::string("parameters\0se\xF1or, caf\xE9", 22)), std::string::npos);
  const auto chunks = readPngTextChunks(latin);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].kind, PngTextChunk::Kind::Text);
  EXPECT_EQ(chunks[0].keyword, "parameters");
  EXPECT_EQ(chunks[0].text, "señor, café");
  EXPECT_EQ(readPngTextChunks(png)[0].kind, PngTextChunk::Kind::IText);
}

TEST(PngText, NonLatin1TextBecomesUncompressedITextBeforeIdat) {
  const std::string text = "un gato 🐱 con 日本語\nsegunda línea";
  const std::string png =
      addPngTextChunk(makePng(chunk("gAMA", std::string(4, '\1'))), "parameters", text);
  EXPECT_EQ(chunkTypes(png), (std::vector<std::string>{"IHDR", "gAMA", "iTXt", "IDAT", "IEND"}));
  // keyword \0 flag=0 method=0 lang \0 translated \0 utf-8 text
  EXPECT_NE(png.find(std::string("parameters\0\0\0\0\0", 15) + text), std::string::npos);
  const auto chunks = readPngTextChunks(png);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].kind, PngTextChunk::Kind::IText);
  EXPECT_EQ(chunks[0].text, text);
}

TEST(PngText, ReplacesAnExistingChunkWithTheSameKeyword) {
  std::string png = addPngTextChunk(makePng(), "parameters", "old");
  png = addPngTextChunk(png, "Comment", "keep me");
  png = addPngTextChunk(png, "parameters", "nuevo ✓");
  const auto map = pngTextMap(png);
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.at("parameters"), "nuevo ✓");
  EXPECT_EQ(map.at("Comment"), "keep me");
  EXPECT_EQ(readPngTextChunks(png).size(), 2u);
}

TEST(PngText, ReadsCompressedChunks) {
  const std::string latin1 = std::string("caf\xE9 ") + std::string(200, 'z');
  const std::string ztxt = chunk("zTXt", std::string("prompt\0\0", 8) + deflate(latin1));
  const std::string utf8 = "{\"texto\": \"niño 🚀\"}";
  const std::string itxt = chunk("iTXt", std::string("workflow\0\x01\x00"
                                                     "es\0flujo\0",
                                                     20) +
                                             deflate(utf8));
  const std::string png = makePng(ztxt + itxt);
  const auto chunks = readPngTextChunks(png);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].kind, PngTextChunk::Kind::ZText);
  EXPECT_EQ(chunks[0].text, "café " + std::string(200, 'z'));
  EXPECT_EQ(chunks[1].kind, PngTextChunk::Kind::IText);
  EXPECT_EQ(chunks[1].keyword, "workflow");
  EXPECT_EQ(chunks[1].text, utf8);
}

TEST(PngText, TextChunksAfterIdatAreReadToo) {
  std::string png = makePng();
  const std::size_t iend = png.size() - 12;
  png.insert(iend, chunk("tEXt", std::string("late\0yes", 8)));
  EXPECT_EQ(pngTextMap(png).at("late"), "yes");
}

TEST(PngText, InvalidUtf8InITextIsReplacedNotPropagated) {
  const std::string bad = "ok \xC3\x28 \xFF end";
  const std::string png = makePng(chunk("iTXt", std::string("k\0\0\0\0\0", 6) + bad));
  EXPECT_EQ(readPngTextChunks(png)[0].text, "ok \xEF\xBF\xBD( \xEF\xBF\xBD end");
}

TEST(PngText, WriterRejectsBadKeywordsAndText) {
  const std::string png = makePng();
  EXPECT_THROW(addPngTextChunk(png, "", "x"), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk(png, std::string(80, 'k'), "x"), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk(png, " lead", "x"), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk(png, "a  b", "x"), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk(png, "ñ", "x"), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk(png, "k", "bad \xC3\x28 utf8"), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk(png, "k", std::string("nul\0inside", 10)), std::invalid_argument);
  EXPECT_THROW(addPngTextChunks(png, {{"k", "a"}, {"k", "b"}}), std::invalid_argument);
  EXPECT_THROW(addPngTextChunk("not a png", "k", "x"), PngError);
  // No IDAT to insert before.
  const std::string noIdat = std::string("\x89PNG\r\n\x1a\n", 8) +
                             chunk("IHDR", std::string(13, '\0')) + chunk("IEND", "");
  EXPECT_THROW(addPngTextChunk(noIdat, "k", "x"), PngError);
}

TEST(PngText, TenMegabyteTextRoundTrips) {
  std::string big;
  big.reserve(10u << 20);
  while (big.size() < (10u << 20)) big += "a long prompt, ñ, ";
  const std::string png = addPngTextChunk(makePng(), "parameters", big);
  EXPECT_EQ(readPngTextChunks(png).at(0).text, big);
  std::string wide = big + "🐱";  // forces iTXt
  EXPECT_EQ(pngTextMap(addPngTextChunk(makePng(), "parameters", wide)).at("parameters"), wide);
}

TEST(PngText, ChunkClaimingTenMegabytesButTruncatedIsAClearError) {
  std::string png = makePng();
  std::string fake;
  be32(fake, 10u << 20);
  fake += "tEXt";
  fake += "parameters";
  fake.push_back('\0');
  fake += "short";
  png.insert(33, fake);  // after IHDR
  try {
    readPngTextChunks(png);
    FAIL() << "no error";
  } catch (const PngError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(PngText, RejectsMalformedStructure) {
  const std::string png = makePng(chunk("tEXt", std::string("k\0v", 3)));
  EXPECT_THROW(readPngTextChunks(""), PngError);
  EXPECT_THROW(readPngTextChunks("GIF89a...."), PngError);
  // Every truncation is an error (missing IEND at least), never a crash.
  for (std::size_t n = 0; n < png.size(); ++n) {
    EXPECT_THROW(readPngTextChunks(png.substr(0, n)), PngError) << "prefix " << n;
  }
  // CRC mismatch.
  std::string bad = png;
  bad[33 + 8] ^= 0x01;  // first byte of the tEXt data
  try {
    readPngTextChunks(bad);
    FAIL() << "no error";
  } catch (const PngError& e) {
    EXPECT_NE(std::string(e.what()).find("CRC"), std::string::npos) << e.what();
  }
  // Length above 2^31-1.
  std::string huge = png;
  huge[33] = '\x80';
  EXPECT_THROW(readPngTextChunks(huge), PngError);
  // IHDR not first.
  EXPECT_THROW(readPngTextChunks(std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IEND", "")),
               PngError);
  // Malformed text chunks: no separator, empty keyword, bad zTXt method, bad iTXt flag.
  EXPECT_THROW(readPngTextChunks(makePng(chunk("tEXt", "nokeyword"))), PngError);
  EXPECT_THROW(readPngTextChunks(makePng(chunk("tEXt", std::string("\0v", 2)))), PngError);
  EXPECT_THROW(readPngTextChunks(makePng(chunk("zTXt", std::string("k\0\x05xx", 5)))), PngError);
  EXPECT_THROW(readPngTextChunks(makePng(chunk("zTXt", std::string("k\0\0garbage", 10)))),
               PngError);
  EXPECT_THROW(readPngTextChunks(makePng(chunk("iTXt", std::string("k\0\x02\0\0\0t", 7)))),
               PngError);
  EXPECT_THROW(readPngTextChunks(makePng(chunk("iTXt", std::string("k\0\0\0lang", 8)))), PngError);
}

TEST(PngText, CompressedTextIsCappedAgainstZipBombs) {
  const std::string bomb = deflate(std::string(kMaxPngTextBytes + 1024, 'a'));
  EXPECT_LT(bomb.size(), 200'000u);
  try {
    readPngTextChunks(makePng(chunk("zTXt", std::string("k\0\0", 3) + bomb)));
    FAIL() << "no error";
  } catch (const PngError& e) {
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
  }
}

TEST(PngText, RandomMutationsNeverCrash) {
  const std::string base =
      makePng(chunk("tEXt", std::string("parameters\0a cat, Steps: 20", 27)) +
              chunk("zTXt", std::string("prompt\0\0", 8) +
                                deflate("{\"3\": {\"class_type\": \"KSampler\"}}")) +
              chunk("iTXt", std::string("k\0\x01\0\0\0", 6) + deflate("ñandú 🐦")));
  std::mt19937 rng(1234);
  int ok = 0, rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string png = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % png.size();
      switch (rng() % 4) {
        case 0:
          png[at] = static_cast<char>(rng());
          break;
        case 1:
          png.erase(at, 1 + rng() % 8);
          break;
        case 2:
          png.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng())));
          break;
        default:
          png.resize(at);
          break;
      }
      if (png.size() < 9) png = base;
    }
    if (i % 2 == 0) {
      // Fix the CRCs so the mutation reaches the text decoders.
      std::size_t pos = 8;
      while (pos + 12 <= png.size()) {
        const std::uint32_t len = (std::uint32_t(std::uint8_t(png[pos])) << 24) |
                                  (std::uint32_t(std::uint8_t(png[pos + 1])) << 16) |
                                  (std::uint32_t(std::uint8_t(png[pos + 2])) << 8) |
                                  std::uint8_t(png[pos + 3]);
        if (len > png.size() - pos - 12) break;
        const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(png.data() + pos + 4), len + 4);
        for (int b = 0; b < 4; ++b) png[pos + 8 + len + b] = static_cast<char>(crc >> (24 - 8 * b));
        pos += 12 + len;
      }
    }
    try {
      readPngTextChunks(png);
      ++ok;
    } catch (const PngError&) {
      ++rejected;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(rejected, 0);
}

TEST(PngText, ReadsFilesAndReportsMissingOnes) {
  const auto dir = testing::makeTempDir("pngtext");
  const auto file = dir / "a.png";
  {
    std::ofstream out(file, std::ios::binary);
    const std::string png = addPngTextChunk(makePng(), "parameters", "hola 🌍");
    out.write(png.data(), static_cast<std::streamsize>(png.size()));
  }
  EXPECT_EQ(readPngTextMap(file).at("parameters"), "hola 🌍");
  EXPECT_THROW(readPngTextMap(dir / "missing.png"), PngError);
}

}  // namespace
}  // namespace lienzo
