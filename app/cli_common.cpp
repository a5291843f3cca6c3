#include "app/cli_common.h"

#include "app/cli_args.h"
#include "core/sampling/sampler_names.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <thread>

namespace lienzo::cli {

std::string lowerAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

ComputeDType parseDType(const std::string& name) {
  const std::string n = lowerAscii(name);
  if (n == "auto") return ComputeDType::Auto;
  if (n == "f32" || n == "float32" || n == "fp32") return ComputeDType::F32;
  if (n == "bf16" || n == "bfloat16") return ComputeDType::BF16;
  if (n == "f16" || n == "float16" || n == "fp16" || n == "half") return ComputeDType::F16;
  throw UsageError("unknown dtype '" + name + "' (valid: auto, f32, bf16, f16)");
}

void parsePreviewOption(const std::string& text, GenerationParams& params) {
  const std::string t = lowerAscii(text);
  params.previews = t != "none";
  if (t == "linear" || t == "none") {
    params.preview.method = PreviewMethod::Linear;
  } else if (t == "taesd") {
    params.preview.method = PreviewMethod::Taesd;
  } else if (t.rfind("vae:", 0) == 0) {
    params.preview.method = PreviewMethod::FullVae;
    std::size_t used = 0;
    int every = 0;
    try {
      every = std::stoi(t.substr(4), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != t.size() - 4 || every < 1 || every > 1000)
      throw UsageError("--preview vae:N needs a step interval N between 1 and 1000 (got '" + text +
                       "')");
    params.preview.vaeEvery = every;
  } else {
    throw UsageError("unknown --preview '" + text + "' (valid: linear, taesd, vae:N, none)");
  }
}

void applyThreads(std::optional<long long> threads) {
  if (threads && *threads < 1) throw UsageError("--threads must be at least 1");
  const long long n = threads.value_or(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(static_cast<int>(n));
}

std::filesystem::path resolveModel(const std::optional<std::string>& given) {
  if (given) {
    if (!std::filesystem::exists(*given)) throw UsageError("model file not found: " + *given);
    return *given;
  }
  const auto builtin = findBuiltinModel();
  if (builtin.empty())
    throw UsageError(
        "no --model given and the built-in model (lienzo-builtin.safetensors) is not installed; "
        "set LIENZO_BUILTIN_MODEL or pass --model FILE");
  return builtin;
}

SamplerSelection canonicalSamplerAndSchedule(const std::string& sampler,
                                             const std::string& schedule) {
  try {
    if (sampler.empty()) return {sampler, requireScheduleName(schedule)};
    return resolveSamplerSelection(sampler, schedule);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

}  // namespace lienzo::cli
