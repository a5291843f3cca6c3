// The prompt syntax of the SD3.5 reference (Stability-AI/sd3.5), which its CLIP-L, CLIP-G and T5
// tokenizers share: weight groups parsed out of the text, then the text split into words that are
// tokenised one by one. Used by the SD3 CLIP ids (core/text/sd3_conditioning.h) and the SD3.5 T5
// layout (core/text/t5_tokenizer.h).
//
// Ref: Stability-AI/sd3.5 other_impls.py (SDTokenizer.tokenize_with_weights, token_weights,
//      parse_parentheses, escape_important / unescape_important).
//
// Why this is not core/text/prompt_parser (A1111): the reference's rule is another one. An
// explicit `(x:w)` *replaces* the weight instead of multiplying the enclosing groups' (A1111:
// `(a (b:0.8))` gives b 0.88, the reference 0.8), only `(`/`)` group (no `[...]`, no BREAK),
// only `\(`/`\)` are escapes (other backslashes stay), any `:` is split off with rfind (A1111
// needs `:number)`; a value Python's float() rejects leaves the group's text as it is, ':'
// included, at 1.1×), and equal neighbours are not merged. The sd3.5 reference returns these
// weights but does not apply them when encoding.
//
// Contract: pure functions, any thread, no torch. Text is UTF-8. Both throw PromptSyntaxError
// (core/text/prompt_parser.h) for groups nested deeper than kSd3MaxWeightNesting (where Python
// would hit its recursion limit).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lienzo {

/// Deepest `( … )` nesting accepted.
inline constexpr int kSd3MaxWeightNesting = 1000;

/// A piece of prompt text with the weight its `( )` / `(…:w)` groups give it.
struct Sd3PromptSegment {
  std::string text;  ///< UTF-8, escapes `\(` `\)` resolved
  double weight = 1.0;
};

/// The reference's weight parse of `text`: `\(` and `\)` are literal parentheses; a balanced
/// `( ... )` group multiplies the weight by 1.1 per level, unless it ends in `:w` (split at the
/// last ':' when that is not the group's first character, and w is a number to Python's float())
/// which sets the weight to w. Segments in order; an empty prompt or group gives none.
std::vector<Sd3PromptSegment> sd3PromptSegments(std::string_view text);

/// The words the reference tokenises one by one, each with its segment's weight: every
/// segment's '\n' → ' ', split on ' ', empty strings dropped.
std::vector<Sd3PromptSegment> sd3PromptWords(std::string_view text);

}  // namespace lienzo
