// Sampler and schedule names (core/sampling/sampler_names.h): catalog, aliases, legacy suffixes,
// ComfyUI / InvokeAI spellings, errors, and the infotext round trip through metadata import.
#include "core/sampling/sampler_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "core/io/infotext.h"
#include "core/io/metadata_import.h"

namespace lienzo {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string underscored(std::string s) {
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SamplerNames, CatalogIsA1111OrderedWithKnownDefaults) {
  const auto& catalog = samplerCatalog();
  ASSERT_FALSE(catalog.empty());
  EXPECT_EQ(catalog.front().name, "DPM++ 2M");
  std::set<std::string> names;
  for (const auto& info : catalog) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate " << info.name;
    // "Automatic" means a schedule Lienzo runs, never "Automatic" itself.
    const auto schedule = resolveScheduleName(info.defaultSchedule);
    ASSERT_TRUE(schedule.has_value()) << info.name;
    EXPECT_EQ(*schedule, info.defaultSchedule) << info.name << ": default is not canonical";
    EXPECT_NE(*schedule, kAutomaticSchedule) << info.name;
  }
  for (const char* name :
       {"Euler a", "Euler", "Heun", "DPM2", "DPM2 a", "LMS", "DPM++ 2S a", "DPM++ 2M", "DPM++ SDE",
        "DPM++ 2M SDE", "DPM++ 2M SDE Heun", "DPM++ 3M SDE", "DDIM", "PLMS", "UniPC", "LCM"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  EXPECT_FALSE(names.count(kModelSchedulerName)) << "a pipeline name, not a catalog sampler";
}

TEST(SamplerNames, EveryNameAndAliasResolvesInAnySpelling) {
  std::map<std::string, std::string> owner;  // spelling (matching rule) -> sampler
  for (const auto& info : samplerCatalog()) {
    std::vector<std::string> spellings = info.aliases;
    spellings.push_back(info.name);
    for (const auto& s : spellings) {
      const auto [it, fresh] = owner.emplace(upper(underscored(s)), info.name);
      EXPECT_TRUE(fresh || it->second == info.name) << s << " names two samplers";
      for (const std::string& variant :
           {s, upper(s), underscored(s), "  " + s + " ", upper(underscored(s))}) {
        const auto r = resolveSamplerName(variant);
        ASSERT_TRUE(r.has_value()) << "'" << variant << "'";
        EXPECT_EQ(r->sampler, info.name) << "'" << variant << "'";
        EXPECT_FALSE(r->schedule.has_value()) << "'" << variant << "'";
      }
    }
  }
  // The examples of the header.
  EXPECT_EQ(resolveSamplerName("EULER  a")->sampler, "Euler a");
  EXPECT_EQ(resolveSamplerName("k_euler_a")->sampler, "Euler a");
  EXPECT_EQ(resolveSamplerName("dpmpp_2m")->sampler, "DPM++ 2M");
  EXPECT_EQ(resolveSamplerName("DPM++ 2M SDE Heun")->sampler, "DPM++ 2M SDE Heun");
  EXPECT_EQ(resolveSamplerName("model_scheduler")->sampler, kModelSchedulerName);
}

TEST(SamplerNames, ScheduleTypesResolveWithAliases) {
  const auto& types = scheduleTypes();
  const std::vector<std::string> expected = {
      "Automatic", "Uniform", "Karras", "Exponential", "Polyexponential", "SGM Uniform", "Simple"};
  EXPECT_EQ(types, expected);
  for (const auto& info : scheduleTypeCatalog()) {
    std::vector<std::string> spellings = info.aliases;
    spellings.push_back(info.name);
    for (const auto& s : spellings) {
      for (const std::string& variant : {s, upper(s), underscored(s)}) {
        EXPECT_EQ(resolveKnownScheduleName(variant), info.name) << variant;
        if (info.supported) {
          EXPECT_EQ(resolveScheduleName(variant), info.name) << variant;
          EXPECT_EQ(requireScheduleName(variant), info.name) << variant;
        } else {
          EXPECT_FALSE(resolveScheduleName(variant).has_value()) << variant;
        }
      }
    }
  }
  EXPECT_EQ(resolveScheduleName("Normal"), "Uniform");
  EXPECT_EQ(resolveScheduleName("normal"), "Uniform");
  EXPECT_EQ(resolveScheduleName("sgm_uniform"), "SGM Uniform");
  EXPECT_EQ(resolveKnownScheduleName("ddim_uniform"), "DDIM");
  EXPECT_EQ(requireScheduleName(""), "Automatic");
}

TEST(SamplerNames, LegacySuffixesGiveTheSchedule) {
  // Every schedule type but "Automatic", label and aliases, on every sampler.
  for (const auto& sampler : samplerCatalog()) {
    for (const auto& schedule : scheduleTypeCatalog()) {
      if (schedule.name == kAutomaticSchedule) continue;
      std::vector<std::string> suffixes = schedule.aliases;
      suffixes.push_back(schedule.name);
      for (const auto& suffix : suffixes) {
        for (const std::string& name :
             {sampler.name + " " + suffix, upper(sampler.name + " " + suffix)}) {
          const auto r = resolveSamplerName(name);
          ASSERT_TRUE(r.has_value()) << name;
          EXPECT_EQ(r->sampler, sampler.name) << name;
          EXPECT_EQ(r->schedule, schedule.name) << name;
        }
      }
    }
  }
  const auto poly = resolveSamplerName("DPM++ 2M Polyexponential");
  ASSERT_TRUE(poly.has_value());
  EXPECT_EQ(poly->sampler, "DPM++ 2M");
  EXPECT_EQ(poly->schedule, "Polyexponential");
  EXPECT_EQ(resolveSamplerName("DPM++ 2M SDE Heun Karras")->sampler, "DPM++ 2M SDE Heun");
  EXPECT_EQ(resolveSamplerName("Euler SGM Uniform")->schedule, "SGM Uniform");
  EXPECT_EQ(resolveSamplerName("k_dpmpp_2m_karras")->sampler, "DPM++ 2M");
  // A suffix alone, or on an unknown sampler, is no sampler.
  EXPECT_FALSE(resolveSamplerName("Karras").has_value());
  EXPECT_FALSE(resolveSamplerName("Euler b Karras").has_value());
  EXPECT_FALSE(resolveSamplerName("Euler Automatic").has_value());
}

TEST(SamplerNames, SelectionRule) {
  const auto legacy = resolveSamplerSelection("DPM++ 2M Polyexponential");
  EXPECT_EQ(legacy.sampler, "DPM++ 2M");
  EXPECT_EQ(legacy.schedule, "Polyexponential");
  // An explicit schedule wins over the suffix's.
  const auto explicitSchedule = resolveSamplerSelection("DPM++ 2M Karras", "exponential");
  EXPECT_EQ(explicitSchedule.sampler, "DPM++ 2M");
  EXPECT_EQ(explicitSchedule.schedule, "Exponential");
  const auto plain = resolveSamplerSelection("euler_a", "");
  EXPECT_EQ(plain.sampler, "Euler a");
  EXPECT_EQ(plain.schedule, "Automatic");
  EXPECT_EQ(resolveSamplerSelection("Euler", "Normal").schedule, "Uniform");
  // A schedule Lienzo does not run is refused, whether written or implied.
  EXPECT_THROW(resolveSamplerSelection("Euler", "Beta"), std::invalid_argument);
  EXPECT_THROW(resolveSamplerSelection("Euler Beta"), std::invalid_argument);
  EXPECT_EQ(resolveSamplerSelection("Euler Beta", "Karras").schedule, "Karras");
  // The same rule without throwing, for callers that keep unknown names.
  const ResolvedSampler karras{"DPM++ 2M", std::string("Karras")};
  EXPECT_EQ(effectiveSchedule(karras, "automatic"), "Karras");
  EXPECT_EQ(effectiveSchedule(karras, ""), "Karras");
  EXPECT_EQ(effectiveSchedule(karras, "sgm_uniform"), "SGM Uniform");
  EXPECT_EQ(effectiveSchedule(karras, "Mystery"), "Mystery");
  EXPECT_EQ(effectiveSchedule({"Euler", std::nullopt}, "normal"), "Uniform");
  EXPECT_EQ(effectiveSchedule({"Euler", std::nullopt}, ""), "");
}

TEST(SamplerNames, UnknownNamesListTheValidOnes) {
  try {
    requireSamplerName("Euler b");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "'Euler b'")) << what;
    for (const auto& info : samplerCatalog()) EXPECT_TRUE(contains(what, info.name)) << what;
    EXPECT_TRUE(contains(what, kModelSchedulerName)) << what;
  }
  EXPECT_THROW(requireSamplerName(""), std::invalid_argument);
  EXPECT_THROW(requireSamplerName("Karras"), std::invalid_argument);
  try {
    requireScheduleName("Karas");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "unknown schedule type 'Karas'")) << what;
    for (const auto& t : scheduleTypes()) EXPECT_TRUE(contains(what, t)) << what;
  }
  try {
    requireScheduleName("kl_optimal");
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "'KL Optimal' is not one Lienzo runs")) << what;
    EXPECT_TRUE(contains(what, "SGM Uniform")) << what;
  }
}

