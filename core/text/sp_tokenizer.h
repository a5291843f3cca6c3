// SentencePiece tokenizer (T5-style text encoders and the built-in model's tokenizer), and the
// trainer that makes a model from a corpus.
//
// Links the static sentencepiece built from Debian's source package against the system protobuf
// (cmake/LienzoSentencePiece.cmake): Debian's shared libsentencepiece crashes any process that
// also loads libtorch (shared/PLATFORM.md pitfall 1). No sentencepiece or protobuf type appears in
// this header.
//
// Contract
// - SpTokenizer is immutable after loading; all const methods may be called from any thread at
//   once. Move-only (owns the processor).
// - Loading a missing/corrupt model throws SpTokenizerError with the reason; ids passed to
//   decode()/idToPiece() outside [0, vocabSize()) throw std::out_of_range.
// - trainSentencePiece() is synchronous (seconds for small corpora), writes the model file
//   atomically (temporary file + rename) and throws SpTokenizerError on failure. Training logs are
//   silenced by default; note that sentencepiece's log level is process-wide.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class SpTokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SpTokenizer {
 public:
  /// A .model file (serialized ModelProto).
  static SpTokenizer fromFile(const std::filesystem::path& modelFile);
  /// The bytes of a .model file.
  static SpTokenizer fromBytes(const std::string& serializedModel);

  SpTokenizer(SpTokenizer&&) noexcept;
  SpTokenizer& operator=(SpTokenizer&&) noexcept;
  ~SpTokenizer();

  int vocabSize() const;
  /// Special ids; -1 when the model has none.
  int padId() const;
  int unkId() const;
  int bosId() const;
  int eosId() const;

  /// Pieces -> ids, no special tokens added.
  std::vector<int> encode(const std::string& text) const;
  std::vector<std::string> encodePieces(const std::string& text) const;
  /// ids -> text (special ids are dropped by sentencepiece).
  std::string decode(const std::vector<int>& ids) const;
  int pieceToId(const std::string& piece) const;  ///< unkId() for an unknown piece
  std::string idToPiece(int id) const;

  /// encode(text), then EOS appended when `appendEos` and the model has one, truncated to
  /// `length` (the EOS kept last) and padded to exactly `length` with padId() (or eosId() when
  /// the model has no pad, else 0). T5 style: [ids..., eos, pad, pad, ...]. length >= 1.
  std::vector<std::int64_t> encodePadded(const std::string& text, int length,
                                         bool appendEos = true) const;

 private:
  struct Impl;
  explicit SpTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

enum class SpModelType { Unigram, Bpe };

struct SpTrainOptions {
  int vocabSize = 8000;
  SpModelType modelType = SpModelType::Unigram;
  double characterCoverage = 1.0;  ///< 1.0 keeps every character of the corpus (Latin/emoji)
  // T5's layout of special ids (pad 0, eos 1, unk 2, no bos); -1 disables one.
  int padId = 0;
  int eosId = 1;
  int unkId = 2;
  int bosId = -1;
  /// true: vocabSize is a hard limit (training fails when the corpus cannot fill it);
  /// false: the vocabulary may come out smaller.
  bool hardVocabLimit = false;
  int numThreads = 0;  ///< 0 = hardware concurrency
  bool quiet = true;   ///< silence sentencepiece's training log (process-wide log level)
};

/// Trains a model on `corpusLines` (one sentence per entry) and writes the .model file.
void trainSentencePiece(const std::vector<std::string>& corpusLines, int vocabSize,
                        SpModelType modelType, const std::filesystem::path& outputModel);
void trainSentencePiece(const std::vector<std::string>& corpusLines, const SpTrainOptions& options,
                        const std::filesystem::path& outputModel);

}  // namespace lienzo
