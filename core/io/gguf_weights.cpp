#include "core/io/gguf_weights.h"

#include "core/io/mapped_file.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstring>
#include <stdexcept>

namespace lienzo {

std::optional<c10::ScalarType> ggmlPlainScalarType(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
      return c10::kFloat;
    case GgmlType::F16:
      return c10::kHalf;
    case GgmlType::BF16:
      return c10::kBFloat16;
    case GgmlType::I8:
      return c10::kChar;
    case GgmlType::I16:
      return c10::kShort;
    case GgmlType::I32:
      return c10::kInt;
    case GgmlType::I64:
      return c10::kLong;
    case GgmlType::F64:
      return c10::kDouble;
    default:
      return std::nullopt;
  }
}

// ---- packed tensors --------------------------------------------------------------------------

GgufPackedTensor::GgufPackedTensor(std::shared_ptr<MappedBytes> mapping, const uint8_t* data,
                                   const GgufTensorInfo& info, std::string file)
    : m_mapping(std::move(mapping)),
      m_data(data),
      m_nbytes(info.nbytes),
      m_type(info.type),
      m_shape(info.shape),
      m_numel(info.numel()),
      m_name(info.name),
      m_file(std::move(file)) {}

bool GgufPackedTensor::quantized() const {
  return !ggmlPlainScalarType(m_type).has_value();
}

at::Tensor GgufPackedTensor::dequantize(c10::ScalarType dtype, c10::Device device) const {
  if (!c10::isFloatingType(dtype))
    throw std::invalid_argument(std::string("dequantize to ") + c10::toString(dtype) +
                                ": a floating dtype is needed");
  const GgmlTypeInfo& type = ggmlTypeInfo(m_type);
  if (!type.dequantizable)
    throw GgufError(GgufErrorKind::Unsupported, m_file,
                    "tensor '" + m_name + "' is " + type.name +
                        ", which Lienzo cannot dequantize (supported: " + ggmlDequantizableList() +
                        ")");
  const bool bf16 = dtype == c10::kBFloat16;
  at::Tensor out =
      at::empty(m_shape, at::TensorOptions().dtype(bf16 ? c10::kBFloat16 : c10::kFloat));
  const int64_t blocks = m_numel / type.blockLength;
  // About 64 Ki elements per task: large enough to amortise, small enough to spread a layer.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / type.blockLength);
  const uint8_t* src = m_data;
  if (bf16) {
    auto* dst = static_cast<uint16_t*>(out.data_ptr());
    at::parallel_for(0, blocks, grain, [&](int64_t begin, int64_t end) {
      dequantizeGgmlBf16(m_type, src + begin * type.blockBytes, (end - begin) * type.blockLength,
                         dst + begin * type.blockLength);
    });
  } else {
    auto* dst = out.data_ptr<float>();
    at::parallel_for(0, blocks, grain, [&](int64_t begin, int64_t end) {
      dequantizeGgml(m_type, src + begin * type.blockBytes, (end - begin) * type.blockLength,
                     dst + begin * type.blockLength);
    });
  }
  if (out.scalar_type() != dtype) out = out.to(dtype);
  if (!device.is_cpu()) out = out.to(device);
  return out;
}

at::Tensor GgufPackedTensor::packedBytes() const {
  const auto options = at::TensorOptions().dtype(c10::kByte);
  if (m_nbytes == 0) return at::empty({0}, options);
  auto keepAlive = m_mapping;
  return at::from_blob(
      const_cast<uint8_t*>(m_data), {static_cast<int64_t>(m_nbytes)},
      [keepAlive](void*) mutable { keepAlive.reset(); }, options);
}

// ---- the weights -----------------------------------------------------------------------------

GgufWeights GgufWeights::open(const std::filesystem::path& path, const GgufLimits& limits) {
  return GgufWeights(GgufFile::open(path, limits));
}

GgufPackedTensor GgufWeights::packed(const std::string& name) const {
  const GgufTensorInfo& ti = m_file.info(name);
  return GgufPackedTensor(m_file.mapping(), m_file.tensorData(name), ti, m_file.path().string());
}

at::Tensor GgufWeights::view(const std::string& name) const {
  const GgufTensorInfo& ti = m_file.info(name);
  const auto scalar = ggmlPlainScalarType(ti.type);
  if (!scalar)
    throw GgufError(GgufErrorKind::Unsupported, m_file.path().string(),
                    "tensor '" + name + "' is " + ggmlTypeName(ti.type) +
                        " (block-quantized): use packed() or load(), which dequantize");
  const auto options = at::TensorOptions().dtype(*scalar).device(c10::kCPU);
  if (ti.numel() == 0) return at::empty(ti.shape, options);
  auto* ptr = const_cast<uint8_t*>(m_file.tensorData(name));
  if (reinterpret_cast<uintptr_t>(ptr) % c10::elementSize(*scalar) != 0) {
    auto copy = at::empty(ti.shape, options);
    std::memcpy(copy.data_ptr(), ptr, ti.nbytes);
    return copy;
  }
  auto keepAlive = m_file.mapping();
  return at::from_blob(
      ptr, ti.shape, [keepAlive](void*) mutable { keepAlive.reset(); }, options);
}

at::Tensor GgufWeights::load(const std::string& name, c10::ScalarType dtype,
                             c10::Device device) const {
  const GgufTensorInfo& ti = m_file.info(name);
  if (ggmlPlainScalarType(ti.type)) {
    at::Tensor t = view(name);
    if (t.scalar_type() == dtype && device.is_cpu()) return t;
    return t.to(device, dtype, /*non_blocking=*/false, /*copy=*/true);
  }
  return packed(name).dequantize(dtype, device);
}

}  // namespace lienzo
