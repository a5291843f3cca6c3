#include "core/pipeline/params_infotext.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "core/sampling/sampler_names.h"

namespace lienzo {
namespace {

std::string formatNumber(double v) {
  // A1111 writes CFG scale as Python would print it: 7 -> "7", 7.5 -> "7.5".
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

Infotext toInfotext(const GenerationParams& params, const ModelDescription* model) {
  Infotext info;
  info.prompt = params.prompt;
  info.negativePrompt = params.negativePrompt;
  info.set("Steps", std::to_string(params.steps));
  info.set("Sampler", params.sampler);
  if (!params.schedule.empty() && params.schedule != "Automatic")
    info.set("Schedule type", params.schedule);
  info.set("CFG scale", formatNumber(params.cfgScale));
  info.set("Seed", std::to_string(params.seed));
  info.set("Size", std::to_string(params.width) + "x" + std::to_string(params.height));
  if (model) {
    if (!model->hash.empty()) info.set("Model hash", model->hash);
    if (!model->name.empty()) info.set("Model", model->name);
  }
  if (params.clipSkip > 1) info.set("Clip skip", std::to_string(params.clipSkip));
  info.set("RNG", "CPU");
  info.set("Version", std::string("Lienzo ") + LIENZO_VERSION);
  return info;
}

RestoredParams applyInfotext(const Infotext& info, const GenerationParams& base) {
  RestoredParams out;
  out.params = base;
  GenerationParams& p = out.params;
  p.prompt = info.prompt;
  p.negativePrompt = info.negativePrompt;
  for (const auto& [key, value] : info.fields) {
    try {
      if (key == "Steps") {
        p.steps = std::stoi(value);
      } else if (key == "CFG scale") {
        p.cfgScale = std::stod(value);
      } else if (key == "Seed") {
        p.seed = std::stoll(value);
      } else if (key == "Size") {
        const auto x = value.find('x');
        if (x == std::string::npos) throw std::invalid_argument("size");
        p.width = std::stoi(value.substr(0, x));
        p.height = std::stoi(value.substr(x + 1));
      } else if (key == "Clip skip") {
        p.clipSkip = std::stoi(value);
      } else if (key == "Model") {
        out.modelName = value;
      } else if (key == "Model hash") {
        out.modelHash = value;
      }
    } catch (const std::exception&) {
      out.skipped.push_back(key + ": " + value);
    }
  }
  // Sampler and schedule by the rule of core/sampling/sampler_names.h: canonical names, a legacy
  // "DPM++ 2M Karras" carries its schedule unless a "Schedule type" field chose one; names Lienzo
  // does not know are kept as written (the UI says so when it shows them).
  const auto samplerField = info.get("Sampler");
  const auto scheduleField = info.get("Schedule type");
  const auto resolved = samplerField ? resolveSamplerName(*samplerField) : std::nullopt;
  if (samplerField) p.sampler = resolved ? resolved->sampler : *samplerField;
  if (scheduleField || (resolved && resolved->schedule)) {
    p.schedule = effectiveSchedule(resolved.value_or(ResolvedSampler{}),
                                   scheduleField.value_or(kAutomaticSchedule));
  }
  if (!info.get("Clip skip")) p.clipSkip = 1;
  return out;
}

}  // namespace lienzo
