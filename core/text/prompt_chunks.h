// Splits a weighted prompt into 77-token chunks the way A1111 does (unlimited prompt length):
// every fragment is tokenised on its own, tokens carry their fragment's weight, chunks hold 75
// body tokens, an overflowing chunk is cut after its last comma when that comma is within the
// last `commaPaddingBacktrack` tokens (the rest moves to the next chunk), BREAK pads the current
// chunk and starts a new one, and every chunk becomes [BOS] + 75 + [EOS] with weight 1 on
// BOS/EOS/padding.
//
// Ref: A1111 modules/sd_hijack_clip.py FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line,
// empty_chunk, process_tokens (SD2: everything after the first EOS becomes the pad id 0).
// Textual-inversion embeddings are not handled.
//
// Pure functions (no torch), thread-safe given a const tokenizer.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/text/clip_tokenizer.h"
#include "core/text/prompt_parser.h"

namespace lienzo {

struct PromptChunk {
  std::array<int64_t, ClipTokenizer::kContextLength> ids{};
  std::array<float, ClipTokenizer::kContextLength> weights{};
};

struct ChunkingOptions {
  PadStyle padStyle = PadStyle::Sd1;
  /// A1111 setting comma_padding_backtrack (0 disables the comma rule).
  int commaPaddingBacktrack = 20;
};

struct ChunkedPrompt {
  std::vector<PromptChunk> chunks;  ///< never empty
  /// A1111's token count (the "12/75" counter): 75 per completed chunk + the real tokens of the
  /// last one.
  int tokenCount = 0;
};

/// Chunks parsed fragments (see parsePromptAttention). Fragments flagged isBreak start a chunk.
ChunkedPrompt chunkPrompt(const ClipTokenizer& tokenizer,
                          const std::vector<PromptFragment>& fragments,
                          const ChunkingOptions& options = {});

/// parsePromptAttention(prompt) (or literalPrompt when parseAttention is false) + chunkPrompt.
/// Throws PromptSyntaxError for a malformed "(text:weight)".
ChunkedPrompt tokenizePrompt(const ClipTokenizer& tokenizer, std::string_view prompt,
                             const ChunkingOptions& options = {}, bool parseAttention = true);

/// A1111 empty_chunk(): [BOS, EOS, pad...] with weights 1 — what pads a shorter prompt's chunk
/// list to the length of another (cond vs uncond) and equal to chunking "".
PromptChunk emptyChunk(const ClipTokenizer& tokenizer, PadStyle padStyle);

}  // namespace lienzo
