#include "core/io/exif_text.h"

#include "core/io/text_codec.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace lienzo {
namespace {

// Ref: EXIF 2.32 (CIPA DC-008) 4.6.5 (UserComment), TIFF 6.0 section 2 (IFD layout)
constexpr std::uint16_t kTagExifIfd = 0x8769;
constexpr std::uint16_t kTagUserComment = 0x9286;
constexpr std::uint16_t kTypeLong = 4;
constexpr std::uint16_t kTypeUndefined = 7;
constexpr std::string_view kExifPrefix{"Exif\0\0", 6};
constexpr std::string_view kUnicodePrefix{"UNICODE\0", 8};
constexpr std::string_view kAsciiPrefix{"ASCII\0\0\0", 8};

void putBe16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}
void putBe32(std::string& out, std::uint32_t v) {
  putBe16(out, static_cast<std::uint16_t>(v >> 16));
  putBe16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}
void putLe32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void putLe24(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
unsigned byteAt(std::string_view s, std::size_t i) {
  return static_cast<unsigned char>(s[i]);
}
std::uint32_t le32(std::string_view s, std::size_t at) {
  return byteAt(s, at) | (byteAt(s, at + 1) << 8) | (byteAt(s, at + 2) << 16) |
         (static_cast<std::uint32_t>(byteAt(s, at + 3)) << 24);
}

/// Reads a TIFF-structured block with its own byte order; every access is bounds-checked.
class TiffReader {
 public:
  explicit TiffReader(std::string_view data) : m_data(data) {}

  bool init() {
    if (m_data.size() < 8) return false;
    if (m_data.substr(0, 4) == std::string_view("MM\0*", 4)) {
      m_bigEndian = true;
    } else if (m_data.substr(0, 4) == std::string_view("II*\0", 4)) {
      m_bigEndian = false;
    } else {
      return false;
    }
    return true;
  }
  std::optional<std::uint32_t> u16(std::size_t at) const {
    if (at > m_data.size() || m_data.size() - at < 2) return std::nullopt;
    const unsigned a = byteAt(m_data, at), b = byteAt(m_data, at + 1);
    return m_bigEndian ? (a << 8) | b : (b << 8) | a;
  }
  std::optional<std::uint32_t> u32(std::size_t at) const {
    const auto hi = u16(m_bigEndian ? at : at + 2);
    const auto lo = u16(m_bigEndian ? at + 2 : at);
    if (!hi || !lo) return std::nullopt;
    return (*hi << 16) | *lo;
  }

  struct Entry {
    std::uint32_t type = 0, count = 0;
    std::size_t valueAt = 0;  // offset of the 4-byte value/offset field
  };
  /// The entry for `tag` in the IFD at `ifdOffset`.
  std::optional<Entry> find(std::size_t ifdOffset, std::uint16_t tag) const {
    const auto count = u16(ifdOffset);
    if (!count) return std::nullopt;
    for (std::uint32_t i = 0; i < *count; ++i) {
      const std::size_t at = ifdOffset + 2 + std::size_t{12} * i;
      const auto t = u16(at);
      const auto type = u16(at + 2);
      const auto n = u32(at + 4);
      if (!t || !type || !n || !u32(at + 8)) return std::nullopt;  // IFD runs past the end
      if (*t == tag) return Entry{*type, *n, at + 8};
    }
    return std::nullopt;
  }
  /// The bytes of an UNDEFINED/ASCII/BYTE entry (inline when <= 4 bytes).
  std::optional<std::string_view> bytes(const Entry& e) const {
    if (e.count <= 4) return m_data.substr(e.valueAt, e.count);
    const auto offset = u32(e.valueAt);
    if (!offset || *offset > m_data.size() || m_data.size() - *offset < e.count) {
      return std::nullopt;
    }
    return m_data.substr(*offset, e.count);
  }
  std::optional<std::uint32_t> firstIfd() const { return u32(4); }
  bool bigEndian() const { return m_bigEndian; }

 private:
  std::string_view m_data;
  bool m_bigEndian = true;
};

/// `tiffBigEndian`: the byte order of the TIFF block holding the comment ("MM" / "II").
std::string decodeUserComment(std::string_view raw, bool tiffBigEndian) {
  std::string text;
  if (raw.substr(0, 8) == kUnicodePrefix) {
    std::string_view body = raw.substr(8);
    bool bigEndian = true;
    if (body.size() >= 2 && byteAt(body, 0) == 0xFF && byteAt(body, 1) == 0xFE) {
      bigEndian = false;
      body.remove_prefix(2);
    } else if (body.size() >= 2 && byteAt(body, 0) == 0xFE && byteAt(body, 1) == 0xFF) {
      body.remove_prefix(2);
    } else if (!tiffBigEndian) {
      // No BOM in a little-endian ("II") block: A1111/piexif write big-endian; some writers use
      // the block's little-endian order. Mostly-Latin text has its zero bytes at even offsets in
      // BE and at odd offsets in LE. (Not for "MM" blocks, ours and piexif's: there BE text of
      // characters U+xx00 — CJK 一 is U+4E00 — has the zero bytes of LE Latin text; found by
      // fuzz_exif_text.)
      std::size_t zeroEven = 0, zeroOdd = 0;
      for (std::size_t i = 0; i + 1 < body.size() && i < 512; i += 2) {
        zeroEven += body[i] == '\0';
        zeroOdd += body[i + 1] == '\0';
      }
      bigEndian = zeroOdd <= zeroEven;
    }
    text = textcodec::utf16ToUtf8(body, bigEndian);
  } else if (raw.substr(0, 8) == kAsciiPrefix ||
             (raw.size() >= 8 && raw.substr(0, 8) == std::string_view("\0\0\0\0\0\0\0\0", 8))) {
    text = textcodec::sanitizeUtf8(raw.substr(8));
  } else {
    text = textcodec::sanitizeUtf8(raw);  // unknown prefix (e.g. JIS): best effort
  }
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

struct JpegSegment {
  std::size_t offset = 0, size = 0;  // whole segment including the marker
  unsigned marker = 0;
  std::string_view payload;  // after the length field
};

struct JpegHeader {
  std::vector<JpegSegment> segments;  // between SOI and SOS/EOI
  std::size_t bodyOffset = 0;         // the SOS (or EOI) marker
};

// Ref: ITU-T T.81 (JPEG) Annex B.1 (marker segments)
JpegHeader parseJpegHeader(const std::string& jpeg) {
  if (jpeg.size() < 4 || byteAt(jpeg, 0) != 0xFF || byteAt(jpeg, 1) != 0xD8) {
    throw ExifError("JPEG: not a JPEG file (no SOI marker)");
  }
  JpegHeader header;
  std::size_t pos = 2;
  while (true) {
    if (pos >= jpeg.size()) throw ExifError("JPEG: truncated header (no SOS marker)");
    if (byteAt(jpeg, pos) != 0xFF) {
      throw ExifError("JPEG: expected a marker at offset " + std::to_string(pos));
    }
    std::size_t p = pos;
    while (p < jpeg.size() && byteAt(jpeg, p) == 0xFF) ++p;  // fill bytes
    if (p >= jpeg.size()) throw ExifError("JPEG: truncated header");
    const unsigned marker = byteAt(jpeg, p);
    if (marker == 0xDA || marker == 0xD9) {
      header.bodyOffset = pos;
      return header;
    }
    if (marker == 0x00) throw ExifError("JPEG: invalid marker at offset " + std::to_string(p));
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      header.segments.push_back({pos, p + 1 - pos, marker, {}});
      pos = p + 1;
      continue;
    }
    if (jpeg.size() - p < 3) throw ExifError("JPEG: truncated segment header");
    const std::size_t length = (byteAt(jpeg, p + 1) << 8) | byteAt(jpeg, p + 2);
    if (length < 2) throw ExifError("JPEG: invalid segment length at offset " + std::to_string(p));
    if (jpeg.size() - (p + 1) < length) {
      throw ExifError("JPEG: segment at offset " + std::to_string(pos) + " runs past the end");
    }
    const std::size_t end = p + 1 + length;
    header.segments.push_back(
        {pos, end - pos, marker, std::string_view(jpeg).substr(p + 3, length - 2)});
    pos = end;
  }
}

bool isExifSegment(const JpegSegment& s) {
  return s.marker == 0xE1 && s.payload.substr(0, kExifPrefix.size()) == kExifPrefix;
}

struct RiffChunk {
  std::size_t offset = 0;  // of the FourCC
  std::string fourcc;
  std::uint32_t size = 0;  // payload bytes, without padding
  std::size_t totalSize() const { return 8 + std::size_t{size} + (size & 1); }
};

// Ref: Google WebP Container Specification (RIFF layout, VP8X, EXIF chunk)
std::vector<RiffChunk> parseWebp(const std::string& webp) {
  if (webp.size() < 12 || webp.compare(0, 4, "RIFF") != 0 || webp.compare(8, 4, "WEBP") != 0) {
    throw ExifError("WebP: not a WebP file (no RIFF/WEBP header)");
  }
  const std::uint32_t riffSize = le32(webp, 4);
  if (riffSize < 4 || std::size_t{riffSize} > webp.size() - 8) {
    throw ExifError("WebP: RIFF size " + std::to_string(riffSize) + " does not match the file");
  }
  const std::size_t end = 8 + std::size_t{riffSize};
  std::vector<RiffChunk> chunks;
  std::size_t pos = 12;
  while (pos < end) {
    if (end - pos < 8)
      throw ExifError("WebP: truncated chunk header at offset " + std::to_string(pos));
    RiffChunk c;
    c.offset = pos;
    c.fourcc = webp.substr(pos, 4);
    c.size = le32(webp, pos + 4);
    if (end - pos - 8 < c.size) {
      throw ExifError("WebP: chunk '" + c.fourcc + "' at offset " + std::to_string(pos) +
                      " runs past the end");
    }
    chunks.push_back(c);
    pos += 8 + std::size_t{c.size};
    if (c.size & 1) ++pos;  // padding byte (may be missing on the last chunk)
  }
  if (chunks.empty()) throw ExifError("WebP: no chunks");
  return chunks;
}

std::string riffChunk(const std::string& fourcc, std::string_view payload) {
  std::string out = fourcc;
  putLe32(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload.data(), payload.size());
  if (payload.size() & 1) out.push_back('\0');
  return out;
}

}  // namespace

