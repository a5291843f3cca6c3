// SHA-256 (FIPS 180-4), for A1111-compatible model hashes ("Model hash" = first 10 hex digits
// of the file's SHA-256). Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace lienzo {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::array<uint8_t, 32> finish();
  static std::string hex(const std::array<uint8_t, 32>& digest);

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> m_h;
  std::array<uint8_t, 64> m_buffer{};
  std::size_t m_buffered = 0;
  uint64_t m_length = 0;
};

std::string sha256Hex(const std::string& bytes);
/// Streams the file; throws std::runtime_error when it cannot be read.
std::string sha256FileHex(const std::filesystem::path& path);

}  // namespace lienzo
