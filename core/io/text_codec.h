// Small text-encoding helpers shared by the metadata readers and writers (PNG text chunks, EXIF
// UserComment, infotext): strict UTF-8 validation, Latin-1 and UTF-16 conversions.
//
// Contract: pure functions, no allocation beyond the returned strings, thread-safe. Decoders never
// read outside the given bytes and never throw for malformed input: invalid sequences become
// U+FFFD (the Unicode replacement character) where a string is returned, or make the
// predicate/optional say "no".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lienzo::textcodec {

/// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view bytes);
/// The text with every invalid UTF-8 sequence replaced by U+FFFD (valid text comes back as is).
std::string sanitizeUtf8(std::string_view bytes);
/// Appends the UTF-8 encoding of a code point (surrogates and values > U+10FFFF become U+FFFD).
void appendUtf8(std::string& out, char32_t codePoint);
/// ISO 8859-1 bytes -> UTF-8 (every byte is a code point U+0000..U+00FF).
std::string latin1ToUtf8(std::string_view latin1);
/// UTF-8 -> ISO 8859-1, or std::nullopt when the text is not valid UTF-8 or has a code point
/// above U+00FF.
std::optional<std::string> utf8ToLatin1(std::string_view utf8);
/// UTF-8 -> UTF-16 code units serialized big-endian (invalid input is sanitized first).
std::string utf8ToUtf16be(std::string_view utf8);
/// UTF-16 bytes (big- or little-endian) -> UTF-8. Unpaired surrogates and an odd trailing byte
/// become U+FFFD.
std::string utf16ToUtf8(std::string_view bytes, bool bigEndian);

}  // namespace lienzo::textcodec
