#include "core/text/t5_tokenizer.h"

#include "core/text/sd3_prompt.h"
#include "core/text/unicode.h"

#include <algorithm>
#include <stdexcept>

namespace lienzo {

T5Tokenizer::T5Tokenizer(SpTokenizer model) : m_model(std::move(model)) {
  if (m_model.eosId() < 0 || m_model.padId() < 0) {
    throw SpTokenizerError(
        "not a T5 SentencePiece model: it has no end-of-sequence or padding piece (T5's "
        "spiece.model has <pad> = 0 and </s> = 1)");
  }
}

T5Tokenizer T5Tokenizer::fromFile(const std::filesystem::path& spieceModel) {
  return T5Tokenizer(SpTokenizer::fromFile(spieceModel));
}

int T5Tokenizer::pieceCount() const {
  return m_model.vocabSize();
}
int T5Tokenizer::vocabSize() const {
  return pieceCount() + kExtraIds;
}
int T5Tokenizer::eosId() const {
  return m_model.eosId();
}
int T5Tokenizer::padId() const {
  return m_model.padId();
}

// Ref: transformers T5Tokenizer: additional_special_tokens <extra_id_{i}> with
// convert_token_to_id = vocab_size - 1 - i.
int T5Tokenizer::extraId(int n) const {
  if (n < 0 || n >= kExtraIds)
    throw std::out_of_range("T5 sentinel <extra_id_" + std::to_string(n) + "> does not exist");
  return pieceCount() + kExtraIds - 1 - n;
}

std::vector<std::string> T5Tokenizer::pieces(const std::string& text) const {
  return m_model.encodePieces(text);
}

std::vector<std::int64_t> T5Tokenizer::encode(const std::string& text) const {
  const std::vector<int> ids = m_model.encode(text);
  return std::vector<std::int64_t>(ids.begin(), ids.end());
}

std::vector<std::int64_t> T5Tokenizer::encodeWithEos(const std::string& text) const {
  std::vector<std::int64_t> ids = encode(text);
  ids.push_back(eosId());
  return ids;
}

// Ref: transformers PreTrainedTokenizerBase truncation (longest_first, num_special_tokens_to_add
// = 1 for T5's EOS) + padding="max_length" on the right.
T5TokenLayout T5Tokenizer::padded(const std::string& text, int length) const {
  if (length < 1)
    throw std::invalid_argument("T5 tokenizer: length " + std::to_string(length) + " < 1");
  const std::vector<std::int64_t> ids = encode(text);
  const auto room = static_cast<std::size_t>(length - 1);
  T5TokenLayout layout;
  layout.truncated = ids.size() > room;
  layout.ids.assign(ids.begin(),
                    ids.begin() + static_cast<std::ptrdiff_t>(std::min(room, ids.size())));
  layout.ids.push_back(eosId());
  layout.attentionMask.assign(layout.ids.size(), 1);
  layout.ids.resize(static_cast<std::size_t>(length), padId());
  layout.attentionMask.resize(static_cast<std::size_t>(length), 0);
  layout.weights.assign(static_cast<std::size_t>(length), 1.0);
  return layout;
}

// Ref: sd3.5 other_impls.py SD3Tokenizer.tokenize_with_weights (t5xxl gets text[:226]) and
// SDTokenizer.tokenize_with_weights with T5XXLTokenizer's settings (no start token, pad 0,
// pad_to_max_length False, max_length 99999999 so never split, min_length 77).
T5TokenLayout T5Tokenizer::sd35Reference(const std::string& text, int minLength,
                                         int charLimit) const {
  if (minLength < 1)
    throw std::invalid_argument("T5 tokenizer: minimum length " + std::to_string(minLength) +
                                " < 1");
  if (charLimit < 0)
    throw std::invalid_argument("T5 tokenizer: character limit " + std::to_string(charLimit) +
                                " < 0");
  std::u32string chars = unicode::decodeUtf8(text);
  if (chars.size() > static_cast<std::size_t>(charLimit)) chars.resize(charLimit);
  T5TokenLayout layout;
  for (const Sd3PromptSegment& word : sd3PromptWords(unicode::encodeUtf8(chars))) {
    for (const std::int64_t id : encode(word.text)) {
      layout.ids.push_back(id);
      layout.weights.push_back(word.weight);
    }
  }
  layout.ids.push_back(eosId());
  layout.weights.push_back(1.0);
  layout.attentionMask.assign(layout.ids.size(), 1);
  const std::size_t total = std::max(layout.ids.size(), static_cast<std::size_t>(minLength));
  layout.ids.resize(total, padId());
  layout.weights.resize(total, 1.0);
  layout.attentionMask.resize(total, 0);
  return layout;
}

}  // namespace lienzo
