#include "ui/pipelinebackend.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

#include "core/sampling/sampler_names.h"

namespace lienzo::ui {

namespace {

/// Everything that makes a loaded bundle differ: the model, device, precision and the SD3 / Flux
/// parts given separately (another T5 file is another model).
std::string cacheKey(const std::string& model, const LoadOptions& options) {
  const ModelParts& p = options.parts;
  return model + '\n' + options.device + '\n' + computeDTypeName(options.dtype) + '\n' +
         p.t5.string() + '\n' + p.clipL.string() + '\n' + p.clipG.string() + '\n' + p.vae.string();
}

/// libtorch 1.13 uses half the cores by default (PLATFORM.md pitfall 3), and with OpenMP the
/// setting is per calling thread: set it once on each thread that runs the core.
void useAllCores() {
  thread_local bool done = false;
  if (done) return;
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  done = true;
}

void requireModel(const std::string& model) {
  if (model.empty()) {
    throw GenerationError(GenerationError::Code::ModelLoad,
                          "No model selected. Choose a model or add one with \"Add model…\".");
  }
}

}  // namespace

std::vector<SamplerChoice> PipelineBackend::samplers() const {
  std::vector<SamplerChoice> out;
  for (const SamplerInfo& info : samplerCatalog()) out.push_back({info.name});
  return out;
}

std::vector<std::string> PipelineBackend::scheduleTypes() const {
  return lienzo::scheduleTypes();
}

std::vector<std::string> PipelineBackend::devices() const {
  return availableDevices();
}

std::shared_ptr<const ModelBundle> PipelineBackend::bundle(const std::string& model,
                                                           const LoadOptions& options) {
  requireModel(model);
  useAllCores();
  const std::string key = cacheKey(model, options);
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_bundle || m_key != key) {
    m_bundle.reset();  // free the old model before loading the next one
    m_bundle = loadModelBundle(model, options);
    m_key = key;
  }
  return m_bundle;
}

GenerationResult PipelineBackend::generate(const std::string& model, const GenerationParams& params,
                                           GenerationObserver* observer,
                                           const CancelToken* cancel) {
  LoadOptions options;
  options.dtype = params.dtype;
  options.device = params.device;
  const auto loaded = bundle(model, options);
  return lienzo::generate(*loaded, params, observer, cancel);
}

std::vector<double> PipelineBackend::alphasCumprod(const std::string& model,
                                                   const LoadOptions& options) {
  return lienzo::alphasCumprod(*bundle(model, options));
}

RgbImage PipelineBackend::forwardProcess(const std::string& model, const LoadOptions& options,
                                         const RgbImage& image, int t, int64_t seed) {
  return lienzo::forwardProcess(*bundle(model, options), image, t, seed);
}

}  // namespace lienzo::ui
