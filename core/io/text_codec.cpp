#include "core/io/text_codec.h"

namespace lienzo::textcodec {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

/// Decodes one UTF-8 sequence at bytes[pos]. On success stores the code point and the length;
/// on failure returns false and sets `length` to the number of bytes to skip (>= 1), following
/// the W3C/WHATWG "maximal subpart" practice.
// Ref: Unicode Standard 15, Table 3-7 (well-formed UTF-8 byte sequences)
bool decodeOne(std::string_view bytes, std::size_t pos, char32_t& cp, std::size_t& length) {
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned char b0 = at(pos);
  if (b0 < 0x80) {
    cp = b0;
    length = 1;
    return true;
  }
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlong
    if (b0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    length = 1;
    return false;
  }
  std::size_t i = 1;
  for (; i <= need; ++i) {
    if (pos + i >= bytes.size()) break;
    const unsigned char b = at(pos + i);
    const unsigned char l = i == 1 ? lo : 0x80;
    const unsigned char h = i == 1 ? hi : 0xBF;
    if (b < l || b > h) break;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (i <= need) {
    length = i;  // the maximal valid prefix is replaced as one unit
    return false;
  }
  length = need + 1;
  return true;
}

}  // namespace

bool isValidUtf8(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    char32_t cp = 0;
    std::size_t len = 0;
    if (!decodeOne(bytes, pos, cp, len)) return false;
    pos += len;
  }
  return true;
}

void appendUtf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string sanitizeUtf8(std::string_view bytes) {
  if (isValidUtf8(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    char32_t cp = 0;
    std::size_t len = 0;
    if (decodeOne(bytes, pos, cp, len)) {
      out.append(bytes.data() + pos, len);
    } else {
      appendUtf8(out, kReplacement);
    }
    pos += len;
  }
  return out;
}

std::string latin1ToUtf8(std::string_view latin1) {
  std::string out;
  out.reserve(latin1.size());
  for (char c : latin1) appendUtf8(out, static_cast<unsigned char>(c));
  return out;
}

std::optional<std::string> utf8ToLatin1(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t cp = 0;
    std::size_t len = 0;
    if (!decodeOne(utf8, pos, cp, len) || cp > 0xFF) return std::nullopt;
    out.push_back(static_cast<char>(cp));
    pos += len;
  }
  return out;
}

std::string utf8ToUtf16be(std::string_view utf8In) {
  const std::string utf8 = sanitizeUtf8(utf8In);
  std::string out;
  out.reserve(utf8.size() * 2);
  const auto put = [&](char16_t unit) {
    out.push_back(static_cast<char>(unit >> 8));
    out.push_back(static_cast<char>(unit & 0xFF));
  };
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t cp = 0;
    std::size_t len = 0;
    decodeOne(utf8, pos, cp, len);  // always valid after sanitizing
    pos += len;
    if (cp >= 0x10000) {
      const char32_t v = cp - 0x10000;
      put(static_cast<char16_t>(0xD800 + (v >> 10)));
      put(static_cast<char16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      put(static_cast<char16_t>(cp));
    }
  }
  return out;
}

std::string utf16ToUtf8(std::string_view bytes, bool bigEndian) {
  std::string out;
  out.reserve(bytes.size());
  const std::size_t units = bytes.size() / 2;
  const auto unitAt = [&](std::size_t i) -> char16_t {
    const auto a = static_cast<unsigned char>(bytes[2 * i]);
    const auto b = static_cast<unsigned char>(bytes[2 * i + 1]);
    return static_cast<char16_t>(bigEndian ? (a << 8) | b : (b << 8) | a);
  };
  for (std::size_t i = 0; i < units; ++i) {
    const char16_t u = unitAt(i);
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
      const char16_t u2 = unitAt(i + 1);
      if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
        appendUtf8(out, 0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (u2 - 0xDC00));
        ++i;
        continue;
      }
    }
    appendUtf8(out, u);  // lone surrogates become U+FFFD inside appendUtf8
  }
  if (bytes.size() % 2 != 0) appendUtf8(out, kReplacement);
  return out;
}

}  // namespace lienzo::textcodec
