// Filling a torch module from a GGUF file (core/io/gguf_weights.h), the GGUF counterpart of
// loadModuleWeights() (layers.h): linear weights stored quantized stay packed in PackedLinear
// layers (core/model/packed_linear.h), every other tensor is loaded dense.
//
// Contract
// - loadGgufModuleWeights(): every parameter and buffer of `module` must exist as
//   `prefix + <module path>` in the file with exactly its torch shape (comfy.gguf.orig_shape
//   honoured); tensors the module does not use are ignored. With GgufWeightMode::KeepPacked, the
//   `weight` of each PackedLinear whose tensor is block-quantized (Q8_0, Q4_0, K-quants, ...) is
//   kept packed (setPacked: the packed bytes stay in the file's read-only mapping on the CPU);
//   F32/F16/BF16 tensors and all other tensors are converted to `dtype` on `device` (zero-copy
//   views of the mapping when nothing changes on the CPU; 4-D weights channels_last on the CPU,
//   as loadModuleWeights). With GgufWeightMode::Dequantize everything is dense (quantized
//   tensors dequantized once at load): the reference the packed path is tested against.
// - Failure: std::runtime_error naming the file and the key for a missing tensor or a shape
//   mismatch; GgufError(Unsupported) naming the tensor and type for a type without a kernel
//   (packed or dense). The module may be partly filled after a failure: discard it.
// - Thread-safety: loading mutates `module`: no concurrent forward(). The GgufWeights may be
//   destroyed afterwards (packed layers share the mapping).
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace lienzo {

class GgufWeights;

enum class GgufWeightMode {
  KeepPacked,  ///< quantized linear weights stay packed, expanded per call
  Dequantize,  ///< every weight dense in the compute dtype
};

struct GgufLoadReport {
  std::size_t packedLayers = 0;       ///< PackedLinear weights kept packed
  std::size_t denseTensors = 0;       ///< tensors loaded dense (incl. dequantized ones)
  uint64_t packedBytes = 0;           ///< packed bytes the layers keep (mapped, not copied, on CPU)
  uint64_t denseBytes = 0;            ///< bytes of the dense tensors in their loaded dtype
  int64_t largestPackedElements = 0;  ///< the biggest per-call temporary, in elements
};

GgufLoadReport loadGgufModuleWeights(torch::nn::Module& module, const GgufWeights& weights,
                                     const std::string& prefix, c10::ScalarType dtype,
                                     c10::Device device = c10::Device(c10::kCPU),
                                     GgufWeightMode mode = GgufWeightMode::KeepPacked);

/// The memory a model loaded from `weights` with KeepPacked needs for its weights, without
/// building it: every block-quantized 2-D tensor under `prefix` at its packed size (the linear
/// weights of Flux / MMDiT, which stay packed), every other tensor at its size in `dtype`
/// (integer tensors as stored), plus the largest packed weight expanded to `dtype` (the one
/// temporary a layer call holds). Activations are not included. For the memory check made before
/// loading. Never throws for a validated file.
uint64_t ggufPackedResidentBytes(const GgufWeights& weights, const std::string& prefix,
                                 c10::ScalarType dtype);

}  // namespace lienzo
