// A read-only view of a whole file's bytes: a private memory map, or an owned in-memory copy.
//
// Contract
// - MappedBytes::map() maps `path` with MAP_PRIVATE (a write through the pointer is a private
//   copy-on-write, never a write to the file); an empty file maps to size 0 and a null pointer.
//   Failure (missing, not a regular file, mmap error) throws std::runtime_error whose what() is
//   the reason without the file name (callers wrap it in their own error type).
// - MappedBytes::fromBytes() owns a copy (tests and fuzzers).
// - Shared ownership: tensors handed out by readers hold a shared_ptr, so the mapping outlives
//   the reader. Immutable after creation; thread-safe.
// - torch-free; the one mapping of the safetensors (core/io/safetensors.h) and GGUF
//   (core/io/gguf.h) readers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace lienzo {

class MappedBytes {
 public:
  static std::shared_ptr<MappedBytes> map(const std::filesystem::path& path);
  static std::shared_ptr<MappedBytes> fromBytes(std::string bytes);
  ~MappedBytes();
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;

  uint8_t* data() const { return m_data; }
  uint64_t size() const { return m_size; }
  bool mapped() const { return m_mapped; }
  /// Drops the mapped pages of [begin, end) (whole pages only) from the resident set; they are
  /// re-read from the file when touched again. No-op for in-memory bytes.
  void releasePages(uint64_t begin, uint64_t end) const;

 private:
  MappedBytes() = default;
  uint8_t* m_data = nullptr;
  uint64_t m_size = 0;
  bool m_mapped = false;
  std::string m_bytes;
};

}  // namespace lienzo
