#include "core/model/gguf_module_loading.h"

#include "core/io/gguf_weights.h"
#include "core/model/layers.h"
#include "core/model/packed_linear.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace lienzo {

namespace {

bool blockQuantized(GgmlType type) {
  return ggmlTypeInfo(type).blockLength > 1;
}

}  // namespace

GgufLoadReport loadGgufModuleWeights(torch::nn::Module& module, const GgufWeights& weights,
                                     const std::string& prefix, c10::ScalarType dtype,
                                     c10::Device device, GgufWeightMode mode) {
  GgufLoadReport report;
  at::NoGradGuard noGrad;
  const std::string file = weights.file().path().string();
  auto missing = [&](const std::string& key) {
    return std::runtime_error(file + ": missing tensor '" + key +
                              "' (the GGUF file does not match the detected architecture)");
  };
  // 1. Linear weights stored block-quantized stay packed.
  std::set<std::string> packedNames;
  if (mode == GgufWeightMode::KeepPacked) {
    for (const auto& item : module.named_modules("", /*include_self=*/false)) {
      auto* linear = dynamic_cast<PackedLinearImpl*>(item.value().get());
      if (!linear) continue;
      const std::string name = item.key() + ".weight";
      const std::string key = prefix + name;
      if (!weights.contains(key)) throw missing(key);
      const GgufTensorInfo& info = weights.info(key);
      if (!blockQuantized(info.type)) continue;  // F32/F16/BF16: dense below
      if (!ggmlDequantizable(info.type))
        throw GgufError(
            GgufErrorKind::Unsupported, file,
            "tensor '" + key + "' is " + ggmlTypeName(info.type) +
                ", which Lienzo cannot dequantize (supported: " + ggmlDequantizableList() + ")");
      if (info.shape != linear->weight.sizes().vec())
        throw std::runtime_error(file + ": tensor '" + key + "' has shape " +
                                 shapeText(info.shape) + " but the architecture expects " +
                                 shapeText(linear->weight.sizes()));
      linear->setPacked(weights.packed(key), dtype, device);
      packedNames.insert(name);
      ++report.packedLayers;
      report.packedBytes += info.nbytes;
      report.largestPackedElements = std::max(report.largestPackedElements, info.numel());
    }
  }
  // 2. Everything else dense, as loadModuleWeights() does for safetensors.
  auto loadDense = [&](const std::string& name, at::Tensor& target) {
    if (packedNames.count(name)) return;
    const std::string key = prefix + name;
    if (!weights.contains(key)) throw missing(key);
    const GgufTensorInfo& info = weights.info(key);
    if (at::IntArrayRef(info.shape) != target.sizes())
      throw std::runtime_error(file + ": tensor '" + key + "' has shape " + shapeText(info.shape) +
                               " but the architecture expects " + shapeText(target.sizes()));
    const auto plain = ggmlPlainScalarType(info.type);
    const bool floating = !plain || at::isFloatingType(*plain);
    const c10::ScalarType wanted = floating ? dtype : *plain;
    at::Tensor value = weights.load(key, wanted, device);
    bool shared = plain && *plain == wanted && device.is_cpu();  // a view of the mapping
    if (value.dim() == 4 && floating && device.is_cpu()) {
      at::Tensor laidOut = value.contiguous(at::MemoryFormat::ChannelsLast);  // layers.h
      if (!laidOut.is_same(value)) shared = false;
      value = laidOut;
    }
    // A converted copy no longer needs the mapped pages it was read from.
    if (!shared) weights.file().releasePages(key);
    target.set_data(value);
    ++report.denseTensors;
    report.denseBytes += value.numel() * value.element_size();
  };
  for (auto& item : module.named_parameters(/*recurse=*/true)) loadDense(item.key(), item.value());
  for (auto& item : module.named_buffers(/*recurse=*/true)) loadDense(item.key(), item.value());
  return report;
}

uint64_t ggufPackedResidentBytes(const GgufWeights& weights, const std::string& prefix,
                                 c10::ScalarType dtype) {
  const uint64_t elementBytes = c10::elementSize(dtype);
  uint64_t total = 0, largest = 0;
  for (const auto& name : weights.names()) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const GgufTensorInfo& info = weights.info(name);
    const auto numel = static_cast<uint64_t>(info.numel());
    if (blockQuantized(info.type) && info.shape.size() == 2) {
      total += info.nbytes;
      largest = std::max(largest, numel * elementBytes);
    } else {
      const auto plain = ggmlPlainScalarType(info.type);
      total += plain && !at::isFloatingType(*plain) ? info.nbytes : numel * elementBytes;
    }
  }
  return total + largest;
}

}  // namespace lienzo
