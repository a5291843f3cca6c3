// Small Unicode toolkit for the tokenizers and the prompt parser: UTF-8 <-> code points, the
// character classes the reference Python code relies on, and Python's str.lower().
//
// All functions are pure and thread-safe (they only read the constant tables of
// core/text/unicode_data.h). Invalid UTF-8 never throws: every byte that does not start a valid
// sequence decodes to U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/text/unicode_data.h"

namespace lienzo::unicode {

/// Property bits of a code point (unicode_data::kFlag*). Out-of-range values have no flags.
uint16_t flags(char32_t cp);

inline bool isLetter(char32_t cp) {
  return (flags(cp) & unicode_data::kFlagLetter) != 0;
}
inline bool isNumber(char32_t cp) {
  return (flags(cp) & unicode_data::kFlagNumber) != 0;
}
inline bool isDecimal(char32_t cp) {
  return (flags(cp) & unicode_data::kFlagDecimal) != 0;
}
/// Unicode White_Space (what the `regex` module's \s matches).
inline bool isWhiteSpace(char32_t cp) {
  return (flags(cp) & unicode_data::kFlagWhiteSpace) != 0;
}
/// Python str.isspace() (str.strip() and the `re` module's \s); adds U+001C..U+001F.
inline bool isPySpace(char32_t cp) {
  return (flags(cp) & unicode_data::kFlagPySpace) != 0;
}
/// Python `re` \w: str.isalnum() or '_'.
inline bool isPyWord(char32_t cp) {
  return (flags(cp) & unicode_data::kFlagPyWord) != 0;
}

/// Decimal digit value of an Nd code point (0..9), -1 for anything else.
int decimalValue(char32_t cp);

/// Decodes UTF-8 (invalid/truncated sequences, surrogates and overlongs -> one U+FFFD per byte).
std::u32string decodeUtf8(std::string_view utf8);
void appendUtf8(std::string& out, char32_t cp);
std::string encodeUtf8(std::u32string_view text);

/// Python's str.lower(): full lower-case mapping (U+0130 -> "i\u0307") and the final-sigma rule
/// (U+03A3 -> U+03C2 at the end of a word, as CPython's handle_capital_sigma decides).
std::u32string toLowerPython(std::u32string_view text);

/// Python's str.strip() with no argument (removes isPySpace() code points at both ends).
std::u32string_view stripPython(std::u32string_view text);

/// An HTML5 named character reference by its exact name ("amp;", "amp", "NotEqualTilde;"),
/// or nullptr.
const unicode_data::HtmlEntity* findHtmlEntity(std::string_view name);

}  // namespace lienzo::unicode
