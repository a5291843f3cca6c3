// A1111's extra-network tags in a prompt: `<lora:name:te:unet:dyn>` and named `te=`, `unet=`,
// `dyn=`; `<lyco:…>` is the same. Every `<word:args>` tag is taken out of the text that is
// encoded (A1111 removes all of them); tags of kinds Lienzo does not run (hypernet, …) are
// reported. One number sets both strengths; the U-Net strength defaults to the text one.
// Ref: A1111 modules/extra_networks.py (re_extra_net, parse_prompt),
// extensions-builtin/Lora/extra_networks_lora.py (activate); next-wave.md §4.3.
//
// Pure functions of strings (no torch, no Qt: the studio edits tags with them), thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lienzo {

struct LoraTag {
  std::string name;
  double textStrength = 1.0;
  double unetStrength = 1.0;
  std::optional<int> dyn;     ///< A1111's dynamic dimension (Lienzo ignores it, with a notice)
  size_t begin = 0, end = 0;  ///< the tag's byte range in the original prompt
};

struct PromptNetworks {
  std::string prompt;          ///< the text without any `<kind:…>` tag
  std::vector<LoraTag> loras;  ///< in prompt order (the same name twice: both apply, as A1111)
  std::vector<std::string> notices;  ///< unsupported kinds, unreadable numbers, dyn
};

/// Takes the extra-network tags out of `prompt`.
PromptNetworks extractPromptNetworks(const std::string& prompt);

/// A1111's tag text for a LoRA: `<lora:name:1>`, `<lora:name:0.8>` when both strengths agree,
/// else `<lora:name:te:unet>`.
std::string formatLoraTag(const std::string& name, double textStrength, double unetStrength);

/// `prompt` with the first `<lora:name:…>` (or `<lyco:…>`) tag set to the given strengths (the
/// studio's strength slider edits it in place), or with the tag appended (after ", ") when there is
/// none. Other text is left byte for byte.
std::string setLoraTag(const std::string& prompt, const std::string& name, double textStrength,
                       double unetStrength);

/// `prompt` with every `<lora:name:…>` / `<lyco:name:…>` tag renamed to `newName` (restoring a
/// picture whose LoRA file was renamed since: found again by its hash).
std::string renameLoraTags(const std::string& prompt, const std::string& oldName,
                           const std::string& newName);

}  // namespace lienzo
