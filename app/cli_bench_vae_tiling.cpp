#include "app/cli_bench_vae_tiling.h"

#include "app/cli_bench.h"
#include "core/io/safetensors.h"
#include "core/model/vae.h"
#include "core/model/vae_tiling.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace lienzo::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

AutoencoderKL makeVae(const Args& args, c10::ScalarType dtype, std::string& name) {
  if (auto path = args.get("vae")) {
    const auto file = SafetensorsFile::open(*path);
    name = *path;
    return loadAutoencoderKL(file, args.get("vae-prefix", "first_stage_model."), dtype);
  }
  name = "SD-1.5-shaped VAE, random N(0, 0.02) weights";
  AutoencoderKL vae(VaeConfig{});
  randomizeWeights(*vae, dtype, c10::kCPU);
  vae->eval();
  return vae;
}

/// [1,C,H,W] in [-1,1]: smooth colour gradients and waves with hard-edged discs and squares.
at::Tensor syntheticPicture(int64_t channels, int64_t height, int64_t width) {
  const auto y = at::linspace(0, 1, height).view({1, 1, height, 1});
  const auto x = at::linspace(0, 1, width).view({1, 1, 1, width});
  std::vector<at::Tensor> planes;
  for (int64_t c = 0; c < channels; ++c) {
    auto p = (x * (0.8 - 0.5 * c) + y * (0.3 * c - 0.4)) + at::sin(x * (9.0 + 4 * c)) * 0.15;
    for (int k = 0; k < 7; ++k) {  // discs: centre and radius vary with k
      const double cx = 0.12 + 0.13 * k, cy = 0.5 + 0.35 * std::sin(1.7 * k), r = 0.05 + 0.02 * k;
      const auto inside = ((x - cx).pow(2) + (y - cy).pow(2) < r * r).to(at::kFloat);
      p = p * (1 - inside) + inside * (((k + c) % 3) - 1.0) * 0.9;
    }
    const auto square = ((x - 0.7).abs() < 0.1).logical_and((y - 0.25).abs() < 0.1).to(at::kFloat);
    p = p * (1 - square) + square * (c == 1 ? 0.8 : -0.6);
    planes.push_back(p);
  }
  return at::cat(planes, 1).clamp(-1.0, 1.0);
}

std::vector<VaeTileOptions> parseVariants(const std::string& text) {
  std::vector<VaeTileOptions> out;
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    VaeTileOptions o;
    char s1 = 0, s2 = 0;
    std::stringstream one(item);
    if (!(one >> o.tileLatent >> s1 >> o.overlapLatent >> s2 >> o.blendLatent) || s1 != '/' ||
        s2 != '/') {
      throw UsageError("--variants: expected tile/overlap/blend[,...], got '" + item + "'");
    }
    try {
      o.validate();
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--variants: ") + e.what());
    }
    out.push_back(o);
  }
  if (out.empty()) throw UsageError("--variants is empty");
  return out;
}

std::string describe(const VaeTileOptions& o) {
  return std::to_string(o.tileLatent) + "/" + std::to_string(o.overlapLatent) + "/" +
         std::to_string(o.blendLatent);
}

/// 8-bit levels of an image in [-1,1], as a PNG writer would store them.
at::Tensor levels(const at::Tensor& img) {
  return ((img.to(at::kFloat).clamp(-1.0, 1.0) + 1.0) * 127.5).round();
}

void printImageError(const char* what, const at::Tensor& a, const at::Tensor& b) {
  const auto d = (a.to(at::kFloat) - b.to(at::kFloat)).abs();
  const auto q = (levels(a) - levels(b)).abs();
  std::printf(
      "    %-22s max %.5f mean %.6f ([-1,1]) = max %.2f mean %.3f levels; 8-bit: max %.0f "
      "mean %.4f, %.2f%% of values differ\n",
      what, d.max().item<double>(), d.mean().item<double>(), d.max().item<double>() * 127.5,
      d.mean().item<double>() * 127.5, q.max().item<double>(), q.mean().item<double>(),
      100.0 * (q > 0).to(at::kFloat).mean().item<double>());
}

