// Helpers shared by the sub-commands: dtype/thread options, model resolution, name lookups.
#pragma once

#include "core/pipeline/pipeline.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace lienzo::cli {

/// ASCII lower case of `s` (option values are matched case-insensitively).
std::string lowerAscii(std::string s);

/// "auto", "f32"/"float32", "bf16"/"bfloat16", "f16"/"float16"/"half"; UsageError otherwise.
ComputeDType parseDType(const std::string& name);
/// `--preview`: "linear", "taesd", "vae:N" (the model's VAE every N steps) or "none" (previews
/// off: `previews` false); case-insensitive. UsageError listing the valid forms.
void parsePreviewOption(const std::string& text, GenerationParams& params);
/// Sets libtorch's intra-op threads: `threads` when given, else all cores (libtorch 1.13 would
/// use half of them, PLATFORM.md pitfall 3). UsageError for < 1.
void applyThreads(std::optional<long long> threads);
/// The model to load: `given`, else the built-in model; UsageError when neither exists.
std::filesystem::path resolveModel(const std::optional<std::string>& given);
/// `--sampler` and `--schedule` resolved together by resolveSamplerSelection()
/// (core/sampling/sampler_names.h): canonical names, aliases accepted, a legacy name such as
/// "DPM++ 2M Polyexponential" giving its schedule when `schedule` is "Automatic". An empty
/// `sampler` stays empty (the model's default comes later). UsageError listing the valid names.
SamplerSelection canonicalSamplerAndSchedule(const std::string& sampler,
                                             const std::string& schedule = kAutomaticSchedule);

}  // namespace lienzo::cli
