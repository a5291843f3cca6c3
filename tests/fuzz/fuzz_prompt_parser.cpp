// libFuzzer target: the A1111 prompt attention parser (core/text/prompt_parser.h).
// Input: a prompt (UTF-8 or not). Properties: parsePromptAttention returns a non-empty list or
// throws PromptSyntaxError; literalPrompt returns the prompt unchanged.
#include "core/text/prompt_parser.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view prompt(reinterpret_cast<const char*>(data), size);
  try {
    const auto fragments = parsePromptAttention(prompt);
    LIENZO_FUZZ_CHECK(!fragments.empty());
  } catch (const PromptSyntaxError&) {
  }
  const auto literal = literalPrompt(prompt);
  LIENZO_FUZZ_CHECK(literal.size() == 1 && literal[0].text == prompt && !literal[0].isBreak);
  return 0;
}
