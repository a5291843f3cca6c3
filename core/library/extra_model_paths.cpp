#include "core/library/extra_model_paths.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace lienzo {

ExtraModelPathsError::ExtraModelPathsError(const std::string& file, std::size_t line,
                                           const std::string& reason)
    : std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                         reason),
      m_line(line) {}

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

/// `~` and `$VAR` / `${VAR}` as Python's expanduser + expandvars (unknown variables stay).
std::string expandUserAndVars(const std::string& in) {
  std::string s = in;
  if (!s.empty() && s[0] == '~' && (s.size() == 1 || s[1] == '/')) {
    if (const char* home = std::getenv("HOME")) s = home + s.substr(1);
  }
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '$') {
      out += s[i++];
      continue;
    }
    std::size_t nameBegin = i + 1, nameEnd = nameBegin, next = 0;
    if (nameBegin < s.size() && s[nameBegin] == '{') {
      const auto close = s.find('}', nameBegin);
      if (close == std::string::npos) {
        out += s[i++];
        continue;
      }
      ++nameBegin;
      nameEnd = close;
      next = close + 1;
    } else {
      while (nameEnd < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[nameEnd])) || s[nameEnd] == '_'))
        ++nameEnd;
      next = nameEnd;
    }
    const std::string name = s.substr(nameBegin, nameEnd - nameBegin);
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    out += value ? std::string(value) : s.substr(i, next - i);
    i = next;
  }
  return out;
}

class Parser {
 public:
  Parser(const std::string& fileName) : m_file(fileName) {}

  struct RawSection {
    std::string name;
    std::size_t line = 0;
    std::vector<std::pair<std::string, std::string>> entries;  // key, value (block: lines "\n")
  };

  std::vector<RawSection> parse(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      ++m_line;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (m_block && continueBlock(line)) continue;
      parseLine(line);
    }
    finishBlock();
    return std::move(m_sections);
  }

 private:
  [[noreturn]] void fail(const std::string& reason) const {
    throw ExtraModelPathsError(m_file, m_line, reason);
  }

  static std::size_t indentOf(const std::string& line) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == ' ') ++n;
    return n;
  }

  /// True when `line` belongs to the open `|` block (and was taken).
  bool continueBlock(const std::string& line) {
    if (trim(line).empty()) {
      m_blockLines.emplace_back();
      return true;
    }
    const std::size_t indent = indentOf(line);
    if (line[indent] == '\t') fail("a tab in the indentation (YAML indents with spaces)");
    if (!m_blockIndent) {
      if (indent <= m_blockParentIndent) {
        finishBlock();
        return false;
      }
      m_blockIndent = indent;
    }
    if (indent < *m_blockIndent) {
      if (indent > m_blockParentIndent)
        fail("a line of the '|' block is indented less than the block's first line");
      finishBlock();
      return false;
    }
    m_blockLines.push_back(line.substr(*m_blockIndent));
    return true;
  }

  void finishBlock() {
    if (!m_block) return;
    std::string value;
    for (const auto& l : m_blockLines) value += l + "\n";
    m_sections.back().entries.emplace_back(m_blockKey, value);
    m_block = false;
    m_blockIndent.reset();
    m_blockLines.clear();
  }

  void parseLine(const std::string& line) {
    const std::string content = trim(line);
    if (content.empty() || content[0] == '#') return;
    const std::size_t indent = indentOf(line);
    if (line[indent] == '\t') fail("a tab in the indentation (YAML indents with spaces)");
    if (content == "---" || content == "...") fail("YAML document markers are not supported");
    const auto [key, rawValue] = splitKey(content);
    if (indent == 0) {
      RawSection section;
      section.name = key;
      section.line = m_line;
      m_sections.push_back(std::move(section));
      m_sectionIndent.reset();
      const std::string v = stripComment(rawValue);
      if (v.empty() || v == "null" || v == "~") return;
      // ComfyUI also takes `category: path` at the top level (a section of one key).
      addEntry(key, rawValue, 0);
      return;
    }
    if (m_sections.empty()) fail("an indented line before any section");
    if (!m_sectionIndent) m_sectionIndent = indent;
    if (indent != *m_sectionIndent)
      fail(
          "unexpected indentation: only `section:` with one level of `key: value` under it is "
          "supported");
    addEntry(key, rawValue, indent);
  }

  std::pair<std::string, std::string> splitKey(const std::string& content) const {
    const char c = content[0];
    if (c == '-' && (content.size() == 1 || content[1] == ' '))
      fail("sequences ('- item') are not supported; write several paths as a '|' block");
    if (c == '[' || c == '{') fail("flow collections ('[...]', '{...}') are not supported");
    if (c == '&' || c == '*' || c == '!' || c == '?' || c == '"' || c == '\'')
      fail(std::string("'") + c + "' at the start of a key is not supported");
    std::size_t colon = std::string::npos;
    for (std::size_t i = 0; i < content.size(); ++i) {
      if (content[i] == ':' && (i + 1 == content.size() || content[i + 1] == ' ')) {
        colon = i;
        break;
      }
      if (content[i] == '#' && i > 0 && content[i - 1] == ' ') break;
    }
    if (colon == std::string::npos) fail("expected 'key: value', got '" + content + "'");
    const std::string key = trim(content.substr(0, colon));
    if (key.empty()) fail("an empty key");
    return {key, colon + 1 < content.size() ? content.substr(colon + 1) : std::string()};
  }

  /// A plain value without its trailing comment (`#` after a space).
  static std::string stripComment(const std::string& raw) {
    const std::string v = trim(raw);
    if (!v.empty() && v[0] == '#') return {};
    const auto hash = v.find(" #");
    return trim(hash == std::string::npos ? v : v.substr(0, hash));
  }

  std::string parseQuoted(const std::string& v) const {
    const char q = v[0];
    std::string out;
    std::size_t i = 1;
    for (; i < v.size(); ++i) {
      const char c = v[i];
      if (q == '\'' && c == '\'') {
        if (i + 1 < v.size() && v[i + 1] == '\'') {
          out += '\'';
          ++i;
          continue;
        }
        break;
      }
      if (q == '"' && c == '"') break;
      if (q == '"' && c == '\\') {
        if (++i >= v.size()) break;
        switch (v[i]) {
          case '\\':
          case '"':
          case '/':
            out += v[i];
            break;
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          default:
            fail(std::string("the escape '\\") + v[i] +
                 "' in a double-quoted value is not "
                 "supported");
        }
        continue;
      }
      out += c;
    }
    if (i >= v.size())
      fail(
          "a quoted value without its closing quote (multi-line quoted values "
          "are not supported)");
    const std::string rest = trim(v.substr(i + 1));
    if (!rest.empty() && rest[0] != '#') fail("text after a quoted value: '" + rest + "'");
    return out;
  }

  void addEntry(const std::string& key, const std::string& rawValue, std::size_t indent) {
    for (const auto& [k, v] : m_sections.back().entries)
      if (k == key)
        fail("the key '" + key + "' appears twice in section '" + m_sections.back().name + "'");
    const std::string v = trim(rawValue);
    if (!v.empty() && v[0] == '|') {
      const std::string indicator = stripComment(v);
      if (indicator != "|" && indicator != "|-" && indicator != "|+")
        fail("block scalar '" + indicator + "' is not supported (only '|', '|-', '|+')");
      m_block = true;
      m_blockKey = key;
      m_blockParentIndent = indent;
      return;
    }
    if (!v.empty() && v[0] == '>') fail("folded block scalars ('>') are not supported; use '|'");
    if (!v.empty() && (v[0] == '[' || v[0] == '{'))
      fail("flow collections ('[...]', '{...}') are not supported; use a '|' block");
    if (!v.empty() && (v[0] == '&' || v[0] == '*' || v[0] == '!'))
      fail("anchors, aliases and tags ('&', '*', '!') are not supported");
    const std::string value =
        !v.empty() && (v[0] == '"' || v[0] == '\'') ? parseQuoted(v) : stripComment(v);
    m_sections.back().entries.emplace_back(key, value);
  }

  std::string m_file;
  std::size_t m_line = 0;
  std::vector<RawSection> m_sections;
  std::optional<std::size_t> m_sectionIndent;
  bool m_block = false;
  std::string m_blockKey;
  std::size_t m_blockParentIndent = 0;
  std::optional<std::size_t> m_blockIndent;
  std::vector<std::string> m_blockLines;
};

