// A linear layer whose weight is either a dense tensor (exactly Linear of layers.h) or GGUF
// blocks kept packed (Q8_0, Q4_0, K-quants, ...) and expanded at every call: the one linear of
// the diffusion transformers (Flux, MMDiT), so that a quantized GGUF model stays quantized in
// memory and only one layer's weight exists in the compute dtype at a time.
//
// Contract
// - Construction registers the same uninitialised float32 parameters as Linear (`weight`
//   [out, in], `bias` [out] unless disabled), so loadModuleWeights() fills a dense layer and the
//   module paths equal checkpoint keys; forward() is then at::linear(x, weight, bias), bit for
//   bit what Linear computes.
// - setPacked() (the GGUF loader, core/model/gguf_module_loading.h, calls it) keeps a
//   GgufPackedTensor (a shared reference to the file's read-only mapping, no copy on the CPU; on
//   another device the packed bytes are copied there once) and replaces `weight` with an empty
//   placeholder [0] in the compute dtype on the compute device, so dtype()/device() of a model
//   still read it. forward() then dequantizes the weight into a temporary [out, in] in that dtype
//   (GgufPackedTensor::dequantize: the CPU kernels of gguf_quants.h over at::parallel_for, or
//   torch operations on a GPU), calls at::linear and frees the temporary when it returns.
//   Dequantize-once-then-dense and packed give the same weight bits, hence the same outputs.
// - Do not move a packed layer with Module::to(): load it on the device it will run on.
// - Failure: setPacked() throws std::invalid_argument naming the tensor when its shape is not
//   [out, in], the dtype is not floating or the type has no kernel (the GGUF loader reports that
//   one earlier as GgufError(Unsupported) with the file name).
// - Thread-safety: forward() only reads the module (each call allocates its own temporary), so
//   concurrent calls on one loaded instance are safe; setPacked() is for loading only.
#pragma once

#include "core/model/layers.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>

namespace lienzo {

class GgufPackedTensor;

class PackedLinearImpl : public torch::nn::Module {
 public:
  explicit PackedLinearImpl(const LinearOptions& options);
  /// [..., in] -> [..., out] in the compute dtype.
  at::Tensor forward(const at::Tensor& x);

  /// Keeps `packed` as the weight (see the contract); `dtype`/`device` are the compute ones.
  void setPacked(const GgufPackedTensor& packed, c10::ScalarType dtype, c10::Device device);
  bool isPacked() const { return m_packed != nullptr; }
  /// The packed weight, or null for a dense layer.
  const GgufPackedTensor* packed() const { return m_packed.get(); }
  /// The weight in the compute dtype: `weight` itself when dense, a new dequantized tensor when
  /// packed.
  at::Tensor denseWeight() const;

  LinearOptions options;
  at::Tensor weight;  ///< [out, in]; a [0] placeholder in the compute dtype when packed
  at::Tensor bias;    ///< undefined when options.bias is false

 private:
  std::shared_ptr<const GgufPackedTensor> m_packed;
};
TORCH_MODULE(PackedLinear);

}  // namespace lienzo
