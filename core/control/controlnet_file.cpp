// ControlNet files (controlnet_file.h).
#include "core/control/controlnet_file.h"

#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "core/model/layers.h"

#include <array>
#include <set>
#include <stdexcept>
#include <utility>

namespace lienzo {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// The U-Net part is renamed by the one U-Net table (core/io/diffusers_keys.h), without prefix.
ComponentLayout encoderLayout() {
  ComponentLayout layout;
  layout.component = DiffusersComponent::Unet;
  layout.originalPrefix = "";
  return layout;
}

/// Splits "a.b.rest" after `prefix` into the index and the rest ("3", "weight").
std::pair<int, std::string> indexAndRest(const std::string& key, const std::string& prefix) {
  const std::string tail = key.substr(prefix.size());
  const auto dot = tail.find('.');
  std::size_t used = 0;
  int index = -1;
  try {
    index = std::stoi(tail.substr(0, dot), &used);
  } catch (const std::exception&) {
  }
  if (dot == std::string::npos || index < 0 || used != dot)
    throw std::invalid_argument("ControlNet: unknown key " + key);
  return {index, tail.substr(dot + 1)};
}

// The control-only names of the diffusers layout. Ref: controlnet_diffusers.py.
constexpr const char* kCondEmbedding = "controlnet_cond_embedding.";
constexpr const char* kDownBlocks = "controlnet_down_blocks.";
constexpr const char* kMidBlock = "controlnet_mid_block.";
constexpr int kHintBlocks = 6;  // controlnet_cond_embedding.blocks.0-5

/// diffusers control-only key -> original, or "" when `key` is a U-Net encoder key.
std::string controlToOriginal(const std::string& key) {
  const std::string cond = kCondEmbedding;
  if (startsWith(key, cond + "conv_in."))
    return "input_hint_block.0." + key.substr(cond.size() + 8);
  if (startsWith(key, cond + "conv_out."))
    return "input_hint_block." + std::to_string(2 * kHintBlocks + 2) + "." +
           key.substr(cond.size() + 9);
  if (startsWith(key, cond + "blocks.")) {
    const auto [k, rest] = indexAndRest(key, cond + "blocks.");
    if (k >= kHintBlocks) throw std::invalid_argument("ControlNet: unknown key " + key);
    return "input_hint_block." + std::to_string(2 * k + 2) + "." + rest;
  }
  if (startsWith(key, kDownBlocks)) {
    const auto [i, rest] = indexAndRest(key, kDownBlocks);
    return "zero_convs." + std::to_string(i) + ".0." + rest;
  }
  if (startsWith(key, kMidBlock))
    return "middle_block_out.0." + key.substr(std::string(kMidBlock).size());
  if (startsWith(key, cond)) throw std::invalid_argument("ControlNet: unknown key " + key);
  return {};
}

/// original control-only key -> diffusers, or "" for a U-Net encoder key.
std::string controlToDiffusers(const std::string& key) {
  if (startsWith(key, "input_hint_block.")) {
    const auto [n, rest] = indexAndRest(key, "input_hint_block.");
    const std::string cond = kCondEmbedding;
    if (n == 0) return cond + "conv_in." + rest;
    if (n == 2 * kHintBlocks + 2) return cond + "conv_out." + rest;
    if (n % 2 != 0 || n > 2 * kHintBlocks + 2)
      throw std::invalid_argument("ControlNet: unknown key " + key);
    return cond + "blocks." + std::to_string(n / 2 - 1) + "." + rest;
  }
  if (startsWith(key, "zero_convs.")) {
    const auto [i, rest] = indexAndRest(key, "zero_convs.");
    if (!startsWith(rest, "0.")) throw std::invalid_argument("ControlNet: unknown key " + key);
    return kDownBlocks + std::to_string(i) + "." + rest.substr(2);
  }
  if (startsWith(key, "middle_block_out.0.")) return kMidBlock + key.substr(19);
  return {};
}

/// Splits tensors into the control-only part (renamed by `rename`) and the encoder part.
template <typename Rename>
std::pair<NamedTensors, NamedTensors> splitControl(const NamedTensors& tensors, Rename rename) {
  NamedTensors control, encoder;
  for (const auto& [k, t] : tensors) {
    std::string r = rename(k);
    if (r.empty())
      encoder.emplace_back(k, t);
    else
      control.emplace_back(std::move(r), t);
  }
  return {std::move(control), std::move(encoder)};
}

std::string storedDtypeOf(const SafetensorsFile& file) {
  std::set<std::string> names;
  for (const auto& n : file.names()) names.insert(stDTypeName(file.info(n).dtype));
  if (names.size() == 1) return *names.begin();
  return names.empty() ? std::string("-") : std::string("mixed");
}

}  // namespace

const char* controlNetLayoutName(ControlNetLayout layout) {
  switch (layout) {
    case ControlNetLayout::Original:
      return "original";
    case ControlNetLayout::OriginalBare:
      return "original (bare)";
    case ControlNetLayout::Diffusers:
      return "diffusers";
  }
  return "?";
}

NamedTensors controlNetDiffusersToOriginal(const NamedTensors& tensors) {
  auto [out, encoder] = splitControl(tensors, controlToOriginal);
  for (auto& kt : diffusersToOriginal(encoderLayout(), encoder)) out.push_back(std::move(kt));
  return out;
}

NamedTensors controlNetOriginalToDiffusers(const NamedTensors& tensors) {
  auto [out, encoder] = splitControl(tensors, controlToDiffusers);
  for (auto& kt : originalToDiffusers(encoderLayout(), encoder)) out.push_back(std::move(kt));
  return out;
}

ControlNetFile openControlNetFile(const std::filesystem::path& path) {
  refuseUnsafeFormats(path);  // pickles are refused by name, never opened
  auto file = std::make_shared<const SafetensorsFile>(SafetensorsFile::open(path));
  ControlNetFile out;
  out.path = path;
  out.storedDtype = storedDtypeOf(*file);
  if (file->contains("control_model.input_hint_block.0.weight")) {
    out.layout = ControlNetLayout::Original;
    out.prefix = "control_model.";
  } else if (file->contains("input_hint_block.0.weight")) {
    out.layout = ControlNetLayout::OriginalBare;
  } else if (file->contains("controlnet_cond_embedding.conv_in.weight")) {
    out.layout = ControlNetLayout::Diffusers;
    NamedTensors tensors;
    tensors.reserve(file->names().size());
    for (const auto& n : file->names()) tensors.emplace_back(n, file->view(n));  // zero-copy
    NamedTensors renamed;
    try {
      renamed = controlNetDiffusersToOriginal(tensors);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(path.string() + ": " + e.what());
    }
    file = std::make_shared<const SafetensorsFile>(
        SafetensorsFile::fromBytes(serializeSafetensors(renamed), path.string()));
  } else {
    throw std::invalid_argument(path.string() +
                                " is not a ControlNet (no input_hint_block / "
                                "controlnet_cond_embedding tensors)");
  }
  out.config = ControlNetConfig::fromWeights(*file, out.prefix);
  out.weights = std::move(file);
  return out;
}

ControlNet loadControlNet(const ControlNetFile& file, const ControlNetConfig& config,
                          c10::ScalarType dtype, c10::Device device) {
  ControlNet net(config);
  loadModuleWeights(*net, *file.weights, file.prefix, dtype, device);
  return net;
}

}  // namespace lienzo
