#include "ui/generationbackend.h"

#ifdef LIENZO_UI_WITH_PIPELINE
#include "ui/pipelinebackend.h"
#endif

namespace lienzo::ui {

namespace {

/// Stands in when the studio is built without the core pipeline: the window works, and every
/// request fails with a message that says why.
class UnavailableBackend : public GenerationBackend {
 public:
  std::vector<SamplerChoice> samplers() const override { return {{"Euler a", {}}}; }
  std::vector<std::string> scheduleTypes() const override { return {"Automatic"}; }
  std::vector<std::string> devices() const override { return {"cpu"}; }
  GenerationResult generate(const std::string&, const GenerationParams&, GenerationObserver*,
                            const CancelToken*) override {
    fail();
  }
  std::vector<double> alphasCumprod(const std::string&, const LoadOptions&) override { fail(); }
  RgbImage forwardProcess(const std::string&, const LoadOptions&, const RgbImage&, int,
                          int64_t) override {
    fail();
  }

 private:
  [[noreturn]] static void fail() {
    throw GenerationError(GenerationError::Code::Internal,
                          "This build of Lienzo has no generation pipeline.");
  }
};

}  // namespace

std::shared_ptr<GenerationBackend> makeDefaultBackend() {
#ifdef LIENZO_UI_WITH_PIPELINE
  return std::make_shared<PipelineBackend>();
#else
  return std::make_shared<UnavailableBackend>();
#endif
}

}  // namespace lienzo::ui
