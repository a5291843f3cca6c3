// ComfyUI's extra_model_paths.yaml, read with a parser for exactly the YAML subset that file
// uses — no general YAML library.
//
// The format (ComfyUI utils/extra_config.py): top-level sections, each a mapping with an optional
// `base_path`, an optional `is_default`, and category keys (`checkpoints`, `loras`, `embeddings`,
// `vae`, `controlnet`, `clip`, `upscale_models`, ...) whose value is one path or a `|` block of
// several, one per line. `base_path` gets `~` and `$VAR` / `${VAR}` expanded and, when relative,
// is taken from the YAML file's folder; each path is joined to `base_path` (an absolute path
// stays as it is); without a base_path a relative path is taken from the YAML file's folder.
//
// Understood: `#` comments (whole-line, or after a space in a plain value), blank lines,
// `section:` at column 0 (an empty value or `null`/`~` = an empty section), indented
// `key: value` with plain, 'single' or "double" quoted scalars, and `key: |` (also `|-`, `|+`)
// blocks of more-indented lines. Anything else — tabs in indentation, flow collections `[ ] { }`,
// sequences `- item`, anchors `&` / aliases `*` / tags `!`, folded `>` blocks, deeper nesting —
// throws ExtraModelPathsError naming the line and what was not understood.
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lienzo {

class ExtraModelPathsError : public std::runtime_error {
 public:
  ExtraModelPathsError(const std::string& file, std::size_t line, const std::string& reason);
  std::size_t line() const { return m_line; }  ///< 1-based; 0 when not about one line

 private:
  std::size_t m_line;
};

struct ExtraModelPathsSection {
  std::string name;                ///< the top-level key ("a111", "comfyui", ...)
  std::filesystem::path basePath;  ///< resolved (empty when the section has none)
  bool isDefault = false;          ///< `is_default: true`
  /// Category key (as written, e.g. "loras") → resolved, lexically normal paths in file order.
  std::map<std::string, std::vector<std::filesystem::path>> paths;
};

/// Parses `text` (see the format above). `yamlDir` resolves relative paths; `fileName` appears in
/// errors. Throws ExtraModelPathsError.
std::vector<ExtraModelPathsSection> parseExtraModelPaths(const std::string& text,
                                                         const std::filesystem::path& yamlDir,
                                                         const std::string& fileName);
/// Reads and parses a file. Throws ExtraModelPathsError (also when it cannot be read).
std::vector<ExtraModelPathsSection> readExtraModelPaths(const std::filesystem::path& file);

}  // namespace lienzo
