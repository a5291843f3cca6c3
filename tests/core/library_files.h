// Test support for the model library: tiny safetensors files written from a list of tensor names
// and shapes (zero data), so each test builds exactly the key layout it means.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lienzo::testing {

struct TinyTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype = "F16";
};

/// The bytes of a safetensors file with `tensors` (data = `fill` repeated) and `metadata`.
inline std::string tinySafetensorsBytes(const std::vector<TinyTensor>& tensors,
                                        const std::map<std::string, std::string>& metadata = {},
                                        char fill = 0) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    uint64_t n = t.dtype == "F32" ? 4 : t.dtype == "U8" ? 1 : 2;
    for (const auto d : t.shape) n *= static_cast<uint64_t>(d);
    header[t.name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + n}}};
    offset += n;
  }
  std::string json = header.dump();
  while ((json.size() + 8) % 8 != 0) json += ' ';
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  bytes += json;
  bytes += std::string(offset, fill);
  return bytes;
}

inline void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void writeTinySafetensors(const std::filesystem::path& path,
                                 const std::vector<TinyTensor>& tensors,
                                 const std::map<std::string, std::string>& metadata = {},
                                 char fill = 0) {
  writeBytes(path, tinySafetensorsBytes(tensors, metadata, fill));
}

/// A kohya SD 1.x LoRA with a cross-attention width of `ctx` (768 SD 1.x, 1024 SD 2.x).
inline std::vector<TinyTensor> kohyaSdLora(int64_t ctx) {
  const std::string m = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k";
  return {{m + ".alpha", {}}, {m + ".lora_down.weight", {4, ctx}}, {m + ".lora_up.weight", {8, 4}}};
}

}  // namespace lienzo::testing
