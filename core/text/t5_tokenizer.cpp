#include "core/text/t5_tokenizer.h"

#include "core/text/prompt_parser.h"
#include "core/text/unicode.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace lienzo {
namespace {

// Ref: sd3.5 other_impls.py escape_important / unescape_important: `\)` and `\(` are hidden
// behind these two-character markers while the parentheses are parsed.
constexpr std::string_view kEscapedClose("\0\1", 2);
constexpr std::string_view kEscapedOpen("\0\2", 2);

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t hit = text.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

// Ref: CPython float(str) (Objects/floatobject.c, Python/pystrtod.c): strip whitespace, Unicode
// decimal digits accepted, '_' only between digits, [sign] (digits[.digits]|.digits)[e[sign]digits]
// or inf / infinity / nan in any case. Returns nullopt where CPython raises ValueError.
std::optional<double> pythonFloat(std::string_view utf8) {
  const std::u32string decoded = unicode::decodeUtf8(utf8);
  const std::u32string_view text = unicode::stripPython(decoded);
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string ascii;  // the number without sign and underscores, ASCII digits
  for (std::size_t k = i; k < text.size(); ++k) {
    if (text[k] > 0x7f) {
      if (!unicode::isDecimal(text[k])) return std::nullopt;
      ascii.push_back(static_cast<char>('0' + unicode::decimalValue(text[k])));
    } else {
      ascii.push_back(static_cast<char>(std::tolower(static_cast<int>(text[k]))));
    }
  }
  const double sign = negative ? -1.0 : 1.0;
  if (ascii == "inf" || ascii == "infinity") return sign * std::numeric_limits<double>::infinity();
  if (ascii == "nan") return std::numeric_limits<double>::quiet_NaN();

  // Validate the grammar, dropping '_' between digits.
  std::string number;
  std::size_t p = 0;
  auto digits = [&](bool required) {
    const std::size_t start = number.size();
    while (p < ascii.size()) {
      const char c = ascii[p];
      if (c >= '0' && c <= '9') {
        number.push_back(c);
        ++p;
      } else if (c == '_' && number.size() > start && p + 1 < ascii.size() && ascii[p + 1] >= '0' &&
                 ascii[p + 1] <= '9') {
        ++p;
      } else {
        break;
      }
    }
    return number.size() > start || !required;
  };
  digits(false);
  const bool intDigits = !number.empty();
  bool fracDigits = false;
  if (p < ascii.size() && ascii[p] == '.') {
    number.push_back('.');
    ++p;
    const std::size_t before = number.size();
    digits(false);
    fracDigits = number.size() > before;
  }
  if (!intDigits && !fracDigits) return std::nullopt;
  long long exponent = 0;  // saturated, only used to tell overflow from underflow
  if (p < ascii.size() && ascii[p] == 'e') {
    number.push_back('e');
    ++p;
    bool expNegative = false;
    if (p < ascii.size() && (ascii[p] == '+' || ascii[p] == '-')) {
      expNegative = ascii[p] == '-';
      number.push_back(ascii[p++]);
    }
    const std::size_t before = number.size();
    if (!digits(true)) return std::nullopt;
    for (std::size_t k = before; k < number.size(); ++k)
      exponent = std::min<long long>(exponent * 10 + (number[k] - '0'), 1LL << 40);
    if (expNegative) exponent = -exponent;
  }
  if (p != ascii.size()) return std::nullopt;

  double value = 0.0;
  const auto result = std::from_chars(number.data(), number.data() + number.size(), value,
                                      std::chars_format::general);
  if (result.ptr != number.data() + number.size()) return std::nullopt;
  if (result.ec == std::errc::result_out_of_range) {
    // CPython gives inf on overflow and 0 on underflow: the decimal magnitude decides.
    const std::size_t point = std::min(number.find('.'), number.find('e'));
    const std::string mantissa = number.substr(0, number.find('e'));
    const std::size_t firstNonZero = mantissa.find_first_not_of("0.");
    if (firstNonZero == std::string::npos) return sign * 0.0;
    const long long magnitude = static_cast<long long>(std::min(point, mantissa.size())) -
                                static_cast<long long>(firstNonZero) + exponent;
    value = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (result.ec != std::errc()) {
    return std::nullopt;
  }
  return sign * value;
}

// Ref: sd3.5 other_impls.py parse_parentheses: top-level pieces, a balanced group kept whole
// with its parentheses; a stray ')' drives the level negative exactly like the reference.
std::vector<std::string> splitGroups(std::string_view text) {
  std::vector<std::string> result;
  std::string current;
  long level = 0;
  for (const char c : text) {
    if (c == '(') {
      if (level == 0) {
        if (!current.empty()) result.push_back(current);
        current = "(";
      } else {
        current.push_back(c);
      }
      ++level;
    } else if (c == ')') {
      --level;
      if (level == 0) {
        result.push_back(current + ")");
        current.clear();
      } else {
        current.push_back(c);
      }
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) result.push_back(current);
  return result;
}

// Ref: sd3.5 other_impls.py token_weights.
void tokenWeights(std::string_view text, double weight, int depth,
                  std::vector<T5WeightedText>& out) {
  if (depth > T5Tokenizer::kMaxWeightNesting) {
    throw PromptSyntaxError("prompt: weight groups nested deeper than " +
                            std::to_string(T5Tokenizer::kMaxWeightNesting) + " levels");
  }
  for (const std::string& piece : splitGroups(text)) {
    if (piece.size() >= 2 && piece.front() == '(' && piece.back() == ')') {
      std::string_view inner = std::string_view(piece).substr(1, piece.size() - 2);
      double groupWeight = weight * 1.1;
      const std::size_t colon = inner.rfind(':');
      if (colon != std::string_view::npos && colon > 0) {
        // The reference wraps float() in try/except: a value that is not a number leaves the
        // text (":..." included) and the 1.1 factor as they are. An escaped parenthesis in the
        // value (a NUL marker here) makes it fail exactly as there.
        if (const auto parsed = pythonFloat(inner.substr(colon + 1))) {
          groupWeight = *parsed;
          inner = inner.substr(0, colon);
        }
      }
      tokenWeights(inner, groupWeight, depth + 1, out);
    } else {
      out.push_back({piece, weight});
    }
  }
}

}  // namespace

std::vector<T5WeightedText> parseSd35Weights(std::string_view text) {
  const std::string escaped =
      replaceAll(replaceAll(text, "\\)", kEscapedClose), "\\(", kEscapedOpen);
  std::vector<T5WeightedText> out;
  tokenWeights(escaped, 1.0, 0, out);
  for (T5WeightedText& segment : out)
    segment.text = replaceAll(replaceAll(segment.text, kEscapedClose, ")"), kEscapedOpen, "(");
  return out;
}

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
  for (const T5WeightedText& segment : parseSd35Weights(unicode::encodeUtf8(chars))) {
    const std::string spaced = replaceAll(segment.text, "\n", " ");
    std::size_t start = 0;
    while (start <= spaced.size()) {
      std::size_t end = spaced.find(' ', start);
      if (end == std::string::npos) end = spaced.size();
      if (end > start) {
        for (const std::int64_t id : encode(spaced.substr(start, end - start))) {
          layout.ids.push_back(id);
          layout.weights.push_back(segment.weight);
        }
      }
      start = end + 1;
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
