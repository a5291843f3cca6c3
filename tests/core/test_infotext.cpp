// A1111 infotext writer/reader: METADATA.md's examples, A1111's reader rules, round trips.
#include "core/io/infotext.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace lienzo {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Infotext make(std::string prompt, std::string negative, Fields fields) {
  Infotext info;
  info.prompt = std::move(prompt);
  info.negativePrompt = std::move(negative);
  info.fields = std::move(fields);
  return info;
}

void expectSame(const Infotext& actual, const Infotext& expected) {
  EXPECT_EQ(actual.prompt, expected.prompt);
  EXPECT_EQ(actual.negativePrompt, expected.negativePrompt);
  EXPECT_EQ(actual.fields, expected.fields);
}

const char* kMinimalExample =
    "girl with an artist's beret, determined, blue eyes, ((eyeshadow)), (coquettish), detailed\n"
    "Negative prompt: ugly, (((deformed))), [blurry], bad anatomy\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x512, Model hash: "
    "45dee52b";

const char* kCurrentExample =
    "a photo of an astronaut riding a horse on mars, (highly detailed:1.2)\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: "
    "512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2, RNG: CPU, Lora "
    "hashes: \"myLora: 0123456789ab\", Version: v1.10.1";

TEST(Infotext, FormatsTheMinimalExampleExactly) {
  const Infotext info = make(
      "girl with an artist's beret, determined, blue eyes, ((eyeshadow)), (coquettish), detailed",
      "ugly, (((deformed))), [blurry], bad anatomy",
      {{"Steps", "20"},
       {"Sampler", "Euler a"},
       {"CFG scale", "7"},
       {"Seed", "965400086"},
       {"Size", "512x512"},
       {"Model hash", "45dee52b"}});
  EXPECT_EQ(formatInfotext(info), kMinimalExample);
}

TEST(Infotext, FormatsTheCurrentExampleWithAQuotedValue) {
  const Infotext info = make(
      "a photo of an astronaut riding a horse on mars, (highly detailed:1.2)", "blurry, lowres",
      {{"Steps", "20"},
       {"Sampler", "DPM++ 2M"},
       {"Schedule type", "Karras"},
       {"CFG scale", "7"},
       {"Seed", "1234567890"},
       {"Size", "512x512"},
       {"Model hash", "6ce0161689"},
       {"Model", "v1-5-pruned-emaonly"},
       {"Clip skip", "2"},
       {"RNG", "CPU"},
       {"Lora hashes", "myLora: 0123456789ab"},
       {"Version", "v1.10.1"}});
  EXPECT_EQ(formatInfotext(info), kCurrentExample);
}

TEST(Infotext, ParsesTheMinimalExample) {
  const Infotext info = parseInfotext(kMinimalExample);
  EXPECT_EQ(info.prompt,
            "girl with an artist's beret, determined, blue eyes, ((eyeshadow)), (coquettish), "
            "detailed");
  EXPECT_EQ(info.negativePrompt, "ugly, (((deformed))), [blurry], bad anatomy");
  const Fields expected = {{"Steps", "20"},     {"Sampler", "Euler a"},
                           {"CFG scale", "7"},  {"Seed", "965400086"},
                           {"Size", "512x512"}, {"Model hash", "45dee52b"}};
  EXPECT_EQ(info.fields, expected);
}

TEST(Infotext, ParsesTheCurrentExampleAndUnquotesValues) {
  const Infotext info = parseInfotext(kCurrentExample);
  EXPECT_EQ(info.prompt, "a photo of an astronaut riding a horse on mars, (highly detailed:1.2)");
  EXPECT_EQ(info.negativePrompt, "blurry, lowres");
  ASSERT_EQ(info.fields.size(), 12u);
  EXPECT_EQ(info.get("Lora hashes"), "myLora: 0123456789ab");
  EXPECT_EQ(info.get("Schedule type"), "Karras");
  EXPECT_EQ(info.get("Version"), "v1.10.1");
  EXPECT_EQ(info.fields.front().first, "Steps");
  EXPECT_EQ(info.fields.back().first, "Version");
}

