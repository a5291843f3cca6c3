#include "core/text/prompt_chunks.h"

#include <algorithm>
#include <optional>

namespace lienzo {
namespace {

constexpr int kChunkLength = ClipTokenizer::kMaxBodyTokens;  // 75 body tokens

struct Body {
  std::vector<int32_t> tokens;
  std::vector<double> weights;
};

// Ref: A1111 tokenize_line.next_chunk + process_tokens (id_end != id_pad).
PromptChunk wrapChunk(const ClipTokenizer& tokenizer, const Body& body, PadStyle padStyle) {
  PromptChunk chunk;
  chunk.ids.fill(tokenizer.eosId());
  chunk.weights.fill(1.0f);
  chunk.ids[0] = tokenizer.bosId();
  for (std::size_t i = 0; i < body.tokens.size(); ++i) {
    chunk.ids[i + 1] = body.tokens[i];
    chunk.weights[i + 1] = static_cast<float>(body.weights[i]);
  }
  if (padStyle == PadStyle::Sd2) {
    // Everything after the first EOS becomes the pad id (a literal <|endoftext|> in the prompt
    // is that first EOS, as in A1111).
    const auto first = std::find(chunk.ids.begin(), chunk.ids.end(), tokenizer.eosId());
    for (auto it = first + 1; it < chunk.ids.end(); ++it) *it = tokenizer.padId(PadStyle::Sd2);
  }
  return chunk;
}

}  // namespace

// Ref: A1111 modules/sd_hijack_clip.py tokenize_line.
ChunkedPrompt chunkPrompt(const ClipTokenizer& tokenizer,
                          const std::vector<PromptFragment>& fragments,
                          const ChunkingOptions& options) {
  const std::optional<int32_t> commaToken = tokenizer.tokenId(",</w>");
  ChunkedPrompt result;
  Body chunk;
  int lastComma = -1;

  auto nextChunk = [&](bool isLast) {
    result.tokenCount += isLast ? static_cast<int>(chunk.tokens.size()) : kChunkLength;
    result.chunks.push_back(wrapChunk(tokenizer, chunk, options.padStyle));
    lastComma = -1;
    chunk = Body();
  };

  for (const PromptFragment& fragment : fragments) {
    if (fragment.isBreak) {
      nextChunk(false);
      continue;
    }
    const std::vector<int32_t> tokens = tokenizer.encode(fragment.text);
    for (int32_t token : tokens) {
      const int size = static_cast<int>(chunk.tokens.size());
      if (commaToken && token == *commaToken) {
        lastComma = size;
      } else if (options.commaPaddingBacktrack != 0 && size == kChunkLength && lastComma != -1 &&
                 size - lastComma <= options.commaPaddingBacktrack) {
        // The chunk is full and a comma is near its end: cut after the comma and carry the
        // tokens behind it over to the next chunk.
        const auto cut = static_cast<std::ptrdiff_t>(lastComma + 1);
        Body moved;
        moved.tokens.assign(chunk.tokens.begin() + cut, chunk.tokens.end());
        moved.weights.assign(chunk.weights.begin() + cut, chunk.weights.end());
        chunk.tokens.resize(static_cast<std::size_t>(cut));
        chunk.weights.resize(static_cast<std::size_t>(cut));
        nextChunk(false);
        chunk = std::move(moved);
      }
      if (static_cast<int>(chunk.tokens.size()) == kChunkLength) nextChunk(false);
      chunk.tokens.push_back(token);
      chunk.weights.push_back(fragment.weight);
    }
  }
  if (!chunk.tokens.empty() || result.chunks.empty()) nextChunk(true);
  return result;
}

ChunkedPrompt tokenizePrompt(const ClipTokenizer& tokenizer, std::string_view prompt,
                             const ChunkingOptions& options, bool parseAttention) {
  return chunkPrompt(
      tokenizer, parseAttention ? parsePromptAttention(prompt) : literalPrompt(prompt), options);
}

PromptChunk emptyChunk(const ClipTokenizer& tokenizer, PadStyle padStyle) {
  return wrapChunk(tokenizer, Body(), padStyle);
}

}  // namespace lienzo