TEST(SamplerNames, ComfyUiPairs) {
  // Ref: ComfyUI comfy/samplers.py KSAMPLER_NAMES (the ones Lienzo runs, and their variants).
  const std::vector<std::pair<std::string, std::string>> samplers = {
      {"euler", "Euler"},
      {"euler_ancestral", "Euler a"},
      {"heun", "Heun"},
      {"dpm_2", "DPM2"},
      {"dpm_2_ancestral", "DPM2 a"},
      {"lms", "LMS"},
      {"dpmpp_2s_ancestral", "DPM++ 2S a"},
      {"dpmpp_sde", "DPM++ SDE"},
      {"dpmpp_sde_gpu", "DPM++ SDE"},
      {"dpmpp_2m", "DPM++ 2M"},
      {"dpmpp_2m_sde", "DPM++ 2M SDE"},
      {"dpmpp_2m_sde_gpu", "DPM++ 2M SDE"},
      {"dpmpp_3m_sde", "DPM++ 3M SDE"},
      {"dpmpp_3m_sde_gpu", "DPM++ 3M SDE"},
      {"ddim", "DDIM"},
      {"uni_pc", "UniPC"},
      {"uni_pc_bh2", "UniPC"},
      {"lcm", "LCM"},
  };
  for (const auto& [comfy, a1111] : samplers) {
    const auto names = resolveComfySampler(comfy, "");
    EXPECT_EQ(names.sampler, a1111) << comfy;
    EXPECT_EQ(names.schedule, "") << comfy;
    EXPECT_EQ(resolveSamplerName(names.sampler)->sampler, a1111) << comfy;
  }
  // Ref: ComfyUI comfy/samplers.py SCHEDULER_NAMES
  const std::vector<std::pair<std::string, std::string>> schedulers = {
      {"normal", "Uniform"},          {"karras", "Karras"}, {"exponential", "Exponential"},
      {"sgm_uniform", "SGM Uniform"}, {"simple", "Simple"},
  };
  for (const auto& [comfy, canonical] : schedulers) {
    const auto names = resolveComfySampler("dpmpp_2m", comfy);
    EXPECT_EQ(names.sampler, "DPM++ 2M");
    EXPECT_EQ(resolveScheduleName(names.schedule), canonical) << comfy;
    const auto selection = resolveSamplerSelection(names.sampler, names.schedule);
    EXPECT_EQ(selection.schedule, canonical) << comfy;
  }
  EXPECT_EQ(resolveComfySampler("euler", "normal").schedule, "Normal");  // A1111's own label
  // Known to A1111, not run here: A1111 labels; unknown: unchanged.
  EXPECT_EQ(resolveComfySampler("dpm_fast", "ddim_uniform").sampler, "DPM fast");
  EXPECT_EQ(resolveComfySampler("dpm_fast", "ddim_uniform").schedule, "DDIM");
  EXPECT_EQ(resolveComfySampler("beta", "beta").schedule, "Beta");
  EXPECT_EQ(resolveComfySampler("kl_optimal", "kl_optimal").schedule, "KL Optimal");
  EXPECT_EQ(resolveComfySampler("euler_karras", "mystery").sampler, "euler_karras");
  EXPECT_EQ(resolveComfySampler("some_new_sampler", "mystery").schedule, "mystery");
  EXPECT_EQ(resolveComfySampler("", "").sampler, "");
}