TEST(Infotext, NegativeLineOnlyWhenNonEmpty) {
  const Infotext info = make("a cat", "", {{"Steps", "20"}, {"Seed", "1"}, {"Size", "64x64"}});
  EXPECT_EQ(formatInfotext(info), "a cat\nSteps: 20, Seed: 1, Size: 64x64");
  const Infotext back = parseInfotext(formatInfotext(info));
  expectSame(back, info);
}

TEST(Infotext, StripsTheWholeTextAndLeavesOutEmptyValues) {
  const Infotext info = make("  \n a cat  ", "", {{"Steps", "20"}, {"VAE", ""}, {"Seed", "5"}});
  EXPECT_EQ(formatInfotext(info), "a cat  \nSteps: 20, Seed: 5");
  EXPECT_EQ(formatInfotext(make("", "", {})), "");
  EXPECT_EQ(formatInfotext(make("", "bad", {{"Steps", "1"}})), "Negative prompt: bad\nSteps: 1");
}

TEST(Infotext, QuotesValuesWithCommaColonOrNewlineAsJson) {
  EXPECT_EQ(quoteInfotextValue("plain value"), "plain value");
  EXPECT_EQ(quoteInfotextValue("a, b"), "\"a, b\"");
  EXPECT_EQ(quoteInfotextValue("a: b"), "\"a: b\"");
  EXPECT_EQ(quoteInfotextValue("a\nb"), "\"a\\nb\"");
  // json.dumps(ensure_ascii=False): escapes quotes, backslashes, controls; keeps non-ASCII.
  EXPECT_EQ(quoteInfotextValue("say \"hi\", \\ now\t\x01"),
            "\"say \\\"hi\\\", \\\\ now\\t\\u0001\"");
  EXPECT_EQ(quoteInfotextValue("niño: 🐱"), "\"niño: 🐱\"");
  // Quotes alone do not trigger quoting (A1111 writes them as is).
  EXPECT_EQ(quoteInfotextValue("say \"hi\""), "say \"hi\"");
}

TEST(Infotext, RoundTripsNonAsciiQuotesCommasColonsAndLines) {
  const Infotext info = make(
      "un gato montés con sombrero, pintura al óleo, (muy detallado:1.3), señorita 🐱🚀\n"
      "segunda línea: \"comillas\", y más",
      "feo, borroso\nmanos deformes: sí",
      {{"Steps", "30"},
       {"Sampler", "DPM++ 2M"},
       {"Schedule type", "Karras"},
       {"CFG scale", "7.5"},
       {"Seed", "4294967295"},
       {"Size", "768x512"},
       {"Model", "modelo_ñ, versión 2"},
       {"Lora hashes", "estilo: abc123, otro: def456"},
       {"Notas", "línea 1\nlínea 2 \"citada\" \\ fin"},
       {"Emoji", "🎨"},
       {"Version", "lienzo 0.1.0"}});
  const std::string text = formatInfotext(info);
  // The parameter line stays one line: embedded newlines are JSON-escaped.
  EXPECT_EQ(text.substr(text.rfind('\n') + 1).find("Steps: 30"), 0u);
  expectSame(parseInfotext(text), info);
}

TEST(Infotext, MultiLinePromptAndNegative) {
  const std::string text =
      "line one\n  line two  \n\nline four\nNegative prompt:   neg one\nneg two\n"
      "Steps: 20, Sampler: Euler, Seed: 3";
  const Infotext info = parseInfotext(text);
  EXPECT_EQ(info.prompt, "line one\nline two\n\nline four");
  EXPECT_EQ(info.negativePrompt, "neg one\nneg two");
  EXPECT_EQ(info.fields.size(), 3u);
}

TEST(Infotext, LastLineNeedsThreePairsToBeParameters) {
  const Infotext info = parseInfotext("a cat\nSteps: 20, Seed: 1");
  EXPECT_EQ(info.prompt, "a cat\nSteps: 20, Seed: 1");
  EXPECT_TRUE(info.fields.empty());
  const Infotext only = parseInfotext("Steps: 20, Sampler: Euler, Seed: 1");
  EXPECT_EQ(only.prompt, "");
  EXPECT_EQ(only.fields.size(), 3u);
  EXPECT_TRUE(parseInfotext("").prompt.empty());
}

