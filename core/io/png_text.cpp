#include "core/io/png_text.h"

#include "core/io/text_codec.h"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

namespace lienzo {
namespace {

// Ref: PNG specification (third edition), 5.2 signature, 5.3 chunk layout, 11.3.3 text chunks
constexpr std::array<unsigned char, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
constexpr std::uint32_t kMaxChunkLength = 0x7FFFFFFFu;  // 2^31 - 1
constexpr std::size_t kMaxKeywordLength = 79;

struct ChunkRef {
  std::size_t offset = 0;  // of the length field
  std::uint32_t length = 0;
  std::string type;  // 4 ASCII letters
  std::size_t dataOffset() const { return offset + 8; }
  std::size_t totalSize() const { return std::size_t{length} + 12; }
};

std::uint32_t readBe32(const std::string& s, std::size_t at) {
  const auto b = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + i]));
  };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

void appendBe32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>((v >> 16) & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}

std::uint32_t crcOf(const char* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size));
  return static_cast<std::uint32_t>(crc);
}

[[noreturn]] void fail(const std::string& what) {
  throw PngError("PNG: " + what);
}

std::string describeType(const std::string& type) {
  std::ostringstream os;
  bool printable = true;
  for (char c : type) printable = printable && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
  if (printable) return "'" + type + "'";
  os << "0x" << std::hex;
  for (char c : type)
    os << (static_cast<unsigned>(static_cast<unsigned char>(c)) >> 4)
       << (static_cast<unsigned>(static_cast<unsigned char>(c)) & 0xF);
  return os.str();
}

/// Validates the whole chunk structure and returns every chunk up to and including IEND.
std::vector<ChunkRef> walkChunks(const std::string& png) {
  if (png.size() < kSignature.size() ||
      std::memcmp(png.data(), kSignature.data(), kSignature.size()) != 0) {
    fail("not a PNG file (bad signature)");
  }
  std::vector<ChunkRef> chunks;
  std::size_t pos = kSignature.size();
  while (true) {
    if (png.size() - pos < 12) {
      fail("truncated file: missing IEND chunk (" + std::to_string(png.size() - pos) +
           " bytes left at offset " + std::to_string(pos) + ")");
    }
    ChunkRef c;
    c.offset = pos;
    c.length = readBe32(png, pos);
    c.type = png.substr(pos + 4, 4);
    for (char ch : c.type) {
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) {
        fail("invalid chunk type " + describeType(c.type) + " at offset " + std::to_string(pos));
      }
    }
    if (c.length > kMaxChunkLength) {
      fail("chunk " + describeType(c.type) + " at offset " + std::to_string(pos) + " declares " +
           std::to_string(c.length) + " bytes, above the PNG limit of 2^31-1");
    }
    if (png.size() - pos - 12 < c.length) {
      fail("truncated file: chunk " + describeType(c.type) + " at offset " + std::to_string(pos) +
           " declares " + std::to_string(c.length) + " bytes but only " +
           std::to_string(png.size() - pos - 12) + " remain");
    }
    const std::uint32_t stored = readBe32(png, pos + 8 + c.length);
    if (crcOf(png.data() + pos + 4, std::size_t{c.length} + 4) != stored) {
      fail("CRC mismatch in chunk " + describeType(c.type) + " at offset " + std::to_string(pos));
    }
    if (chunks.empty() && c.type != "IHDR") {
      fail("first chunk is " + describeType(c.type) + ", expected 'IHDR'");
    }
    chunks.push_back(c);
    pos += c.totalSize();
    if (c.type == "IEND") break;  // anything after IEND is ignored
  }
  return chunks;
}

/// zlib-inflates `data`, refusing output above kMaxPngTextBytes.
std::string inflateText(std::string_view data, const ChunkRef& chunk) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) fail("zlib initialisation failed");
  std::string out;
  std::array<char, 16384> buf{};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = buf.size() - zs.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string why = zs.msg ? std::string(" (") + zs.msg + ")" : std::string();
      inflateEnd(&zs);
      fail("corrupt compressed text in chunk " + describeType(chunk.type) + " at offset " +
           std::to_string(chunk.offset) + why);
    }
    if (out.size() + produced > kMaxPngTextBytes) {
      inflateEnd(&zs);
      fail("compressed text in chunk " + describeType(chunk.type) + " at offset " +
           std::to_string(chunk.offset) + " inflates beyond the " +
           std::to_string(kMaxPngTextBytes >> 20) + " MiB limit");
    }
    out.append(buf.data(), produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      fail("compressed text in chunk " + describeType(chunk.type) + " at offset " +
           std::to_string(chunk.offset) + " ends early");
    }
  }
  inflateEnd(&zs);
  return out;
}

