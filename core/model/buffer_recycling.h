// Recycling of large CPU tensor buffers during inference (implemented in layers.cpp).
//
// Why: a U-Net step or a VAE decode allocates and frees the same large activations again and
// again (up to 268 MiB per tensor for an SD VAE at 512²). glibc serves blocks above its mmap
// threshold (at most 32 MiB) with fresh mappings, so every such allocation page-faults and the
// kernel zero-fills each 4 KiB page: measured 2.2 M page faults and 5.3 s of system time per SD
// VAE decode at 512² on a 2-core CPU (docs/performance.md).
//
// Contract:
// - While at least one BufferRecyclingScope is alive (on any thread), CPU buffers of at least
//   1 MiB that are freed are kept, up to the largest `maxCachedBytes` of the live scopes, and
//   handed out again for allocations of the same size class (sizes round up by at most 1/8).
//   When the last scope ends, every kept buffer is returned to the system.
// - The first scope installs a process-wide c10 CPU allocator (c10::SetCPUAllocator) that
//   forwards to c10::alloc_cpu / c10::free_cpu outside scopes; blocks of 2 MiB and more are
//   2 MiB-aligned and advised as transparent huge pages (fewer faults and TLB misses where the
//   kernel allows THP on madvise). Tensors are never moved; data written before a buffer is
//   recycled is not cleared (as with malloc).
// - Thread-safe; scopes may nest. Kept buffers count in the process RSS until the last scope ends.
#pragma once

#include <cstddef>

namespace lienzo {

class BufferRecyclingScope {
 public:
  static constexpr std::size_t kDefaultMaxCachedBytes = std::size_t{1} << 30;
  explicit BufferRecyclingScope(std::size_t maxCachedBytes = kDefaultMaxCachedBytes);
  ~BufferRecyclingScope();
  BufferRecyclingScope(const BufferRecyclingScope&) = delete;
  BufferRecyclingScope& operator=(const BufferRecyclingScope&) = delete;

 private:
  std::size_t m_maxCachedBytes;
};

}  // namespace lienzo
