#include "core/io/infotext.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string_view>

namespace lienzo {
namespace {

constexpr std::string_view kNegativePrefix = "Negative prompt:";

// One code point of UTF-8 text; an invalid byte is a code point of its own that is neither space
// nor word (Python strings cannot hold one, so any choice is "as if" and this one is safe).
struct CodePoint {
  char32_t value = 0;
  std::size_t length = 1;
};

constexpr char32_t kInvalid = 0xFFFFFFFF;

CodePoint decodeAt(std::string_view s, std::size_t pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t need = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
  } else {
    return {kInvalid, 1};
  }
  if (s.size() - pos <= need) return {kInvalid, 1};
  char32_t cp = b0 & (0x3F >> need);
  for (std::size_t i = 1; i <= need; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return {kInvalid, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, need + 1};
}

// Python's `\s` / str.isspace().
bool isSpaceCp(char32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's Unicode `\w` (str.isalnum() or '_'), approximated: ASCII letters, digits and '_', and
// every non-ASCII code point except the punctuation, symbol, emoji and combining-mark blocks.
bool isWordCp(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  if (c == kInvalid) return false;
  if (c <= 0xBF) {
    return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA ||
           (c >= 0xBC && c <= 0xBE);
  }
  if (c == 0xD7 || c == 0xF7) return false;
  const auto in = [c](char32_t lo, char32_t hi) { return c >= lo && c <= hi; };
  return !(in(0x0300, 0x036F) || in(0x2000, 0x206F) || in(0x20A0, 0x20FF) || in(0x2190, 0x23FF) ||
           in(0x2500, 0x2BFF) || in(0x2E00, 0x2E7F) || in(0x3000, 0x3004) || in(0x3008, 0x3020) ||
           in(0xFE00, 0xFE6F) || in(0xFF01, 0xFF0F) || in(0xFF1A, 0xFF20) || in(0xFF3B, 0xFF40) ||
           in(0xFF5B, 0xFF65) || in(0x1F000, 0x1FAFF) || in(0xE0000, 0xE007F));
}

// The key's character class `[\w \-/]`.
bool isKeyCp(char32_t c) {
  return isWordCp(c) || c == ' ' || c == '-' || c == '/';
}

// Python str.strip().
std::string_view strip(std::string_view s) {
  std::size_t b = 0;
  while (b < s.size()) {
    const CodePoint cp = decodeAt(s, b);
    if (!isSpaceCp(cp.value)) break;
    b += cp.length;
  }
  std::size_t e = s.size();
  while (e > b) {
    std::size_t start = e - 1;  // back to the first byte of the last code point
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80 && e - start < 4) {
      --start;
    }
    const CodePoint cp = decodeAt(s, start);
    if (start + cp.length != e || !isSpaceCp(cp.value)) break;
    e = start;
  }
  return s.substr(b, e - b);
}

struct RawPair {
  std::string key;
  std::string value;  // as written (still quoted)
};

// re.findall(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)', line) on one line (no
// '\n' inside). Hand-written so that no regex engine backtracks on hostile input: each attempt
// is linear and a failed key run is skipped as a whole (every start inside the run reaches the
// same end and fails the same way), so the whole scan is O(n) amortized per successful match.
// Ref: AUTOMATIC1111 stable-diffusion-webui modules/infotext_utils.py re_param_code
std::vector<RawPair> findParamPairs(std::string_view line) {
  std::vector<RawPair> pairs;
  const std::size_t n = line.size();
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(line[i]); };
  std::size_t pos = 0;
  while (pos < n) {
    std::size_t p = pos;
    CodePoint cp{};
    while (p < n && isSpaceCp((cp = decodeAt(line, p)).value)) p += cp.length;
    if (p >= n || !isWordCp(decodeAt(line, p).value)) {
      pos += decodeAt(line, pos).length;
      continue;
    }
    const std::size_t keyBegin = p;
    std::size_t codePoints = 0;
    while (p < n && isKeyCp((cp = decodeAt(line, p)).value)) {
      ++codePoints;
      p += cp.length;
    }
    // `\w[\w \-/]+` needs two characters, then ':'.
    if (p >= n || at(p) != ':' || codePoints < 2) {
      pos = p > pos ? p : pos + decodeAt(line, pos).length;
      continue;
    }
    RawPair pair;
    pair.key = std::string(line.substr(keyBegin, p - keyBegin));
    ++p;  // ':'
    while (p < n && isSpaceCp((cp = decodeAt(line, p)).value)) p += cp.length;
    const std::size_t valueBegin = p;
    std::size_t end = std::string_view::npos;
    if (p < n && at(p) == '"') {
      // Alternative 1: "(?:\\.|[^\\"])+" followed by ',' or the end of the line.
      std::size_t q = p + 1;
      std::size_t units = 0;
      bool closed = false;
      while (q < n) {
        if (at(q) == '\\') {
          if (q + 1 >= n) break;  // a lone trailing backslash matches neither unit
          q += 2;
        } else if (at(q) == '"') {
          closed = true;
          break;
        } else {
          ++q;
        }
        ++units;
      }
      if (closed && units >= 1 && (q + 1 == n || at(q + 1) == ',')) {
        pair.value = std::string(line.substr(valueBegin, q + 1 - valueBegin));
        end = q + 1 == n ? n : q + 2;
      }
    }
    if (end == std::string_view::npos) {
      // Alternative 2: [^,]* then ',' or the end of the line.
      std::size_t q = p;
      while (q < n && at(q) != ',') ++q;
      pair.value = std::string(line.substr(valueBegin, q - valueBegin));
      end = q < n ? q + 1 : n;
    }
    pairs.push_back(std::move(pair));
    pos = end;
  }
  return pairs;
}

// A1111 unquote(): a value that starts and ends with '"' is JSON-decoded if it parses.
std::string unquote(const std::string& value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return value;
  const auto parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_string()) return parsed.get<std::string>();
  return value;
}

