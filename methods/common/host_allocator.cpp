// The caching CPU allocator behind LibTorch's tensors.
//
// A CPU training step frees and re-allocates the same multi-MB activations, gradients and Adam
// temporaries every step. Through malloc each of them is a fresh mmap (or a trimmed heap top) whose
// pages the kernel zeroes and faults in one at a time: 13–28 % of a step is system time. Keeping the
// blocks mapped turns that into reuse after the first step, as CUDA's caching allocator does on GPUs.
#include "methods/common/host_allocator.h"
#include "methods/common/torch_compat.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <sys/mman.h>

#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

namespace kdad::methods {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kSmallStep = std::size_t{64} << 10;
constexpr std::size_t kMinCached = std::size_t{128} << 10;  // below: malloc's own bins do well

std::size_t round_up(std::size_t n, std::size_t step) { return (n + step - 1) / step * step; }

// Anonymous memory, 2 MiB-aligned when at least that large so that transparent huge pages can back it.
void* map_block(std::size_t bytes) {
  const std::size_t extra = bytes >= kHugePage ? kHugePage : 0;
  void* raw = mmap(nullptr, bytes + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto* begin = static_cast<char*>(raw);
  char* aligned = begin;
  if (extra) {
    aligned = reinterpret_cast<char*>(round_up(reinterpret_cast<std::uintptr_t>(begin), kHugePage));
    if (aligned > begin) munmap(begin, static_cast<std::size_t>(aligned - begin));
    char* end = begin + bytes + extra;
    if (end > aligned + bytes) munmap(aligned + bytes, static_cast<std::size_t>(end - (aligned + bytes)));
    madvise(aligned, bytes, MADV_HUGEPAGE);
  }
  return aligned;
}

class CachingHostAllocator final : public c10::Allocator {
 public:
  explicit CachingHostAllocator(std::size_t limit) : limit_(limit) {}

  c10::DataPtr allocate(std::size_t n) KDAD_ALLOCATOR_ALLOCATE_CONST override {
    void* data = n < kMinCached ? c10::alloc_cpu(n) : take(n);
    return {data, data, &CachingHostAllocator::deleter, c10::Device(c10::DeviceType::CPU)};
  }

#if KDAD_ALLOCATOR_HAS_COPY_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override { std::memcpy(dest, src, count); }
#endif

  // One deleter with context == data: oneDNN allocates through raw_allocate/raw_deallocate.
  c10::DeleterFnPtr raw_deleter() const override { return &CachingHostAllocator::deleter; }

  void set_limit(std::size_t limit) {
    std::lock_guard lock(mutex_);
    limit_ = limit;
    release_until(limit_);
  }

  std::size_t release_all() const {
    std::lock_guard lock(mutex_);
    return release_until(0);
  }

  HostCacheStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  static CachingHostAllocator* instance;

 private:
  static void deleter(void* data) {
    if (data) instance->give_back(data);
  }

  // const: c10::Allocator::allocate is; the cache itself is mutable state behind mutex_.
  void* take(std::size_t n) const {
    const std::size_t size = n >= 2 * kHugePage ? round_up(n, kHugePage) : round_up(n, kSmallStep);
    {
      std::lock_guard lock(mutex_);
      // Best fit, accepting up to 1/8 more than asked so that slightly varying shapes still reuse.
      const auto found = free_.lower_bound(size);
      if (found != free_.end() && found->first <= size + size / 8) {
        void* data = found->second;
        const std::size_t block = found->first;
        free_.erase(found);
        live_.emplace(data, block);
        stats_.bytes_cached -= block;
        stats_.bytes_in_use += block;
        ++stats_.hits;
        return data;
      }
    }
    void* data = map_block(size);
    if (!data) {
      release_all();  // memory held by the cache may be what the kernel is missing
      data = map_block(size);
      if (!data) throw std::bad_alloc();
    }
    std::lock_guard lock(mutex_);
    live_.emplace(data, size);
    stats_.bytes_in_use += size;
    ++stats_.misses;
    return data;
  }

  void give_back(void* data) {
    {
      std::lock_guard lock(mutex_);
      const auto found = live_.find(data);
      if (found != live_.end()) {
        const std::size_t block = found->second;
        live_.erase(found);
        free_.emplace(block, data);
        stats_.bytes_in_use -= block;
        stats_.bytes_cached += block;
        if (stats_.bytes_cached > limit_) release_until(limit_);
        return;
      }
    }
    c10::free_cpu(data);  // a small block from LibTorch's default path
  }

  // Unmaps the largest free blocks until at most `target` bytes stay cached. Needs mutex_.
  std::size_t release_until(std::size_t target) const {
    std::size_t released = 0;
    while (stats_.bytes_cached > target && !free_.empty()) {
      const auto largest = std::prev(free_.end());
      munmap(largest->second, largest->first);
      stats_.bytes_cached -= largest->first;
      released += largest->first;
      free_.erase(largest);
    }
    return released;
  }

  mutable std::mutex mutex_;
  std::size_t limit_;
  mutable std::multimap<std::size_t, void*> free_;      // size → block
  mutable std::unordered_map<void*, std::size_t> live_;  // block → size
  mutable HostCacheStats stats_;
};

CachingHostAllocator* CachingHostAllocator::instance = nullptr;
std::mutex install_mutex;
bool installed = false;

}  // namespace

void install_caching_host_allocator(std::size_t cache_limit_bytes) {
  std::lock_guard lock(install_mutex);
  if (!CachingHostAllocator::instance) {
    // Never destroyed: tensors may still be freed during static destruction at exit.
    CachingHostAllocator::instance = new CachingHostAllocator(cache_limit_bytes);
  }
  CachingHostAllocator::instance->set_limit(cache_limit_bytes);
  if (!installed) c10::SetCPUAllocator(CachingHostAllocator::instance, /*priority=*/1);
  installed = true;
}

void uninstall_caching_host_allocator() {
  std::lock_guard lock(install_mutex);
  if (!installed) return;
  c10::SetCPUAllocator(c10::GetDefaultCPUAllocator(), /*priority=*/1);
  // Blocks freed from now on are unmapped at once.
  CachingHostAllocator::instance->set_limit(0);
  installed = false;
}

bool caching_host_allocator_installed() {
  std::lock_guard lock(install_mutex);
  return installed;
}

std::size_t release_cached_host_memory() {
  std::lock_guard lock(install_mutex);
  return CachingHostAllocator::instance ? CachingHostAllocator::instance->release_all() : 0;
}

HostCacheStats host_cache_stats() {
  std::lock_guard lock(install_mutex);
  return CachingHostAllocator::instance ? CachingHostAllocator::instance->stats() : HostCacheStats{};
}

}  // namespace kdad::methods
