#include "app/cli_bench_lora.h"

#include "app/cli_bench.h"
#include "core/adapters/adapter_merge.h"
#include "core/adapters/weight_patcher.h"
#include "core/io/safetensors.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>

namespace lienzo::cli {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// kohya networks.lora's default targets (Transformer2DModel linears, CLIP attention and MLP).
bool isDefaultTarget(const std::string& key) {
  static const char* kEndings[] = {
      "attn1.to_q.weight",         "attn1.to_k.weight",       "attn1.to_v.weight",
      "attn1.to_out.0.weight",     "attn2.to_q.weight",       "attn2.to_k.weight",
      "attn2.to_v.weight",         "attn2.to_out.0.weight",   "ff.net.0.proj.weight",
      "ff.net.2.weight",           "proj_in.weight",          "proj_out.weight",
      "self_attn.q_proj.weight",   "self_attn.k_proj.weight", "self_attn.v_proj.weight",
      "self_attn.out_proj.weight", "mlp.fc1.weight",          "mlp.fc2.weight",
      "attn.in_proj_weight",       "attn.out_proj.weight",    "mlp.c_fc.weight",
      "mlp.c_proj.weight"};
  for (const char* e : kEndings)
    if (endsWith(key, e)) return true;
  return false;
}

void registerAll(WeightPatcher& weights, torch::nn::Module& module, const std::string& prefix,
                 AdapterPart part) {
  for (auto& item : module.named_parameters(true))
    weights.add(prefix + item.key(), item.value(), part);
}

}  // namespace

int runLoraBench(const Args& args, c10::ScalarType dtype) {
  const int64_t rank = args.getInt("lora").value_or(32);
  if (rank < 1) throw UsageError("--lora RANK must be at least 1");
  const std::string archName = args.get("arch", "sd15");
  const Arch arch = archByName(archName);
  const c10::Device cpu(c10::kCPU);
  // Built as loadModelBundle builds a model: outside inference mode (normal tensors).
  c10::InferenceMode notInference(false);

  // The model: random full-size weights, registered as a loaded checkpoint's.
  WeightPatcher weights(arch.sdxl       ? AdapterFamily::Sdxl
                        : arch.openClip ? AdapterFamily::Sd2
                                        : AdapterFamily::Sd1);
  UNet unet(arch.unet);
  randomizeWeights(*unet, dtype, cpu);
  registerAll(weights, *unet, "model.diffusion_model.", AdapterPart::DiffusionModel);
  ClipTextModel clip{nullptr};
  OpenClipTextModel openClip{nullptr};
  if (!arch.openClip || arch.sdxl) {
    clip = ClipTextModel(clipL());
    randomizeWeights(*clip, at::kFloat, cpu);  // text encoders run in float32 on the CPU
    registerAll(weights, *clip,
                arch.sdxl ? "conditioner.embedders.0.transformer.text_model."
                          : "cond_stage_model.transformer.text_model.",
                AdapterPart::TextEncoder);
  }
  if (arch.openClip) {
    openClip = OpenClipTextModel(openClipFor(arch.sdxl));
    randomizeWeights(*openClip, at::kFloat, cpu);
    registerAll(weights, *openClip,
                arch.sdxl ? "conditioner.embedders.1.model." : "cond_stage_model.model.",
                AdapterPart::TextEncoder);
  }

  // The LoRA, in module-path names (the bare dialect), F16 as trainers save it.
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  size_t modules = 0;
  for (const auto& key : weights.keys()) {
    if (!isDefaultTarget(key)) continue;
    const at::Tensor& w = weights.base(key);
    const int64_t out = w.size(0), in = w.numel() / w.size(0);
    const std::string module = key.substr(0, key.size() - std::string(".weight").size());
    tensors.emplace_back(module + ".lora_down.weight",
                         at::randn({rank, in}).mul_(0.01).to(at::kHalf));
    tensors.emplace_back(module + ".lora_up.weight",
                         at::randn({out, rank}).mul_(0.01).to(at::kHalf));
    tensors.emplace_back(module + ".alpha", at::scalar_tensor(double(rank) / 2).to(at::kHalf));
    ++modules;
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("lienzo-bench-lora-" + std::to_string(getpid()) + ".safetensors");
  writeSafetensors(path, tensors);
  tensors.clear();
  const double fileMiB = std::filesystem::file_size(path) / 1048576.0;

  std::printf("lienzo bench --lora %lld: %s, weights %s, %d threads; %zu modules, file %.1f MiB\n",
              static_cast<long long>(rank), archName.c_str(), c10::toString(dtype),
              at::get_num_threads(), modules, fileMiB);
  auto lock = weights.lock();
  auto start = Clock::now();
  auto file = std::make_shared<const AdapterFile>(AdapterFile::open(path));
  AdapterReport report = applyAdapters(weights, {{file, 1.0, 1.0}});
  const double apply = secondsSince(start);
  size_t applied = 0;
  for (const auto& f : report.files) applied += f.applied;
  start = Clock::now();
  applyAdapters(weights, {{file, 0.5, 0.5}});
  const double change = secondsSince(start);
  start = Clock::now();
  applyAdapters(weights, {});
  const double remove = secondsSince(start);
  start = Clock::now();
  const std::string hash = file->a1111Hash();
  const double hashing = secondsSince(start);
  std::filesystem::remove(path);
  std::printf("  applied %zu of %zu modules, %zu weights patched\n", applied, modules,
              report.patchedWeights);
  std::printf("  open + merge at strength 1:  %8.3f s\n", apply);
  std::printf("  switch strength to 0.5:      %8.3f s\n", change);
  std::printf("  remove (restore the base):   %8.3f s\n", remove);
  std::printf("  A1111 hash of the file:      %8.3f s  (once per file and session; %s)\n", hashing,
              hash.substr(0, 12).c_str());
  std::printf("  peak RSS: %.0f MiB\n", peakRssMiB());
  return applied == modules ? 0 : 1;
}

}  // namespace lienzo::cli
