// The one seam between the Qt glue and the compute core (DESIGN.md §1–2).
//
// The controller, the worker and the forward-process view only ever talk to a GenerationBackend.
// The real implementation (pipelinebackend.h) calls lienzo::loadModelBundle / lienzo::generate;
// tests substitute a double. Nothing here includes torch or model headers.
//
// Contract
// - Threads: every method may be called from any thread, and concurrently (the generation worker
//   and the forward-process pool use the same backend). Implementations synchronise themselves.
// - Failure: methods throw lienzo::GenerationError with a user-readable message (bad model path,
//   bad parameters, missing core support); callers catch at the job boundary and show it inline.
// - Models are named by path (single-file checkpoint or a supported folder). Implementations may
//   cache the loaded model; the cache is theirs to manage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/pipeline/pipeline.h"

namespace lienzo::ui {

/// A sampler offered by the core: its canonical A1111 name. Other spellings (aliases, legacy
/// names) are resolved through core/sampling/sampler_names.h before they are matched to it.
struct SamplerChoice {
  std::string name;
};

class GenerationBackend {
 public:
  virtual ~GenerationBackend() = default;

  /// Samplers in UI order (A1111 names), from the core's registry.
  virtual std::vector<SamplerChoice> samplers() const = 0;
  /// Schedule type names in UI order ("Automatic" first).
  virtual std::vector<std::string> scheduleTypes() const = 0;
  /// Compute devices the core can use ("cpu" first).
  virtual std::vector<std::string> devices() const = 0;

  /// What `model` is and the settings it wants, without loading its weights
  /// (lienzo::describeModelFile by default).
  virtual ModelDescription describeModel(const std::string& model) {
    return describeModelFile(model);
  }

  /// Loads (or reuses) `model` and runs one txt2img request on the calling thread; the observer
  /// is called from that thread. See lienzo::generate for the cancel and failure contract.
  virtual GenerationResult generate(const std::string& model, const GenerationParams& params,
                                    GenerationObserver* observer, const CancelToken* cancel) = 0;

  /// The model's training noise schedule: ᾱ_t for t = 0 … T−1 (decreasing from ~1).
  virtual std::vector<double> alphasCumprod(const std::string& model,
                                            const LoadOptions& options) = 0;

  /// Forward (noising) process: encodes `image` with the model's VAE to x_0, forms
  /// x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε with ε drawn from `seed`, and returns x_t decoded by the VAE.
  virtual RgbImage forwardProcess(const std::string& model, const LoadOptions& options,
                                  const RgbImage& image, int t, int64_t seed) = 0;
};

/// The backend the studio uses: the real pipeline (PipelineBackend).
std::shared_ptr<GenerationBackend> makeDefaultBackend();

}  // namespace lienzo::ui
