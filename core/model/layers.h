// Basic layers shared by every network (text encoders, U-Net, VAE), plus weight loading.
//
// Why not torch::nn::Linear/Conv2d: those initialise their weights randomly at construction
// (seconds for an SD-sized U-Net, then thrown away). These register *uninitialised* parameters
// with the same names (`weight`, `bias`) so a checkpoint fills them, or — when the stored dtype and
// device already match — replaces them with zero-copy views of the memory-mapped file.
//
// Contract: modules are built on the CPU in float32 with uninitialised storage; call
// loadModuleWeights() (or initialise them yourself, e.g. for training) before forward().
// Forward passes are pure functions of their inputs and may run from any one thread at a time.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lienzo {

class SafetensorsFile;

struct LinearOptions {
  LinearOptions(int64_t in, int64_t out) : in(in), out(out) {}
  int64_t in;
  int64_t out;
  bool bias = true;
  LinearOptions& withBias(bool b) {
    bias = b;
    return *this;
  }
};

/// y = x Wᵀ + b; weight [out, in], bias [out].
class LinearImpl : public torch::nn::Module {
 public:
  explicit LinearImpl(const LinearOptions& options);
  at::Tensor forward(const at::Tensor& x);
  LinearOptions options;
  at::Tensor weight;
  at::Tensor bias;  ///< undefined when options.bias is false
};
TORCH_MODULE(Linear);

struct Conv2dOptions {
  Conv2dOptions(int64_t in, int64_t out, int64_t kernel) : in(in), out(out), kernel(kernel) {}
  int64_t in;
  int64_t out;
  int64_t kernel;
  int64_t stride = 1;
  int64_t padding = 0;
  bool bias = true;
  Conv2dOptions& withStride(int64_t s) {
    stride = s;
    return *this;
  }
  Conv2dOptions& withPadding(int64_t p) {
    padding = p;
    return *this;
  }
  Conv2dOptions& withBias(bool b) {
    bias = b;
    return *this;
  }
};

/// 2-D convolution; weight [out, in, k, k], bias [out].
class Conv2dImpl : public torch::nn::Module {
 public:
  explicit Conv2dImpl(const Conv2dOptions& options);
  at::Tensor forward(const at::Tensor& x);
  Conv2dOptions options;
  at::Tensor weight;
  at::Tensor bias;
};
TORCH_MODULE(Conv2d);

struct GroupNormOptions {
  GroupNormOptions(int64_t groups, int64_t channels, double eps = 1e-5)
      : groups(groups), channels(channels), eps(eps) {}
  int64_t groups;
  int64_t channels;
  double eps;
};

/// GroupNorm with affine weight/bias [C]. Computes in float32 when the input is a half type
/// (libtorch 1.13 CPU half group norm is slow or missing) and returns the input dtype and layout;
/// float32/bfloat16 CPU inputs use the fused kernel of cpu_kernels.h.
/// `groups == 0` means no normalisation: the identity, with no parameters (tiny built-in VAEs).
class GroupNormImpl : public torch::nn::Module {
 public:
  explicit GroupNormImpl(const GroupNormOptions& options);
  at::Tensor forward(const at::Tensor& x);
  GroupNormOptions options;
  at::Tensor weight;
  at::Tensor bias;
};
TORCH_MODULE(GroupNorm);

struct LayerNormOptions {
  explicit LayerNormOptions(int64_t dim, double eps = 1e-5) : dim(dim), eps(eps) {}
  int64_t dim;
  double eps;
};

/// LayerNorm over the last dimension with weight/bias [dim]; float32 internally like GroupNorm.
class LayerNormImpl : public torch::nn::Module {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  at::Tensor forward(const at::Tensor& x);
  LayerNormOptions options;
  at::Tensor weight;
  at::Tensor bias;
};
TORCH_MODULE(LayerNorm);

/// Registers an uninitialised float32 CPU parameter (what the layers above use).
at::Tensor registerEmptyParameter(torch::nn::Module& module, const std::string& name,
                                  at::IntArrayRef shape);

struct LoadReport {
  std::size_t tensorsLoaded = 0;
  std::size_t bytesLoaded = 0;  ///< bytes in the compute dtype
  std::size_t zeroCopy = 0;     ///< tensors that share memory with the mapping
};

/// Fills every parameter and buffer of `module` from `file` tensors named `prefix + <module path>`
/// (e.g. prefix "model.diffusion_model."), converted to `dtype` on `device`; on the CPU, 4-D
/// (convolution) weights are stored channels_last, the layout oneDNN reads fastest (their data is
/// then a copy, not a view of the mapping; use .contiguous() for raw NCHW bytes). Every module
/// tensor must exist in the file with exactly its shape; otherwise throws std::runtime_error naming
/// the file, the key and both shapes (a checkpoint of another architecture is a clear error, never
/// a crash). Tensors in the file that the module does not use are ignored.
LoadReport loadModuleWeights(torch::nn::Module& module, const SafetensorsFile& file,
                             const std::string& prefix, c10::ScalarType dtype,
                             c10::Device device = c10::Device(c10::kCPU));

/// LayerNorm over the last dim without affine parameters (the DiTs' adaLN input), the
/// statistics in float32 for half inputs, cast back to x's dtype.
at::Tensor layerNormNoAffine(const at::Tensor& x, double eps);

/// RMSNorm x·rsqrt(mean(x², −1) + eps), the statistics in float32 for half inputs, cast back to
/// x's dtype, times `weight` [dim] (in x's dtype). The one RMSNorm of the DiTs' q/k norms (SD3
/// `ln_q`/`ln_k`, Flux `query_norm`/`key_norm`). Ref: Zhang & Sennrich 2019; sd3.5 mmditx.py
/// RMSNorm; flux modules/layers.py RMSNorm.
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

/// A shape as error messages print it, "[2, 3, 4]" (torch's own sizes format); the tensor form
/// gives "undefined" for an undefined tensor. The one formatter of the networks' messages.
std::string shapeText(at::IntArrayRef sizes);
std::string shapeText(const at::Tensor& t);

/// Names (relative to `prefix`) the module expects but `file` lacks; empty when complete.
std::vector<std::string> missingModuleWeights(const torch::nn::Module& module,
                                              const SafetensorsFile& file,
                                              const std::string& prefix);

}  // namespace lienzo
