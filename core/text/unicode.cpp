#include "core/text/unicode.h"

#include <algorithm>
#include <cstring>

namespace lienzo::unicode {
namespace {

using namespace unicode_data;

constexpr char32_t kReplacement = 0xFFFD;
constexpr char32_t kMaxCodePoint = 0x10FFFF;

// The run containing cp (kPropertyRuns starts at 0, so there always is one).
const PropertyRun& propertyRun(char32_t cp) {
  const PropertyRun* end = kPropertyRuns + kPropertyRunCount;
  const PropertyRun* it =
      std::upper_bound(kPropertyRuns, end, cp,
                       [](char32_t value, const PropertyRun& run) { return value < run.first; });
  return *(it - 1);
}

// Appends the lower-case form of one code point (context-free part of str.lower()).
void appendLower(char32_t cp, std::u32string& out) {
  const SpecialLower* sEnd = kSpecialLowers + kSpecialLowerCount;
  const SpecialLower* s = std::lower_bound(
      kSpecialLowers, sEnd, cp, [](const SpecialLower& e, char32_t value) { return e.cp < value; });
  if (s != sEnd && s->cp == cp) {
    for (char32_t c : s->lower) {
      if (c != 0) out.push_back(c);
    }
    return;
  }
  const LowerRun* rEnd = kLowerRuns + kLowerRunCount;
  const LowerRun* r = std::upper_bound(
      kLowerRuns, rEnd, cp, [](char32_t value, const LowerRun& run) { return value < run.first; });
  if (r != kLowerRuns) {
    --r;
    if (cp <= r->last && (cp - r->first) % r->stride == 0) {
      out.push_back(static_cast<char32_t>(static_cast<int64_t>(cp) + r->delta));
      return;
    }
  }
  out.push_back(cp);
}

bool isCaseIgnorable(char32_t cp) {
  return (flags(cp) & kFlagCaseIgnorable) != 0;
}
bool isCased(char32_t cp) {
  return (flags(cp) & kFlagCased) != 0;
}

// Ref: CPython Objects/unicodeobject.c handle_capital_sigma — U+03A3 is final when
// \p{cased}\p{case-ignorable}* precede it and no \p{case-ignorable}*\p{cased} follows.
bool isFinalSigma(std::u32string_view text, std::size_t i) {
  std::size_t j = i;
  while (j > 0 && isCaseIgnorable(text[j - 1])) --j;
  if (j == 0 || !isCased(text[j - 1])) return false;
  std::size_t k = i + 1;
  while (k < text.size() && isCaseIgnorable(text[k])) ++k;
  return k == text.size() || !isCased(text[k]);
}

}  // namespace

uint16_t flags(char32_t cp) {
  if (cp > kMaxCodePoint) return 0;
  return propertyRun(cp).flags;
}

int decimalValue(char32_t cp) {
  if (cp > kMaxCodePoint) return -1;
  const PropertyRun& run = propertyRun(cp);
  if ((run.flags & kFlagDecimal) == 0) return -1;
  // Nd code points come in contiguous 0..9 sequences; the generator checks that every run of
  // decimal digits starts at a zero.
  return static_cast<int>((cp - run.first) % 10);
}

std::u32string decodeUtf8(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  const auto* s = reinterpret_cast<const unsigned char*>(utf8.data());
  const std::size_t n = utf8.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    char32_t minimum = 0;
    if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F, minimum = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F, minimum = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07, minimum = 0x10000;
    }
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (s[i + k] & 0x3F);
      }
    }
    ok = ok && cp >= minimum && cp <= kMaxCodePoint && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.push_back(cp);
      i += len;
    } else {
      out.push_back(kReplacement);
      ++i;
    }
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= kMaxCodePoint) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    appendUtf8(out, kReplacement);
  }
}

std::string encodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) appendUtf8(out, cp);
  return out;
}

// Ref: CPython Objects/unicodeobject.c do_lower / lower_ucs4.
std::u32string toLowerPython(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char32_t cp = text[i];
    if (cp < 0x80) {
      out.push_back(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    } else if (cp == 0x3A3) {
      out.push_back(isFinalSigma(text, i) ? 0x3C2 : 0x3C3);
    } else {
      appendLower(cp, out);
    }
  }
  return out;
}

std::u32string_view stripPython(std::u32string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && isPySpace(text[begin])) ++begin;
  while (end > begin && isPySpace(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

const HtmlEntity* findHtmlEntity(std::string_view name) {
  const HtmlEntity* end = kHtmlEntities + kHtmlEntityCount;
  const HtmlEntity* it = std::lower_bound(
      kHtmlEntities, end, name,
      [](const HtmlEntity& e, std::string_view value) { return std::string_view(e.name) < value; });
  if (it != end && std::string_view(it->name) == name) return it;
  return nullptr;
}

}  // namespace lienzo::unicode
