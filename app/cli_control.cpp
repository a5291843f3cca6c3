// ControlNet options of `lienzo generate` (cli_control.h).
#include "app/cli_control.h"

#include "app/cli_common.h"

#include "core/io/edit_inputs.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace lienzo::cli {
namespace {

double number(const std::string& key, const std::string& value) {
  char* end = nullptr;
  const double d = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0')
    throw UsageError("--" + key + " needs a number, got '" + value + "'");
  return d;
}

}  // namespace

const std::set<std::string>& controlValuedOptions() {
  static const std::set<std::string> kNames = {
      "control",           "control-image", "control-preprocessor", "control-weight",
      "control-start",     "control-end",   "control-mode",         "control-rule",
      "control-resize",    "control-low",   "control-high",         "control-threshold",
      "control-tile-rate", "controlnet-dir"};
  return kNames;
}

void applyControlOptions(const Args& args, GenerationParams& params) {
  std::vector<ControlUnit> units;
  std::vector<std::pair<std::string, std::string>> early;  // --control-* before any --control
  auto apply = [&](ControlUnit& u, const std::string& key, const std::string& v) {
    if (key == "control-image") {
      u.image = readEditPicture(v);
    } else if (key == "control-preprocessor") {
      u.preprocessor = v;
    } else if (key == "control-weight") {
      u.weight = number(key, v);
    } else if (key == "control-start") {
      u.start = number(key, v);
    } else if (key == "control-end") {
      u.end = number(key, v);
    } else if (key == "control-mode") {
      if (!parseControlMode(v, u.mode))
        throw UsageError("--control-mode must be balanced|prompt|control, got '" + v + "'");
    } else if (key == "control-rule") {
      if (!parseControlWindowRule(v, u.window))
        throw UsageError("--control-rule must be a1111|comfyui, got '" + v + "'");
    } else if (key == "control-resize") {
      const std::string m = lowerAscii(v);
      if (m == "just")
        u.resizeMode = ResizeMode::Just;
      else if (m == "crop")
        u.resizeMode = ResizeMode::Crop;
      else if (m == "fill")
        u.resizeMode = ResizeMode::Fill;
      else
        throw UsageError("--control-resize must be just|crop|fill, got '" + v + "'");
    } else if (key == "control-low") {
      u.lowThreshold = number(key, v);
    } else if (key == "control-high") {
      u.highThreshold = number(key, v);
    } else if (key == "control-threshold") {
      const double t = number(key, v);
      if (t < 0 || t > 255 || t != static_cast<int>(t))
        throw UsageError("--control-threshold needs an integer 0..255, got '" + v + "'");
      u.threshold = static_cast<int>(t);
    } else if (key == "control-tile-rate") {
      u.tileRate = number(key, v);
    }
  };
  for (const auto& [key, value] : args.ordered()) {
    if (key == "control") {
      units.emplace_back();
      units.back().model = value;
      if (units.size() == 1)
        for (const auto& [k, v] : early) apply(units.back(), k, v);
    } else if (key.rfind("control-", 0) == 0) {
      if (units.empty())
        early.emplace_back(key, value);
      else
        apply(units.back(), key, value);
    }
  }
  if (units.empty() && !early.empty())
    throw UsageError("--" + early.front().first + " needs --control MODEL");
  params.controls = std::move(units);
  if (const auto dirs = args.get("controlnet-dir")) {
    params.folders.controlnets.clear();
    std::size_t start = 0;
    while (start <= dirs->size()) {
      const std::size_t colon = std::min(dirs->find(':', start), dirs->size());
      if (colon > start)
        params.folders.controlnets.emplace_back(dirs->substr(start, colon - start));
      start = colon + 1;
    }
  }
}

const char* controlUsage() {
  return "ControlNet (repeat the group for several; they are summed):\n"
         "  --control MODEL [--control-image FILE] [--control-preprocessor none|canny|scribble|\n"
         "  threshold|invert|tile_resample|inpaint] [--control-weight W] [--control-start A]\n"
         "  [--control-end B] [--control-mode balanced|prompt|control] [--control-rule\n"
         "  a1111|comfyui] [--control-resize just|crop|fill] [--control-low N] [--control-high N]\n"
         "  [--control-threshold N] [--control-tile-rate R]  [--controlnet-dir DIR[:DIR...]]\n"
         "  (without --control-image: the init picture; without --controlnet-dir: the folders of\n"
         "  `lienzo library`)\n";
}

}  // namespace lienzo::cli
