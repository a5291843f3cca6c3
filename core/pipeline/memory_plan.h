// Memory plan of a big model (SD3 / SD3.5, Flux): what each part will hold once loaded, in which
// phase of a generation, on which side (host RAM or the accelerator), estimated from the file
// headers alone — so that a model that cannot fit is refused BEFORE any weight is read, with the
// estimate in the message, instead of the machine swapping or the process being killed halfway.
//
// A part is either resident for the whole generation (the transformer when it stays loaded) or
// only during one phase (text encoders loaded, used and released before the transformer runs:
// issue 24's memory plan). The peak of a side is the largest phase total on that side.
//
// Estimates: weights = elements × the compute element size (float8 / F16 files upcast to BF16 or
// F32 on load), or the packed bytes for GGUF tensors that stay packed (dequantized per layer, see
// docs/gguf.md) plus the largest dequantized temporary; activations of a transformer step from
// its token count and width (transformerStepBytes). They are deliberately on the high side by a
// few percent: a refusal that was not needed costs a retry with another setting; a missed one
// costs the user's session.
//
// Ref: next-wave.md §7.5 (sizes: Flux 23.8 GB bf16 / 12.1 GB Q8_0 / 6.4 GB Q4_0, T5-XXL 9.5 GB
// bf16); sd.cpp and ComfyUI offload the text encoders the same way (T5 on the CPU).
//
// Contract: values and pure functions; availableHostMemory() reads /proc (any thread). Failure:
// checkMemoryPlan() throws GenerationError(OutOfMemory) naming the model, the estimate per part
// and what is available; nothing else throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;
class GgufFile;

/// When a part holds its memory.
enum class MemoryPhase {
  Always,     ///< loaded for the whole generation
  Encoding,   ///< text encoders: loaded, used, released before denoising
  Denoising,  ///< the diffusion model's step activations
  Decoding,   ///< the VAE decode
};

struct PlannedPart {
  std::string name;  ///< "transformer", "T5-XXL", "step activations", ...
  uint64_t bytes = 0;
  MemoryPhase phase = MemoryPhase::Always;
  bool onDevice = false;  ///< held on the accelerator rather than in host RAM
};

struct MemoryPlan {
  std::string model;  ///< for the message (file name)
  std::vector<PlannedPart> parts;

  void add(std::string name, uint64_t bytes, MemoryPhase phase, bool onDevice = false);
  /// The largest total of one phase (Always parts counted in every phase) on that side.
  uint64_t hostPeak() const;
  uint64_t devicePeak() const;
  /// "transformer 11.9 GiB, T5-XXL 9.5 GiB (released before denoising), ...".
  std::string describe(bool onDevice) const;
};

/// Bytes the tensors named `prefix`* of `file` will take once loaded with `elementSize`-byte
/// elements (F8 and F16 files upcast to the compute dtype; integer tensors keep their size).
/// An empty prefix takes every tensor.
uint64_t loadedWeightBytes(const SafetensorsFile& file, const std::string& prefix,
                           std::size_t elementSize);
/// The same for a GGUF file whose quantized tensors stay packed (their stored bytes) and whose
/// F32 / F16 / BF16 tensors are loaded with `elementSize`-byte elements; plus the largest
/// dequantized temporary (one layer's weight in the compute dtype).
uint64_t loadedWeightBytes(const GgufFile& file, const std::string& prefix,
                           std::size_t elementSize);

/// Working memory of one transformer (MMDiT / Flux) step: `batch` rows of `tokens` tokens of
/// `width` channels (the widest live set: the 4× MLP, q/k/v and the residual stream) plus the
/// attention scores of `heads` heads in chunks no larger than the full tokens² matrix.
uint64_t transformerStepBytes(int64_t batch, int64_t tokens, int64_t width, int64_t heads,
                              std::size_t elementSize);

/// MemAvailable (bytes), lowered to the cgroup v2 limit's headroom when the process runs under
/// one (containers); nullopt when neither can be read.
std::optional<uint64_t> availableHostMemory();

/// Throws GenerationError(OutOfMemory) when the plan's host peak exceeds `availableHost` (or its
/// device peak `availableDevice`; an unknown amount is not checked). The message names the
/// model, the estimate and its parts, what is available, and what would make it fit (a GGUF
/// quantization, the encoders on the CPU, a smaller picture).
void checkMemoryPlan(const MemoryPlan& plan, std::optional<uint64_t> availableHost,
                     std::optional<uint64_t> availableDevice = std::nullopt);

/// "11.9 GiB" / "640 MiB".
std::string formatBytes(uint64_t bytes);

}  // namespace lienzo
