#include "core/model/layers.h"

#include "core/io/safetensors.h"
#include "core/model/cpu_kernels.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace lienzo {

at::Tensor registerEmptyParameter(torch::nn::Module& module, const std::string& name,
                                  at::IntArrayRef shape) {
  return module.register_parameter(name, at::empty(shape, at::kFloat), /*requires_grad=*/true);
}

// ---- Linear ---------------------------------------------------------------------------------

LinearImpl::LinearImpl(const LinearOptions& options) : options(options) {
  weight = registerEmptyParameter(*this, "weight", {options.out, options.in});
  if (options.bias) bias = registerEmptyParameter(*this, "bias", {options.out});
}

at::Tensor LinearImpl::forward(const at::Tensor& x) {
  // [..., in] -> [..., out]
  return at::linear(x, weight, bias);
}

// ---- Conv2d ---------------------------------------------------------------------------------

Conv2dImpl::Conv2dImpl(const Conv2dOptions& options) : options(options) {
  weight = registerEmptyParameter(*this, "weight",
                                  {options.out, options.in, options.kernel, options.kernel});
  if (options.bias) bias = registerEmptyParameter(*this, "bias", {options.out});
}

at::Tensor Conv2dImpl::forward(const at::Tensor& x) {
  // [B,in,H,W] -> [B,out,H',W']
  return at::conv2d(x, weight, bias, {options.stride, options.stride},
                    {options.padding, options.padding});
}

// ---- norms ----------------------------------------------------------------------------------

namespace {
bool isHalf(const at::Tensor& t) {
  return t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16;
}
}  // namespace

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options) : options(options) {
  if (options.groups == 0) return;  // no normalisation: identity, no parameters
  weight = registerEmptyParameter(*this, "weight", {options.channels});
  bias = registerEmptyParameter(*this, "bias", {options.channels});
}

at::Tensor GroupNormImpl::forward(const at::Tensor& x) {
  // [B,C,...] -> same; statistics in float32 for half inputs.
  if (options.groups == 0) return x;
  if (cpu::groupNormSupported(x, weight))
    return cpu::groupNorm(x, options.groups, weight, bias, options.eps, /*silu=*/false);
  if (isHalf(x)) {
    return at::group_norm(x.to(at::kFloat), options.groups, weight.to(at::kFloat),
                          bias.to(at::kFloat), options.eps)
        .to(x.scalar_type());
  }
  return at::group_norm(x, options.groups, weight, bias, options.eps);
}

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options) : options(options) {
  weight = registerEmptyParameter(*this, "weight", {options.dim});
  bias = registerEmptyParameter(*this, "bias", {options.dim});
}

at::Tensor LayerNormImpl::forward(const at::Tensor& x) {
  // [..., dim] -> same
  if (isHalf(x)) {
    return at::layer_norm(x.to(at::kFloat), {options.dim}, weight.to(at::kFloat),
                          bias.to(at::kFloat), options.eps)
        .to(x.scalar_type());
  }
  return at::layer_norm(x, {options.dim}, weight, bias, options.eps);
}

// ---- weight loading -------------------------------------------------------------------------

namespace {

std::string shapeString(at::IntArrayRef shape) {
  std::ostringstream os;
  os << shape;
  return os.str();
}

template <typename Fn>
void forEachTensor(torch::nn::Module& module, Fn&& fn) {
  for (auto& item : module.named_parameters(/*recurse=*/true)) fn(item.key(), item.value());
  for (auto& item : module.named_buffers(/*recurse=*/true)) fn(item.key(), item.value());
}

}  // namespace

LoadReport loadModuleWeights(torch::nn::Module& module, const SafetensorsFile& file,
                             const std::string& prefix, c10::ScalarType dtype, c10::Device device) {
  LoadReport report;
  at::NoGradGuard noGrad;
  forEachTensor(module, [&](const std::string& name, at::Tensor& target) {
    const std::string key = prefix + name;
    if (!file.contains(key))
      throw std::runtime_error(file.path().string() + ": missing tensor '" + key +
                               "' (the checkpoint does not match the detected architecture)");
    const auto& info = file.info(key);
    if (at::IntArrayRef(info.shape) != target.sizes())
      throw std::runtime_error(file.path().string() + ": tensor '" + key + "' has shape " +
                               shapeString(info.shape) + " but the architecture expects " +
                               shapeString(target.sizes()));
    // Integer buffers (e.g. position ids) keep their integer type.
    const bool floating = at::isFloatingType(toScalarType(info.dtype));
    const auto wanted = floating ? dtype : toScalarType(info.dtype);
    at::Tensor value = file.load(key, wanted, device);
    // A view of the mapping (or an aligned copy of a misaligned span) when nothing converts;
    // float8 is always a decoded copy.
    bool shared =
        !stDTypeIsFloat8(info.dtype) && toScalarType(info.dtype) == wanted && device.is_cpu();
    if (value.dim() == 4 && floating && device.is_cpu()) {
      // Convolution weights channels_last: oneDNN then reads them without a per-call layout
      // copy (docs/performance.md).
      at::Tensor laidOut = value.contiguous(at::MemoryFormat::ChannelsLast);
      if (!laidOut.is_same(value)) shared = false;
      value = laidOut;
    }
    if (shared) {
      ++report.zeroCopy;
    } else {
      file.releasePages(key);  // converted copy made; the mapped pages are no longer needed
    }
    target.set_data(value);
    ++report.tensorsLoaded;
    report.bytesLoaded += value.numel() * value.element_size();
  });
  return report;
}

std::vector<std::string> missingModuleWeights(const torch::nn::Module& module,
                                              const SafetensorsFile& file,
                                              const std::string& prefix) {
  std::vector<std::string> missing;
  for (const auto& item : module.named_parameters(true))
    if (!file.contains(prefix + item.key())) missing.push_back(item.key());
  for (const auto& item : module.named_buffers(true))
    if (!file.contains(prefix + item.key())) missing.push_back(item.key());
  return missing;
}

at::Tensor layerNormNoAffine(const at::Tensor& x, double eps) {
  const int64_t dim = x.size(-1);
  if (isHalf(x)) return at::layer_norm(x.to(at::kFloat), {dim}, {}, {}, eps).to(x.scalar_type());
  return at::layer_norm(x, {dim}, {}, {}, eps);
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const at::Tensor xf = isHalf(x) ? x.to(at::kFloat) : x;
  const at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return normed.to(x.scalar_type()) * weight.to(x.scalar_type());
}

std::string shapeText(at::IntArrayRef sizes) {
  std::ostringstream os;
  os << sizes;
  return os.str();
}

std::string shapeText(const at::Tensor& t) {
  return t.defined() ? shapeText(t.sizes()) : std::string("undefined");
}

}  // namespace lienzo
