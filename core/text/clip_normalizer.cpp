#include "core/text/clip_normalizer.h"

#include <algorithm>
#include <cstdint>

#include "core/text/unicode.h"

namespace lienzo::clip_normalizer {
namespace {

using unicode_data::kFlagLetter;
using unicode_data::kFlagNumber;
using unicode_data::kFlagUnmatched;
using unicode_data::kFlagWhiteSpace;

constexpr std::size_t kMaxEntityNameLength = 32;

bool isAsciiDigit(char32_t c) {
  return c >= '0' && c <= '9';
}
bool isAsciiHex(char32_t c) {
  return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hexValue(char32_t c) {
  if (isAsciiDigit(c)) return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  return static_cast<int>(c - 'A' + 10);
}

// [^\t\n\f <&#;] of html's _charref pattern.
bool isEntityNameChar(char32_t c) {
  return c != '\t' && c != '\n' && c != '\f' && c != ' ' && c != '<' && c != '&' && c != '#' &&
         c != ';';
}

// Ref: CPython Lib/html/__init__.py _replace_charref (numeric branch).
void appendNumericReference(uint64_t number, std::u32string& out) {
  using namespace unicode_data;
  const HtmlCharRefFix* fixEnd = kHtmlCharRefFixes + kHtmlCharRefFixCount;
  const HtmlCharRefFix* fix =
      std::lower_bound(kHtmlCharRefFixes, fixEnd, number,
                       [](const HtmlCharRefFix& e, uint64_t value) { return e.number < value; });
  if (fix != fixEnd && fix->number == number) {
    out.push_back(fix->value);
    return;
  }
  if ((number >= 0xD800 && number <= 0xDFFF) || number > 0x10FFFF) {
    out.push_back(0xFFFD);
    return;
  }
  for (std::size_t i = 0; i < kHtmlInvalidCodePointCount; ++i) {
    if (number >= kHtmlInvalidCodePoints[i].first && number <= kHtmlInvalidCodePoints[i].last) {
      return;  // dropped
    }
  }
  out.push_back(static_cast<char32_t>(number));
}

void appendEntity(const unicode_data::HtmlEntity& entity, std::u32string& out) {
  out.push_back(entity.value[0]);
  if (entity.value[1] != 0) out.push_back(entity.value[1]);
}

// Tries a character reference at text[i] == '&'. On a match appends the replacement and returns
// the index after the reference; otherwise returns i.
// Ref: CPython Lib/html/__init__.py _charref pattern and _replace_charref.
std::size_t replaceReference(std::u32string_view text, std::size_t i, std::u32string& out) {
  const std::size_t n = text.size();
  std::size_t p = i + 1;
  if (p < n && text[p] == '#') {
    // &#[0-9]+;?  |  &#[xX][0-9a-fA-F]+;?
    std::size_t q = p + 1;
    const bool hex = q + 1 < n && (text[q] == 'x' || text[q] == 'X') && isAsciiHex(text[q + 1]);
    if (hex) ++q;
    std::size_t digitsBegin = q;
    uint64_t number = 0;
    while (q < n && (hex ? isAsciiHex(text[q]) : isAsciiDigit(text[q]))) {
      // Saturate: anything above U+10FFFF behaves the same (-> U+FFFD).
      number = std::min<uint64_t>(number * (hex ? 16 : 10) + hexValue(text[q]), 0x7FFFFFFFull);
      ++q;
    }
    if (q == digitsBegin) return i;  // "&#" not followed by a number: no reference
    if (q < n && text[q] == ';') ++q;
    appendNumericReference(number, out);
    return q;
  }
  // [^\t\n\f <&#;]{1,32};?
  std::size_t q = p;
  while (q < n && q - p < kMaxEntityNameLength && isEntityNameChar(text[q])) ++q;
  if (q == p) return i;
  if (q < n && text[q] == ';') ++q;
  const std::u32string_view name = text.substr(p, q - p);
  // Entity names are ASCII: only the ASCII prefix of `name` can match.
  std::string ascii;
  for (char32_t c : name) {
    if (c >= 0x80) break;
    ascii.push_back(static_cast<char>(c));
  }
  if (ascii.size() == name.size()) {
    if (const auto* entity = unicode::findHtmlEntity(ascii)) {
      appendEntity(*entity, out);
      return q;
    }
  }
  // Longest prefix of length len-1 .. 2 that is a (legacy, ';'-less) entity; the rest stays.
  for (std::size_t x = std::min(name.size() - 1, ascii.size()); x >= 2; --x) {
    if (const auto* entity = unicode::findHtmlEntity(std::string_view(ascii).substr(0, x))) {
      appendEntity(*entity, out);
      out.append(name.substr(x));
      return q;
    }
  }
  out.push_back('&');
  out.append(name);
  return q;
}

// Case-insensitive match of an ASCII literal at text[i] with the `regex` module's simple case
// folding (U+017F folds to 's', U+212A to 'k', U+0130 matches 'i').
bool matchesLiteral(std::u32string_view text, std::size_t i, std::string_view literal) {
  if (text.size() - i < literal.size()) return false;
  for (std::size_t k = 0; k < literal.size(); ++k) {
    const char32_t c = text[i + k];
    const char32_t p = static_cast<unsigned char>(literal[k]);
    if (c == p) continue;
    if (p >= 'a' && p <= 'z') {
      if (c == p - 32) continue;
      if ((p == 's' && c == 0x17F) || (p == 'k' && c == 0x212A) || (p == 'i' && c == 0x130)) {
        continue;
      }
    }
    return false;
  }
  return true;
}

}  // namespace

std::u32string htmlUnescape(std::u32string_view text) {
  if (text.find(U'&') == std::u32string_view::npos) return std::u32string(text);
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '&') {
      const std::size_t next = replaceReference(text, i, out);
      if (next != i) {
        i = next;
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

// Ref: openai/CLIP simple_tokenizer.py basic_clean, whitespace_clean, encode.
std::u32string cleanText(std::string_view utf8) {
  const std::u32string decoded = unicode::decodeUtf8(utf8);
  const std::u32string once = htmlUnescape(decoded);
  const std::u32string twice = htmlUnescape(once);
  const std::u32string_view stripped = unicode::stripPython(twice);
  // regex \s+ -> ' ' (White_Space), then strip() (str.isspace).
  std::u32string collapsed;
  collapsed.reserve(stripped.size());
  bool inSpace = false;
  for (char32_t c : stripped) {
    if (unicode::isWhiteSpace(c)) {
      if (!inSpace) collapsed.push_back(' ');
      inSpace = true;
    } else {
      collapsed.push_back(c);
      inSpace = false;
    }
  }
  return unicode::toLowerPython(unicode::stripPython(collapsed));
}

// Ref: openai/CLIP simple_tokenizer.py self.pat (regex.findall, alternatives tried in order at
// each position; positions no alternative matches are skipped).
std::vector<std::u32string_view> preTokenize(std::u32string_view text) {
  static constexpr std::string_view kSpecials[] = {"<|startoftext|>", "<|endoftext|>"};
  static constexpr std::string_view kContractions[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
  std::vector<std::u32string_view> pieces;
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t matched = 0;
    for (std::string_view literal : kSpecials) {
      if (matchesLiteral(text, i, literal)) {
        matched = literal.size();
        break;
      }
    }
    if (matched == 0 && text[i] == '\'') {
      for (std::string_view literal : kContractions) {
        if (matchesLiteral(text, i, literal)) {
          matched = literal.size();
          break;
        }
      }
    }
    if (matched == 0) {
      const uint16_t f = unicode::flags(text[i]);
      if (f & kFlagLetter) {  // [\p{L}]+
        std::size_t j = i + 1;
        while (j < n && unicode::isLetter(text[j])) ++j;
        matched = j - i;
      } else if (f & kFlagNumber) {  // [\p{N}]
        matched = 1;
      } else if ((f & (kFlagWhiteSpace | kFlagUnmatched)) == 0) {  // [^\s\p{L}\p{N}]+
        constexpr uint16_t kStop = kFlagLetter | kFlagNumber | kFlagWhiteSpace | kFlagUnmatched;
        std::size_t j = i + 1;
        while (j < n && (unicode::flags(text[j]) & kStop) == 0) ++j;
        matched = j - i;
      }
    }
    if (matched == 0) {
      ++i;  // white space or a code point no alternative matches
      continue;
    }
    pieces.push_back(text.substr(i, matched));
    i += matched;
  }
  return pieces;
}

}  // namespace lienzo::clip_normalizer