std::string makeExifUserComment(const std::string& utf8Text) {
  std::string comment(kUnicodePrefix);
  comment += textcodec::utf8ToUtf16be(utf8Text);
  // Layout: header(8) | IFD0 @8: 1 entry (18) | Exif IFD @26: 1 entry (18) | comment @44.
  std::string out("MM\0*", 4);
  putBe32(out, 8);
  putBe16(out, 1);
  putBe16(out, kTagExifIfd);
  putBe16(out, kTypeLong);
  putBe32(out, 1);
  putBe32(out, 26);
  putBe32(out, 0);  // no next IFD
  putBe16(out, 1);
  putBe16(out, kTagUserComment);
  putBe16(out, kTypeUndefined);
  putBe32(out, static_cast<std::uint32_t>(comment.size()));
  putBe32(out, 44);
  putBe32(out, 0);
  out += comment;
  return out;
}

std::optional<std::string> readExifUserComment(std::string_view exif) {
  if (exif.substr(0, kExifPrefix.size()) == kExifPrefix) exif.remove_prefix(kExifPrefix.size());
  TiffReader tiff(exif);
  if (!tiff.init()) return std::nullopt;
  const auto ifd0 = tiff.firstIfd();
  if (!ifd0) return std::nullopt;
  std::optional<TiffReader::Entry> entry;
  if (const auto exifIfd = tiff.find(*ifd0, kTagExifIfd)) {
    if (const auto offset = tiff.u32(exifIfd->valueAt)) entry = tiff.find(*offset, kTagUserComment);
  }
  if (!entry) entry = tiff.find(*ifd0, kTagUserComment);
  if (!entry) return std::nullopt;
  const auto raw = tiff.bytes(*entry);
  if (!raw) return std::nullopt;
  return decodeUserComment(*raw, tiff.bigEndian());
}

