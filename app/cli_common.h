// Helpers shared by the sub-commands: dtype/thread options, model resolution, name lookups.
#pragma once

#include "core/pipeline/pipeline.h"

#include <filesystem>
#include <optional>
#include <string>

namespace lienzo::cli {

/// "auto", "f32"/"float32", "bf16"/"bfloat16", "f16"/"float16"/"half"; UsageError otherwise.
ComputeDType parseDType(const std::string& name);
/// Sets libtorch's intra-op threads: `threads` when given, else all cores (libtorch 1.13 would
/// use half of them, PLATFORM.md pitfall 3). UsageError for < 1.
void applyThreads(std::optional<long long> threads);
/// The model to load: `given`, else the built-in model; UsageError when neither exists.
std::filesystem::path resolveModel(const std::optional<std::string>& given);
/// The catalog's spelling of a sampler name/alias; UsageError listing the valid names.
std::string canonicalSampler(const std::string& name);
/// The catalog's spelling of a schedule type (case-insensitive); UsageError listing valid ones.
std::string canonicalSchedule(const std::string& name);

}  // namespace lienzo::cli
