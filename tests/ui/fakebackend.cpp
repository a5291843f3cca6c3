#include "fakebackend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <thread>

#include "core/adapters/prompt_networks.h"
#include "core/io/infotext.h"
#include "core/pipeline/params_infotext.h"

namespace lienzo::ui::testing {

namespace {
RgbImage gradient(int width, int height, int64_t seed, double level) {
  RgbImage img;
  img.width = width;
  img.height = height;
  img.pixels.resize(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &img.pixels[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = static_cast<uint8_t>((x * 255 / std::max(1, width - 1) + seed * 37) % 256 * level);
      p[1] = static_cast<uint8_t>((y * 255 / std::max(1, height - 1) + seed * 11) % 256 * level);
      p[2] = static_cast<uint8_t>(((x + y) * 4 + seed) % 256 * level);
    }
  }
  return img;
}
}  // namespace

std::vector<SamplerChoice> FakeBackend::samplers() const {
  return {{"Euler a"}, {"Euler"}, {"DPM++ 2M"}, {"DDIM"}};
}

std::vector<std::string> FakeBackend::scheduleTypes() const {
  return {"Automatic", "Uniform", "Karras", "Exponential"};
}

std::vector<std::string> FakeBackend::devices() const {
  return {"cpu"};
}

RgbImage FakeBackend::finalImage(int64_t seed, int width, int height) {
  return gradient(width, height, seed, 1.0);
}

GenerationResult FakeBackend::generate(const std::string& model, const GenerationParams& params,
                                       GenerationObserver* observer, const CancelToken* cancel) {
  ++generateCalls;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_last = params;
  }
  if (params.prompt.find(failMarker) != std::string::npos) {
    throw GenerationError(GenerationError::Code::InvalidParams, failMessage);
  }
  if (params.steps < 1 || params.width % 8 != 0 || params.height % 8 != 0) {
    throw GenerationError(GenerationError::Code::InvalidParams, "fake: bad steps or size");
  }
  GenerationResult result;
  // As the core: a `<lora:name:…>` whose file is in none of params.folders.loras (searched
  // recursively) is a notice.
  for (const LoraTag& tag : extractPromptNetworks(params.prompt).loras) {
    bool found = false;
    for (const auto& folder : params.folders.loras) {
      std::error_code ec;
      for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !found && it != end;
           it.increment(ec)) {
        found = it->path().filename() == tag.name + ".safetensors";
      }
    }
    if (!found)
      result.notices.push_back("LoRA \"" + tag.name + "\" not found; generating without it.");
  }
  const int64_t base = params.seed < 0 ? 4242 : params.seed;
  ModelDescription description;
  description.name = std::filesystem::path(model).stem().string();
  for (int i = 0; i < params.batchSize; ++i) {
    if (observer) observer->onStage(i, Stage::Sampling);
    // With the hires fix a second pass follows, its steps counted from 0 again (as the core).
    const int hiresSteps =
        params.hires.enabled() ? (params.hires.steps > 0 ? params.hires.steps : params.steps) : 0;
    for (int step = 0; step < params.steps + hiresSteps; ++step) {
      if (cancel && cancel->mode() == CancelMode::StopNow) {
        result.cancelled = true;
        return result;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(stepDelayMs.load()));
      const bool hires = step >= params.steps;
      const int passStep = hires ? step - params.steps : step;
      const int passSteps = hires ? hiresSteps : params.steps;
      StepProgress progress;
      progress.imageIndex = i;
      progress.step = passStep;
      progress.totalSteps = passSteps;
      progress.sigma = 14.6 * (1.0 - static_cast<double>(passStep + 1) / passSteps);
      if (params.previews) {
        progress.preview = gradient(params.width / 8, params.height / 8, base + i,
                                    static_cast<double>(passStep + 1) / passSteps);
      }
      if (observer) observer->onStep(progress);
    }
    GeneratedImage image;
    image.seed = base + i;
    image.params = params;
    image.params.seed = image.seed;
    image.params.batchSize = 1;
    image.image = finalImage(image.seed, params.width, params.height);
    // As the core: pixels the mask does not reach keep the input's bytes (same size, no
    // outpainting; enough for the studio's tests and screenshots).
    const EditParams& e = params.edit;
    if (e.active() && !e.mask.empty() && !e.outpainting() && e.initImage.width == params.width &&
        e.initImage.height == params.height) {
      for (size_t px = 0; px < e.mask.pixels.size(); ++px) {
        const bool repaint = (e.mask.pixels[px] > 127) != e.invertMask;
        if (!repaint) {
          for (int ch = 0; ch < 3; ++ch)
            image.image.pixels[px * 3 + ch] = e.initImage.pixels[px * 3 + ch];
        }
      }
    }
    image.infotext = formatInfotext(toInfotext(image.params, &description));
    if (observer) observer->onImage(image);
    result.images.push_back(image);
    if (cancel && cancel->mode() != CancelMode::None) {
      result.cancelled = i + 1 < params.batchSize;
      break;
    }
  }
  return result;
}

std::vector<double> FakeBackend::alphasCumprod(const std::string&, const LoadOptions&) {
  // SD's "scaled linear" betas: linspace(sqrt(0.00085), sqrt(0.012), 1000)^2.
  std::vector<double> out;
  double prod = 1.0;
  for (int t = 0; t < 1000; ++t) {
    const double s = std::sqrt(0.00085) + (std::sqrt(0.012) - std::sqrt(0.00085)) * t / 999.0;
    prod *= 1.0 - s * s;
    out.push_back(prod);
  }
  return out;
}

RgbImage FakeBackend::forwardProcess(const std::string& model, const LoadOptions& options,
                                     const RgbImage& image, int t, int64_t seed) {
  // Pixel-space stand-in for the VAE round trip: enough to test the view's plumbing.
  const double a = alphasCumprod(model, options).at(static_cast<size_t>(t));
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::normal_distribution<double> noise(0.0, 1.0);
  RgbImage out = image;
  for (uint8_t& v : out.pixels) {
    const double x = v / 127.5 - 1.0;
    const double xt = std::sqrt(a) * x + std::sqrt(1.0 - a) * noise(rng);
    v = static_cast<uint8_t>(std::clamp((xt + 1.0) * 127.5, 0.0, 255.0));
  }
  return out;
}

}  // namespace lienzo::ui::testing
