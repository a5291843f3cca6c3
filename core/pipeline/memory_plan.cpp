// Memory plan of a big model (memory_plan.h).
#include "core/pipeline/memory_plan.h"

#include "core/io/gguf.h"
#include "core/io/safetensors.h"
#include "core/pipeline/pipeline.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace lienzo {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

/// The largest total of one phase on one side (Always parts in every phase).
uint64_t peak(const std::vector<PlannedPart>& parts, bool onDevice) {
  uint64_t always = 0;
  uint64_t phases[4] = {0, 0, 0, 0};
  for (const auto& p : parts) {
    if (p.onDevice != onDevice) continue;
    if (p.phase == MemoryPhase::Always)
      always += p.bytes;
    else
      phases[static_cast<int>(p.phase)] += p.bytes;
  }
  return always + *std::max_element(std::begin(phases), std::end(phases));
}

/// A number from a cgroup v2 file ("max" → nullopt).
std::optional<uint64_t> readCgroupNumber(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return std::nullopt;
  try {
    return std::stoull(word);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool isFloatType(StDType t) {
  return t == StDType::F64 || t == StDType::F32 || t == StDType::F16 || t == StDType::BF16 ||
         stDTypeIsFloat8(t);
}

}  // namespace

void MemoryPlan::add(std::string name, uint64_t bytes, MemoryPhase phase, bool onDevice) {
  parts.push_back({std::move(name), bytes, phase, onDevice});
}

uint64_t MemoryPlan::hostPeak() const {
  return peak(parts, false);
}

uint64_t MemoryPlan::devicePeak() const {
  return peak(parts, true);
}

std::string MemoryPlan::describe(bool onDevice) const {
  std::string out;
  for (const auto& p : parts) {
    if (p.onDevice != onDevice || p.bytes == 0) continue;
    out += (out.empty() ? "" : ", ") + p.name + " " + formatBytes(p.bytes);
    if (p.phase == MemoryPhase::Encoding) out += " (released before denoising)";
  }
  return out;
}

uint64_t loadedWeightBytes(const SafetensorsFile& file, const std::string& prefix,
                           std::size_t elementSize) {
  uint64_t total = 0;
  for (const auto& name : file.names()) {
    if (!startsWith(name, prefix)) continue;
    const StTensorInfo& info = file.info(name);
    total +=
        isFloatType(info.dtype) ? static_cast<uint64_t>(info.numel()) * elementSize : info.nbytes();
  }
  return total;
}

uint64_t loadedWeightBytes(const GgufFile& file, const std::string& prefix,
                           std::size_t elementSize) {
  uint64_t total = 0;
  uint64_t largestTemporary = 0;
  for (const auto& name : file.names()) {
    if (!startsWith(name, prefix)) continue;
    const GgufTensorInfo& info = file.info(name);
    const uint64_t dense = static_cast<uint64_t>(info.numel()) * elementSize;
    const bool plain =
        info.type == GgmlType::F32 || info.type == GgmlType::F16 || info.type == GgmlType::BF16;
    if (plain) {
      total += dense;
    } else {
      total += info.nbytes;  // stays packed
      largestTemporary = std::max(largestTemporary, dense);
    }
  }
  return total + largestTemporary;
}

uint64_t transformerStepBytes(int64_t batch, int64_t tokens, int64_t width, int64_t heads,
                              std::size_t elementSize) {
  const uint64_t b = static_cast<uint64_t>(std::max<int64_t>(batch, 1));
  const uint64_t n = static_cast<uint64_t>(std::max<int64_t>(tokens, 1));
  const uint64_t w = static_cast<uint64_t>(std::max<int64_t>(width, 1));
  const uint64_t h = static_cast<uint64_t>(std::max<int64_t>(heads, 1));
  // Residual stream, normed input, q/k/v, attention output and the 4× MLP hidden (and its GELU)
  // of both streams: about 16 token-width rows per token alive at the widest point.
  const uint64_t rows = 16 * b * n * w * elementSize;
  // One head's scores at a time in float32 when the kernel chunks, all heads otherwise: count
  // the unchunked matrix so that the estimate never undershoots.
  const uint64_t scores = b * h * n * n * 4;
  return rows + scores + (256ull << 20);  // + libtorch's and oneDNN's scratch
}

std::optional<uint64_t> availableHostMemory() {
  std::optional<uint64_t> available;
  {
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    uint64_t kib = 0;
    while (in >> key >> kib >> unit) {
      if (key == "MemAvailable:") {
        available = kib * 1024;
        break;
      }
    }
  }
  // Under a cgroup v2 memory limit (a container), the headroom left below it.
  const auto limit = readCgroupNumber("/sys/fs/cgroup/memory.max");
  const auto used = readCgroupNumber("/sys/fs/cgroup/memory.current");
  if (limit && used) {
    const uint64_t headroom = *limit > *used ? *limit - *used : 0;
    available = available ? std::min(*available, headroom) : headroom;
  }
  return available;
}

void checkMemoryPlan(const MemoryPlan& plan, std::optional<uint64_t> availableHost,
                     std::optional<uint64_t> availableDevice) {
  auto refuse = [&](bool onDevice, uint64_t need, uint64_t have) {
    std::string msg = plan.model + " needs about " + formatBytes(need) + " of " +
                      (onDevice ? "accelerator memory" : "RAM") + " (" + plan.describe(onDevice) +
                      ") but " + formatBytes(have) +
                      " is available; nothing was loaded. A quantized GGUF transformer (Q8_0 "
                      "halves a bf16 one, Q4_0 quarters it), an fp8 T5, a smaller picture or "
                      "closing other programs would make it fit";
    if (onDevice) msg += "; the text encoders can also stay on the CPU";
    throw GenerationError(GenerationError::Code::OutOfMemory, msg);
  };
  if (availableHost && plan.hostPeak() > *availableHost)
    refuse(false, plan.hostPeak(), *availableHost);
  if (availableDevice && plan.devicePeak() > *availableDevice)
    refuse(true, plan.devicePeak(), *availableDevice);
}

std::string formatBytes(uint64_t n) {
  char buf[32];
  if (n >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", n / double(1ull << 30));
  else if (n >= (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", n / double(1ull << 20));
  else if (n >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
  else
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace lienzo
