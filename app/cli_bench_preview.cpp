#include "app/cli_bench_preview.h"

#include "app/cli_bench.h"
#include "app/cli_common.h"
#include "core/io/safetensors.h"
#include "core/model/latent_preview.h"
#include "core/model/taesd.h"
#include "core/model/unet.h"
#include "core/model/vae.h"
#include "core/pipeline/pipeline.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

namespace lienzo::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Median seconds of `runs` calls after one warm-up.
double median(int runs, const std::function<void()>& fn) {
  fn();
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    fn();
    t.push_back(secondsSince(start));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

/// A TAESD with random weights (N(0, 1/fan_in) convs, as the fixtures draw them) written to a
/// temporary file, so that the pipeline loads it like a real one.
std::filesystem::path writeRandomTaesd() {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& [name, shape] : taesdWeightShapes(4)) {
    at::Tensor t = at::randn(shape);
    if (shape.size() == 4)
      t.mul_(1.0 / std::sqrt(double(shape[1] * shape[2] * shape[3])));
    else
      t.mul_(0.02);
    tensors.emplace_back(name, t.to(at::kHalf));
  }
  const auto path = std::filesystem::temp_directory_path() / "lienzo-bench-taesd.safetensors";
  writeSafetensors(path, tensors, {{"format", "pt"}, {"lienzo.bench", "random taesd"}});
  return path;
}

/// Sampling seconds (stage Sampling → Decoding) and previews delivered of one request.
class SamplingClock : public GenerationObserver {
 public:
  void onStage(int, Stage stage) override {
    if (stage == Stage::Sampling) m_start = Clock::now();
    if (stage == Stage::Decoding) m_seconds += secondsSince(m_start);
  }
  void onStep(const StepProgress& p) override {
    m_previews += p.preview.empty() ? 0 : 1;
    ++m_steps;
  }
  double seconds() const { return m_seconds; }
  int previews() const { return m_previews; }
  int steps() const { return m_steps; }

 private:
  Clock::time_point m_start = Clock::now();
  double m_seconds = 0.0;
  int m_previews = 0;
  int m_steps = 0;
};

int endToEnd(const Args& args, const std::filesystem::path& taesd, int64_t width, int64_t height) {
  LoadOptions load;
  const auto bundle = loadModelBundle(resolveModel(args.get("model")), load);
  GenerationParams p;
  p.prompt = "a lighthouse on a cliff at dusk";
  p.seed = 1;
  p.width = static_cast<int>(width);
  p.height = static_cast<int>(height);
  p.steps = static_cast<int>(args.getInt("steps").value_or(8));
  p.sampler = "Euler";
  p.preview.taesd = taesd;
  struct Variant {
    const char* name;
    PreviewMethod method;
    double budget;
  };
  const Variant variants[] = {{"linear", PreviewMethod::Linear, 0.05},
                              {"taesd (5 % budget)", PreviewMethod::Taesd, 0.05},
                              {"taesd every step", PreviewMethod::Taesd, 0.0}};
  std::printf("  end to end, %s, %d steps of %s at %lldx%lld:\n",
              resolveModel(args.get("model")).filename().string().c_str(), p.steps,
              p.sampler.c_str(), static_cast<long long>(width), static_cast<long long>(height));
  double linear = 0.0;
  for (const Variant& v : variants) {
    p.preview.method = v.method;
    p.preview.taesdBudget = v.budget;
    SamplingClock clock;
    const GenerationResult r = generate(*bundle, p, &clock);
    for (const auto& notice : r.notices) std::printf("    note: %s\n", notice.c_str());
    if (!r.previewNotice.empty()) std::printf("    note: %s\n", r.previewNotice.c_str());
    if (v.method == PreviewMethod::Linear) linear = clock.seconds();
    std::printf("    %-20s %8.3f s/step  %2d/%d previews  %.3fx linear\n", v.name,
                clock.seconds() / std::max(1, clock.steps()), clock.previews(), clock.steps(),
                linear > 0 ? clock.seconds() / linear : 0.0);
  }
  return 0;
}

}  // namespace

int runPreviewBench(const Args& args, c10::ScalarType dtype) {
  const int64_t width = args.getInt("width").value_or(512);
  const int64_t height = args.getInt("height").value_or(512);
  const int runs = static_cast<int>(args.getInt("runs").value_or(3));
  const std::string parts = args.get("parts", "unet,preview");
  const int64_t h = height / 8, w = width / 8;
  const std::filesystem::path taesd =
      args.has("taesd") ? std::filesystem::path(*args.get("taesd")) : writeRandomTaesd();
  std::printf("lienzo bench --preview-overhead: %lldx%lld %s on cpu, %d threads, median of %d\n",
              static_cast<long long>(width), static_cast<long long>(height), c10::toString(dtype),
              at::get_num_threads(), runs);
  c10::InferenceMode inference;
  const at::Tensor x0 = at::randn({1, 4, h, w});

  double step = 0.0;
  if (parts.find("unet") != std::string::npos) {
    const Arch arch = archByName("sd15");
    UNet unet(arch.unet);
    randomizeWeights(*unet, dtype, c10::kCPU);
    const auto x = at::randn({2, 4, h, w}).to(dtype);
    const auto t = at::full({2}, 500.0f);
    const auto context = at::randn({2, 77, arch.unet.contextDim}).to(dtype);
    step = median(runs, [&] { unet->forward(x, t, context, at::Tensor()); });
    std::printf("  SD1.5 u-net CFG step (batch 2):   %8.3f s\n", step);
  }
  auto share = [&](double s) { return step > 0 ? s / step : 0.0; };
  const double linear = median(runs, [&] { (void)latentPreviewImage(x0, LatentFormat::SD15); });
  std::printf("  linear preview:                   %8.4f s  %.4fx step\n", linear, share(linear));
  const TaesdDecoder decoder = TaesdDecoder::load(SafetensorsFile::open(taesd));
  const double tae = median(runs, [&] { (void)taesdImageU8(decoder.decode(x0)); });
  std::printf("  TAESD preview (%s):        %8.3f s  %.4fx step\n",
              args.has("taesd") ? "file  " : "random", tae, share(tae));
  if (step > 0) {
    const double r = share(tae);
    const int every = std::max(1, static_cast<int>(std::ceil(r / 0.05)));
    std::printf("  TAESD within the 5 %% budget:      every %d step(s), %.4fx step\n", every,
                r / every);
  }
  if (parts.find("vae") != std::string::npos) {
    AutoencoderKL vae(VaeConfig{});
    randomizeWeights(*vae, dtype, c10::kCPU);
    const auto z = x0.to(dtype);
    const double full = median(std::max(1, runs / 3), [&] { vae->decode(z); });
    std::printf("  full VAE preview:                 %8.3f s  %.4fx step\n", full, share(full));
  }
  if (args.has("model")) return endToEnd(args, taesd, width, height);
  return 0;
}

}  // namespace lienzo::cli
