// CLIP text normalisation and pre-tokenisation (label unit). Expected values were worked out by
// hand from the Python reference semantics (html.unescape, str.strip/lower, the `regex` module
// pattern of openai/CLIP) and checked against Python 3.11 + regex.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/text/clip_normalizer.h"
#include "core/text/unicode.h"

namespace {

using lienzo::clip_normalizer::cleanText;
using lienzo::clip_normalizer::htmlUnescape;
using lienzo::clip_normalizer::preTokenize;
namespace unicode = lienzo::unicode;

std::string unescape(const std::string& utf8) {
  return unicode::encodeUtf8(htmlUnescape(unicode::decodeUtf8(utf8)));
}

std::string clean(const std::string& utf8) {
  return unicode::encodeUtf8(cleanText(utf8));
}

std::vector<std::string> pieces(const std::string& utf8) {
  const std::u32string text = unicode::decodeUtf8(utf8);
  std::vector<std::string> out;
  for (std::u32string_view p : preTokenize(text)) out.push_back(unicode::encodeUtf8(p));
  return out;
}

using Pieces = std::vector<std::string>;

TEST(ClipText, HtmlUnescapeNamedReferences) {
  EXPECT_EQ(unescape("&amp;"), "&");
  EXPECT_EQ(unescape("&amp;amp;"), "&amp;");  // one pass only
  EXPECT_EQ(unescape("&gt"), ">");            // legacy name without ';'
  EXPECT_EQ(unescape("&ampx"), "&x");         // longest legacy prefix, rest kept
  EXPECT_EQ(unescape("&notit;"), "\xC2\xACit;");
  EXPECT_EQ(unescape("&eacute&eacute;"), "\xC3\xA9\xC3\xA9");
  EXPECT_EQ(unescape("&NotEqualTilde;"), "\xE2\x89\x82\xCC\xB8");  // two code points
  EXPECT_EQ(unescape("&amp\xC3\xA9;"), "&\xC3\xA9;");
  EXPECT_EQ(unescape("&unknownentity;"), "&unknownentity;");
  const std::string longName = "&" + std::string(40, 'a') + ";";
  EXPECT_EQ(unescape(longName), longName);
  EXPECT_EQ(unescape("a&b & x"), "a&b & x");
}

TEST(ClipText, HtmlUnescapeNumericReferences) {
  EXPECT_EQ(unescape("&#39;"), "'");
  EXPECT_EQ(unescape("&#x41;&#X41"), "AA");
  EXPECT_EQ(unescape("&#65&#66;"), "AB");
  EXPECT_EQ(unescape("&#128;"), "\xE2\x82\xAC");       // windows-1252 fix-up: euro sign
  EXPECT_EQ(unescape("&#0;"), "\xEF\xBF\xBD");         // U+FFFD
  EXPECT_EQ(unescape("&#xD800;"), "\xEF\xBF\xBD");     // surrogate
  EXPECT_EQ(unescape("&#99999999;"), "\xEF\xBF\xBD");  // beyond U+10FFFF
  EXPECT_EQ(unescape("&#1;"), "");                     // invalid code point: dropped
  EXPECT_EQ(unescape("&#"), "&#");
  EXPECT_EQ(unescape("&#x;"), "&#x;");
}

TEST(ClipText, CleanTextWhitespaceAndCase) {
  EXPECT_EQ(clean("  Hello\tWORLD \xC2\xA0 x  "), "hello world x");
  EXPECT_EQ(clean("A\xE2\x80\x83\xE3\x80\x80"
                  "B\xE2\x80\xA8"
                  "C\xC2\x85"
                  "D"),
            "a b c d");
  // U+001C is str.isspace() (stripped at the ends) but not White_Space (kept inside).
  EXPECT_EQ(clean("\x1c a \x1c"), "a");
  EXPECT_EQ(clean("a\x1c"
                  "b"),
            "a\x1c"
            "b");
  EXPECT_EQ(clean("&amp;amp;"), "&");  // html.unescape twice
  EXPECT_EQ(clean("&lt;|endoftext|&gt;"), "<|endoftext|>");
  EXPECT_EQ(clean(""), "");
  EXPECT_EQ(clean(" \t\n "), "");
}

TEST(ClipText, PythonLowerIncludingFinalSigma) {
  // "ΣΑΣ ΟΔΟΣ. ΟΣ\u0301" -> "σας οδος. ος\u0301": final sigma before a space, '.' and after a
  // combining mark (case-ignorable).
  EXPECT_EQ(
      clean("\xCE\xA3\xCE\x91\xCE\xA3 \xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3. \xCE\x9F\xCE\xA3\xCC\x81"),
      "\xCF\x83\xCE\xB1\xCF\x82 \xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82. \xCE\xBF\xCF\x82\xCC\x81");
  EXPECT_EQ(clean("\xC4\xB0"), "i\xCC\x87");  // U+0130 -> "i\u0307"
  // ẞ -> ß, Ǆ -> ǆ, ǅ -> ǆ, ß unchanged
  EXPECT_EQ(clean("\xE1\xBA\x9E\xC7\x84\xC7\x85\xC3\x9F"), "\xC3\x9F\xC7\x86\xC7\x86\xC3\x9F");
  EXPECT_EQ(clean("\xC3\x89\x43OLE"), "\xC3\xA9\x63ole");
}

TEST(ClipText, PreTokenizeContractionsDigitsAndPunctuation) {
  EXPECT_EQ(pieces("it's a dog's life"), (Pieces{"it", "'s", "a", "dog", "'s", "life"}));
  EXPECT_EQ(pieces("'sun"), (Pieces{"'s", "un"}));
  EXPECT_EQ(pieces("we'll've"), (Pieces{"we", "'ll", "'ve"}));
  EXPECT_EQ(pieces("!!'s"), (Pieces{"!!'", "s"}));
  EXPECT_EQ(pieces("1024x768"), (Pieces{"1", "0", "2", "4", "x", "7", "6", "8"}));
  EXPECT_EQ(pieces("\xC2\xBD\xC2\xB2"), (Pieces{"\xC2\xBD", "\xC2\xB2"}));  // ½ ² are \p{N}
  EXPECT_EQ(pieces("\xC3\xA9tat,caf\xC3\xA9"), (Pieces{"\xC3\xA9tat", ",", "caf\xC3\xA9"}));
  EXPECT_EQ(pieces("a\xCC\x81"), (Pieces{"a", "\xCC\x81"}));  // combining mark is not \p{L}
  EXPECT_TRUE(pieces("").empty());
}

TEST(ClipText, PreTokenizeSpecialTokensAndCaseFolding) {
  EXPECT_EQ(pieces("<|endoftext|>x"), (Pieces{"<|endoftext|>", "x"}));
  EXPECT_EQ(pieces("!<|endoftext|>"), (Pieces{"!<|", "endoftext", "|>"}));
  // The pattern is case-insensitive: U+017F (long s) folds to 's'.
  EXPECT_EQ(pieces("x'\xC5\xBFun"), (Pieces{"x", "'\xC5\xBF", "un"}));
  // U+0345 matches no alternative (a case variant is a letter): skipped like white space.
  EXPECT_EQ(pieces("a\xCD\x85"
                   "b"),
            (Pieces{"a", "b"}));
}

TEST(Unicode, Utf8RoundTripAndInvalidBytes) {
  const std::string text = "a\xC3\xA9\xE6\x9D\xB1\xF0\x9F\x90\xB6";
  EXPECT_EQ(unicode::decodeUtf8(text), (std::u32string{U'a', 0xE9, 0x6771, 0x1F436}));
  EXPECT_EQ(unicode::encodeUtf8(unicode::decodeUtf8(text)), text);
  EXPECT_EQ(unicode::decodeUtf8("\xFF"
                                "a\xC3"),
            (std::u32string{0xFFFD, U'a', 0xFFFD}));
  EXPECT_EQ(unicode::decodeUtf8("\xC0\xAF"), (std::u32string{0xFFFD, 0xFFFD}));  // overlong
  EXPECT_EQ(unicode::decodeUtf8("\xED\xA0\x80").size(), 3u);                     // surrogate
}

TEST(Unicode, CharacterClasses) {
  EXPECT_TRUE(unicode::isLetter(U'a'));
  EXPECT_TRUE(unicode::isLetter(0x6771));  // CJK
  EXPECT_FALSE(unicode::isLetter(0x301));  // combining acute
  EXPECT_TRUE(unicode::isNumber(0xBD));    // ½
  EXPECT_FALSE(unicode::isDecimal(0xBD));
  EXPECT_EQ(unicode::decimalValue(U'7'), 7);
  EXPECT_EQ(unicode::decimalValue(0x663), 3);    // Arabic-Indic three
  EXPECT_EQ(unicode::decimalValue(0x1D7D9), 1);  // mathematical double-struck one
  EXPECT_EQ(unicode::decimalValue(U'x'), -1);
  EXPECT_TRUE(unicode::isWhiteSpace(0xA0));
  EXPECT_FALSE(unicode::isWhiteSpace(0x1C));
  EXPECT_TRUE(unicode::isPySpace(0x1C));
  EXPECT_FALSE(unicode::isWhiteSpace(0x200B));  // zero width space is not white space
  EXPECT_TRUE(unicode::isPyWord(U'_'));
  EXPECT_FALSE(unicode::isPyWord(U'-'));
  EXPECT_EQ(unicode::flags(0x110000), 0);
}

}  // namespace
