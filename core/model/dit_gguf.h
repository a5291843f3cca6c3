// Flux and SD3 / SD3.5 MMDiT transformers built from GGUF files (ComfyUI-GGUF,
// stable-diffusion.cpp), their linear weights kept packed and dequantized layer by layer at run
// time (core/model/packed_linear.h, docs/gguf.md).
//
// Names: the original state-dict names (Flux: BFL `double_blocks.N...`, MMDiT:
// `joint_blocks.N...`), bare (ComfyUI-GGUF diffusion-model files) or under `model.diffusion_model.`
// (sd.cpp full checkpoints): GgufFile::modelPrefix() says which. `comfy.gguf.orig_shape.*` is
// honoured by the reader. The architecture comes from `general.architecture` (flux, sd3) or,
// without it, from the tensor names (GgufFile::family()). The configuration is read from the shapes
// with exactly the rules of the safetensors path (FluxConfig::fromShapes, MmditConfig::fromShapes).
//
// Contract
// - loadFluxGguf / loadMmditGguf: build the model and fill it with loadGgufModuleWeights()
//   (gguf_module_loading.h) in `dtype` on `device`; KeepPacked (default) keeps block-quantized
//   linear weights packed in the file's mapping, Dequantize expands everything once. Dense-only
//   files (F32/F16/BF16) give the same model as the safetensors loaders.
// - Failure: std::invalid_argument naming the file when it holds another architecture or the
//   shapes are inconsistent; std::runtime_error naming the key for a missing tensor or a shape
//   mismatch; GgufError for a type without a kernel. Nothing is cached; thread-safe.
#pragma once

#include "core/io/checkpoint_family.h"
#include "core/model/flux.h"
#include "core/model/gguf_module_loading.h"
#include "core/model/mmdit.h"

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class GgufWeights;

/// ModelFamily::Flux or ModelFamily::SD3 for a GGUF transformer file, Unknown otherwise (from
/// general.architecture, else the tensor names).
ModelFamily ggufDitFamily(const GgufWeights& weights);

/// The configuration from the file's shapes (prefix = modelPrefix()). Throws std::invalid_argument.
FluxConfig fluxConfigFromGguf(const GgufWeights& weights,
                              const std::optional<std::vector<int64_t>>& axesDim = std::nullopt);
MmditConfig mmditConfigFromGguf(const GgufWeights& weights);

Flux loadFluxGguf(const GgufWeights& weights, c10::ScalarType dtype,
                  c10::Device device = c10::Device(c10::kCPU),
                  GgufWeightMode mode = GgufWeightMode::KeepPacked,
                  const std::optional<std::vector<int64_t>>& axesDim = std::nullopt,
                  GgufLoadReport* report = nullptr);
Mmdit loadMmditGguf(const GgufWeights& weights, c10::ScalarType dtype,
                    c10::Device device = c10::Device(c10::kCPU),
                    GgufWeightMode mode = GgufWeightMode::KeepPacked,
                    GgufLoadReport* report = nullptr);

/// ggufPackedResidentBytes() for the file's transformer (prefix = modelPrefix()): the weight
/// bytes a packed model in `dtype` keeps resident, for the memory check before loading.
uint64_t ggufDitResidentBytes(const GgufWeights& weights, c10::ScalarType dtype);

}  // namespace lienzo