std::string setJpegExif(const std::string& jpeg, const std::string& exif) {
  if (exif.size() > kMaxJpegExifBytes) {
    throw ExifError("JPEG: EXIF block of " + std::to_string(exif.size()) +
                    " bytes exceeds the APP1 segment limit of " +
                    std::to_string(kMaxJpegExifBytes) + " bytes");
  }
  const JpegHeader header = parseJpegHeader(jpeg);
  std::string app1("\xFF\xE1", 2);
  putBe16(app1, static_cast<std::uint16_t>(2 + kExifPrefix.size() + exif.size()));
  app1 += kExifPrefix;
  app1 += exif;

  std::string out = jpeg.substr(0, 2);  // SOI
  out.reserve(jpeg.size() + app1.size());
  std::size_t i = 0;
  for (; i < header.segments.size() && header.segments[i].marker == 0xE0; ++i) {
    out.append(jpeg, header.segments[i].offset, header.segments[i].size);
  }
  out += app1;
  for (; i < header.segments.size(); ++i) {
    if (isExifSegment(header.segments[i])) continue;
    out.append(jpeg, header.segments[i].offset, header.segments[i].size);
  }
  out.append(jpeg, header.bodyOffset, std::string::npos);
  return out;
}

std::optional<std::string> jpegExif(const std::string& jpeg) {
  for (const JpegSegment& s : parseJpegHeader(jpeg).segments) {
    if (isExifSegment(s)) return std::string(s.payload.substr(kExifPrefix.size()));
  }
  return std::nullopt;
}

