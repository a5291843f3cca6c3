#include "core/io/gguf_weights.h"

#include "core/io/mapped_file.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
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

// ---- dequantization with torch operations (any device) -----------------------------------------
// The formulas and their evaluation order are the CPU kernels' (gguf_quants.cpp); element e of a
// block reads its bytes through index vectors built once per call.

namespace {

/// `values` as a long index tensor on `device`.
at::Tensor indexOn(const std::vector<int64_t>& values, c10::Device device) {
  return at::tensor(values, at::TensorOptions().dtype(at::kLong)).to(device);
}
/// The same as an int row [1, n] for broadcasting shifts.
at::Tensor rowOn(const std::vector<int64_t>& values, c10::Device device) {
  return indexOn(values, device).to(at::kInt).unsqueeze(0);
}
/// Bytes [offset, offset + count) of every block as int32 [blocks, count].
at::Tensor bytesAt(const at::Tensor& blocks, int64_t offset, int64_t count) {
  return blocks.narrow(1, offset, count).to(at::kInt);
}
/// The half float at `offset` of every block, as float [blocks, 1].
at::Tensor halfAt(const at::Tensor& blocks, int64_t offset) {
  return blocks.narrow(1, offset, 2).contiguous().view(at::kHalf).to(at::kFloat);
}
at::Tensor shr(const at::Tensor& t, const at::Tensor& bits) {
  return at::bitwise_right_shift(t, bits);
}

/// Element-index tables of a 256-element super-block.
struct SuperBlock {
  std::vector<int64_t> group16, group32, mod32, div32;
  SuperBlock() {
    for (int64_t e = 0; e < 256; ++e) {
      group16.push_back(e / 16);
      group32.push_back(e / 32);
      mod32.push_back(e % 32);
      div32.push_back(e / 32);
    }
  }
};

/// Q2_K / Q3_K two-bit quants: byte 32·(e/128) + e mod 32, shift 2·((e mod 128)/32).
at::Tensor twoBitQuants(const at::Tensor& qs, c10::Device device) {
  std::vector<int64_t> index, shift;
  for (int64_t e = 0; e < 256; ++e) {
    index.push_back(32 * (e / 128) + e % 32);
    shift.push_back(2 * ((e % 128) / 32));
  }
  return shr(qs.index_select(1, indexOn(index, device)), rowOn(shift, device)).bitwise_and(3);
}

/// Q4_K / Q5_K nibbles: byte 32·(e/64) + e mod 32, low nibble for even e/32.
at::Tensor kNibbles(const at::Tensor& qs, c10::Device device) {
  std::vector<int64_t> index, shift;
  for (int64_t e = 0; e < 256; ++e) {
    index.push_back(32 * (e / 64) + e % 32);
    shift.push_back(4 * ((e / 32) % 2));
  }
  return shr(qs.index_select(1, indexOn(index, device)), rowOn(shift, device)).bitwise_and(15);
}

/// Q4_0..Q5_1 nibbles: element i < 16 the low nibble of qs[i], element i + 16 the high one.
at::Tensor smallNibbles(const at::Tensor& qs) {
  return at::cat({qs.bitwise_and(15), qs.bitwise_right_shift(4)}, 1);
}
/// Q5 fifth bits: bit e of the little-endian u32 at `offset`, moved to bit 4.
at::Tensor fifthBits(const at::Tensor& blocks, int64_t offset, c10::Device device) {
  const at::Tensor qh = blocks.narrow(1, offset, 4).contiguous().view(at::kInt);
  return shr(qh, at::arange(32, at::TensorOptions().dtype(at::kInt).device(device)).unsqueeze(0))
      .bitwise_and(1)
      .bitwise_left_shift(4);
}

at::Tensor dequantizeBlocks(GgmlType type, const at::Tensor& b, c10::Device device) {
  const SuperBlock sb;
  switch (type) {
    case GgmlType::Q8_0:
      return halfAt(b, 0) * b.narrow(1, 2, 32).contiguous().view(at::kChar).to(at::kFloat);
    case GgmlType::Q4_0:
      return halfAt(b, 0) * (smallNibbles(bytesAt(b, 2, 16)) - 8).to(at::kFloat);
    case GgmlType::Q4_1:
      return halfAt(b, 0) * smallNibbles(bytesAt(b, 4, 16)).to(at::kFloat) + halfAt(b, 2);
    case GgmlType::Q5_0:
      return halfAt(b, 0) *
             (smallNibbles(bytesAt(b, 6, 16)).bitwise_or(fifthBits(b, 2, device)) - 16)
                 .to(at::kFloat);
    case GgmlType::Q5_1:
      return halfAt(b, 0) * smallNibbles(bytesAt(b, 8, 16))
                                .bitwise_or(fifthBits(b, 4, device))
                                .to(at::kFloat) +
             halfAt(b, 2);
    case GgmlType::Q2_K: {
      const at::Tensor sc = bytesAt(b, 0, 16).index_select(1, indexOn(sb.group16, device));
      const at::Tensor q = twoBitQuants(bytesAt(b, 16, 64), device);
      return halfAt(b, 80) * sc.bitwise_and(15).to(at::kFloat) * q.to(at::kFloat) -
             halfAt(b, 82) * sc.bitwise_right_shift(4).to(at::kFloat);
    }
    case GgmlType::Q3_K: {
      // Scale s: low four bits from the nibble 4·(s/8) of byte s mod 8, top two from bits
      // 2·(s/4) of byte 8 + s mod 4; minus 32.
      std::vector<int64_t> lowIndex, lowShift, highIndex, highShift;
      for (int64_t s = 0; s < 16; ++s) {
        lowIndex.push_back(s % 8);
        lowShift.push_back(4 * (s / 8));
        highIndex.push_back(8 + s % 4);
        highShift.push_back(2 * (s / 4));
      }
      const at::Tensor packed = bytesAt(b, 96, 12);
      const at::Tensor low =
          shr(packed.index_select(1, indexOn(lowIndex, device)), rowOn(lowShift, device))
              .bitwise_and(15);
      const at::Tensor high =
          shr(packed.index_select(1, indexOn(highIndex, device)), rowOn(highShift, device))
              .bitwise_and(3);
      const at::Tensor scale = low.bitwise_or(high.bitwise_left_shift(4)) - 32;
      const at::Tensor hbit =
          shr(bytesAt(b, 0, 32).index_select(1, indexOn(sb.mod32, device)), rowOn(sb.div32, device))
              .bitwise_and(1);
      const at::Tensor q = twoBitQuants(bytesAt(b, 32, 64), device) - 4 + 4 * hbit;
      return halfAt(b, 108) * scale.index_select(1, indexOn(sb.group16, device)).to(at::kFloat) *
             q.to(at::kFloat);
    }
    case GgmlType::Q4_K:
    case GgmlType::Q5_K: {
      const at::Tensor a = bytesAt(b, 4, 4), m4 = bytesAt(b, 8, 4), c = bytesAt(b, 12, 4);
      const at::Tensor sc =
          at::cat({a.bitwise_and(63),
                   c.bitwise_and(15).bitwise_or(a.bitwise_right_shift(6).bitwise_left_shift(4))},
                  1);
      const at::Tensor mn = at::cat(
          {m4.bitwise_and(63),
           c.bitwise_right_shift(4).bitwise_or(m4.bitwise_right_shift(6).bitwise_left_shift(4))},
          1);
      const at::Tensor groups = indexOn(sb.group32, device);
      const bool five = type == GgmlType::Q5_K;
      at::Tensor q = kNibbles(bytesAt(b, five ? 48 : 16, 128), device);
      if (five)
        q = q.bitwise_or(shr(bytesAt(b, 16, 32).index_select(1, indexOn(sb.mod32, device)),
                             rowOn(sb.div32, device))
                             .bitwise_and(1)
                             .bitwise_left_shift(4));
      return halfAt(b, 0) * sc.index_select(1, groups).to(at::kFloat) * q.to(at::kFloat) -
             halfAt(b, 2) * mn.index_select(1, groups).to(at::kFloat);
    }
    case GgmlType::Q6_K: {
      std::vector<int64_t> lowIndex, lowShift, highIndex, highShift;
      for (int64_t e = 0; e < 256; ++e) {
        const int64_t h = e / 128, k = (e % 128) / 32, l = e % 32;
        lowIndex.push_back(64 * h + l + 32 * (k % 2));
        lowShift.push_back(4 * (k / 2));
        highIndex.push_back(32 * h + l);
        highShift.push_back(2 * k);
      }
      const at::Tensor low = shr(bytesAt(b, 0, 128).index_select(1, indexOn(lowIndex, device)),
                                 rowOn(lowShift, device))
                                 .bitwise_and(15);
      const at::Tensor high = shr(bytesAt(b, 128, 64).index_select(1, indexOn(highIndex, device)),
                                  rowOn(highShift, device))
                                  .bitwise_and(3);
      const at::Tensor q = low.bitwise_or(high.bitwise_left_shift(4)) - 32;
      const at::Tensor scales = b.narrow(1, 192, 16).contiguous().view(at::kChar).to(at::kFloat);
      return halfAt(b, 208) * scales.index_select(1, indexOn(sb.group16, device)) *
             q.to(at::kFloat);
    }
    default:
      throw std::logic_error("no torch dequantization for this type");
  }
}

}  // namespace

