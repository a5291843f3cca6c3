// Generated Unicode and HTML tables (core/text/unicode_data.cpp, produced by
// scripts/gen_unicode_data.py from Python's unicodedata / str / html modules).
//
// Plain data, immutable, no initialisation order issues (constant-initialised PODs). Use the
// lookup helpers of core/text/unicode.h instead of reading these arrays directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lienzo::unicode_data {

/// Bits of PropertyRun::flags.
enum : uint16_t {
  kFlagLetter = 1u << 0,         ///< general category L* (regex \p{L})
  kFlagNumber = 1u << 1,         ///< general category N* (regex \p{N})
  kFlagDecimal = 1u << 2,        ///< general category Nd (Python re \d)
  kFlagWhiteSpace = 1u << 3,     ///< White_Space property (`regex` module \s)
  kFlagPySpace = 1u << 4,        ///< str.isspace() (str.strip(), Python re \s)
  kFlagPyWord = 1u << 5,         ///< str.isalnum() or '_' (Python re \w)
  kFlagCased = 1u << 6,          ///< Cased property
  kFlagCaseIgnorable = 1u << 7,  ///< Case_Ignorable property
  /// Matches no alternative of the case-insensitive CLIP pre-tokeniser pattern (a simple case
  /// variant is a letter/number/space, e.g. U+0345): the reference silently skips it.
  kFlagUnmatched = 1u << 8,
};

/// Flags hold for code points [first, next run's first).
struct PropertyRun {
  char32_t first;
  uint16_t flags;
};

/// Code points first, first+stride, ..., last lower-case to cp + delta.
struct LowerRun {
  char32_t first;
  char32_t last;
  int32_t delta;
  uint8_t stride;
};

/// Lower-case mappings to more than one code point (0-terminated when shorter than 3).
struct SpecialLower {
  char32_t cp;
  char32_t lower[3];
};

/// One HTML5 named character reference (name without '&', with or without the ';').
struct HtmlEntity {
  const char* name;
  char32_t value[2];  ///< 1 or 2 code points; value[1] == 0 when only one
};

/// A numeric character reference that html.unescape() maps to another code point.
struct HtmlCharRefFix {
  uint32_t number;
  char32_t value;
};

struct CodePointSpan {
  char32_t first;
  char32_t last;  ///< inclusive
};

extern const char kUnicodeVersion[];
extern const PropertyRun kPropertyRuns[];  // sorted by first, starts at 0
extern const std::size_t kPropertyRunCount;
extern const LowerRun kLowerRuns[];  // sorted by first, disjoint
extern const std::size_t kLowerRunCount;
extern const SpecialLower kSpecialLowers[];  // sorted by cp
extern const std::size_t kSpecialLowerCount;
extern const HtmlEntity kHtmlEntities[];  // sorted by name (byte order)
extern const std::size_t kHtmlEntityCount;
extern const HtmlCharRefFix kHtmlCharRefFixes[];  // sorted by number
extern const std::size_t kHtmlCharRefFixCount;
extern const CodePointSpan kHtmlInvalidCodePoints[];  // sorted, disjoint
extern const std::size_t kHtmlInvalidCodePointCount;

}  // namespace lienzo::unicode_data
