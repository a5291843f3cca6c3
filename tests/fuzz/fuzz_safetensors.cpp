// libFuzzer target: the safetensors header validator and tensor views (core/io/safetensors.h).
// Input: a whole .safetensors image (8-byte length, JSON header, data), parsed from memory.
// Properties: open either throws SafetensorsError or yields tensors whose bytes lie inside the
// image (ASan checks every byte read); a parsed file survives serialize -> parse with the same
// names, shapes and bytes.
#include <ATen/ATen.h>

#include <cstring>

#include "core/io/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

using namespace lienzo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SafetensorsLimits limits;
  limits.maxHeaderBytes = 1u << 20;  // keep single inputs cheap; the checks are the same
  limits.maxTensors = 4096;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto file = SafetensorsFile::fromBytes(bytes, "fuzz", limits);
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& name : file.names()) {
      const StTensorInfo& info = file.info(name);
      LIENZO_FUZZ_CHECK(info.end >= info.begin && info.end <= size);
      const at::Tensor view = file.view(name);
      LIENZO_FUZZ_CHECK(view.numel() == info.numel());
      // Float8 is handed out decoded to float32 (4 bytes per stored byte).
      const uint64_t viewBytes = info.nbytes() * (stDTypeIsFloat8(info.dtype) ? 4 : 1);
      LIENZO_FUZZ_CHECK(static_cast<uint64_t>(view.nbytes()) == viewBytes);
      // Touch every byte of the view: ASan reports any read outside the image.
      const auto* p = static_cast<const uint8_t*>(view.data_ptr());
      uint8_t acc = 0;
      for (uint64_t i = 0; i < info.nbytes(); ++i) acc ^= p[i];
      (void)acc;
      if (info.numel() <= 4096) {
        const at::Tensor f = file.load(name, at::kFloat);
        LIENZO_FUZZ_CHECK(f.scalar_type() == at::kFloat && f.numel() == info.numel());
      }
      tensors.emplace_back(name, view);
    }
    // Round trip through the writer.
    const std::string again = serializeSafetensors(tensors, file.metadata());
    const auto reread = SafetensorsFile::fromBytes(again, "fuzz-again");
    LIENZO_FUZZ_CHECK(reread.names() == file.names());
    LIENZO_FUZZ_CHECK(reread.metadata() == file.metadata());
    for (const auto& [name, tensor] : tensors) {
      const at::Tensor back = reread.view(name);
      LIENZO_FUZZ_CHECK(back.sizes() == tensor.sizes());
      LIENZO_FUZZ_CHECK(back.scalar_type() == tensor.scalar_type());
      if (tensor.nbytes() > 0)
        LIENZO_FUZZ_CHECK(std::memcmp(back.data_ptr(), tensor.data_ptr(), tensor.nbytes()) == 0);
    }
  } catch (const SafetensorsError&) {
  }
  return 0;
}
