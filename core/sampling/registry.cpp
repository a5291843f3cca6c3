// makeSampler(): the factory behind the A1111-named catalog. The names, aliases and the default
// schedule behind "Automatic" live in sampler_names.cpp; this file only says how each canonical
// name is built.
// Ref: A1111 modules/sd_samplers_kdiffusion.py samplers_k_diffusion (discard_next_to_last_sigma,
// solver_type).
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
  const char* name;  ///< canonical catalog name
  Algorithm algorithm;
  SolverType solver;
  bool discardPenultimate;
};

constexpr KEntry kKEntries[] = {
    {"DPM++ 2M", Algorithm::Dpmpp2m, SolverType::Midpoint, false},
    {"DPM++ SDE", Algorithm::DpmppSde, SolverType::Midpoint, false},
    {"DPM++ 2M SDE", Algorithm::Dpmpp2mSde, SolverType::Midpoint, false},
    {"DPM++ 2M SDE Heun", Algorithm::Dpmpp2mSde, SolverType::Heun, false},
    {"DPM++ 2S a", Algorithm::Dpmpp2sAncestral, SolverType::Midpoint, false},
    {"DPM++ 3M SDE", Algorithm::Dpmpp3mSde, SolverType::Midpoint, true},
    {"Euler a", Algorithm::EulerAncestral, SolverType::Midpoint, false},
    {"Euler", Algorithm::Euler, SolverType::Midpoint, false},
    {"LMS", Algorithm::Lms, SolverType::Midpoint, false},
    {"Heun", Algorithm::Heun, SolverType::Midpoint, false},
    {"DPM2", Algorithm::Dpm2, SolverType::Midpoint, true},
    {"DPM2 a", Algorithm::Dpm2Ancestral, SolverType::Midpoint, true},
};

const SamplerInfo& catalogEntry(const std::string& canonicalName) {
  for (const auto& info : samplerCatalog()) {
    if (info.name == canonicalName) return info;
  }
  throw std::logic_error("sampler registry: '" + canonicalName + "' is not in the catalog");
}

}  // namespace

std::unique_ptr<Sampler> makeSampler(const std::string& name) {
  const ResolvedSampler resolved = requireSamplerName(name);
  if (resolved.sampler == kModelSchedulerName) {
    throw std::invalid_argument(std::string("\"") + kModelSchedulerName +
                                "\" is the model folder's own scheduler; the pipeline makes it");
  }
  const SamplerInfo& info = catalogEntry(resolved.sampler);
  for (const KEntry& e : kKEntries) {
    if (info.name != e.name) continue;
    KDiffusionSamplerConfig cfg;
    cfg.algorithm = e.algorithm;
    cfg.solver = e.solver;
    cfg.defaultSchedule = sigmaScheduleKindFromName(info.defaultSchedule);
    cfg.discardPenultimate = e.discardPenultimate;
    if (resolved.schedule) {
      cfg.forceSchedule = true;
      cfg.forcedSchedule = sigmaScheduleKindFromName(*resolved.schedule);
    }
    return std::make_unique<KDiffusionSampler>(cfg);
  }
  if (resolved.schedule) {
    throw std::invalid_argument("'" + name + "': " + info.name +
                                " takes its schedule type separately, not as part of its name");
  }
  if (auto sampler = makeDiscreteSampler(info.name)) return sampler;
  throw std::logic_error("sampler registry: no factory for '" + info.name + "'");
}

std::vector<std::string> flowSamplerNames() {
  std::vector<std::string> names;
  for (const auto& info : samplerCatalog()) {
    for (const KEntry& e : kKEntries) {
      if (info.name != e.name) continue;
      if (makeSampler(info.name)->runsFlow()) names.push_back(info.name);
    }
  }
  return names;
}

}  // namespace lienzo