void checkKey(const std::string& key) {
  if (key.empty()) throw std::invalid_argument("infotext: empty field name");
  for (char c : key) {
    if (c == ',' || c == ':' || c == '\n' || c == '\r') {
      throw std::invalid_argument("infotext: field name '" + key +
                                  "' contains ',', ':' or a line break and could not be read back");
    }
  }
}

}  // namespace

std::optional<std::string> Infotext::get(const std::string& key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return std::nullopt;
}

void Infotext::set(const std::string& key, const std::string& value) {
  for (auto& [k, v] : fields) {
    if (k == key) {
      v = value;
      return;
    }
  }
  fields.emplace_back(key, value);
}

bool Infotext::remove(const std::string& key) {
  const auto before = fields.size();
  fields.erase(
      std::remove_if(fields.begin(), fields.end(), [&](const auto& kv) { return kv.first == key; }),
      fields.end());
  return fields.size() != before;
}

// Ref: Python json.dumps(text, ensure_ascii=False) (json.encoder.py_encode_basestring)
std::string quoteInfotextValue(const std::string& value) {
  if (value.find_first_of(",:\n") == std::string::npos) return value;
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

// Ref: AUTOMATIC1111 stable-diffusion-webui modules/processing.py create_infotext
std::string formatInfotext(const Infotext& info) {
  std::string params;
  for (const auto& [key, value] : info.fields) {
    checkKey(key);
    if (value.empty()) continue;
    if (!params.empty()) params += ", ";
    params += key;
    params += ": ";
    params += quoteInfotextValue(value);
  }
  std::string text = info.prompt;
  if (!info.negativePrompt.empty()) {
    text += "\n";
    text += kNegativePrefix;
    text += " ";
    text += info.negativePrompt;
  }
  text += "\n";
  text += params;
  return std::string(strip(text));
}

// Ref: AUTOMATIC1111 stable-diffusion-webui modules/infotext_utils.py parse_generation_parameters
Infotext parseInfotext(const std::string& input) {
  // CRLF files are read like LF ones (A1111 itself would keep the '\r' in the last value).
  std::string text;
  text.reserve(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n') continue;
    text.push_back(input[i]);
  }
  const std::string_view all = strip(text);

  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = all.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(all.substr(start));
      break;
    }
    lines.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }

  Infotext info;
  std::vector<RawPair> pairs = findParamPairs(lines.back());
  if (pairs.size() >= 3) {
    lines.pop_back();
  } else {
    pairs.clear();
  }

  bool inNegative = false;
  for (std::string_view raw : lines) {
    std::string_view line = strip(raw);
    if (line.substr(0, kNegativePrefix.size()) == kNegativePrefix) {
      inNegative = true;
      line = strip(line.substr(kNegativePrefix.size()));
    }
    std::string& target = inNegative ? info.negativePrompt : info.prompt;
    if (!target.empty()) target += "\n";
    target += line;
  }
  for (auto& pair : pairs) info.fields.emplace_back(std::move(pair.key), unquote(pair.value));
  return info;
}

}  // namespace lienzo
