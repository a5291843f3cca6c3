#include "app/cli_bench_dit.h"

#include "app/cli_args.h"
#include "app/cli_bench.h"
#include "core/io/gguf_quants.h"
#include "core/io/gguf_weights.h"
#include "core/io/gguf_writer.h"
#include "core/model/dit_gguf.h"
#include "core/model/flux_packing.h"
#include "core/pipeline/memory_plan.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace lienzo::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

struct DitArch {
  bool flux = false;
  FluxConfig fluxConfig;
  MmditConfig mmditConfig;
  std::string label;
};

// Real shapes. Ref: flux/util.py configs["flux-dev"]; sd3.5 sd3_impls.py BaseModel on the
// released sd3.5_medium / sd3.5_large files (depth 24 / 38, 64-wide heads, pos_embed 384 / 192,
// adm 2048, context 4096, RMS q/k norm, Medium's attn2 in layers 0-12).
DitArch ditArch(const std::string& name) {
  DitArch a;
  if (name == "flux") {
    a.flux = true;
    a.fluxConfig = FluxConfig::dev();
    a.label = "Flux.1 dev";
    return a;
  }
  MmditConfig& c = a.mmditConfig;
  c.qkNorm = true;
  c.admInChannels = 2048;
  c.contextInChannels = 4096;
  if (name == "sd35m") {
    c.depth = 24;
    c.posEmbedMaxSize = 384;
    for (int64_t n = 0; n <= 12; ++n) c.selfAttn2Layers.push_back(n);
    a.label = "SD3.5 Medium";
  } else {
    c.depth = 38;
    c.posEmbedMaxSize = 192;
    a.label = "SD3.5 Large";
  }
  c.heads = c.depth;
  c.hiddenSize = 64 * c.depth;
  c.mlpHidden = 4 * c.hiddenSize;
  c.validate();
  return a;
}

std::shared_ptr<torch::nn::Module> buildModel(const DitArch& a) {
  // Uninitialised float32 storage that is never touched: only the names and shapes are read.
  if (a.flux) return Flux(a.fluxConfig).ptr();
  return Mmdit(a.mmditConfig).ptr();
}

struct PlannedTensor {
  std::string name;
  std::vector<int64_t> shape;
  GgmlType type;
};

/// Linear weights (2-D `.weight`, rows of whole blocks) in `quant`, the rest BF16.
std::vector<PlannedTensor> planTensors(torch::nn::Module& model, GgmlType quant) {
  std::vector<PlannedTensor> out;
  auto add = [&](const std::string& name, const at::Tensor& t) {
    GgmlType type = GgmlType::BF16;
    const bool weight = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0;
    if (weight && t.dim() == 2 && t.size(1) % ggmlTypeInfo(quant).blockLength == 0) type = quant;
    out.push_back({name, t.sizes().vec(), type});
  };
  for (const auto& p : model.named_parameters(true)) add(p.key(), p.value());
  for (const auto& b : model.named_buffers(true)) add(b.key(), b.value());
  return out;
}

uint64_t numelOf(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (const int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

/// Random values with the standard deviation 0.02 of randomizeWeights (uniform: cheap, and the
/// distribution does not change the timing), packed as `type`, over at::parallel_for.
std::string randomPacked(GgmlType type, uint64_t numel, uint64_t seed) {
  const GgmlTypeInfo& info = ggmlTypeInfo(type);
  std::string out(*ggmlByteSize(type, numel), '\0');
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  const int64_t blocks = static_cast<int64_t>(numel / info.blockLength);
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / info.blockLength);
  at::parallel_for(0, blocks, grain, [&](int64_t begin, int64_t end) {
    const uint64_t count = static_cast<uint64_t>(end - begin) * info.blockLength;
    std::vector<float> values(count);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(begin) + 1;
    const float scale = 0.02f * 1.7320508f / 2147483648.0f;  // uniform(-a, a), a = 0.02·√3
    for (auto& v : values) {
      s ^= s >> 12, s ^= s << 25, s ^= s >> 27;  // xorshift64*
      v = static_cast<float>(static_cast<int32_t>((s * 0x2545F4914F6CDD1Dull) >> 32)) * scale;
    }
    quantizeGgml(type, values.data(), count, dst + begin * info.blockBytes);
  });
  return out;
}

void writeRandomGguf(const fs::path& path, const std::vector<PlannedTensor>& plan, bool flux) {
  std::vector<GgufTensorToWrite> tensors;
  uint64_t seed = 1;
  for (const auto& p : plan) {
    GgufTensorToWrite t;
    t.name = p.name;
    t.type = p.type;
    t.shape = p.shape;
    const uint64_t numel = numelOf(p.shape), s = seed++;
    t.produce = [type = p.type, numel, s] { return randomPacked(type, numel, s); };
    tensors.push_back(std::move(t));
  }
  writeGguf(path, tensors,
            {{"general.architecture", ggufString(flux ? "flux" : "sd3")},
             {"general.name", ggufString("lienzo bench random weights")}});
}

/// A field of /proc/self/status in GiB (kB values), 0 when absent.
double procGiB(const char* file, const std::string& field) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, field.size() + 1, field + ":") == 0)
      return std::stod(line.substr(field.size() + 1)) * 1024.0 / kGiB;
  return 0.0;
}

