// A GenerationBackend double for the UI tests: deterministic images, a configurable delay per
// step, cancellation as the core's contract says, and failures on request. No model, no torch.
// Like the core, an inpainting request's result keeps the init picture's pixels outside the mask.
// Like the core, it reports a notice for each `<lora:name:…>` tag whose file is in none of
// params.folders.loras (it applies nothing).
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "ui/generationbackend.h"
#include "ui/jobqueue.h"

namespace lienzo::ui::testing {

class FakeBackend : public GenerationBackend {
 public:
  std::atomic<int> stepDelayMs{2};
  std::atomic<int> generateCalls{0};
  /// A prompt containing this text fails with GenerationError(InvalidParams, failMessage).
  std::string failMarker = "[fail]";
  std::string failMessage = "fake core failure: the prompt asked for it";

  std::vector<SamplerChoice> samplers() const override;
  std::vector<std::string> scheduleTypes() const override;
  std::vector<std::string> devices() const override;
  GenerationResult generate(const std::string& model, const GenerationParams& params,
                            GenerationObserver* observer, const CancelToken* cancel) override;
  std::vector<double> alphasCumprod(const std::string& model, const LoadOptions& options) override;
  RgbImage forwardProcess(const std::string& model, const LoadOptions& options,
                          const RgbImage& image, int t, int64_t seed) override;

  /// The final image the fake makes for `seed` at `width`×`height`.
  static RgbImage finalImage(int64_t seed, int width, int height);

  /// A copy of the params the last generate() call received (edit pictures included).
  GenerationParams lastParams() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_last;
  }

 private:
  mutable std::mutex m_mutex;
  GenerationParams m_last;
};

/// A 64×64, seed-100 request for FakeBackend's model (/models/fake-model.safetensors).
inline JobRequest fakeJobRequest(const std::string& prompt, int steps, int batch,
                                 const QString& gallery) {
  JobRequest r;
  r.params.prompt = prompt;
  r.params.steps = steps;
  r.params.batchSize = batch;
  r.params.width = 64;
  r.params.height = 64;
  r.params.seed = 100;
  r.modelPath = QStringLiteral("/models/fake-model.safetensors");
  r.modelName = QStringLiteral("fake-model");
  r.galleryDir = gallery;
  return r;
}

}  // namespace lienzo::ui::testing
