#include "core/text/prompt_parser.h"

#include <charconv>
#include <cstddef>

#include "core/text/unicode.h"

namespace lienzo {
namespace {

constexpr double kRoundBracketMultiplier = 1.1;
constexpr double kSquareBracketMultiplier = 1.0 / 1.1;
constexpr std::u32string_view kBreak = U"BREAK";

bool isEscapable(char32_t c) {
  return c == '(' || c == ')' || c == '[' || c == ']' || c == '\\';
}
// [^\\()\[\]:]
bool isPlainText(char32_t c) {
  return !isEscapable(c) && c != ':';
}

// Python re \b at position `pos` of `text`, for a word character on one side.
bool isWordAt(std::u32string_view text, std::size_t pos) {
  return pos < text.size() && unicode::isPyWord(text[pos]);
}

// Ref: re.split(r"\s*\bBREAK\b\s*", text) — leftmost non-overlapping matches.
std::vector<std::u32string> splitBreak(std::u32string_view text) {
  std::vector<std::u32string> parts;
  const std::size_t n = text.size();
  std::size_t partBegin = 0;
  std::size_t s = 0;
  while (s < n) {
    std::size_t k = s;
    while (k < n && unicode::isPySpace(text[k])) ++k;  // \s* (greedy; giving back cannot help)
    const bool matched = text.substr(k, kBreak.size()) == kBreak &&
                         (k == 0 || !isWordAt(text, k - 1)) &&  // \b before 'B'
                         !isWordAt(text, k + kBreak.size());    // \b after 'K'
    if (!matched) {
      ++s;
      continue;
    }
    std::size_t e = k + kBreak.size();
    while (e < n && unicode::isPySpace(text[e])) ++e;
    parts.emplace_back(text.substr(partBegin, s - partBegin));
    partBegin = e;
    s = e;
  }
  parts.emplace_back(text.substr(partBegin));
  return parts;
}

// Ref: Python float() on a [+-]?[.\d]+ match (Unicode decimal digits accepted).
double parseWeight(std::u32string_view digits, std::u32string_view whole) {
  std::string ascii;
  for (char32_t c : digits) {
    if (c == '+' || c == '-' || c == '.') {
      ascii.push_back(static_cast<char>(c));
    } else {
      ascii.push_back(static_cast<char>('0' + unicode::decimalValue(c)));
    }
  }
  std::size_t begin = 0;
  const bool negative = !ascii.empty() && ascii[0] == '-';
  if (!ascii.empty() && (ascii[0] == '+' || ascii[0] == '-')) begin = 1;
  double value = 0.0;
  const char* first = ascii.data() + begin;
  const char* last = ascii.data() + ascii.size();
  const auto result = std::from_chars(first, last, value, std::chars_format::fixed);
  if (first == last || result.ec != std::errc() || result.ptr != last) {
    throw PromptSyntaxError("prompt: could not convert the weight '" + unicode::encodeUtf8(digits) +
                            "' of '" + unicode::encodeUtf8(whole) + "' to a number");
  }
  return negative ? -value : value;
}

// Tries `:\s*([+-]?[.\d]+)\s*\)` at text[i] == ':'. Returns the match length (0 = no match) and
// sets `digits` to the group.
std::size_t matchWeight(std::u32string_view text, std::size_t i, std::u32string_view& digits) {
  const std::size_t n = text.size();
  std::size_t p = i + 1;
  while (p < n && unicode::isPySpace(text[p])) ++p;
  const std::size_t groupBegin = p;
  if (p < n && (text[p] == '+' || text[p] == '-')) ++p;
  const std::size_t digitsBegin = p;
  while (p < n && (text[p] == '.' || unicode::isDecimal(text[p]))) ++p;
  if (p == digitsBegin) return 0;
  digits = text.substr(groupBegin, p - groupBegin);
  while (p < n && unicode::isPySpace(text[p])) ++p;
  if (p >= n || text[p] != ')') return 0;
  return p + 1 - i;
}

struct Entry {
  std::u32string text;
  double weight;
};

}  // namespace

// Ref: A1111 modules/prompt_parser.py parse_prompt_attention.
std::vector<PromptFragment> parsePromptAttention(std::string_view prompt) {
  const std::u32string text = unicode::decodeUtf8(prompt);
  const std::size_t n = text.size();
  std::vector<Entry> res;
  std::vector<std::size_t> roundBrackets;
  std::vector<std::size_t> squareBrackets;
  auto multiplyRange = [&res](std::size_t start, double multiplier) {
    for (std::size_t p = start; p < res.size(); ++p) res[p].weight *= multiplier;
  };
  auto appendText = [&res](std::u32string_view piece) {
    const std::vector<std::u32string> parts = splitBreak(piece);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (k > 0) res.push_back({std::u32string(kBreak), -1.0});
      res.push_back({parts[k], 1.0});
    }
  };

