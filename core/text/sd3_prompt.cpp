// The SD3.5 reference's prompt syntax (sd3_prompt.h).
#include "core/text/sd3_prompt.h"

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
                  std::vector<Sd3PromptSegment>& out) {
  if (depth > kSd3MaxWeightNesting) {
    throw PromptSyntaxError("prompt: weight groups nested deeper than " +
                            std::to_string(kSd3MaxWeightNesting) + " levels");
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

std::vector<Sd3PromptSegment> sd3PromptSegments(std::string_view text) {
  const std::string escaped =
      replaceAll(replaceAll(text, "\\)", kEscapedClose), "\\(", kEscapedOpen);
  std::vector<Sd3PromptSegment> out;
  tokenWeights(escaped, 1.0, 0, out);
  for (Sd3PromptSegment& segment : out)
    segment.text = replaceAll(replaceAll(segment.text, kEscapedClose, ")"), kEscapedOpen, "(");
  return out;
}

std::vector<Sd3PromptSegment> sd3PromptWords(std::string_view text) {
  std::vector<Sd3PromptSegment> words;
  for (const Sd3PromptSegment& segment : sd3PromptSegments(text)) {
    const std::string spaced = replaceAll(segment.text, "\n", " ");
    std::size_t start = 0;
    while (start <= spaced.size()) {
      std::size_t end = spaced.find(' ', start);
      if (end == std::string::npos) end = spaced.size();
      if (end > start) words.push_back({spaced.substr(start, end - start), segment.weight});
      start = end + 1;
    }
  }
  return words;
}

}  // namespace lienzo
