// The A1111-named sampler catalog and factory.
// Ref: A1111 modules/sd_samplers_kdiffusion.py samplers_k_diffusion (names, aliases, the
// per-sampler 'scheduler' default behind "Automatic", discard_next_to_last_sigma).
#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/sampling/discrete_registry.h"
#include "core/sampling/kdiffusion_sampler.h"
#include "core/sampling/sampler.h"

namespace lienzo {
namespace {

using kdiffusion::Algorithm;
using kdiffusion::SolverType;

struct KEntry {
  const char* name;
  std::vector<std::string> aliases;
  Algorithm algorithm;
  SolverType solver;
  SigmaScheduleKind defaultSchedule;
  bool discardPenultimate;
};

const std::vector<KEntry>& kEntries() {
  static const std::vector<KEntry> entries = {
      {"DPM++ 2M",
       {"k_dpmpp_2m", "dpmpp_2m"},
       Algorithm::Dpmpp2m,
       SolverType::Midpoint,
       SigmaScheduleKind::Karras,
       false},
      {"DPM++ SDE",
       {"k_dpmpp_sde", "dpmpp_sde"},
       Algorithm::DpmppSde,
       SolverType::Midpoint,
       SigmaScheduleKind::Karras,
       false},
      {"DPM++ 2M SDE",
       {"k_dpmpp_2m_sde", "dpmpp_2m_sde"},
       Algorithm::Dpmpp2mSde,
       SolverType::Midpoint,
       SigmaScheduleKind::Exponential,
       false},
      {"DPM++ 2M SDE Heun",
       {"k_dpmpp_2m_sde_heun", "dpmpp_2m_sde_heun"},
       Algorithm::Dpmpp2mSde,
       SolverType::Heun,
       SigmaScheduleKind::Exponential,
       false},
      {"DPM++ 2S a",
       {"k_dpmpp_2s_a", "dpmpp_2s_ancestral", "dpmpp_2s_a"},
       Algorithm::Dpmpp2sAncestral,
       SolverType::Midpoint,
       SigmaScheduleKind::Karras,
       false},
      {"DPM++ 3M SDE",
       {"k_dpmpp_3m_sde", "dpmpp_3m_sde"},
       Algorithm::Dpmpp3mSde,
       SolverType::Midpoint,
       SigmaScheduleKind::Exponential,
       true},
      {"Euler a",
       {"k_euler_a", "k_euler_ancestral", "euler_ancestral", "euler_a"},
       Algorithm::EulerAncestral,
       SolverType::Midpoint,
       SigmaScheduleKind::Uniform,
       false},
      {"Euler",
       {"k_euler", "euler"},
       Algorithm::Euler,
       SolverType::Midpoint,
       SigmaScheduleKind::Uniform,
       false},
      {"LMS",
       {"k_lms", "lms"},
       Algorithm::Lms,
       SolverType::Midpoint,
       SigmaScheduleKind::Uniform,
       false},
      {"Heun",
       {"k_heun", "heun"},
       Algorithm::Heun,
       SolverType::Midpoint,
       SigmaScheduleKind::Uniform,
       false},
      {"DPM2",
       {"k_dpm_2", "dpm_2", "dpm2"},
       Algorithm::Dpm2,
       SolverType::Midpoint,
       SigmaScheduleKind::Uniform,
       true},
      {"DPM2 a",
       {"k_dpm_2_a", "dpm_2_ancestral", "dpm2_a"},
       Algorithm::Dpm2Ancestral,
       SolverType::Midpoint,
       SigmaScheduleKind::Uniform,
       true},
  };
  return entries;
}

struct DiscreteEntry {
  const char* name;
  std::vector<std::string> aliases;
  const char* defaultSchedule;
};

const std::vector<DiscreteEntry>& discreteEntries() {
  static const std::vector<DiscreteEntry> entries = {
      {"DDIM", {"ddim"}, "Uniform"},
      {"PLMS", {"plms", "pndm"}, "Uniform"},
      {"UniPC", {"unipc", "uni_pc"}, "Uniform"},
      {"LCM", {"lcm"}, "Uniform"},
  };
  return entries;
}

std::string lower(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

bool matches(const std::string& key, const char* name, const std::vector<std::string>& aliases) {
  if (key == lower(name)) return true;
  for (const auto& a : aliases) {
    if (key == lower(a)) return true;
  }
  return false;
}

std::unique_ptr<Sampler> makeKSampler(const KEntry& e, bool force, SigmaScheduleKind forced) {
  KDiffusionSamplerConfig cfg;
  cfg.algorithm = e.algorithm;
  cfg.solver = e.solver;
  cfg.defaultSchedule = e.defaultSchedule;
  cfg.discardPenultimate = e.discardPenultimate;
  cfg.forceSchedule = force;
  cfg.forcedSchedule = forced;
  return std::make_unique<KDiffusionSampler>(cfg);
}

std::unique_ptr<Sampler> findSampler(const std::string& key, bool force, SigmaScheduleKind forced) {
  for (const auto& e : kEntries()) {
    if (matches(key, e.name, e.aliases)) return makeKSampler(e, force, forced);
  }
  if (!force) {
    for (const auto& e : discreteEntries()) {
      if (matches(key, e.name, e.aliases)) return makeDiscreteSampler(e.name);
    }
  }
  return nullptr;
}

}  // namespace

const std::vector<SamplerInfo>& samplerCatalog() {
  static const std::vector<SamplerInfo> catalog = [] {
    std::vector<SamplerInfo> out;
    for (const auto& e : kEntries()) {
      out.push_back({e.name, e.aliases, sigmaScheduleKindName(e.defaultSchedule)});
    }
    for (const auto& e : discreteEntries()) out.push_back({e.name, e.aliases, e.defaultSchedule});
    return out;
  }();
  return catalog;
}

const std::vector<std::string>& scheduleTypes() {
  static const std::vector<std::string> types = {
      "Automatic", "Uniform", "Karras", "Exponential", "Polyexponential", "SGM Uniform", "Simple"};
  return types;
}

std::unique_ptr<Sampler> makeSampler(const std::string& name) {
  const std::string key = lower(name);
  if (auto s = findSampler(key, false, SigmaScheduleKind::Uniform)) return s;
  // Legacy A1111 names carry the schedule: "DPM++ 2M Karras", "DPM++ 2M SDE Exponential".
  static const std::pair<const char*, SigmaScheduleKind> suffixes[] = {
      {" karras", SigmaScheduleKind::Karras}, {" exponential", SigmaScheduleKind::Exponential}};
  for (const auto& [suffix, kind] : suffixes) {
    const std::string sfx(suffix);
    if (key.size() > sfx.size() && key.compare(key.size() - sfx.size(), sfx.size(), sfx) == 0) {
      if (auto s = findSampler(key.substr(0, key.size() - sfx.size()), true, kind)) return s;
    }
  }
  std::string valid;
  for (const auto& info : samplerCatalog()) valid += (valid.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument("unknown sampler '" + name + "'; valid names: " + valid);
}

}  // namespace lienzo
