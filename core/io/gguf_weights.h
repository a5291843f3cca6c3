// GGUF weights for torch: packed tensors that stay in the mapping and are dequantized on demand.
//
// Contract
// - GgufWeights wraps a validated GgufFile (gguf.h) with the safetensors reader's API: names(),
//   contains(), view() (zero-copy for plain F32/F16/BF16/integer tensors), load(name, dtype,
//   device) (a converted copy; quantized tensors are dequantized), plus packed(name) for weights
//   a model keeps quantized and dequantizes layer by layer at run time.
// - GgufPackedTensor holds a shared reference to the mapping (the GgufWeights may be destroyed
//   first), the ggml type and the torch shape; it copies nothing until dequantize().
// - dequantize(dtype, device): packed bytes on the CPU and a CPU result: the CPU kernels
//   (gguf_quants.h) split over at::parallel_for (F32 and BF16 written directly, other floating
//   dtypes converted from F32). Any other device: the packed bytes are copied there (4.5 bits a
//   weight for Q4_0 instead of 16) and expanded with torch operations on that device
//   (dequantizeGgmlTensor), the same formulas in the same order, so on the CPU both paths give
//   identical bits. to(device) keeps a packed copy on a device (weights stay quantized in VRAM).
//   Throws GgufError(Unsupported) for a type without a kernel (the message lists the supported
//   ones) and std::invalid_argument for a non-floating dtype.
// - Failure: GgufError (gguf.h) naming the file and tensor. Thread-safety: all const methods may
//   be called from any thread (dequantize() allocates a new tensor per call).
#pragma once

#include "core/io/gguf.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lienzo {

class GgufPackedTensor {
 public:
  GgufPackedTensor(std::shared_ptr<MappedBytes> mapping, const uint8_t* data,
                   const GgufTensorInfo& info, std::string file);

  const std::string& name() const { return m_name; }
  GgmlType type() const { return m_type; }
  /// Torch-order shape (ne reversed, or comfy.gguf.orig_shape).
  const std::vector<int64_t>& shape() const { return m_shape; }
  int64_t numel() const { return m_numel; }
  uint64_t nbytes() const { return m_nbytes; }
  /// The packed bytes when they are in CPU memory (the mapping), else null.
  const uint8_t* data() const { return m_data; }
  /// Where the packed bytes are.
  c10::Device device() const { return m_bytes.device(); }
  /// False for F32/F16/BF16 and the integer types (stored element by element).
  bool quantized() const;

  /// The weights as a new `dtype` tensor of shape() on `device` (see the contract).
  at::Tensor dequantize(c10::ScalarType dtype = c10::kFloat,
                        c10::Device device = c10::Device(c10::kCPU)) const;
  /// The packed bytes as a 1-D uint8 tensor (on the CPU it shares the mapping).
  const at::Tensor& packedBytes() const { return m_bytes; }
  /// This tensor with its packed bytes copied to `device` (the mapping is no longer needed).
  GgufPackedTensor to(c10::Device device) const;

 private:
  std::shared_ptr<MappedBytes> m_mapping;
  at::Tensor m_bytes;
  const uint8_t* m_data;
  uint64_t m_nbytes;
  GgmlType m_type;
  std::vector<int64_t> m_shape;
  int64_t m_numel;
  std::string m_name;
  std::string m_file;
};

class GgufWeights {
 public:
  /// Maps and validates `path` (GgufFile::open). Throws GgufError.
  static GgufWeights open(const std::filesystem::path& path, const GgufLimits& limits = {});
  explicit GgufWeights(GgufFile file) : m_file(std::move(file)) {}

  const GgufFile& file() const { return m_file; }
  /// Tensor names in sorted order, as stored (see GgufFile::modelPrefix()).
  const std::vector<std::string>& names() const { return m_file.names(); }
  bool contains(const std::string& name) const { return m_file.contains(name); }
  const GgufTensorInfo& info(const std::string& name) const { return m_file.info(name); }

  /// The packed tensor. Throws GgufError(MissingTensor).
  GgufPackedTensor packed(const std::string& name) const;
  /// Zero-copy CPU view of a plain tensor (an aligned copy when its bytes are misaligned for the
  /// dtype). Throws GgufError(Unsupported) for block-quantized types, MissingTensor.
  at::Tensor view(const std::string& name) const;
  /// The tensor as `dtype` on `device`: plain tensors converted (shares the mapping only when
  /// nothing changes and the device is the CPU), quantized ones dequantized.
  at::Tensor load(const std::string& name, c10::ScalarType dtype,
                  c10::Device device = c10::Device(c10::kCPU)) const;

 private:
  GgufFile m_file;
};

/// Dequantizes packed bytes (a 1-D uint8 tensor of ggmlByteSize(type, numel) bytes, on any
/// device) with torch operations on that device into a `dtype` tensor of `shape`. Same formulas
/// as the CPU kernels. Throws GgufError(Unsupported) / std::invalid_argument as dequantize().
at::Tensor dequantizeGgmlTensor(GgmlType type, const at::Tensor& packed,
                                const std::vector<int64_t>& shape, c10::ScalarType dtype);

/// The torch dtype of a plain ggml type (F32, F16, BF16, I8-I64, F64); nullopt for block types.
std::optional<c10::ScalarType> ggmlPlainScalarType(GgmlType type);

}  // namespace lienzo
