#include "core/adapters/adapter_merge.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

namespace lienzo {

std::vector<std::string> AdapterReport::notices() const {
  std::vector<std::string> out;
  for (const auto& f : files) {
    if (f.unapplied.empty()) continue;
    // Group the modules by reason, in order of first appearance.
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (const auto& u : f.unapplied) {
      auto it = std::find_if(groups.begin(), groups.end(),
                             [&](const auto& g) { return g.first == u.reason; });
      if (it == groups.end()) {
        groups.push_back({u.reason, {}});
        it = groups.end() - 1;
      }
      it->second.push_back(u.module);
    }
    std::ostringstream s;
    s << "LoRA '" << f.name << "': applied " << f.applied << " of " << f.modules
      << " modules; not applied";
    for (size_t g = 0; g < groups.size(); ++g) {
      s << (g ? "; " : " ") << "(" << groups[g].first << "): ";
      for (size_t i = 0; i < groups[g].second.size(); ++i)
        s << (i ? ", " : "") << groups[g].second[i];
    }
    out.push_back(s.str());
  }
  return out;
}

std::string adapterSignature(const std::vector<AdapterApplication>& adapters) {
  std::ostringstream s;
  s.precision(17);
  for (const auto& a : adapters) {
    std::error_code ec;
    const auto& path = a.file->path();
    const auto size = std::filesystem::file_size(path, ec);
    const auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
    s << path.string() << '|' << size << '|' << mtime << '|' << a.textStrength << '|'
      << a.unetStrength << '\n';
  }
  return s.str();
}

AdapterReport applyAdapters(WeightPatcher& patcher,
                            const std::vector<AdapterApplication>& adapters) {
  AdapterReport report;
  const std::string signature = adapterSignature(adapters);
  if (signature == patcher.signature() || (adapters.empty() && patcher.patchedCount() == 0)) {
    report.cached = true;
    report.patchedWeights = patcher.patchedCount();
    return report;  // the caller repeats patcher.signatureNotices()
  }
  patcher.restoreAll();
  if (adapters.empty()) return report;

  c10::InferenceMode notInference(false);
  at::NoGradGuard noGrad;
  const AdapterKeyIndex index(patcher.keys(), patcher.family());
  std::map<std::string, at::Tensor> work;  // checkpoint key → merged float32 weight
  try {
    for (const auto& a : adapters) {
      AdapterFileReport fileReport;
      fileReport.name = a.file->name();
      std::string why;
      const bool fits = a.file->fits(patcher.family(), &why);
      for (const AdapterModule& m : a.file->modules()) {
        ++fileReport.modules;
        const auto skip = [&](std::string reason) {
          fileReport.unapplied.push_back({m.module, std::move(reason)});
        };
        if (!fits) {
          skip(why);
          continue;
        }
        if (m.type == AdapterType::Unknown) {
          std::string roles;
          for (const auto& [role, key] : m.keys) roles += (roles.empty() ? "" : " ") + role;
          skip("unknown adapter type: " + roles);
          continue;
        }
        std::string whyNot;
        const auto target = index.resolve(m.module, &whyNot);
        if (!target) {
          skip(whyNot);
          continue;
        }
        const double multiplier =
            target->part == AdapterPart::TextEncoder ? a.textStrength : a.unetStrength;
        if (multiplier == 0.0) {
          ++fileReport.applied;  // applied at strength 0: the weight stays as it is
          continue;
        }
        // The weight so far (the base itself on first use: merge() never writes its input); stored
        // only when the merge succeeded, so a refused module leaves nothing behind.
        const auto it = work.find(target->checkpointKey);
        at::Tensor weight = it != work.end() ? it->second : patcher.base(target->checkpointKey);
        try {
          if (target->rowBlock >= 0) {
            if (it == work.end()) weight = weight.to(at::kFloat, false, /*copy=*/true);
            const int64_t rows = weight.size(0) / 3;
            at::Tensor block = weight.narrow(0, target->rowBlock * rows, rows);
            const at::Tensor merged = a.file->merge(m, block, multiplier);
            weight.narrow(0, target->rowBlock * rows, rows).copy_(merged);
          } else {
            weight = a.file->merge(m, weight, multiplier);
          }
        } catch (const AdapterError& e) {
          skip(e.what());
          continue;
        }
        work[target->checkpointKey] = weight;
        ++fileReport.applied;
      }
      report.files.push_back(std::move(fileReport));
    }
    for (const auto& [key, weight] : work) patcher.set(key, weight);
  } catch (...) {
    patcher.restoreAll();
    throw;
  }
  report.patchedWeights = patcher.patchedCount();
  patcher.setSignature(signature, report.notices());
  return report;
}

}  // namespace lienzo
