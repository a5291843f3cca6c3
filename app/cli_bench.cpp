#include "app/cli_bench.h"

#include "app/cli_args.h"
#include "app/cli_bench_dit.h"
#include "app/cli_bench_lora.h"
#include "app/cli_bench_preview.h"
#include "app/cli_bench_vae_tiling.h"
#include "app/cli_common.h"
#include "core/io/safetensors.h"
#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/text/clip_text_model.h"
#include "core/text/openclip_text_model.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <sys/resource.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>

namespace lienzo::cli {

/// Fills every parameter with N(0, 0.02) (random weights keep the arithmetic realistic; the
/// uninitialised storage could hold NaNs or denormals that distort timings). Convolution weights
/// on the CPU are laid out channels_last, as loadModuleWeights() stores them; on a GPU too when
/// `channelsLast` (the cuDNN NHWC path, measured with `--channels-last`).
void randomizeWeights(torch::nn::Module& module, c10::ScalarType dtype, c10::Device device,
                      bool channelsLast) {
  at::NoGradGuard guard;
  for (auto& p : module.parameters()) {
    at::Tensor value = at::randn(p.sizes()).mul_(0.02).to(device, dtype);
    if (value.dim() == 4 && (device.is_cpu() || channelsLast))
      value = value.contiguous(at::MemoryFormat::ChannelsLast);
    p.set_data(value);
  }
}

double peakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // KiB on Linux
}

namespace {

using Clock = std::chrono::steady_clock;

double currentRssMiB() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1048576.0);
}

double bytesOf(torch::nn::Module& module) {
  double b = 0;
  for (const auto& p : module.parameters()) b += p.numel() * p.element_size();
  return b;
}

/// Median seconds of `runs` timed calls after one warm-up.
double medianSeconds(int runs, const std::function<void()>& fn, const c10::Device& device) {
  fn();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    fn();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

Arch archByName(const std::string& name) {
  if (name == "sd15" || name == "sd1") return {UNetConfig::sd15(), false, false};
  if (name == "sd21" || name == "sd2") return {UNetConfig::sd21(), false, true};
  if (name == "sdxl") return {UNetConfig::sdxlBase(), true, true};
  throw UsageError("unknown --arch '" + name + "' (valid: sd15, sd21, sdxl, sd35m, sd35l, flux)");
}

ClipTextConfig clipL() {
  return ClipTextConfig{};
}  // ViT-L/14: 768 wide, 12 layers, 12 heads

OpenClipTextConfig openClipFor(bool sdxl) {
  OpenClipTextConfig c;  // ViT-H/14 (SD2): 1024 wide, 24 layers, 16 heads
  if (sdxl) {            // ViT-bigG/14: 1280 wide, 32 layers, 20 heads
    c.width = 1280;
    c.layers = 32;
    c.heads = 20;
    c.mlpWidth = 5120;
    c.embedDim = 1280;
  }
  return c;
}

namespace {

/// Writes an SD1.5-shaped single-file checkpoint with random F16 weights (for load benchmarks).
int writeCheckpoint(const std::string& path) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  auto add = [&](torch::nn::Module& m, const std::string& prefix) {
    randomizeWeights(m, at::kHalf, c10::kCPU);
    for (const auto& p : m.named_parameters()) tensors.emplace_back(prefix + p.key(), p.value());
  };
  UNet unet(UNetConfig::sd15());
  add(*unet, "model.diffusion_model.");
  AutoencoderKL vae(VaeConfig{});
  add(*vae, "first_stage_model.");
  ClipTextModel clip(clipL());
  add(*clip, "cond_stage_model.transformer.text_model.");
  writeSafetensors(path, tensors, {{"format", "pt"}, {"lienzo.bench", "random sd15"}});
  std::cout << "wrote " << path << " (" << tensors.size() << " tensors)\n";
  return 0;
}

/// Loads an SD1.5-shaped checkpoint into the three networks and reports time and memory.
int loadCheckpoint(const std::string& path, c10::ScalarType dtype) {
  const double before = currentRssMiB();
  const auto start = Clock::now();
  const auto file = SafetensorsFile::open(path);
  UNet unet(UNetConfig::fromWeights(file, "model.diffusion_model."));
  AutoencoderKL vae(VaeConfig::fromWeights(file, "first_stage_model."));
  ClipTextModel clip(ClipTextConfig::fromWeights(file, "cond_stage_model.transformer.text_model."));
  double weights = 0;
  const std::pair<torch::nn::Module*, const char*> parts[] = {
      {unet.get(), "model.diffusion_model."},
      {vae.get(), "first_stage_model."},
      {clip.get(), "cond_stage_model.transformer.text_model."}};
  for (const auto& [module, prefix] : parts)
    weights += loadModuleWeights(*module, file, prefix, dtype).bytesLoaded;
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "load %s as %s: %.2f s, weights %.0f MiB, RSS %.0f MiB (peak %.0f MiB, %.2fx weights)\n",
      path.c_str(), c10::toString(dtype), secs, weights / 1048576.0, currentRssMiB() - before,
      peakRssMiB(), (peakRssMiB() - before) / (weights / 1048576.0));
  return 0;
}