/// Splits "keyword\0rest": returns the keyword and advances `pos` past the NUL.
std::string_view takeKeyword(std::string_view data, std::size_t& pos, const ChunkRef& chunk) {
  const std::size_t nul = data.find('\0', pos);
  if (nul == std::string_view::npos || nul == pos || nul - pos > kMaxKeywordLength) {
    fail("malformed " + describeType(chunk.type) + " chunk at offset " +
         std::to_string(chunk.offset) + ": keyword missing, empty or longer than 79 bytes");
  }
  const std::string_view keyword = data.substr(pos, nul - pos);
  pos = nul + 1;
  return keyword;
}

PngTextChunk decodeTextChunk(const std::string& png, const ChunkRef& chunk) {
  const std::string_view data(png.data() + chunk.dataOffset(), chunk.length);
  const auto malformed = [&](const std::string& why) {
    fail("malformed " + describeType(chunk.type) + " chunk at offset " +
         std::to_string(chunk.offset) + ": " + why);
  };
  PngTextChunk out;
  std::size_t pos = 0;
  const std::string_view keyword = takeKeyword(data, pos, chunk);
  out.keyword = textcodec::latin1ToUtf8(keyword);
  if (chunk.type == "tEXt") {
    out.kind = PngTextChunk::Kind::Text;
    out.text = textcodec::latin1ToUtf8(data.substr(pos));
  } else if (chunk.type == "zTXt") {
    out.kind = PngTextChunk::Kind::ZText;
    if (pos >= data.size()) malformed("compression method missing");
    if (data[pos] != 0) malformed("unknown compression method");
    out.text = textcodec::latin1ToUtf8(inflateText(data.substr(pos + 1), chunk));
  } else {  // iTXt
    out.kind = PngTextChunk::Kind::IText;
    if (data.size() - pos < 2) malformed("compression flag/method missing");
    const auto flag = static_cast<unsigned char>(data[pos]);
    const auto method = static_cast<unsigned char>(data[pos + 1]);
    if (flag > 1) malformed("compression flag is neither 0 nor 1");
    if (flag == 1 && method != 0) malformed("unknown compression method");
    pos += 2;
    const std::size_t langEnd = data.find('\0', pos);
    if (langEnd == std::string_view::npos) malformed("language tag not terminated");
    const std::size_t transEnd = data.find('\0', langEnd + 1);
    if (transEnd == std::string_view::npos) malformed("translated keyword not terminated");
    const std::string_view text = data.substr(transEnd + 1);
    if (flag == 1) {
      out.text = textcodec::sanitizeUtf8(inflateText(text, chunk));
    } else {
      out.text = textcodec::sanitizeUtf8(text);
    }
  }
  return out;
}

bool isTextChunkType(const std::string& type) {
  return type == "tEXt" || type == "zTXt" || type == "iTXt";
}

void checkKeyword(const std::string& keyword) {
  const auto bad = [&](const std::string& why) {
    throw std::invalid_argument("PNG text keyword '" + keyword + "' " + why);
  };
  if (keyword.empty() || keyword.size() > kMaxKeywordLength) bad("must be 1 to 79 characters");
  for (char c : keyword) {
    if (c < 0x20 || c > 0x7E) bad("must be printable ASCII");
  }
  if (keyword.front() == ' ' || keyword.back() == ' ' || keyword.find("  ") != std::string::npos) {
    bad("must not have leading, trailing or consecutive spaces");
  }
}

std::string makeChunk(const std::string& type, const std::string& data) {
  std::string out;
  out.reserve(data.size() + 12);
  appendBe32(out, static_cast<std::uint32_t>(data.size()));
  out += type;
  out += data;
  appendBe32(out, crcOf(out.data() + 4, data.size() + 4));
  return out;
}

