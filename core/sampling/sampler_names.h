// Sampler and schedule-type names: the one owner of every spelling Lienzo accepts.
//
// The catalog lists the samplers Lienzo runs under their A1111 UI names, in UI order, with the
// aliases other tools write (k-diffusion's `k_*` names, k-diffusion sampling.py function names,
// ComfyUI `sampler_name`s). The schedule-type table lists A1111's "Schedule type" labels (the ones
// Lienzo runs first, in UI order, then those it knows but does not run) with their aliases.
// Every entry point (CLI, infotext restore, metadata import, the prompt panel, the pipeline's
// validation, the sampler registry) resolves names here and nowhere else, so that a name accepted
// in one place is accepted in all of them: after resolution GenerationParams::sampler and
// GenerationParams::schedule hold the canonical names below.
//
// Name matching (the one rule): two spellings are the same name when they are equal after
//   - surrounding white space is removed,
//   - ASCII letters are lower-cased,
//   - every '_' and '-' becomes ' ', and runs of spaces become one space.
// So "euler_a", "Euler A" and "EULER  a" are all "Euler a"; "sgm_uniform" is "SGM Uniform".
//
// Legacy names: older A1111 versions (and A1111's own reader, modules/sd_samplers.py
// get_sampler_and_scheduler) glue the schedule onto the sampler: "DPM++ 2M Karras",
// "DPM++ 2M SDE Exponential", "DPM++ 2M Polyexponential", "Euler SGM Uniform". A name that is not
// itself a sampler is split when it ends in ' ' + any schedule type's label or alias (the table
// below is the one list of suffixes) and the rest is a sampler. The schedule a suffix implies
// applies only where no schedule was chosen ("Automatic"); an explicit schedule wins, as an
// explicit "Schedule type" field wins in A1111's reader.
//
// Contract: torch-free, Qt-free; the tables are immutable function-local statics, so every
// function may be called from any thread. Functions named resolve* return std::nullopt for names
// they do not know; require* throw std::invalid_argument whose message names the input and lists
// the valid names. Foreign-tool translations (ComfyUI, InvokeAI) never throw: unknown names come
// back unchanged.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lienzo {

/// The GenerationParams::sampler value that runs the scheduler a diffusers model folder names in
/// scheduler/scheduler_config.json (its class, timestep spacing, steps offset, Karras flag), as
/// diffusers' own pipeline would. Models without such a config refuse it (InvalidParams). It is a
/// name the pipeline handles, not a catalog sampler: resolveSamplerName() accepts it (as any
/// spelling of "Model scheduler"), makeSampler() does not.
inline constexpr const char* kModelSchedulerName = "Model scheduler";
/// The schedule type that means "the sampler's own default" (SamplerInfo::defaultSchedule).
inline constexpr const char* kAutomaticSchedule = "Automatic";

struct SamplerInfo {
  std::string name;                  ///< A1111 UI name, e.g. "DPM++ 2M"
  std::vector<std::string> aliases;  ///< e.g. "k_dpmpp_2m", "dpmpp_2m" (ComfyUI's sampler_name)
  std::string defaultSchedule;       ///< what "Automatic" means for it (a canonical schedule type)
};

struct ScheduleTypeInfo {
  std::string name;                  ///< A1111 "Schedule type" label, e.g. "SGM Uniform"
  std::vector<std::string> aliases;  ///< other spellings, e.g. "Normal" for "Uniform"
  bool supported = false;            ///< Lienzo runs it (listed by scheduleTypes())
};

/// Every sampler Lienzo runs, in UI order.
const std::vector<SamplerInfo>& samplerCatalog();
/// Every schedule type Lienzo knows: the supported ones in UI order ("Automatic" first), then
/// A1111 labels it does not run ("KL Optimal", "Align Your Steps", "DDIM", "Beta").
const std::vector<ScheduleTypeInfo>& scheduleTypeCatalog();
/// The names of the supported schedule types in UI order: "Automatic", "Uniform", "Karras",
/// "Exponential", "Polyexponential", "SGM Uniform", "Simple".
const std::vector<std::string>& scheduleTypes();

struct ResolvedSampler {
  std::string sampler;                  ///< canonical catalog name (or kModelSchedulerName)
  std::optional<std::string> schedule;  ///< canonical schedule type a legacy suffix implied
};

/// A sampler name, alias or legacy "<sampler> <schedule>" name; std::nullopt when unknown. The
/// implied schedule may be one Lienzo does not run ("Euler Beta" gives {"Euler", "Beta"}).
std::optional<ResolvedSampler> resolveSamplerName(const std::string& name);
/// resolveSamplerName() or std::invalid_argument listing the valid sampler names.
ResolvedSampler requireSamplerName(const std::string& name);

/// The canonical name of a schedule type Lienzo runs (label or alias); std::nullopt otherwise.
std::optional<std::string> resolveScheduleName(const std::string& name);
/// The canonical name of any schedule type in scheduleTypeCatalog(), run or not.
std::optional<std::string> resolveKnownScheduleName(const std::string& name);
/// resolveScheduleName() or std::invalid_argument: for a known label Lienzo does not run it says
/// so; either way it lists the valid names. An empty name is "Automatic".
std::string requireScheduleName(const std::string& name);

/// The precedence rule alone, for callers that tolerate unknown names: `schedule` resolved when
/// known (as written otherwise), except that "Automatic" or empty gives way to the schedule the
/// sampler's legacy name implied. Never throws.
std::string effectiveSchedule(const ResolvedSampler& sampler, const std::string& schedule);

/// A sampler and schedule chosen together, both canonical.
struct SamplerSelection {
  std::string sampler;
  std::string schedule = kAutomaticSchedule;
};
/// The rule every entry point applies: `sampler` through requireSamplerName(), then
/// effectiveSchedule() through requireScheduleName(). Throws std::invalid_argument (unknown
/// sampler, unknown or unsupported schedule) listing the valid names.
SamplerSelection resolveSamplerSelection(const std::string& sampler,
                                         const std::string& schedule = kAutomaticSchedule);

/// A sampler and schedule written by another tool, translated to A1111 labels: canonical names
/// where Lienzo knows them, A1111's label for a few it knows but does not run ("DPM fast",
/// "DDPM", "Beta"), else the input unchanged. An empty input gives an empty output.
struct ForeignSamplerNames {
  std::string sampler;
  std::string schedule;
};
/// ComfyUI KSampler `sampler_name` and `scheduler` ("dpmpp_2m" + "karras" -> "DPM++ 2M" +
/// "Karras"; "normal" -> "Normal", which resolves to "Uniform").
// Ref: ComfyUI comfy/samplers.py KSAMPLER_NAMES, SCHEDULER_NAMES
ForeignSamplerNames resolveComfySampler(const std::string& samplerName,
                                        const std::string& scheduler);
/// InvokeAI `scheduler` ("dpmpp_2m_k" -> "DPM++ 2M" + "Karras"; "euler_a" -> "Euler a" + "").
// Ref: InvokeAI invokeai/backend/stable_diffusion/schedulers/schedulers.py SCHEDULER_MAP
ForeignSamplerNames resolveInvokeAiScheduler(const std::string& scheduler);

}  // namespace lienzo
