// sd-webui-controlnet infotext values (control_infotext.h).
#include "core/pipeline/control_infotext.h"

#include "core/control/preprocessors.h"

#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lienzo {
namespace {

// Ref: sd-webui-controlnet internal_controlnet/external_code.py ResizeMode values.
const std::pair<ResizeMode, const char*> kResize[] = {{ResizeMode::Just, "Just Resize"},
                                                      {ResizeMode::Crop, "Crop and Resize"},
                                                      {ResizeMode::Fill, "Resize and Fill"}};

/// Python's repr of a float: "1.0", "0.5", "0.825".
std::string pyFloat(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

double number(const std::string& s) {
  std::size_t used = 0;
  const double v = std::stod(s, &used);
  if (used != s.size()) throw std::invalid_argument("ControlNet infotext: not a number: " + s);
  return v;
}

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  const auto b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

std::string controlUnitKey(std::size_t index) {
  return "ControlNet " + std::to_string(index);
}

int controlUnitIndex(const std::string& key) {
  const std::string prefix = "ControlNet ";
  if (key.compare(0, prefix.size(), prefix) != 0 || key.size() == prefix.size() ||
      key.size() > prefix.size() + 3)
    return -1;
  int n = 0;
  for (std::size_t i = prefix.size(); i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return -1;
    n = n * 10 + (key[i] - '0');
  }
  return n;
}

std::string formatControlUnit(const ControlUnit& u) {
  const std::string module = resolvePreprocessor(u.preprocessor).value_or(u.preprocessor);
  // A path is written as its file stem, the name other machines find the file by.
  std::string model = u.model;
  const bool isFile =
      model.size() > 12 && model.compare(model.size() - 12, 12, ".safetensors") == 0;
  if (model.find('/') != std::string::npos || isFile)
    model = std::filesystem::path(model).stem().string();
  std::vector<std::pair<std::string, std::string>> items = {
      {"Module", module}, {"Model", model}, {"Weight", pyFloat(u.weight)}};
  for (const auto& [mode, label] : kResize)
    if (mode == u.resizeMode) items.emplace_back("Resize Mode", label);
  if (module == "canny") {
    items.emplace_back("Threshold A", pyFloat(u.lowThreshold));
    items.emplace_back("Threshold B", pyFloat(u.highThreshold));
  } else if (module == "scribble" || module == "threshold") {
    items.emplace_back("Threshold A", pyFloat(u.threshold));
  } else if (module == "tile_resample") {
    items.emplace_back("Threshold A", pyFloat(u.tileRate));
  }
  items.emplace_back("Guidance Start", pyFloat(u.start));
  items.emplace_back("Guidance End", pyFloat(u.end));
  items.emplace_back("Pixel Perfect", "True");  // preprocessed at the generation size
  items.emplace_back("Control Mode", controlModeName(u.mode));
  if (u.window != ControlWindowRule::A1111)
    items.emplace_back("Guidance Rule", controlWindowRuleName(u.window));
  std::string out;
  for (const auto& [k, v] : items) out += (out.empty() ? "" : ", ") + k + ": " + v;
  return out;
}

ControlUnit parseControlUnit(const std::string& value) {
  ControlUnit u;
  std::vector<std::pair<std::string, std::string>> items;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    const auto comma = value.find(',', pos);
    const std::string part =
        value.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    const auto colon = part.find(':');
    if (colon != std::string::npos)
      items.emplace_back(trim(part.substr(0, colon)), trim(part.substr(colon + 1)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  bool haveModule = false, haveModel = false;
  std::string thresholdA, thresholdB;
  for (const auto& [k, v] : items) {
    if (k == "Module") {
      u.preprocessor = resolvePreprocessor(v).value_or(v);
      haveModule = true;
    } else if (k == "Model") {
      std::string m = v;
      const auto bracket = m.rfind(" [");
      if (bracket != std::string::npos && !m.empty() && m.back() == ']') m = m.substr(0, bracket);
      u.model = m;
      haveModel = !m.empty() && m != "None";
    } else if (k == "Weight") {
      u.weight = number(v);
    } else if (k == "Resize Mode") {
      bool found = false;
      for (const auto& [mode, label] : kResize)
        if (v == label) {
          u.resizeMode = mode;
          found = true;
        }
      if (!found) throw std::invalid_argument("ControlNet infotext: resize mode " + v);
    } else if (k == "Guidance Start") {
      u.start = number(v);
    } else if (k == "Guidance End") {
      u.end = number(v);
    } else if (k == "Control Mode") {
      if (!parseControlMode(v, u.mode))
        throw std::invalid_argument("ControlNet infotext: control mode " + v);
    } else if (k == "Guidance Rule") {
      if (!parseControlWindowRule(v, u.window))
        throw std::invalid_argument("ControlNet infotext: guidance rule " + v);
    } else if (k == "Threshold A") {
      thresholdA = v;
    } else if (k == "Threshold B") {
      thresholdB = v;
    }
  }
  if (!haveModule || !haveModel)
    throw std::invalid_argument("ControlNet infotext: no Module / Model in \"" + value + "\"");
  // sd-webui-controlnet writes -1 (or 64/64 defaults) for knobs a module does not have.
  auto knob = [](const std::string& s) { return s.empty() ? -1.0 : number(s); };
  const double a = knob(thresholdA), b = knob(thresholdB);
  if (u.preprocessor == "canny") {
    if (a >= 0) u.lowThreshold = a;
    if (b >= 0) u.highThreshold = b;
  } else if (u.preprocessor == "scribble" || u.preprocessor == "threshold") {
    if (a >= 0) u.threshold = static_cast<int>(a);
  } else if (u.preprocessor == "tile_resample") {
    if (a >= 1) u.tileRate = a;
  }
  return u;
}

}  // namespace lienzo