TEST(SamplerNames, InvokeAiSchedulers) {
  EXPECT_EQ(resolveInvokeAiScheduler("dpmpp_2m_k").sampler, "DPM++ 2M");
  EXPECT_EQ(resolveInvokeAiScheduler("dpmpp_2m_k").schedule, "Karras");
  EXPECT_EQ(resolveInvokeAiScheduler("euler_a").sampler, "Euler a");
  EXPECT_EQ(resolveInvokeAiScheduler("euler_a").schedule, "");
  EXPECT_EQ(resolveInvokeAiScheduler("pndm").sampler, "PLMS");
  EXPECT_EQ(resolveInvokeAiScheduler("kdpm_2_a").sampler, "DPM2 a");
  EXPECT_EQ(resolveInvokeAiScheduler("mystery_k").sampler, "mystery_k");
  EXPECT_EQ(resolveInvokeAiScheduler("mystery_k").schedule, "");
  for (const char* name : {"ddim", "lms", "pndm", "heun", "euler", "euler_a", "kdpm_2", "kdpm_2_a",
                           "dpmpp_2m", "dpmpp_2m_sde", "dpmpp_sde", "unipc", "lcm"}) {
    EXPECT_TRUE(resolveSamplerName(resolveInvokeAiScheduler(name).sampler).has_value()) << name;
  }
}

