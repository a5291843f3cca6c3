// A1111 prompt attention syntax: "(word)" x1.1, "((word))" x1.21, "[word]" /1.1, "(word:1.3)",
// escapes \( \) \[ \] \\, unbalanced brackets closed at the end, "BREAK" chunk separators and
// merging of neighbouring fragments of equal weight.
//
// Ref: AUTOMATIC1111 stable-diffusion-webui modules/prompt_parser.py parse_prompt_attention
// (re_attention with `:\s*([+-]?[.\d]+)\s*\)`, re_break `\s*\bBREAK\b\s*`). This is a faithful
// port, quirks included: a BREAK inside brackets gets its -1 marker weight multiplied and is then
// ordinary text "BREAK" with a negative weight, exactly as in A1111. Prompt editing / alternation
// ([a:b:0.5], [a|b]) and AND are handled before this parser in A1111 and are not parsed here
// (their characters are treated like A1111's attention parser treats them).
//
// Pure functions, thread-safe.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lienzo {

/// A "(text:1.2)" weight that Python's float() rejects ("1.2.3", "."): A1111 fails the
/// generation with a ValueError, we throw this.
class PromptSyntaxError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct PromptFragment {
  std::string text;     ///< UTF-8, unescaped
  double weight = 1.0;  ///< product of the bracket multipliers (Python float arithmetic)
  /// True for a BREAK marker (A1111: text "BREAK" with weight exactly -1): starts a new chunk.
  bool isBreak = false;

  bool operator==(const PromptFragment& o) const {
    return text == o.text && weight == o.weight && isBreak == o.isBreak;
  }
  bool operator!=(const PromptFragment& o) const { return !(*this == o); }
};

/// Parses the attention syntax of `prompt` (UTF-8). Never returns an empty list (an empty
/// prompt gives one fragment {"", 1.0}). Throws PromptSyntaxError for a malformed weight.
std::vector<PromptFragment> parsePromptAttention(std::string_view prompt);

/// The fragments A1111 uses when emphasis is off ("None"): the whole prompt, weight 1, no BREAK.
std::vector<PromptFragment> literalPrompt(std::string_view prompt);

}  // namespace lienzo
