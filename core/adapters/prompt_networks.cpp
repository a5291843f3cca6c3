#include "core/adapters/prompt_networks.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace lienzo {

namespace {

struct RawTag {
  std::string kind;
  std::vector<std::string> args;  ///< the text after "kind:", split at ':'
  size_t begin = 0, end = 0;
};

/// Every `<word:args>` tag: word = [A-Za-z0-9_]+, args = one or more characters other than '>'.
// Ref: A1111 modules/extra_networks.py re_extra_net = r"<(\w+):([^>]+)>".
std::vector<RawTag> findTags(const std::string& s) {
  std::vector<RawTag> out;
  size_t i = 0;
  while ((i = s.find('<', i)) != std::string::npos) {
    size_t j = i + 1;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
    const size_t close = s.find('>', j);
    if (j == i + 1 || j >= s.size() || s[j] != ':' || close == std::string::npos ||
        close == j + 1) {
      ++i;
      continue;
    }
    RawTag tag;
    tag.kind = s.substr(i + 1, j - i - 1);
    const std::string args = s.substr(j + 1, close - j - 1);
    size_t start = 0;
    for (size_t k = 0; k <= args.size(); ++k) {
      if (k == args.size() || args[k] == ':') {
        tag.args.push_back(args.substr(start, k - start));
        start = k + 1;
      }
    }
    tag.begin = i;
    tag.end = close + 1;
    out.push_back(std::move(tag));
    i = close + 1;
  }
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::optional<double> parseNumber(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;  // no nan/inf
  return v;
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

bool isLoraKind(const std::string& kind) {
  return kind == "lora" || kind == "lyco";
}

}  // namespace

PromptNetworks extractPromptNetworks(const std::string& prompt) {
  PromptNetworks out;
  size_t copied = 0;
  for (const RawTag& tag : findTags(prompt)) {
    out.prompt += prompt.substr(copied, tag.begin - copied);
    copied = tag.end;
    const std::string text = prompt.substr(tag.begin, tag.end - tag.begin);
    if (!isLoraKind(tag.kind)) {
      out.notices.push_back("'" + text + "': Lienzo does not run " + tag.kind +
                            " networks; the tag was taken out of the prompt");
      continue;
    }
    // Ref: A1111 extra_networks_lora.py activate: positional name, te, unet, dyn; named te=,
    // unet=, dyn= win over positional ones.
    std::vector<std::string> positional;
    std::optional<std::string> namedTe, namedUnet, namedDyn;
    for (const auto& arg : tag.args) {
      const auto eq = arg.find('=');
      const std::string key = eq == std::string::npos ? std::string() : trim(arg.substr(0, eq));
      if (key == "te")
        namedTe = arg.substr(eq + 1);
      else if (key == "unet")
        namedUnet = arg.substr(eq + 1);
      else if (key == "dyn")
        namedDyn = arg.substr(eq + 1);
      else
        positional.push_back(arg);
    }
    if (positional.empty() || trim(positional[0]).empty()) {
      out.notices.push_back("'" + text + "' names no LoRA; ignored");
      continue;
    }
    LoraTag lora;
    lora.name = trim(positional[0]);
    lora.begin = tag.begin;
    lora.end = tag.end;
    const auto read = [&](const std::optional<std::string>& named, size_t index, double fallback) {
      const std::optional<std::string> raw = named ? named
                                             : index < positional.size()
                                                 ? std::optional(positional[index])
                                                 : std::nullopt;
      if (!raw) return fallback;
      if (const auto v = parseNumber(*raw)) return *v;
      out.notices.push_back("'" + text + "': '" + *raw + "' is not a number; " + number(fallback) +
                            " used");
      return fallback;
    };
    lora.textStrength = read(namedTe, 1, 1.0);
    lora.unetStrength = read(namedUnet, 2, lora.textStrength);
    const std::optional<std::string> dyn = namedDyn                ? namedDyn
                                           : positional.size() > 3 ? std::optional(positional[3])
                                                                   : std::nullopt;
    if (dyn) {
      // A rank is a small positive count; anything outside int's range is not one.
      if (const auto v = parseNumber(*dyn); v && *v >= 0 && *v <= 1.0e6)
        lora.dyn = static_cast<int>(*v);
      out.notices.push_back("'" + text +
                            "': the dyn value (dynamic LoRA dimension) is ignored; the whole "
                            "rank applies");
    }
    out.loras.push_back(std::move(lora));
  }
  out.prompt += prompt.substr(copied);
  return out;
}

std::string formatLoraTag(const std::string& name, double textStrength, double unetStrength) {
  if (textStrength == unetStrength) return "<lora:" + name + ":" + number(textStrength) + ">";
  return "<lora:" + name + ":" + number(textStrength) + ":" + number(unetStrength) + ">";
}

std::string setLoraTag(const std::string& prompt, const std::string& name, double textStrength,
                       double unetStrength) {
  for (const RawTag& tag : findTags(prompt)) {
    if (!isLoraKind(tag.kind) || tag.args.empty() || trim(tag.args[0]) != name) continue;
    return prompt.substr(0, tag.begin) + formatLoraTag(name, textStrength, unetStrength) +
           prompt.substr(tag.end);
  }
  const std::string body = trim(prompt);
  return body.empty() ? formatLoraTag(name, textStrength, unetStrength)
                      : prompt + ", " + formatLoraTag(name, textStrength, unetStrength);
}

std::string renameLoraTags(const std::string& prompt, const std::string& oldName,
                           const std::string& newName) {
  std::string out;
  size_t copied = 0;
  for (const RawTag& tag : findTags(prompt)) {
    if (!isLoraKind(tag.kind) || tag.args.empty() || trim(tag.args[0]) != oldName) continue;
    // The tag's text up to its name, the new name, then everything after the name as written.
    const size_t nameStart = prompt.find(':', tag.begin) + 1;
    out += prompt.substr(copied, nameStart - copied) + newName;
    copied = nameStart + tag.args[0].size();
  }
  return out + prompt.substr(copied);
}

}  // namespace lienzo
