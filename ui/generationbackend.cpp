#include "ui/generationbackend.h"

#include "ui/pipelinebackend.h"

namespace lienzo::ui {

std::shared_ptr<GenerationBackend> makeDefaultBackend() {
  return std::make_shared<PipelineBackend>();
}

}  // namespace lienzo::ui
