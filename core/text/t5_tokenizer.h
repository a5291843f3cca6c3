// T5 v1.1 token layouts over a SentencePiece model (`spiece.model` of google/t5-v1_1-xxl, the
// text encoder of SD3/SD3.5 and Flux.1): the raw ids, the Hugging Face padded/truncated layout
// (Flux: 512 tokens for dev, 256 for schnell; diffusers) and the SD3.5 reference layout (the
// prompt cut to 226 characters, weight groups parsed out, word-by-word, EOS, at least 77 tokens).
//
// Ref: transformers T5Tokenizer (slow, legacy: sp.encode + piece_to_id, `</s>` appended, no BOS;
//      `tokenizer(text, truncation=True, max_length=L, padding="max_length")`);
//      Stability-AI/sd3.5 other_impls.py (SDTokenizer.tokenize_with_weights, token_weights,
//      parse_parentheses, escape_important, T5XXLTokenizer, SD3Tokenizer: `text[:226]`).
//
// The SD3.5 layout's weight groups and word split: core/text/sd3_prompt.h (shared with the SD3
// CLIP ids).
//
// Contract
// - T5Tokenizer is immutable after construction; every const method may run on any thread.
// - Construction throws SpTokenizerError when the model lacks T5's EOS or pad piece.
// - padded() / sd35Reference() throw std::invalid_argument for a length < 1;
//   sd35Reference() throws PromptSyntaxError (core/text/prompt_parser.h) for groups nested
//   deeper than kSd3MaxWeightNesting (sd3_prompt.h).
// - Text is UTF-8; invalid sequences become U+FFFD before the 226-character cut.
#pragma once

#include "core/text/sd3_prompt.h"
#include "core/text/sp_tokenizer.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lienzo {

/// One prompt as the T5 encoder reads it. All vectors have the same length.
struct T5TokenLayout {
  std::vector<std::int64_t> ids;
  /// 1 on the prompt's tokens and the EOS, 0 on padding (HF `attention_mask`; for the SD3.5
  /// layout: everything after the EOS).
  std::vector<std::int64_t> attentionMask;
  /// Per-token prompt weight: the SD3.5 reference's weight groups, 1.0 on EOS and padding; all
  /// 1.0 in the HF layout (which has no prompt syntax).
  std::vector<double> weights;
  /// HF layout: the prompt had more than length - 1 ids and the tail was dropped (the EOS is
  /// always kept). The SD3.5 layout never truncates ids (only the 226-character cut).
  bool truncated = false;
};

class T5Tokenizer {
 public:
  static constexpr int kExtraIds = 100;       ///< HF sentinels <extra_id_0..99>
  static constexpr int kSd35MinLength = 77;   ///< SD3.5 reference: pad to at least this
  static constexpr int kSd35CharLimit = 226;  ///< SD3.5 reference: text[:226]

  /// Takes over a loaded SentencePiece model. Throws SpTokenizerError without EOS or pad.
  explicit T5Tokenizer(SpTokenizer model);
  /// Loads `spiece.model`. Throws SpTokenizerError.
  static T5Tokenizer fromFile(const std::filesystem::path& spieceModel);

  /// SentencePiece pieces (32000 for T5-XXL).
  int pieceCount() const;
  /// HF tokenizer vocabulary: pieces + 100 sentinels (32100). The encoder's embedding may have
  /// more rows (32128); ids from this tokenizer are always < vocabSize().
  int vocabSize() const;
  int eosId() const;
  int padId() const;
  /// The id of `<extra_id_n>` (HF numbers the sentinels backwards: pieceCount() + 99 - n).
  /// Throws std::out_of_range for n outside 0..99.
  int extraId(int n) const;

  /// SentencePiece pieces of `text` (U+2581 marks a word start).
  std::vector<std::string> pieces(const std::string& text) const;
  /// Raw ids = SentencePiece encode: no EOS, not truncated.
  std::vector<std::int64_t> encode(const std::string& text) const;
  /// encode(text) + EOS (HF `tokenizer(text)["input_ids"]`).
  std::vector<std::int64_t> encodeWithEos(const std::string& text) const;

  /// HF layout of exactly `length` tokens: ids[:length-1] + EOS, then pad up to `length`.
  T5TokenLayout padded(const std::string& text, int length) const;
  /// SD3.5 reference layout: text cut to `charLimit` code points, weights parsed out
  /// (sd3PromptWords, sd3_prompt.h): each segment's '\n' turned into ' ' and split on ' ', every
  /// non-empty word encoded on its own and the ids concatenated, EOS, padded with pad to
  /// `minLength` (longer prompts are not truncated).
  T5TokenLayout sd35Reference(const std::string& text, int minLength = kSd35MinLength,
                              int charLimit = kSd35CharLimit) const;

  const SpTokenizer& sentencePiece() const { return m_model; }

 private:
  SpTokenizer m_model;
};

}  // namespace lienzo
