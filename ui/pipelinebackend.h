// GenerationBackend over the real core pipeline (core/pipeline/pipeline.h).
//
// Contract
// - Keeps the most recently used model bundle (keyed by path, device, precision and the SD3 /
//   Flux parts given) and reuses it across requests; a request for another model replaces it.
//   Loading happens on the calling (worker) thread under a mutex, so concurrent callers wait for
//   one load instead of loading twice. Bundles are immutable and shared, so generation itself runs
//   without the lock.
// - Every failure surfaces as lienzo::GenerationError.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ui/generationbackend.h"

namespace lienzo::ui {

class PipelineBackend : public GenerationBackend {
 public:
  PipelineBackend() = default;

  std::vector<SamplerChoice> samplers() const override;
  std::vector<std::string> scheduleTypes() const override;
  std::vector<std::string> devices() const override;
  GenerationResult generate(const std::string& model, const GenerationParams& params,
                            GenerationObserver* observer, const CancelToken* cancel) override;
  std::vector<double> alphasCumprod(const std::string& model, const LoadOptions& options) override;
  RgbImage forwardProcess(const std::string& model, const LoadOptions& options,
                          const RgbImage& image, int t, int64_t seed) override;

 private:
  std::shared_ptr<const ModelBundle> bundle(const std::string& model, const LoadOptions& options);

  std::mutex m_mutex;
  std::string m_key;
  std::shared_ptr<const ModelBundle> m_bundle;
};

}  // namespace lienzo::ui
