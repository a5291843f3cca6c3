// The recycling CPU allocator of core/model/buffer_recycling.h.
#include "core/model/buffer_recycling.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

// allocate() is defined in both its const (libtorch 1.x) and non-const (2.3+) forms without
// `override`, so that each libtorch finds its own; clang would warn about the missing keyword.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winconsistent-missing-override"
#endif

namespace lienzo {

namespace {

constexpr std::size_t kRecycleMinBytes = std::size_t{1} << 20;

/// Size class of an allocation: n rounded up to a multiple of 1/8 of the largest power of two
/// not above n (at most 12.5 % larger), so that nearly equal requests share kept buffers.
std::size_t sizeClass(std::size_t n) {
  std::size_t power = 1;
  while (power <= n / 2) power *= 2;
  const std::size_t step = std::max<std::size_t>(power / 8, 4096);
  return (n + step - 1) / step * step;
}

/// c10 CPU allocator behind BufferRecyclingScope (see buffer_recycling.h). Small blocks go to
/// c10::alloc_cpu/free_cpu exactly as with the default allocator; large blocks are tracked so
/// they can be kept while a scope is alive.
class RecyclingCpuAllocator final : public c10::Allocator {
 public:
  /// Never destroyed: tensors may be freed during static destruction.
  static RecyclingCpuAllocator& instance() {
    static auto* allocator = new RecyclingCpuAllocator();
    return *allocator;
  }

  // The base's pure virtual is `allocate(size_t) const` in libtorch 1.x and non-const since 2.3:
  // both are defined (no `override`), so each version finds its own.
  c10::DataPtr allocate(std::size_t n) const { return allocateBlock(n); }
  c10::DataPtr allocate(std::size_t n) { return allocateBlock(n); }
  c10::DataPtr allocateBlock(std::size_t n) const {
    if (n < kRecycleMinBytes) {
      void* p = c10::alloc_cpu(n);
      return {p, p, &c10::free_cpu, c10::Device(c10::kCPU)};
    }
    void* p = takeLarge(n);
    return {p, p, &releaseLarge, c10::Device(c10::kCPU)};
  }
  // raw_allocate()d blocks (oneDNN scratch and weight reorders) come back through this one.
  c10::DeleterFnPtr raw_deleter() const override { return &rawDelete; }
  // Pure virtual in newer libtorch (no `override`, so that 1.13 builds too).
  void copy_data(void* dest, const void* src, std::size_t count) const {
    std::memcpy(dest, src, count);
  }

  void enter(std::size_t maxCachedBytes) {
    static std::once_flag installed;
    std::call_once(installed, [this] { c10::SetCPUAllocator(this); });
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_caps.insert(maxCachedBytes);
  }

  void leave(std::size_t maxCachedBytes) {
    std::vector<void*> release;
    {
      const std::lock_guard<std::mutex> lock(m_mutex);
      m_caps.erase(m_caps.find(maxCachedBytes));
      if (!m_caps.empty()) return;
      for (auto& [size, blocks] : m_free)
        release.insert(release.end(), blocks.begin(), blocks.end());
      m_free.clear();
      m_cachedBytes = 0;
    }
    for (void* p : release) std::free(p);
  }

 private:
  void* takeLarge(std::size_t n) const {
    const std::size_t size = sizeClass(n);
    {
      const std::lock_guard<std::mutex> lock(m_mutex);
      auto it = m_free.find(size);
      if (it != m_free.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        m_cachedBytes -= size;
        m_live.emplace(p, size);
        return p;
      }
    }
    void* p = nullptr;
    TORCH_CHECK(posix_memalign(&p, 64, size) == 0 && p,
                "RecyclingCpuAllocator: not enough memory: you tried to allocate ", n, " bytes.");
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_live.emplace(p, size);
    return p;
  }

  /// Keeps or frees a large block; false when `p` is not one of ours.
  bool giveBack(void* p) const {
    std::unique_lock<std::mutex> lock(m_mutex);
    const auto it = m_live.find(p);
    if (it == m_live.end()) return false;
    const std::size_t size = it->second;
    m_live.erase(it);
    if (!m_caps.empty() && m_cachedBytes + size <= *m_caps.rbegin()) {
      m_free[size].push_back(p);
      m_cachedBytes += size;
      return true;
    }
    lock.unlock();
    std::free(p);
    return true;
  }

  static void releaseLarge(void* p) { instance().giveBack(p); }
  static void rawDelete(void* p) {
    if (!instance().giveBack(p)) c10::free_cpu(p);
  }

  mutable std::mutex m_mutex;
  mutable std::unordered_map<void*, std::size_t> m_live;  // large blocks in use -> size class
  mutable std::unordered_map<std::size_t, std::vector<void*>> m_free;  // size class -> kept
  mutable std::size_t m_cachedBytes = 0;
  std::multiset<std::size_t> m_caps;  // maxCachedBytes of the live scopes
};

}  // namespace

BufferRecyclingScope::BufferRecyclingScope(std::size_t maxCachedBytes)
    : m_maxCachedBytes(maxCachedBytes) {
  RecyclingCpuAllocator::instance().enter(m_maxCachedBytes);
}

BufferRecyclingScope::~BufferRecyclingScope() {
  RecyclingCpuAllocator::instance().leave(m_maxCachedBytes);
}

}  // namespace lienzo
