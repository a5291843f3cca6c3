// Splits a weighted prompt into 77-token chunks the way A1111 does (unlimited prompt length):
// every fragment is tokenised on its own, tokens carry their fragment's weight, chunks hold 75
// body tokens, an overflowing chunk is cut after its last comma when that comma is within the
// last `commaPaddingBacktrack` tokens (the rest moves to the next chunk), BREAK pads the current
// chunk and starts a new one, and every chunk becomes [BOS] + 75 + [EOS] with weight 1 on
// BOS/EOS/padding.
//
// Textual-inversion embeddings (ChunkingOptions::embeddings): wherever the BPE ids of an
// embedding's name start in a fragment's ids (longest name first), the name's ids become n
// placeholder ids 0 carrying the fragment weight and the chunk records an EmbeddingFix; when the
// current chunk cannot hold the n vectors a new chunk starts (as in A1111, a comma cut moves
// the placeholders with the other tokens but leaves their fix in the chunk it was recorded in,
// where the vectors then land on padding rows). The ComfyUI word `embedding:name`
// places that embedding whatever its BPE ids (the word is dropped, with a report, when no
// embedding has that name or it cannot be placed). The vectors themselves are put in by the text
// encoders (core/text/embeddings.h).
//
// Ref: A1111 modules/sd_hijack_clip.py FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line,
// empty_chunk, process_tokens (SD2: everything after the first EOS becomes the pad id 0);
// modules/textual_inversion/textual_inversion.py EmbeddingDatabase.find_embedding_at_position;
// ComfyUI comfy/sd1_clip.py SDTokenizer.tokenize_with_weights (`embedding:` words).
//
// Pure functions (no torch), thread-safe given a const tokenizer and vocabulary.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/text/clip_tokenizer.h"
#include "core/text/prompt_parser.h"

namespace lienzo {

/// A textual-inversion embedding as the chunker sees it (the vectors live elsewhere).
struct PromptEmbedding {
  std::string name;          ///< file stem: what `embedding:name` refers to
  std::vector<int32_t> ids;  ///< BPE ids of the name, no BOS/EOS (A1111 matching)
  int vectors = 0;           ///< n vectors (1..75); 0 = cannot be placed for this model
  std::string skipReason;    ///< why it cannot be placed (vectors == 0)
};

/// The embeddings one prompt may use, indexed for A1111's lookup: per first id the candidates,
/// longest id sequence first (ties keep entry order). Immutable after construction.
class EmbeddingVocab {
 public:
  EmbeddingVocab() = default;
  /// Entry i is reported as embedding i in EmbeddingFix and ChunkedPrompt. Names are unique
  /// (the first of equal names wins for `embedding:name`).
  explicit EmbeddingVocab(std::vector<PromptEmbedding> entries);

  const std::vector<PromptEmbedding>& entries() const { return m_entries; }
  bool empty() const { return m_entries.empty(); }
  /// Entries whose ids start with `firstId`, longest first (empty when none).
  const std::vector<int>& candidates(int32_t firstId) const;
  /// Index of the entry named exactly `name`, or -1.
  int find(std::string_view name) const;

 private:
  std::vector<PromptEmbedding> m_entries;
  std::map<int32_t, std::vector<int>> m_byFirstId;
  std::map<std::string, int, std::less<>> m_byName;
};

/// Vectors of embedding `embedding` go to body positions offset .. offset+n-1 of the chunk, i.e.
/// rows offset+1 .. offset+n of its 77 token embeddings (BOS is row 0).
struct EmbeddingFix {
  int offset = 0;
  int embedding = 0;  ///< index into the EmbeddingVocab
  bool operator==(const EmbeddingFix& o) const {
    return offset == o.offset && embedding == o.embedding;
  }
};

struct PromptChunk {
  std::array<int64_t, ClipTokenizer::kContextLength> ids{};
  std::array<float, ClipTokenizer::kContextLength> weights{};
  std::vector<EmbeddingFix> fixes;  ///< in placement order
};

struct ChunkingOptions {
  PadStyle padStyle = PadStyle::Sd1;
  /// A1111 setting comma_padding_backtrack (0 disables the comma rule).
  int commaPaddingBacktrack = 20;
  /// Textual-inversion embeddings to look for (not owned; null = none).
  const EmbeddingVocab* embeddings = nullptr;
};

struct ChunkedPrompt {
  std::vector<PromptChunk> chunks;  ///< never empty
  /// A1111's token count (the "12/75" counter): 75 per completed chunk + the real tokens of the
  /// last one.
  int tokenCount = 0;
  /// Embeddings named in the prompt that could not be placed (vectors == 0), once each, in
  /// prompt order: their name's ids stay ordinary tokens (A1111 "skipped embeddings"), an
  /// `embedding:name` word is dropped.
  std::vector<int> skippedEmbeddings;
  /// Names of `embedding:name` words no embedding has (the word is dropped), once each.
  std::vector<std::string> unknownEmbeddings;
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

/// Indices of the embeddings placed in `prompt` (chunk order, then fix order), once each.
std::vector<int> usedEmbeddings(const ChunkedPrompt& prompt);

}  // namespace lienzo