  std::size_t i = 0;
  while (i < n) {
    const char32_t c = text[i];
    if (c == '\\') {
      // \( \) \[ \] \\ -> the character; a lone backslash -> "" (it is dropped).
      if (i + 1 < n && isEscapable(text[i + 1])) {
        res.push_back({std::u32string(1, text[i + 1]), 1.0});
        i += 2;
      } else {
        res.push_back({std::u32string(), 1.0});
        i += 1;
      }
    } else if (c == '(') {
      roundBrackets.push_back(res.size());
      ++i;
    } else if (c == '[') {
      squareBrackets.push_back(res.size());
      ++i;
    } else if (c == ':') {
      std::u32string_view digits;
      const std::size_t length = matchWeight(text, i, digits);
      if (length > 0 && !roundBrackets.empty()) {
        const double weight = parseWeight(digits, std::u32string_view(text).substr(i, length));
        multiplyRange(roundBrackets.back(), weight);
        roundBrackets.pop_back();
        i += length;
      } else if (length > 0) {
        appendText(std::u32string_view(text).substr(i, length));  // ":1.2)" without "("
        i += length;
      } else {
        appendText(U":");
        ++i;
      }
    } else if (c == ')' && !roundBrackets.empty()) {
      multiplyRange(roundBrackets.back(), kRoundBracketMultiplier);
      roundBrackets.pop_back();
      ++i;
    } else if (c == ']' && !squareBrackets.empty()) {
      multiplyRange(squareBrackets.back(), kSquareBracketMultiplier);
      squareBrackets.pop_back();
      ++i;
    } else if (c == ')' || c == ']') {
      appendText(std::u32string_view(text).substr(i, 1));
      ++i;
    } else {
      std::size_t j = i + 1;
      while (j < n && isPlainText(text[j])) ++j;
      appendText(std::u32string_view(text).substr(i, j - i));
      i = j;
    }
  }
  for (std::size_t pos : roundBrackets) multiplyRange(pos, kRoundBracketMultiplier);
  for (std::size_t pos : squareBrackets) multiplyRange(pos, kSquareBracketMultiplier);
  if (res.empty()) res.push_back({std::u32string(), 1.0});

  // Merge runs of identical weights (exact double equality, as in Python).
  std::vector<Entry> merged;
  for (Entry& e : res) {
    if (!merged.empty() && merged.back().weight == e.weight) {
      merged.back().text += e.text;
    } else {
      merged.push_back(std::move(e));
    }
  }
  std::vector<PromptFragment> out;
  out.reserve(merged.size());
  for (const Entry& e : merged) {
    PromptFragment f;
    f.text = unicode::encodeUtf8(e.text);
    f.weight = e.weight;
    f.isBreak = e.text == kBreak && e.weight == -1.0;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<PromptFragment> literalPrompt(std::string_view prompt) {
  PromptFragment f;
  f.text = std::string(prompt);
  return {f};
}

}  // namespace lienzo