/// Sampler + schedule -> A1111 infotext -> metadata import -> resolved names.
SamplerSelection throughImport(const std::string& sampler, const std::string& schedule) {
  Infotext info;
  info.prompt = "a lighthouse";
  info.set("Steps", "20");
  info.set("Sampler", sampler);
  if (!schedule.empty()) info.set("Schedule type", schedule);
  info.set("Seed", "1");
  const auto imported = importGenerationMetadata({{"parameters", formatInfotext(info)}});
  if (!imported) throw std::runtime_error("nothing imported");
  return resolveSamplerSelection(imported->get("Sampler").value_or(""),
                                 imported->get("Schedule type").value_or(kAutomaticSchedule));
}

TEST(SamplerNames, RoundTripThroughInfotextAndImport) {
  for (const auto& sampler : samplerCatalog()) {
    for (const auto& schedule : scheduleTypes()) {
      SCOPED_TRACE(sampler.name + " / " + schedule);
      // As Lienzo writes it: separate fields ("Automatic" is not written).
      const auto separate = throughImport(sampler.name, schedule == "Automatic" ? "" : schedule);
      EXPECT_EQ(separate.sampler, sampler.name);
      EXPECT_EQ(separate.schedule, schedule);
      // As older A1111 wrote it: one combined name.
      if (schedule == "Automatic") continue;
      const auto combined = throughImport(sampler.name + " " + schedule, "");
      EXPECT_EQ(combined.sampler, sampler.name);
      EXPECT_EQ(combined.schedule, schedule);
    }
  }
}

}  // namespace
}  // namespace lienzo
