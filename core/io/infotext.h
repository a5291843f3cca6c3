// A1111 "infotext": the `parameters` text that Stable Diffusion web UI writes into every image and
// that every other tool's "PNG info" reads (see shared/formats/METADATA.md).
//
//   <prompt, may span lines>
//   Negative prompt: <negative, may span lines>        (only when non-empty)
//   Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, ...
//
// Contract
// - formatInfotext() writes the layout above, fields in the caller's order (METADATA.md lists
//   A1111's order; choosing it is the caller's job). A value containing `,`, `:` or a newline is
//   written as a JSON string (non-ASCII kept); fields with an empty value are left out; the whole
//   text is stripped of surrounding whitespace. A key that could not be read back (empty, or
//   containing `,` `:` or a line break) throws std::invalid_argument.
// - parseInfotext() follows A1111's reader (modules/infotext_utils.py parse_generation_parameters):
//   the last line is the parameter line only if it holds at least 3 `key: value` pairs; the lines
//   before `Negative prompt:` are the prompt, the rest the negative prompt (each line stripped);
//   quoted values are JSON-unescaped. It never throws; any text gives some result.
// - Pure functions and a plain struct: thread-safe, no Qt, no torch.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lienzo {

/// A1111 "parameters" text, parsed.
struct Infotext {
  std::string prompt;
  std::string negativePrompt;
  /// `key: value` pairs of the parameter line, in order, values unquoted ("Size" stays "512x512").
  std::vector<std::pair<std::string, std::string>> fields;

  /// The value of the first field named `key` (exact, case-sensitive match).
  std::optional<std::string> get(const std::string& key) const;
  /// Replaces the value of the first field named `key` in place, or appends the pair.
  void set(const std::string& key, const std::string& value);
  /// Removes every field named `key`; returns whether one was there.
  bool remove(const std::string& key);
};

/// The A1111 layout (see shared/formats/METADATA.md). Throws std::invalid_argument for a key that
/// is empty or holds `,`, `:`, '\n' or '\r'.
std::string formatInfotext(const Infotext& info);

/// A1111 reader rules; never throws.
Infotext parseInfotext(const std::string& text);

/// A1111's quoting of one value: as is unless it contains `,`, `:` or a newline, else a JSON
/// string (Python json.dumps(ensure_ascii=False) escapes: \" \\ \n \r \t \b \f, \u00XX for other
/// control characters).
std::string quoteInfotextValue(const std::string& value);

}  // namespace lienzo