std::vector<std::string> splitLines(const std::string& value) {
  std::vector<std::string> out;
  std::istringstream in(value);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

std::vector<ExtraModelPathsSection> parseExtraModelPaths(const std::string& text,
                                                         const std::filesystem::path& yamlDir,
                                                         const std::string& fileName) {
  namespace fs = std::filesystem;
  std::vector<ExtraModelPathsSection> out;
  for (const auto& raw : Parser(fileName).parse(text)) {
    ExtraModelPathsSection section;
    section.name = raw.name;
    for (const auto& [key, value] : raw.entries) {
      if (key == "base_path") {
        const std::string base = expandUserAndVars(trim(value));
        if (base.empty()) continue;
        fs::path p(base);
        section.basePath = (p.is_absolute() ? p : yamlDir / p).lexically_normal();
      } else if (key == "is_default") {
        const std::string v = trim(value);
        if (v == "true" || v == "True" || v == "TRUE" || v == "yes")
          section.isDefault = true;
        else if (v != "false" && v != "False" && v != "FALSE" && v != "no" && !v.empty())
          throw ExtraModelPathsError(
              fileName, raw.line,
              "is_default of section '" + raw.name + "' must be true or false, not '" + v + "'");
      }
    }
    for (const auto& [key, value] : raw.entries) {
      if (key == "base_path" || key == "is_default") continue;
      auto& list = section.paths[key];
      for (const auto& line : splitLines(value)) {
        const fs::path p(line);
        const fs::path full = !section.basePath.empty() ? section.basePath / p
                              : p.is_absolute()         ? p
                                                        : yamlDir / p;
        list.push_back(full.lexically_normal());
      }
    }
    out.push_back(std::move(section));
  }
  return out;
}

std::vector<ExtraModelPathsSection> readExtraModelPaths(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ExtraModelPathsError(file.string(), 0, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  const auto dir = std::filesystem::absolute(file).parent_path();
  return parseExtraModelPaths(text.str(), dir, file.string());
}

}  // namespace lienzo