int errorMode(const Args& args, AutoencoderKL& vae, int64_t height, int64_t width) {
  const auto variants = parseVariants(args.get("variants", describe(VaeTileOptions{})));
  const VaeConfig& c = vae->config();
  const auto x = syntheticPicture(c.inChannels, height, width);
  auto start = Clock::now();
  const auto moments = vae->encodeMoments(x);
  const auto mean = moments.slice(1, 0, c.embedDim);
  std::printf("  untiled encode %.1f s", secondsSince(start));
  start = Clock::now();
  const auto image = vae->decode(mean);
  std::printf(", decode %.1f s; latent std %.4f, image range [%.3f, %.3f]\n", secondsSince(start),
              mean.to(at::kFloat).std().item<double>(), image.min().item<double>(),
              image.max().item<double>());
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const auto& o = variants[v];
    const auto rows = vaeTileStarts(mean.size(2), o).size();
    const auto cols = vaeTileStarts(mean.size(3), o).size();
    std::printf("  tiles %s (tile/overlap/blend, latent px): %zu x %zu\n", describe(o).c_str(),
                rows, cols);
    start = Clock::now();
    const auto tiledImage = decodeTiled(vae, mean, o);
    const double decodeSecs = secondsSince(start);
    printImageError("decode", tiledImage, image);
    start = Clock::now();
    const auto tiledMean = encodeMomentsTiled(vae, x, o).slice(1, 0, c.embedDim);
    const double encodeSecs = secondsSince(start);
    const auto dm = (tiledMean - mean).abs().to(at::kFloat);
    std::printf("    %-22s max %.5f mean %.6f (latent units; latent std %.4f)\n", "encode mean",
                dm.max().item<double>(), dm.mean().item<double>(),
                mean.to(at::kFloat).std().item<double>());
    // The round trip costs an untiled decode: for the first variant only.
    if (v == 0) printImageError("encode (decoded)", vae->decode(tiledMean), image);
    std::printf("    time: tiled decode %.1f s, tiled encode %.1f s\n", decodeSecs, encodeSecs);
  }
  return 0;
}

int memoryMode(const Args& args, AutoencoderKL& vae, bool decode, int64_t height, int64_t width) {
  const VaeConfig& c = vae->config();
  const int64_t f = c.downscaleFactor();
  const bool tiled = args.has("tiled");
  VaeTileOptions o;
  o.tileLatent = args.getInt("tile").value_or(o.tileLatent);
  o.overlapLatent = args.getInt("overlap").value_or(o.overlapLatent);
  o.blendLatent = args.getInt("blend").value_or(o.blendLatent);
  const at::Tensor input = decode ? at::randn({1, c.embedDim, height / f, width / f})
                                  : syntheticPicture(c.inChannels, height, width);
  const double before = peakRssMiB();
  const auto start = Clock::now();
  const auto out = decode ? (tiled ? decodeTiled(vae, input, o) : vae->decode(input))
                          : (tiled ? encodeMomentsTiled(vae, input, o) : vae->encodeMoments(input));
  const double secs = secondsSince(start);
  const int64_t bytes = at::elementSize(vae->dtype());
  const double estimate = (decode ? estimateVaeDecodeBytes(c, height, width, bytes)
                                  : estimateVaeEncodeBytes(c, height, width, bytes)) /
                          1048576.0;
  std::printf(
      "  %s %s %lldx%lld: %.1f s, peak RSS %.0f MiB (%.0f MiB before: weights + input), "
      "untiled estimate %.0f MiB, output sum %.3f\n",
      tiled ? ("tiled " + describe(o)).c_str() : "untiled", decode ? "decode" : "encode",
      static_cast<long long>(width), static_cast<long long>(height), secs, peakRssMiB(), before,
      estimate, out.sum().item<double>());
  return 0;
}

}  // namespace

int runVaeTilingBench(const Args& args, c10::ScalarType dtype) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows while long passes run
  const std::string mode = args.get("vae-tiling", "error");
  if (mode != "error" && mode != "decode" && mode != "encode") {
    throw UsageError("--vae-tiling: expected error, decode or encode");
  }
  const int64_t width = args.getInt("width").value_or(1024);
  const int64_t height = args.getInt("height").value_or(1024);
  std::string name;
  auto vae = makeVae(args, dtype, name);
  const int64_t f = vae->config().downscaleFactor();
  if (width <= 0 || height <= 0 || width % f != 0 || height % f != 0) {
    throw UsageError("--width and --height must be positive multiples of " + std::to_string(f));
  }
  std::printf("lienzo bench --vae-tiling %s: %s, %lldx%lld %s on the CPU, %d threads\n",
              mode.c_str(), name.c_str(), static_cast<long long>(width),
              static_cast<long long>(height), c10::toString(dtype), at::get_num_threads());
  if (mode == "error") return errorMode(args, vae, height, width);
  return memoryMode(args, vae, mode == "decode", height, width);
}

}  // namespace lienzo::cli
