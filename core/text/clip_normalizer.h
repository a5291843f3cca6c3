// Text normalisation and pre-tokenisation of the CLIP BPE tokenizer (openai/CLIP
// simple_tokenizer.py), as documented in the fixtures README section 2. Pure functions over code
// points, thread-safe, no exceptions except std::bad_alloc.
//
// Not reproduced: ftfy.fix_text (mojibake repair etc.). It is the identity on ordinary prompts;
// text that ftfy would repair (mojibake, HTML entities in odd places, "\r\n", ligatures, ...) may
// tokenise differently from the Python reference.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lienzo::clip_normalizer {

/// Python's html.unescape(): HTML5 named references (with and without ';', longest-prefix rule
/// for legacy names such as "&ampx"), decimal/hex numeric references with the HTML5 fix-ups
/// (&#128; -> U+20AC, &#0; / surrogates / > U+10FFFF -> U+FFFD, control code points dropped).
std::u32string htmlUnescape(std::u32string_view text);

/// The full CLIP clean-up: html.unescape twice, strip(), every run of Unicode White_Space ->
/// one space, strip(), str.lower().
std::u32string cleanText(std::string_view utf8);

/// Splits cleaned text like the pattern
///   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
/// (case-insensitive, `regex` module semantics). Views point into `text`.
std::vector<std::u32string_view> preTokenize(std::u32string_view text);

}  // namespace lienzo::clip_normalizer
