// libFuzzer target: ComfyUI extra_model_paths.yaml (core/library/extra_model_paths.h).
// Input: the YAML text. Properties: parseExtraModelPaths returns or throws ExtraModelPathsError
// (with a line inside the text); every resolved path is absolute (yamlDir is absolute).
#include "core/library/extra_model_paths.h"
#include "tests/fuzz/fuzz_support.h"

#include <algorithm>

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& section : parseExtraModelPaths(text, "/comfy", "extra_model_paths.yaml"))
      for (const auto& [key, paths] : section.paths)
        for (const auto& p : paths) LIENZO_FUZZ_CHECK(p.is_absolute());
  } catch (const ExtraModelPathsError& e) {
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    LIENZO_FUZZ_CHECK(e.line() <= lines);
  }
  return 0;
}