/// Activations of one step, roughly: a few copies of the widest token tensors (linear1 / MLP
/// outputs) in the compute dtype plus the attention's bounded score blocks and 0.5 GiB of slack.
double activationGiB(const DitArch& a, int64_t tokens, int64_t batch) {
  const double width = a.flux ? 3.0 * a.fluxConfig.hidden + a.fluxConfig.mlpHidden
                              : 3.0 * a.mmditConfig.hiddenSize + a.mmditConfig.mlpHidden;
  return (6.0 * batch * tokens * width * 2.0) / kGiB + 0.5;
}

}  // namespace

bool isDitBenchArch(const std::string& arch) {
  return arch == "flux" || arch == "sd35m" || arch == "sd35l";
}

int runDitBench(const Args& args) {
  const std::string archName = args.get("arch", "");
  const DitArch arch = ditArch(archName);
  const std::string quantName = args.get("quant", "bf16");
  GgmlType quant;
  if (quantName == "bf16")
    quant = GgmlType::BF16;
  else if (quantName == "q8_0")
    quant = GgmlType::Q8_0;
  else if (quantName == "q4_0")
    quant = GgmlType::Q4_0;
  else
    throw UsageError("unknown --quant '" + quantName + "' (valid: bf16, q8_0, q4_0)");
  int64_t width = args.getInt("width").value_or(256), height = args.getInt("height").value_or(256);
  if (auto size = args.get("size")) {
    const auto x = size->find('x');
    if (x == std::string::npos) throw UsageError("--size must be WxH, got '" + *size + "'");
    width = std::stoll(size->substr(0, x));
    height = std::stoll(size->substr(x + 1));
  }
  if (width <= 0 || height <= 0 || width % 16 != 0 || height % 16 != 0)
    throw UsageError("--size: width and height must be positive multiples of 16");
  const int64_t textLen = args.getInt("text-len").value_or(arch.flux ? 256 : 77);
  const int runs = static_cast<int>(args.getInt("runs").value_or(1));
  if (textLen <= 0 || runs <= 0) throw UsageError("--text-len and --runs must be positive");

  // The plan: every tensor's name, shape and type, hence the file and resident sizes.
  auto shapes = buildModel(arch);
  const auto plan = planTensors(*shapes, quant);
  shapes.reset();
  uint64_t fileBytes = 0, largest = 0, params = 0;
  for (const auto& p : plan) {
    fileBytes += *ggmlByteSize(p.type, numelOf(p.shape));
    params += numelOf(p.shape);
    if (p.type != GgmlType::BF16) largest = std::max<uint64_t>(largest, numelOf(p.shape) * 2);
  }
  // Flux dev: one sample (guidance-distilled, no CFG); SD3.5: cond + uncond in one batch.
  const int64_t batch = arch.flux ? 1 : 2;
  const int64_t imageTokens = (height / 16) * (width / 16);
  const int64_t tokens = imageTokens + (arch.flux ? textLen : 77 + textLen);
  const double weightsGiB = (fileBytes + largest) / kGiB;
  const double needGiB = weightsGiB + activationGiB(arch, tokens, batch);
  const double availableGiB = availableHostMemory().value_or(0) / kGiB;  // memory_plan.h
  std::printf(
      "lienzo bench: %s, %.2f B parameters, linear weights %s, %lldx%lld, text %lld, "
      "batch %lld, %d threads\n",
      arch.label.c_str(), params / 1e9, ggmlTypeName(quant), static_cast<long long>(width),
      static_cast<long long>(height), static_cast<long long>(textLen),
      static_cast<long long>(batch), at::get_num_threads());
  std::fflush(stdout);
  std::printf(
      "  estimate: weights resident %.2f GiB (file %.2f GiB), step total %.2f GiB; "
      "available %.2f GiB\n",
      weightsGiB, fileBytes / kGiB, needGiB, availableGiB);
  std::fflush(stdout);
  if (availableGiB > 0 && needGiB > availableGiB) {
    std::fprintf(stderr,
                 "lienzo bench: %s with %s weights needs about %.1f GiB (weights %.1f GiB + "
                 "activations) but only %.1f GiB is available: refused (try --quant q8_0 or "
                 "q4_0)\n",
                 arch.label.c_str(), ggmlTypeName(quant), needGiB, weightsGiB, availableGiB);
    return 1;
  }

  // The checkpoint: given (kept, reused when it exists) or a temporary one.
  fs::path path;
  bool temporary = false;
  if (auto given = args.get("checkpoint")) {
    path = *given;
  } else {
    path = fs::temp_directory_path() / ("lienzo-bench-" + std::to_string(::getpid()) + "-" +
                                        archName + "-" + quantName + ".gguf");
    temporary = true;
  }
  struct Cleanup {
    fs::path path;
    bool active;
    ~Cleanup() {
      std::error_code ec;
      if (active) fs::remove(path, ec);
    }
  } cleanup{path, temporary};
  if (!fs::exists(path)) {
    const auto space = fs::space(path.has_parent_path() ? path.parent_path() : fs::path("."));
    if (space.available < fileBytes + (uint64_t{1} << 30)) {
      std::fprintf(stderr, "lienzo bench: writing %s needs %.1f GiB but %.1f GiB is free\n",
                   path.string().c_str(), fileBytes / kGiB, space.available / kGiB);
      return 1;
    }
    const auto start = Clock::now();
    writeRandomGguf(path, plan, arch.flux);
    std::printf("  wrote %s (%.2f GiB) in %.1f s\n", path.string().c_str(), fileBytes / kGiB,
                std::chrono::duration<double>(Clock::now() - start).count());
    std::fflush(stdout);
  }

  c10::InferenceMode inference;
  const auto loadStart = Clock::now();
  const auto weights = GgufWeights::open(path);
  GgufLoadReport report;
  std::function<at::Tensor()> step;
  Flux flux{nullptr};
  Mmdit mmdit{nullptr};
  at::manual_seed(0);
  if (arch.flux) {
    flux = loadFluxGguf(weights, at::kBFloat16, c10::kCPU, GgufWeightMode::KeepPacked, std::nullopt,
                        &report);
    const int64_t rows = height / 16, cols = width / 16;
    const at::Tensor img = at::randn({batch, imageTokens, flux->config().inChannels});
    const at::Tensor imgIds = fluxImageIds(batch, rows, cols);
    const at::Tensor txt = at::randn({batch, textLen, flux->config().contextInDim});
    const at::Tensor txtIds = fluxTextIds(batch, textLen);
    const at::Tensor t = at::full({batch}, 0.5f), g = at::full({batch}, 3.5f);
    const at::Tensor y = at::randn({batch, flux->config().vecInDim});
    step = [=]() mutable { return flux->forward(img, imgIds, txt, txtIds, t, y, g); };
  } else {
    mmdit = loadMmditGguf(weights, at::kBFloat16, c10::kCPU, GgufWeightMode::KeepPacked, &report);
    const MmditConfig& c = mmdit->config();
    const at::Tensor x = at::randn({batch, c.inChannels, height / 8, width / 8});
    const at::Tensor t = at::full({batch}, 500.0f);
    const at::Tensor context = at::randn({batch, 77 + textLen, c.contextInChannels});
    const at::Tensor y = at::randn({batch, c.admInChannels});
    step = [=]() mutable { return mmdit->forward(x, t, context, y); };
  }
  std::printf(
      "  loaded in %.1f s: %zu packed layers (%.2f GiB packed), %zu dense tensors "
      "(%.2f GiB)\n",
      std::chrono::duration<double>(Clock::now() - loadStart).count(), report.packedLayers,
      report.packedBytes / kGiB, report.denseTensors, report.denseBytes / kGiB);
  std::fflush(stdout);
  auto usage = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u;
  };
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec * 1e-6; };
  for (int r = 0; r < runs; ++r) {
    const rusage before = usage();
    const auto start = Clock::now();
    const at::Tensor out = step();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    const rusage after = usage();
    // CPU time shows how much of the wall time this process actually ran (the machine may be
    // shared); system time and minor faults show the cost of fresh memory.
    std::printf(
        "  step %d: %.2f s (user %.1f s, system %.1f s, %.2f M minor faults; output "
        "finite %s)\n",
        r + 1, secs, seconds(after.ru_utime) - seconds(before.ru_utime),
        seconds(after.ru_stime) - seconds(before.ru_stime),
        (after.ru_minflt - before.ru_minflt) / 1e6,
        at::isfinite(out).all().item<bool>() ? "yes" : "no");
    std::fflush(stdout);
  }
  std::printf(
      "  peak RSS: VmHWM %.2f GiB, getrusage %.2f GiB (now: anon %.2f GiB, file-backed "
      "%.2f GiB)\n",
      procGiB("/proc/self/status", "VmHWM"), peakRssMiB() / 1024.0,
      procGiB("/proc/self/status", "RssAnon"), procGiB("/proc/self/status", "RssFile"));
  std::fflush(stdout);
  return 0;
}

}  // namespace lienzo::cli
