// A1111 attention syntax parser (label unit). Expected fragments are worked out by hand from
// A1111's parse_prompt_attention rules (its doctests included); weights are compared exactly
// because the port performs the same float64 operations in the same order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/text/prompt_parser.h"

namespace {

using lienzo::parsePromptAttention;
using lienzo::PromptFragment;
using lienzo::PromptSyntaxError;

using Fragments = std::vector<PromptFragment>;

PromptFragment frag(std::string text, double weight) {
  return {std::move(text), weight, false};
}
PromptFragment breakMarker() {
  return {"BREAK", -1.0, true};
}

constexpr double kUp = 1.1;
constexpr double kDown = 1.0 / 1.1;

void expectFragments(const std::string& prompt, const Fragments& expected) {
  SCOPED_TRACE("prompt: " + prompt);
  const Fragments actual = parsePromptAttention(prompt);
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].text, expected[i].text) << "fragment " << i;
    EXPECT_EQ(actual[i].weight, expected[i].weight) << "fragment " << i;
    EXPECT_EQ(actual[i].isBreak, expected[i].isBreak) << "fragment " << i;
  }
}

TEST(PromptParser, PlainAndEmpty) {
  expectFragments("normal text", {frag("normal text", 1.0)});
  expectFragments("", {frag("", 1.0)});
  expectFragments("x:y", {frag("x:y", 1.0)});
}

TEST(PromptParser, RoundAndSquareBrackets) {
  expectFragments("an (important) word",
                  {frag("an ", 1.0), frag("important", kUp), frag(" word", 1.0)});
  expectFragments("((word))", {frag("word", kUp * kUp)});
  EXPECT_EQ(parsePromptAttention("((word))")[0].weight, 1.2100000000000002);
  expectFragments("[[word]]", {frag("word", kDown * kDown)});
  expectFragments("(unnecessary)(parens)", {frag("unnecessaryparens", kUp)});
  expectFragments("(a(b)c)", {frag("a", kUp), frag("b", kUp * kUp), frag("c", kUp)});
}

TEST(PromptParser, ExplicitWeights) {
  expectFragments("(word:1.3)", {frag("word", 1.3)});
  expectFragments("( word : 1.3 )", {frag(" word ", 1.3)});  // spaces around the number
  expectFragments("(a:-0.5)", {frag("a", -0.5)});
  expectFragments("(a:+.5)", {frag("a", 0.5)});
  expectFragments("(a:2.)", {frag("a", 2.0)});
  // Python's float() accepts any Unicode decimal digit: U+0662 ARABIC-INDIC DIGIT TWO.
  expectFragments("(a:\xD9\xA2)", {frag("a", 2.0)});
  // A1111 doctest: inner weight first, then the two outer brackets.
  expectFragments("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
                  {frag("a ", 1.0), frag("house", 1.3 * kUp * kUp), frag(" ", kUp), frag("on", 1.0),
                   frag(" a ", kUp), frag("hill", 0.5 * kUp), frag(", sun, ", kUp),
                   frag("sky", kUp * kUp * kUp * kUp), frag(".", kUp)});
  EXPECT_EQ(parsePromptAttention("(((house:1.3))")[0].weight, 1.5730000000000004);
}

TEST(PromptParser, MalformedWeightThrowsLikePythonFloat) {
  EXPECT_THROW(parsePromptAttention("(a:1.2.3)"), PromptSyntaxError);
  EXPECT_THROW(parsePromptAttention("(a:.)"), PromptSyntaxError);
  // Without an open "(" the weight syntax is plain text, so nothing is converted.
  expectFragments(":1.2.3) x", {frag(":1.2.3) x", 1.0)});
}

TEST(PromptParser, Escapes) {
  expectFragments("\\(literal\\]", {frag("(literal]", 1.0)});
  expectFragments("\\[a\\) \\\\ b", {frag("[a) \\ b", 1.0)});
  // A lone backslash before another character is dropped.
  expectFragments("a \\x c", {frag("a x c", 1.0)});
  expectFragments("(\\(x\\))", {frag("(x)", kUp)});
}

TEST(PromptParser, UnbalancedBrackets) {
  expectFragments("(unbalanced", {frag("unbalanced", kUp)});
  expectFragments("((a)", {frag("a", kUp * kUp)});
  expectFragments("a]b", {frag("a]b", 1.0)});
  expectFragments(":1.2) x)", {frag(":1.2) x)", 1.0)});
  // "]" closes the "[" (a and b down), then ")" closes the "(" (b and c up): b ends at 1.0.
  expectFragments("[a(b]c)", {frag("a", kDown), frag("b", kDown * kUp), frag("c", kUp)});
  // Unclosed: all round brackets first, then all square brackets.
  expectFragments("[a (b", {frag("a ", kDown), frag("b", kUp * kDown)});
}

TEST(PromptParser, Break) {
  expectFragments("a BREAK b", {frag("a", 1.0), breakMarker(), frag("b", 1.0)});
  expectFragments("a  BREAK\n\tb", {frag("a", 1.0), breakMarker(), frag("b", 1.0)});
  expectFragments("BREAK", {frag("", 1.0), breakMarker(), frag("", 1.0)});
  expectFragments("a BREAK BREAK b",
                  {frag("a", 1.0), breakMarker(), frag("", 1.0), breakMarker(), frag("b", 1.0)});
  // \b: no break inside a word; '_' is a word character, ',' is not.
  expectFragments("aBREAK b", {frag("aBREAK b", 1.0)});
  expectFragments("BREAKing news", {frag("BREAKing news", 1.0)});
  expectFragments("BREAK_x BREAK, y", {frag("BREAK_x", 1.0), breakMarker(), frag(", y", 1.0)});
  expectFragments("a break b", {frag("a break b", 1.0)});  // case-sensitive
  expectFragments("(x) BREAK [y]",
                  {frag("x", kUp), frag("", 1.0), breakMarker(), frag("", 1.0), frag("y", kDown)});
}

TEST(PromptParser, BreakInsideBracketsIsTextLikeA1111) {
  // A1111 multiplies the marker's -1 too, so it no longer counts as BREAK.
  const std::vector<PromptFragment> f = parsePromptAttention("(a BREAK b)");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[1].text, "BREAK");
  EXPECT_EQ(f[1].weight, -1.0 * kUp);
  EXPECT_FALSE(f[1].isBreak);
}

TEST(PromptParser, NonAsciiText) {
  expectFragments("(caf\xC3\xA9:1.5) \xE6\x9D\xB1\xE4\xBA\xAC",
                  {frag("caf\xC3\xA9", 1.5), frag(" \xE6\x9D\xB1\xE4\xBA\xAC", 1.0)});
}

TEST(PromptParser, LiteralPromptKeepsEverything) {
  const auto f = lienzo::literalPrompt("(a:1.2) BREAK b");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].text, "(a:1.2) BREAK b");
  EXPECT_EQ(f[0].weight, 1.0);
  EXPECT_FALSE(f[0].isBreak);
}

}  // namespace