void printUsage() {
  std::cerr
      << "usage: lienzo bench [--arch sd15|sd21|sdxl] [--width W] [--height H]\n"
         "         [--dtype f32|bf16|f16] [--device cpu|cuda] [--threads N] [--runs N]\n"
         "         [--parts text,unet,vae] [--channels-last]  (GPU: NHWC U-Net)\n"
         "       lienzo bench --arch sd35m|sd35l|flux [--quant bf16|q8_0|q4_0] [--size WxH]\n"
         "         [--text-len N] [--runs N] [--checkpoint FILE.gguf]  (one transformer step,\n"
         "         random weights at the real shapes, GGUF with packed linear weights)\n"
         "       lienzo bench --write-checkpoint FILE    (random SD1.5-shaped, F16)\n"
         "       lienzo bench --load-checkpoint FILE [--dtype ...]\n"
         "       lienzo bench --vae-tiling error|decode|encode [--vae FILE [--vae-prefix P]]\n"
         "         [--width W] [--height H] [--dtype ...] [--threads N]\n"
         "         [--variants T/O/B,...] (error)  [--tiled] [--tile T] [--overlap O]\n"
         "         [--blend B] (decode/encode: one pass, peak RSS; fresh process each)\n"
         "       lienzo bench --lora RANK [--arch sd15|sd21|sdxl] [--dtype ...] [--threads N]\n"
         "         (merge a rank-RANK LoRA into random full-size weights; switch; remove)\n"
         "       lienzo bench --preview-overhead [--width W] [--height H] [--runs N]\n"
         "         [--taesd FILE] [--parts unet,preview,vae] [--model FILE [--steps N]]\n"
         "         (step previews next to an SD1.5 u-net step; with --model: end to end)\n";
}

}  // namespace

