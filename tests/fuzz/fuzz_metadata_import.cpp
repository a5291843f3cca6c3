// libFuzzer target: ComfyUI / InvokeAI metadata import (core/io/metadata_import.h).
// Input byte 0 chooses the source: 0 ComfyUI `prompt` graph, 1 InvokeAI `invokeai_metadata`,
// 2 both as chunks of one image (importGenerationMetadata); the rest is the chunk text (JSON).
// Property: never throws (the header promises partial results or std::nullopt), terminates on
// cyclic graphs, and the result formats as infotext or throws only std::invalid_argument.
#include "core/io/infotext.h"
#include "core/io/metadata_import.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<Infotext> info;
  switch (data[0] % 3) {
    case 0:
      info = importComfyUiPrompt(text);
      break;
    case 1:
      info = importInvokeAiMetadata(text);
      break;
    default:
      info = importGenerationMetadata({{"prompt", text}, {"invokeai_metadata", text}});
      break;
  }
  (void)comfyUiSamplerToA1111(text);
  (void)comfyUiSchedulerToA1111(text);
  if (info) {
    try {
      (void)formatInfotext(*info);
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
