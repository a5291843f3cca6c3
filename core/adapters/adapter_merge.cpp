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
  if (adapters.empty()) {
    patcher.restoreAll();
    return report;
  }

  c10::InferenceMode notInference(false);
  at::NoGradGuard noGrad;
  const AdapterKeyIndex index(patcher.keys(), patcher.family());

  // Plan: each module resolved (or reported), grouped by the weight it changes, in order.
  struct Step {
    const AdapterFile* file;
    const AdapterModule* module;
    double multiplier;
    int rowBlock;
    size_t fileIndex;
  };
  std::map<std::string, std::vector<Step>> plan;
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
      plan[target->checkpointKey].push_back(
          Step{a.file.get(), &m, multiplier, target->rowBlock, report.files.size()});
    }
    report.files.push_back(std::move(fileReport));
  }

  // Merge, weight by weight: W' accumulates in float32 from the base. A weight that is patched
  // already lends its buffer; weights stored in another dtype (bfloat16, float16) merge in one
  // float32 scratch and are converted into their own patched buffer — so switching strengths
  // allocates nothing.
  int64_t scratchNumel = 0;
  for (const auto& [key, steps] : plan)
    if (patcher.base(key).scalar_type() != at::kFloat)
      scratchNumel = std::max(scratchNumel, patcher.base(key).numel());
  at::Tensor scratch;
  try {
    for (const auto& key : patcher.patchedKeys())
      if (!plan.count(key)) patcher.restore(key);
    for (const auto& [key, steps] : plan) {
      const at::Tensor& base = patcher.base(key);
      const at::Tensor& current = patcher.current(key);
      const bool patched = patcher.isPatched(key);
      // (Not for inference tensors: modules built under InferenceMode may not be written here.)
      const bool writable = patched && !current.is_inference();
      const bool reuse = writable && current.scalar_type() == at::kFloat && current.is_contiguous();
      const auto floatOptions =
          base.options().dtype(at::kFloat).memory_format(at::MemoryFormat::Contiguous);
      at::Tensor acc;
      if (reuse) {
        acc = current;
      } else if (base.scalar_type() != at::kFloat) {
        if (!scratch.defined()) scratch = at::empty({scratchNumel}, floatOptions);
        acc = scratch.narrow(0, 0, base.numel()).view(base.sizes());
      } else {
        acc = at::empty(base.sizes(), floatOptions);
      }
      acc.copy_(base);
      bool any = false;
      for (const Step& step : steps) {
        AdapterFileReport& fileReport = report.files[step.fileIndex];
        try {
          at::Tensor target = acc;
          if (step.rowBlock >= 0) {
            const int64_t rows = acc.size(0) / 3;
            target = acc.narrow(0, step.rowBlock * rows, rows);
          }
          step.file->mergeInto(*step.module, target, step.multiplier);
        } catch (const AdapterError& e) {
          fileReport.unapplied.push_back({step.module->module, e.what()});
          continue;
        }
        ++fileReport.applied;
        any = true;
      }
      if (!any) {
        patcher.restore(key);
      } else if (reuse) {
        // The module already computes with `acc`.
      } else if (writable && current.scalar_type() == base.scalar_type() &&
                 current.sizes() == base.sizes()) {
        current.copy_(acc);  // e.g. a bfloat16 model: converted into its own buffer
      } else {
        patcher.set(key, acc);
      }
    }
  } catch (...) {
    patcher.restoreAll();
    throw;
  }
  report.patchedWeights = patcher.patchedCount();
  patcher.setSignature(signature, report.notices());
  return report;
}

}  // namespace lienzo