at::Tensor dequantizeGgmlTensor(GgmlType type, const at::Tensor& packed,
                                const std::vector<int64_t>& shape, c10::ScalarType dtype) {
  if (!c10::isFloatingType(dtype))
    throw std::invalid_argument(std::string("dequantize to ") + c10::toString(dtype) +
                                ": a floating dtype is needed");
  const GgmlTypeInfo& info = ggmlTypeInfo(type);
  if (!info.dequantizable)
    throw GgufError(GgufErrorKind::Unsupported, "<packed>",
                    std::string(info.name) +
                        " cannot be dequantized (supported: " + ggmlDequantizableList() + ")");
  int64_t numel = 1;
  for (auto d : shape) numel *= d;
  const auto bytes = ggmlByteSize(type, static_cast<uint64_t>(numel));
  if (packed.scalar_type() != at::kByte || packed.dim() != 1 || !bytes ||
      static_cast<uint64_t>(packed.numel()) != *bytes)
    throw std::invalid_argument(std::string("packed ") + info.name + " bytes do not hold " +
                                std::to_string(numel) + " elements");
  const at::Tensor flat = packed.contiguous();
  at::Tensor values;
  switch (type) {
    case GgmlType::F32:
      values = flat.view(at::kFloat);
      break;
    case GgmlType::F16:
      values = flat.view(at::kHalf).to(at::kFloat);
      break;
    case GgmlType::BF16:
      values = flat.view(at::kBFloat16).to(at::kFloat);
      break;
    default: {
      // In chunks of about 4 Mi elements, so the int32 intermediates stay near 16 MiB each.
      const int64_t blocks = numel / info.blockLength;
      const at::Tensor all = flat.view({blocks, static_cast<int64_t>(info.blockBytes)});
      values = at::empty({blocks, static_cast<int64_t>(info.blockLength)},
                         at::TensorOptions().dtype(at::kFloat).device(packed.device()));
      const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / info.blockLength);
      for (int64_t start = 0; start < blocks; start += chunk) {
        const int64_t count = std::min(chunk, blocks - start);
        values.narrow(0, start, count)
            .copy_(dequantizeBlocks(type, all.narrow(0, start, count), packed.device()));
      }
    }
  }
  return values.reshape(shape).to(dtype);
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
      m_file(std::move(file)) {
  const auto options = at::TensorOptions().dtype(c10::kByte);
  if (m_nbytes == 0) {
    m_bytes = at::empty({0}, options);
  } else {
    auto keepAlive = m_mapping;
    m_bytes = at::from_blob(
        const_cast<uint8_t*>(m_data), {static_cast<int64_t>(m_nbytes)},
        [keepAlive](void*) mutable { keepAlive.reset(); }, options);
  }
}

bool GgufPackedTensor::quantized() const {
  return !ggmlPlainScalarType(m_type).has_value();
}

GgufPackedTensor GgufPackedTensor::to(c10::Device device) const {
  GgufPackedTensor copy = *this;
  if (m_bytes.device() == device) return copy;
  copy.m_bytes = m_bytes.to(device);
  copy.m_data = device.is_cpu() ? copy.m_bytes.data_ptr<uint8_t>() : nullptr;
  copy.m_mapping.reset();
  return copy;
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
  if (!m_bytes.is_cpu() || !device.is_cpu()) {
    // Ship the packed bytes (a fraction of the expanded size) and expand them there.
    const at::Tensor bytes = m_bytes.device() == device ? m_bytes : m_bytes.to(device);
    return dequantizeGgmlTensor(m_type, bytes, m_shape, dtype);
  }
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
  return out;
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
