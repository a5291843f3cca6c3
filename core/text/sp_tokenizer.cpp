#include "core/text/sp_tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace lienzo {

struct SpTokenizer::Impl {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

void check(const sentencepiece::util::Status& status, const std::string& what) {
  if (!status.ok()) throw SpTokenizerError(what + ": " + status.ToString());
}

/// Feeds the in-memory corpus to the trainer.
class VectorIterator : public sentencepiece::SentenceIterator {
 public:
  explicit VectorIterator(const std::vector<std::string>& lines) : m_lines(lines) {}
  bool done() const override { return m_index >= m_lines.size(); }
  void Next() override { ++m_index; }
  const std::string& value() const override { return m_lines[m_index]; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  const std::vector<std::string>& m_lines;
  std::size_t m_index = 0;
};

}  // namespace

SpTokenizer::SpTokenizer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SpTokenizer::SpTokenizer(SpTokenizer&&) noexcept = default;
SpTokenizer& SpTokenizer::operator=(SpTokenizer&&) noexcept = default;
SpTokenizer::~SpTokenizer() = default;

SpTokenizer SpTokenizer::fromFile(const std::filesystem::path& modelFile) {
  std::ifstream in(modelFile, std::ios::binary);
  if (!in) throw SpTokenizerError("cannot open SentencePiece model '" + modelFile.string() + "'");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  try {
    return fromBytes(bytes.str());
  } catch (const SpTokenizerError& e) {
    throw SpTokenizerError(std::string(e.what()) + " ('" + modelFile.string() + "')");
  }
}

SpTokenizer SpTokenizer::fromBytes(const std::string& serializedModel) {
  auto impl = std::make_unique<Impl>();
  check(impl->processor.LoadFromSerializedProto(serializedModel), "invalid SentencePiece model");
  return SpTokenizer(std::move(impl));
}

int SpTokenizer::vocabSize() const {
  return m_impl->processor.GetPieceSize();
}
int SpTokenizer::padId() const {
  return m_impl->processor.pad_id();
}
int SpTokenizer::unkId() const {
  return m_impl->processor.unk_id();
}
int SpTokenizer::bosId() const {
  return m_impl->processor.bos_id();
}
int SpTokenizer::eosId() const {
  return m_impl->processor.eos_id();
}

std::vector<int> SpTokenizer::encode(const std::string& text) const {
  std::vector<int> ids;
  check(m_impl->processor.Encode(text, &ids), "SentencePiece encode failed");
  return ids;
}

std::vector<std::string> SpTokenizer::encodePieces(const std::string& text) const {
  std::vector<std::string> pieces;
  check(m_impl->processor.Encode(text, &pieces), "SentencePiece encode failed");
  return pieces;
}

std::string SpTokenizer::decode(const std::vector<int>& ids) const {
  const int n = vocabSize();
  for (int id : ids) {
    if (id < 0 || id >= n) {
      throw std::out_of_range("SentencePiece id " + std::to_string(id) + " outside [0, " +
                              std::to_string(n) + ")");
    }
  }
  std::string text;
  check(m_impl->processor.Decode(ids, &text), "SentencePiece decode failed");
  return text;
}

int SpTokenizer::pieceToId(const std::string& piece) const {
  return m_impl->processor.PieceToId(piece);
}

std::string SpTokenizer::idToPiece(int id) const {
  if (id < 0 || id >= vocabSize()) {
    throw std::out_of_range("SentencePiece id " + std::to_string(id) + " outside [0, " +
                            std::to_string(vocabSize()) + ")");
  }
  return m_impl->processor.IdToPiece(id);
}

// Ref: transformers T5TokenizerFast (append </s>, truncate, pad to max_length)
std::vector<std::int64_t> SpTokenizer::encodePadded(const std::string& text, int length,
                                                    bool appendEos) const {
  if (length < 1) throw std::invalid_argument("encodePadded: length must be >= 1");
  const std::vector<int> ids = encode(text);
  const int eos = eosId();
  const bool withEos = appendEos && eos >= 0;
  const std::size_t body =
      std::min<std::size_t>(ids.size(), static_cast<std::size_t>(length) - (withEos ? 1 : 0));
  std::vector<std::int64_t> out(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(body));
  if (withEos) out.push_back(eos);
  const int pad = padId() >= 0 ? padId() : (eos >= 0 ? eos : 0);
  out.resize(static_cast<std::size_t>(length), pad);
  return out;
}

void trainSentencePiece(const std::vector<std::string>& corpusLines, int vocabSize,
                        SpModelType modelType, const std::filesystem::path& outputModel) {
  SpTrainOptions options;
  options.vocabSize = vocabSize;
  options.modelType = modelType;
  trainSentencePiece(corpusLines, options, outputModel);
}

// Ref: sentencepiece doc/options.md (trainer flags)
void trainSentencePiece(const std::vector<std::string>& corpusLines, const SpTrainOptions& options,
                        const std::filesystem::path& outputModel) {
  if (corpusLines.empty()) throw SpTokenizerError("cannot train SentencePiece on an empty corpus");
  if (options.vocabSize < 4) throw std::invalid_argument("SentencePiece vocab size must be >= 4");
  const int threads = options.numThreads > 0
                          ? options.numThreads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const std::unordered_map<std::string, std::string> kwargs = {
      {"model_type", options.modelType == SpModelType::Bpe ? "bpe" : "unigram"},
      {"vocab_size", std::to_string(options.vocabSize)},
      {"character_coverage", std::to_string(options.characterCoverage)},
      {"pad_id", std::to_string(options.padId)},
      {"eos_id", std::to_string(options.eosId)},
      {"unk_id", std::to_string(options.unkId)},
      {"bos_id", std::to_string(options.bosId)},
      {"hard_vocab_limit", options.hardVocabLimit ? "true" : "false"},
      {"num_threads", std::to_string(threads)},
      {"minloglevel", options.quiet ? "2" : "0"},
  };
  VectorIterator iterator(corpusLines);
  std::string model;
  check(sentencepiece::SentencePieceTrainer::Train(kwargs, &iterator, &model),
        "SentencePiece training failed");
  if (model.empty()) throw SpTokenizerError("SentencePiece training produced no model");

  // Write next to the target, then rename: a reader never sees a half-written model.
  std::random_device rng;
  const std::filesystem::path temp =
      outputModel.parent_path() /
      ("." + outputModel.filename().string() + ".tmp-" + std::to_string(rng()));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(model.data(), static_cast<std::streamsize>(model.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw SpTokenizerError("cannot write SentencePiece model '" + outputModel.string() + "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, outputModel, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw SpTokenizerError("cannot write SentencePiece model '" + outputModel.string() +
                           "': " + ec.message());
  }
}

}  // namespace lienzo
