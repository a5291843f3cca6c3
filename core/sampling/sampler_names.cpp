// Ref: A1111 modules/sd_samplers_kdiffusion.py samplers_k_diffusion (names, aliases, the
// per-sampler 'scheduler' default behind "Automatic"), modules/sd_samplers_timesteps.py (DDIM,
// PLMS, UniPC, LCM), modules/sd_schedulers.py (schedule labels), modules/sd_samplers.py
// get_sampler_and_scheduler (legacy suffixes).
#include "core/sampling/sampler_names.h"

#include <stdexcept>
#include <string_view>
#include <utility>

namespace lienzo {
namespace {

/// The matching rule of the header: trimmed, lower-case ASCII, '_'/'-' as ' ', one space per run.
std::string nameKey(std::string_view name) {
  std::string out;
  bool pendingSpace = false;
  for (char c : name) {
    if (c == '_' || c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out.push_back(' ');
    pendingSpace = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

template <typename Info>
bool matchesKey(const std::string& key, const Info& info) {
  if (key == nameKey(info.name)) return true;
  for (const auto& alias : info.aliases) {
    if (key == nameKey(alias)) return true;
  }
  return false;
}

/// The catalog entry whose name or alias is `key` (already nameKey'd); nullptr when none.
const SamplerInfo* findSampler(const std::string& key) {
  for (const auto& info : samplerCatalog()) {
    if (matchesKey(key, info)) return &info;
  }
  return nullptr;
}

const ScheduleTypeInfo* findSchedule(const std::string& key) {
  for (const auto& info : scheduleTypeCatalog()) {
    if (matchesKey(key, info)) return &info;
  }
  return nullptr;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string validSamplerNames() {
  std::vector<std::string> names;
  for (const auto& info : samplerCatalog()) names.push_back(info.name);
  names.push_back(kModelSchedulerName);
  return join(names);
}

std::string lookUp(const std::pair<std::string_view, std::string_view>* begin,
                   const std::pair<std::string_view, std::string_view>* end,
                   const std::string& name) {
  for (auto it = begin; it != end; ++it) {
    if (name == it->first) return std::string(it->second);
  }
  return name;
}

}  // namespace

const std::vector<SamplerInfo>& samplerCatalog() {
  // Aliases: k-diffusion's k_* names (A1111 aliases), k-diffusion sampling.py function names,
  // which are also ComfyUI's sampler_name for the same algorithm.
  static const std::vector<SamplerInfo> catalog = {
      {"DPM++ 2M", {"k_dpmpp_2m", "dpmpp_2m"}, "Karras"},
      {"DPM++ SDE", {"k_dpmpp_sde", "dpmpp_sde"}, "Karras"},
      {"DPM++ 2M SDE", {"k_dpmpp_2m_sde", "dpmpp_2m_sde"}, "Exponential"},
      {"DPM++ 2M SDE Heun", {"k_dpmpp_2m_sde_heun", "dpmpp_2m_sde_heun"}, "Exponential"},
      {"DPM++ 2S a", {"k_dpmpp_2s_a", "dpmpp_2s_ancestral", "dpmpp_2s_a"}, "Karras"},
      {"DPM++ 3M SDE", {"k_dpmpp_3m_sde", "dpmpp_3m_sde"}, "Exponential"},
      {"Euler a", {"k_euler_a", "k_euler_ancestral", "euler_ancestral", "euler_a"}, "Uniform"},
      {"Euler", {"k_euler", "euler"}, "Uniform"},
      {"LMS", {"k_lms", "lms"}, "Uniform"},
      {"Heun", {"k_heun", "heun"}, "Uniform"},
      {"DPM2", {"k_dpm_2", "dpm_2", "dpm2"}, "Uniform"},
      {"DPM2 a", {"k_dpm_2_a", "dpm_2_ancestral", "dpm2_a"}, "Uniform"},
      // CompVis / diffusers-style samplers (their own timesteps; "Uniform" is that default).
      {"DDIM", {"ddim"}, "Uniform"},
      {"PLMS", {"plms", "pndm"}, "Uniform"},
      {"UniPC", {"unipc", "uni_pc"}, "Uniform"},
      {"LCM", {"lcm"}, "Uniform"},
  };
  return catalog;
}

const std::vector<ScheduleTypeInfo>& scheduleTypeCatalog() {
  // A1111's internal names ("sgm_uniform", "kl_optimal") and ComfyUI's scheduler names equal the
  // labels under the matching rule; only the spellings that differ are aliases. A1111's "Normal"
  // (ComfyUI "normal": sigma(t) at t evenly spaced from sigma_to_t(max) to sigma_to_t(min)) is
  // the same schedule as k-diffusion's get_sigmas ("Uniform").
  static const std::vector<ScheduleTypeInfo> types = {
      {kAutomaticSchedule, {}, true},
      {"Uniform", {"Normal"}, true},
      {"Karras", {}, true},
      {"Exponential", {}, true},
      {"Polyexponential", {}, true},
      {"SGM Uniform", {}, true},
      {"Simple", {}, true},
      // Known to A1111 / ComfyUI, not run by Lienzo.
      {"KL Optimal", {}, false},
      {"Align Your Steps", {}, false},
      {"DDIM", {"ddim_uniform"}, false},
      {"Beta", {}, false},
  };
  return types;
}

const std::vector<std::string>& scheduleTypes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& info : scheduleTypeCatalog()) {
      if (info.supported) out.push_back(info.name);
    }
    return out;
  }();
  return names;
}

std::optional<ResolvedSampler> resolveSamplerName(const std::string& name) {
  const std::string key = nameKey(name);
  if (key.empty()) return std::nullopt;
  if (key == nameKey(kModelSchedulerName)) return ResolvedSampler{kModelSchedulerName, {}};
  if (const SamplerInfo* info = findSampler(key)) return ResolvedSampler{info->name, {}};
  // Legacy "<sampler> <schedule>": any schedule label or alias but "Automatic" as the suffix.
  for (const auto& schedule : scheduleTypeCatalog()) {
    if (schedule.name == kAutomaticSchedule) continue;
    std::vector<std::string> spellings = schedule.aliases;
    spellings.push_back(schedule.name);
    for (const auto& spelling : spellings) {
      const std::string suffix = " " + nameKey(spelling);
      if (key.size() <= suffix.size() ||
          key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      if (const SamplerInfo* info = findSampler(key.substr(0, key.size() - suffix.size())))
        return ResolvedSampler{info->name, schedule.name};
    }
  }
  return std::nullopt;
}

ResolvedSampler requireSamplerName(const std::string& name) {
  if (auto resolved = resolveSamplerName(name)) return *resolved;
  throw std::invalid_argument("unknown sampler '" + name +
                              "'; valid names: " + validSamplerNames());
}

std::optional<std::string> resolveScheduleName(const std::string& name) {
  const ScheduleTypeInfo* info = findSchedule(nameKey(name));
  if (info == nullptr || !info->supported) return std::nullopt;
  return info->name;
}

std::optional<std::string> resolveKnownScheduleName(const std::string& name) {
  const ScheduleTypeInfo* info = findSchedule(nameKey(name));
  if (info == nullptr) return std::nullopt;
  return info->name;
}

std::string requireScheduleName(const std::string& name) {
  if (nameKey(name).empty()) return kAutomaticSchedule;
  if (auto resolved = resolveScheduleName(name)) return *resolved;
  const std::string valid = join(scheduleTypes());
  if (auto known = resolveKnownScheduleName(name)) {
    throw std::invalid_argument("schedule type '" + *known +
                                "' is not one Lienzo runs; valid: " + valid);
  }
  throw std::invalid_argument("unknown schedule type '" + name + "'; valid: " + valid);
}

std::string effectiveSchedule(const ResolvedSampler& sampler, const std::string& schedule) {
  const bool automatic =
      nameKey(schedule).empty() || nameKey(schedule) == nameKey(kAutomaticSchedule);
  if (automatic && sampler.schedule) return *sampler.schedule;
  return resolveKnownScheduleName(schedule).value_or(schedule);
}

SamplerSelection resolveSamplerSelection(const std::string& sampler, const std::string& schedule) {
  const ResolvedSampler resolved = requireSamplerName(sampler);
  return {resolved.sampler, requireScheduleName(effectiveSchedule(resolved, schedule))};
}

ForeignSamplerNames resolveComfySampler(const std::string& samplerName,
                                        const std::string& scheduler) {
  // sampler_names that are not a catalog alias: GPU-noise variants of the same solver, UniPC's
  // bh2 variant (Lienzo runs bh1), and A1111 labels of samplers Lienzo does not run.
  static const std::pair<std::string_view, std::string_view> kSamplers[] = {
      {"dpmpp_sde_gpu", "DPM++ SDE"},
      {"dpmpp_2m_sde_gpu", "DPM++ 2M SDE"},
      {"dpmpp_2m_sde_heun_gpu", "DPM++ 2M SDE Heun"},
      {"dpmpp_3m_sde_gpu", "DPM++ 3M SDE"},
      {"uni_pc_bh2", "UniPC"},
      {"dpm_fast", "DPM fast"},
      {"dpm_adaptive", "DPM adaptive"},
      {"ddpm", "DDPM"},
  };
  // SCHEDULER_NAMES -> A1111 labels (which resolveKnownScheduleName() knows).
  static const std::pair<std::string_view, std::string_view> kSchedulers[] = {
      {"normal", "Normal"},
      {"karras", "Karras"},
      {"exponential", "Exponential"},
      {"sgm_uniform", "SGM Uniform"},
      {"simple", "Simple"},
      {"ddim_uniform", "DDIM"},
      {"beta", "Beta"},
      {"kl_optimal", "KL Optimal"},
  };
  ForeignSamplerNames out;
  out.sampler = lookUp(std::begin(kSamplers), std::end(kSamplers), samplerName);
  if (out.sampler == samplerName) {
    // ComfyUI's names are exact: an alias match, no legacy-suffix split.
    if (const SamplerInfo* info = findSampler(nameKey(samplerName))) out.sampler = info->name;
  }
  out.schedule = lookUp(std::begin(kSchedulers), std::end(kSchedulers), scheduler);
  return out;
}

ForeignSamplerNames resolveInvokeAiScheduler(const std::string& scheduler) {
  static const std::pair<std::string_view, std::string_view> kMap[] = {
      {"ddim", "DDIM"},           {"ddpm", "DDPM"},         {"lms", "LMS"},
      {"pndm", "PLMS"},           {"heun", "Heun"},         {"euler", "Euler"},
      {"euler_a", "Euler a"},     {"kdpm_2", "DPM2"},       {"kdpm_2_a", "DPM2 a"},
      {"dpmpp_2s", "DPM++ 2S"},   {"dpmpp_2m", "DPM++ 2M"}, {"dpmpp_2m_sde", "DPM++ 2M SDE"},
      {"dpmpp_sde", "DPM++ SDE"}, {"unipc", "UniPC"},       {"lcm", "LCM"},
      {"deis", "DEIS"},           {"tcd", "TCD"},
  };
  // "<name>_k": the same scheduler with use_karras_sigmas.
  std::string name = scheduler;
  bool karras = false;
  if (name.size() > 2 && name.compare(name.size() - 2, 2, "_k") == 0) {
    karras = true;
    name.resize(name.size() - 2);
  }
  ForeignSamplerNames out;
  out.sampler = lookUp(std::begin(kMap), std::end(kMap), name);
  if (out.sampler == name) {
    out.sampler = scheduler;  // unknown: kept as written, "_k" included
  } else if (karras) {
    out.schedule = "Karras";
  }
  return out;
}

}  // namespace lienzo