/// The tEXt or iTXt chunk for one keyword/text pair (validated).
std::string encodeTextChunk(const std::string& keyword, const std::string& utf8Text) {
  checkKeyword(keyword);
  if (!textcodec::isValidUtf8(utf8Text)) {
    throw std::invalid_argument("PNG text for '" + keyword + "' is not valid UTF-8");
  }
  if (utf8Text.find('\0') != std::string::npos) {
    throw std::invalid_argument("PNG text for '" + keyword + "' contains a NUL character");
  }
  // keyword + NUL (+ iTXt's 4 header bytes) + text must fit a chunk.
  if (utf8Text.size() > kMaxChunkLength - kMaxKeywordLength - 5) {
    throw std::invalid_argument("PNG text for '" + keyword + "' is larger than a PNG chunk");
  }
  if (auto latin1 = textcodec::utf8ToLatin1(utf8Text)) {
    std::string data = keyword;
    data.push_back('\0');
    data += *latin1;
    return makeChunk("tEXt", data);
  }
  std::string data = keyword;
  data.push_back('\0');
  data.push_back('\0');  // compression flag: uncompressed
  data.push_back('\0');  // compression method
  data.push_back('\0');  // empty language tag
  data.push_back('\0');  // empty translated keyword
  data += utf8Text;
  return makeChunk("iTXt", data);
}

}  // namespace

std::vector<PngTextChunk> readPngTextChunks(const std::string& pngBytes) {
  std::vector<PngTextChunk> out;
  for (const ChunkRef& chunk : walkChunks(pngBytes)) {
    if (isTextChunkType(chunk.type)) out.push_back(decodeTextChunk(pngBytes, chunk));
  }
  return out;
}

std::map<std::string, std::string> pngTextMap(const std::string& pngBytes) {
  std::map<std::string, std::string> out;
  for (auto& chunk : readPngTextChunks(pngBytes)) {
    out.emplace(std::move(chunk.keyword), std::move(chunk.text));  // first one wins
  }
  return out;
}

std::map<std::string, std::string> readPngTextMap(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw PngError("cannot open '" + file.string() + "': " + std::strerror(errno));
  }
  // Refuse non-PNG files before reading them whole (a dropped video should not be slurped).
  char signature[8] = {};
  if (!in.read(signature, sizeof signature) ||
      std::memcmp(signature, kSignature.data(), kSignature.size()) != 0) {
    throw PngError("PNG: '" + file.string() + "' is not a PNG file (bad signature)");
  }
  std::ostringstream buffer;
  buffer.write(signature, sizeof signature);
  buffer << in.rdbuf();
  if (in.bad()) throw PngError("cannot read '" + file.string() + "'");
  try {
    return pngTextMap(buffer.str());
  } catch (const PngError& e) {
    throw PngError(std::string(e.what()) + " in '" + file.string() + "'");
  }
}

std::string addPngTextChunk(const std::string& pngBytes, const std::string& keyword,
                            const std::string& utf8Text) {
  return addPngTextChunks(pngBytes, {{keyword, utf8Text}});
}

std::string addPngTextChunks(const std::string& pngBytes,
                             const std::vector<std::pair<std::string, std::string>>& chunks) {
  std::string inserted;
  std::set<std::string> keywords;
  for (const auto& [keyword, text] : chunks) {
    if (!keywords.insert(keyword).second) {
      throw std::invalid_argument("PNG text keyword '" + keyword + "' given twice");
    }
    inserted += encodeTextChunk(keyword, text);
  }
  const std::vector<ChunkRef> refs = walkChunks(pngBytes);
  std::string out;
  out.reserve(pngBytes.size() + inserted.size());
  out.append(reinterpret_cast<const char*>(kSignature.data()), kSignature.size());
  bool done = false;
  for (const ChunkRef& chunk : refs) {
    if (chunk.type == "IDAT" && !done) {
      out += inserted;
      done = true;
    }
    if (isTextChunkType(chunk.type)) {
      // Drop an existing chunk with one of the new keywords (PNG keywords are Latin-1; ours
      // are ASCII, so a byte comparison of the raw keyword is exact).
      const std::size_t nul = pngBytes.find('\0', chunk.dataOffset());
      if (nul != std::string::npos && nul < chunk.dataOffset() + chunk.length &&
          keywords.count(pngBytes.substr(chunk.dataOffset(), nul - chunk.dataOffset())) != 0) {
        continue;
      }
    }
    out.append(pngBytes, chunk.offset, chunk.totalSize());
  }
  if (!done) fail("no IDAT chunk: cannot place text chunks");
  return out;
}

}  // namespace lienzo
