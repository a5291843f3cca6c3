// CLIP byte-level BPE tokenizer (the tokenizer of SD1 / SD2 / SDXL text encoders).
//
// Ref: openai/CLIP clip/simple_tokenizer.py (SimpleTokenizer), HF transformers CLIPTokenizer,
// open_clip tokenizer.py; the exact semantics are those of the fixtures README section 2
// (html-unescape x2, White_Space collapse, str.lower(), the pre-tokeniser pattern, BPE by merge
// rank). ftfy.fix_text is not reproduced (identity on ordinary prompts, see clip_normalizer.h).
//
// Threads: all const member functions may be called concurrently; the per-word BPE cache is
// guarded by a mutex. The object is move-only.
// Failure: constructors throw TokenizerError for missing/unreadable/malformed files; encoding
// never throws (invalid UTF-8 becomes U+FFFD).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lienzo {

class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// 77-token layout of a text encoder: both are [BOS] + ids[:75] + [EOS] + padding.
enum class PadStyle {
  Sd1,  ///< HF CLIPTokenizer / SD1 / SDXL CLIP-L: pad with EOS (49407)
  Sd2,  ///< OpenCLIP tokenize / SD2 / SDXL CLIP-G: pad with 0
};

class ClipTokenizer {
 public:
  static constexpr int kContextLength = 77;
  static constexpr int kMaxBodyTokens = kContextLength - 2;
  /// Merges the reference uses: lines [1, 49152 - 256 - 2 + 1) of the merges file.
  static constexpr int kMergeCount = 49152 - 256 - 2;

  /// The original merges file `bpe_simple_vocab_16e6.txt.gz` (gzip, or the same uncompressed):
  /// vocab = 256 byte symbols, the same with "</w>", one entry per merge, <|startoftext|>,
  /// <|endoftext|> (49408 entries).
  explicit ClipTokenizer(const std::filesystem::path& mergesFile);
  /// HF / diffusers `tokenizer/vocab.json` + `tokenizer/merges.txt` (same ids for CLIP models).
  ClipTokenizer(const std::filesystem::path& vocabJson, const std::filesystem::path& mergesTxt);

  /// Loads from a merges file (.txt.gz / .txt), or from a directory searched like
  /// findClipVocab() (bpe_simple_vocab_16e6.txt(.gz), else vocab.json + merges.txt directly or in
  /// a `tokenizer/` subfolder, i.e. a diffusers model folder).
  static ClipTokenizer fromPath(const std::filesystem::path& path);

  ClipTokenizer(ClipTokenizer&&) noexcept;
  ClipTokenizer& operator=(ClipTokenizer&&) noexcept;
  ClipTokenizer(const ClipTokenizer&) = delete;
  ClipTokenizer& operator=(const ClipTokenizer&) = delete;
  ~ClipTokenizer();

  /// Raw BPE ids of `text` (UTF-8): no BOS/EOS, not truncated. A literal "<|startoftext|>" /
  /// "<|endoftext|>" in the text gives the special id, as in the reference.
  std::vector<int32_t> encode(std::string_view text) const;

  /// [BOS] + encode(text)[:length-2] + [EOS], padded to `length` with padId(style).
  std::vector<int64_t> encodePadded(std::string_view text, PadStyle style,
                                    int length = kContextLength) const;
  /// The same layout for already encoded ids. Throws std::invalid_argument if length < 2.
  std::vector<int64_t> layout(const std::vector<int32_t>& ids, PadStyle style,
                              int length = kContextLength) const;

  int32_t bosId() const;
  int32_t eosId() const;
  /// eosId() for PadStyle::Sd1, 0 for PadStyle::Sd2.
  int32_t padId(PadStyle style) const;
  /// One more than the largest id (49408 for CLIP): every id encode() returns is below it.
  std::size_t vocabSize() const;
  /// Id of a vocabulary entry in its byte-level spelling, e.g. ",</w>"; nullopt if absent.
  std::optional<int32_t> tokenId(std::string_view token) const;
  /// Text of ids ("</w>" -> " "), as SimpleTokenizer.decode; unknown ids are skipped.
  std::string decode(const std::vector<int32_t>& ids) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// Looks in each directory, in order, for `bpe_simple_vocab_16e6.txt.gz`,
/// `bpe_simple_vocab_16e6.txt`, `vocab.json` + `merges.txt`, `tokenizer/vocab.json` +
/// `tokenizer/merges.txt`. Returns what ClipTokenizer::fromPath accepts (the merges file, or the
/// directory holding vocab.json + merges.txt), or nullopt. Never throws for missing directories.
std::optional<std::filesystem::path> findClipVocab(
    const std::vector<std::filesystem::path>& searchDirs);

}  // namespace lienzo