int runBench(int argc, char** argv) {
  try {
    const Args args(argc, argv,
                    {"arch",
                     "width",
                     "height",
                     "dtype",
                     "device",
                     "threads",
                     "runs",
                     "parts",
                     "write-checkpoint",
                     "load-checkpoint",
                     "vae-tiling",
                     "vae",
                     "vae-prefix",
                     "variants",
                     "tile",
                     "overlap",
                     "blend",
                     "lora",
                     "taesd",
                     "model",
                     "steps",
                     "quant",
                     "size",
                     "text-len",
                     "checkpoint"},
                    {"help", "channels-last", "tiled", "preview-overhead"});
    if (args.has("help")) {
      printUsage();
      return 0;
    }
    applyThreads(args.getInt("threads"));
    const ComputeDType cdt = parseDType(args.get("dtype", "f32"));
    const c10::ScalarType dtype = cdt == ComputeDType::BF16  ? at::kBFloat16
                                  : cdt == ComputeDType::F16 ? at::kHalf
                                                             : at::kFloat;
    c10::InferenceMode inference;
    if (auto out = args.get("write-checkpoint")) return writeCheckpoint(*out);
    if (auto in = args.get("load-checkpoint")) return loadCheckpoint(*in, dtype);
    if (args.has("vae-tiling")) return runVaeTilingBench(args, dtype);
    if (args.has("lora")) return runLoraBench(args, dtype);
    if (args.has("preview-overhead")) return runPreviewBench(args, dtype);
    if (isDitBenchArch(args.get("arch", ""))) return runDitBench(args);

    const Arch arch = archByName(args.get("arch", "sd15"));
    const int64_t defaultSize = arch.sdxl ? 1024 : (args.get("arch", "sd15") == "sd21" ? 768 : 512);
    const int64_t width = args.getInt("width").value_or(defaultSize);
    const int64_t height = args.getInt("height").value_or(defaultSize);
    const int runs = static_cast<int>(args.getInt("runs").value_or(3));
    const std::string parts = args.get("parts", "text,unet,vae");
    const c10::Device device(args.get("device", "cpu"));
    const int64_t h = height / 8, w = width / 8;

    std::printf("lienzo bench: %s %lldx%lld %s on %s, %d threads, median of %d runs\n",
                args.get("arch", "sd15").c_str(), static_cast<long long>(width),
                static_cast<long long>(height), c10::toString(dtype), device.str().c_str(),
                at::get_num_threads(), runs);
    auto sync = [&] {
      if (device.is_cuda()) at::empty({1}, at::TensorOptions().device(device)).cpu();
    };

    if (parts.find("text") != std::string::npos) {
      const auto ids = at::randint(0, 49407, {2, 77}, at::kLong);  // cond + uncond
      if (!arch.openClip || arch.sdxl) {
        ClipTextModel clip(clipL());
        randomizeWeights(*clip, dtype, device);
        const double t = medianSeconds(
            runs,
            [&] {
              clip->forward(ids);
              sync();
            },
            device);
        std::printf("  text encoder (CLIP-L, cond+uncond):   %8.3f s\n", t);
      }
      if (arch.openClip) {
        OpenClipTextModel oc(openClipFor(arch.sdxl));
        randomizeWeights(*oc, dtype, device);
        const double t = medianSeconds(
            runs,
            [&] {
              oc->forward(ids);
              sync();
            },
            device);
        std::printf("  text encoder (OpenCLIP, cond+uncond): %8.3f s\n", t);
      }
    }
    const at::Tensor context = at::randn({2, 77, arch.unet.contextDim}).to(device, dtype);
    if (parts.find("unet") != std::string::npos) {
      UNet unet(arch.unet);
      // The U-Net keeps an NHWC input NHWC throughout (always so on the CPU).
      const bool nhwc = args.has("channels-last");
      randomizeWeights(*unet, dtype, device, nhwc);
      const double weights = bytesOf(*unet) / 1048576.0;
      auto x = at::randn({2, arch.unet.inChannels, h, w}).to(device, dtype);
      if (nhwc) x = x.contiguous(at::MemoryFormat::ChannelsLast);
      const auto t = at::full({2}, 500.0f, at::TensorOptions().device(device));
      at::Tensor y;
      if (arch.unet.admInChannels > 0)
        y = at::randn({2, arch.unet.admInChannels}).to(device, dtype);
      const double secs = medianSeconds(
          runs,
          [&] {
            unet->forward(x, t, context, y);
            sync();
          },
          device);
      std::printf("  u-net CFG step (batch 2):             %8.3f s  (%.2f it/s)\n", secs,
                  1.0 / secs);
      std::printf("  u-net weights %.0f MiB, peak RSS %.0f MiB (%.2fx weights)\n", weights,
                  peakRssMiB(), peakRssMiB() / weights);
    }
    if (parts.find("vae") != std::string::npos) {
      AutoencoderKL vae(VaeConfig{});
      randomizeWeights(*vae, dtype, device);
      const auto z = at::randn({1, 4, h, w}).to(device, dtype);
      const double secs = medianSeconds(
          runs,
          [&] {
            vae->decode(z);
            sync();
          },
          device);
      std::printf("  VAE decode (1 image):                 %8.3f s\n", secs);
    }
    std::printf("  peak RSS %.0f MiB\n", peakRssMiB());
    return 0;
  } catch (const UsageError& e) {
    std::cerr << "lienzo bench: " << e.what() << "\n";
    printUsage();
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lienzo bench: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace lienzo::cli