TEST(Infotext, FollowsTheRegexOnAwkwardParameterLines) {
  // A quoted value must be followed by ',' or the end; otherwise it is read unquoted up to ','.
  Infotext info = parseInfotext("p\nSteps: 20, Odd: \"a\" b, Seed: 1, Xy: \"q, r\"");
  EXPECT_EQ(info.get("Odd"), "\"a\" b");
  EXPECT_EQ(info.get("Xy"), "q, r");
  // Escaped quotes inside a quoted value.
  info = parseInfotext("p\nAa: 1, Bb: \"say \\\"hi\\\", ok\", Cc: 3");
  EXPECT_EQ(info.get("Bb"), "say \"hi\", ok");
  // Keys need two characters; a one-letter key is skipped, the rest still parses.
  info = parseInfotext("p\nSteps: 20, a: 1, Sampler: Euler, Seed: 9");
  EXPECT_FALSE(info.get("a").has_value());
  EXPECT_EQ(info.get("Seed"), "9");
  // Keys may contain spaces, '-' and '/'.
  info = parseInfotext("p\nHires upscaler: Latent, Face restoration/x-y: GFPGAN, Seed: 2");
  EXPECT_EQ(info.get("Face restoration/x-y"), "GFPGAN");
  // Values keep inner spaces; JSON that does not parse stays as written.
  info = parseInfotext("p\nSteps: 20, Broken: \"\\x\", Seed: 1");
  EXPECT_EQ(info.get("Broken"), "\"\\x\"");
}

TEST(Infotext, AcceptsCrlf) {
  const Infotext info =
      parseInfotext("a cat\r\nNegative prompt: dog\r\nSteps: 20, Sampler: Euler, Seed: 1\r\n");
  EXPECT_EQ(info.prompt, "a cat");
  EXPECT_EQ(info.negativePrompt, "dog");
  EXPECT_EQ(info.get("Seed"), "1");
}

TEST(Infotext, HostileLinesParseInLinearTime) {
  // No backtracking blow-up: 2 MB lines of near-misses.
  std::string noColon(2'000'000, 'a');
  std::string manyColons;
  for (int i = 0; i < 200'000; ++i) manyColons += "ab:\"x\\";
  std::string spaces = "p\n" + std::string(1'000'000, ' ') + "x";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(parseInfotext("p\n" + noColon).fields.empty());
  EXPECT_LT(parseInfotext("p\n" + manyColons).fields.size(), 200'001u);
  EXPECT_TRUE(parseInfotext(spaces).fields.empty());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 5.0);
}

TEST(Infotext, GetSetRemove) {
  Infotext info = make("p", "", {{"Steps", "20"}, {"Seed", "1"}});
  EXPECT_EQ(info.get("Steps"), "20");
  EXPECT_FALSE(info.get("steps").has_value());
  info.set("Steps", "30");
  info.set("Size", "64x64");
  const Fields expected = {{"Steps", "30"}, {"Seed", "1"}, {"Size", "64x64"}};
  EXPECT_EQ(info.fields, expected);
  EXPECT_TRUE(info.remove("Seed"));
  EXPECT_FALSE(info.remove("Seed"));
  EXPECT_EQ(info.fields.size(), 2u);
}

TEST(Infotext, RejectsKeysThatCouldNotBeReadBack) {
  EXPECT_THROW(formatInfotext(make("p", "", {{"", "1"}})), std::invalid_argument);
  EXPECT_THROW(formatInfotext(make("p", "", {{"a:b", "1"}})), std::invalid_argument);
  EXPECT_THROW(formatInfotext(make("p", "", {{"a,b", "1"}})), std::invalid_argument);
  EXPECT_THROW(formatInfotext(make("p", "", {{"a\nb", "1"}})), std::invalid_argument);
}

}  // namespace
}  // namespace lienzo