std::string setWebpExif(const std::string& webp, const std::string& exif, int width, int height,
                        bool hasAlpha) {
  if (width < 1 || height < 1 || width > (1 << 24) || height > (1 << 24)) {
    throw ExifError("WebP: canvas " + std::to_string(width) + "x" + std::to_string(height) +
                    " outside 1..16777216");
  }
  if (exif.size() > 0xFFFFFFF0u - webp.size()) throw ExifError("WebP: EXIF block too large");
  const std::vector<RiffChunk> chunks = parseWebp(webp);
  std::string body;
  const auto copyChunk = [&](const RiffChunk& c) {
    body += riffChunk(c.fourcc, std::string_view(webp).substr(c.offset + 8, c.size));
  };
  std::size_t first = 0;
  if (chunks[0].fourcc == "VP8X") {
    if (chunks[0].size < 10) throw ExifError("WebP: VP8X chunk too short");
    std::string vp8x = webp.substr(chunks[0].offset + 8, chunks[0].size);
    vp8x[0] = static_cast<char>(static_cast<unsigned char>(vp8x[0]) | 0x08);  // EXIF present
    body += riffChunk("VP8X", vp8x);
    first = 1;
  } else if (chunks[0].fourcc == "VP8 " || chunks[0].fourcc == "VP8L") {
    std::string vp8x;
    vp8x.push_back(static_cast<char>(0x08 | (hasAlpha ? 0x10 : 0x00)));  // EXIF (+ alpha)
    vp8x.append(3, '\0');
    putLe24(vp8x, static_cast<std::uint32_t>(width - 1));
    putLe24(vp8x, static_cast<std::uint32_t>(height - 1));
    body += riffChunk("VP8X", vp8x);
  } else {
    throw ExifError("WebP: unknown first chunk '" + chunks[0].fourcc + "'");
  }
  bool placed = false;
  for (std::size_t i = first; i < chunks.size(); ++i) {
    if (chunks[i].fourcc == "EXIF") continue;
    if (chunks[i].fourcc == "XMP " && !placed) {  // EXIF comes before XMP
      body += riffChunk("EXIF", exif);
      placed = true;
    }
    copyChunk(chunks[i]);
  }
  if (!placed) body += riffChunk("EXIF", exif);
  std::string out = "RIFF";
  putLe32(out, static_cast<std::uint32_t>(4 + body.size()));
  out += "WEBP";
  out += body;
  return out;
}

std::optional<std::string> webpExif(const std::string& webp) {
  for (const RiffChunk& c : parseWebp(webp)) {
    if (c.fourcc != "EXIF") continue;
    std::string_view payload = std::string_view(webp).substr(c.offset + 8, c.size);
    if (payload.substr(0, kExifPrefix.size()) == kExifPrefix)
      payload.remove_prefix(kExifPrefix.size());
    return std::string(payload);
  }
  return std::nullopt;
}

}  // namespace lienzo
