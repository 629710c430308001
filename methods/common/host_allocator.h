// A caching allocator for LibTorch's CPU tensors: large blocks are kept and reused instead of being
// returned to the kernel and faulted in again on the next training step.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kdad::methods {

/// Counters of the caching host allocator since it was installed.
struct HostCacheStats {
  std::uint64_t hits = 0;          ///< large allocations served from the cache
  std::uint64_t misses = 0;        ///< large allocations that mapped fresh memory
  std::size_t bytes_in_use = 0;    ///< large blocks currently held by tensors
  std::size_t bytes_cached = 0;    ///< large blocks free in the cache (mapped, not in use)
};

/// Makes the caching allocator LibTorch's CPU allocator (also used by oneDNN for its scratch and
/// reordered weights). Blocks of at least 128 KiB are rounded up (64 KiB steps, 2 MiB steps from
/// 4 MiB), mapped 2 MiB-aligned with transparent huge pages requested, and cached on free; when
/// more than `cache_limit_bytes` would sit free in the cache the largest free blocks are unmapped.
/// Smaller requests go to LibTorch's default allocator. Calling it again only changes the limit.
void install_caching_host_allocator(std::size_t cache_limit_bytes = std::size_t{4} << 30);

/// Gives LibTorch its default CPU allocator back and unmaps the free cached blocks. Tensors still
/// holding cached blocks stay valid: their blocks are unmapped when they are freed.
void uninstall_caching_host_allocator();

/// True while the caching allocator is LibTorch's CPU allocator.
bool caching_host_allocator_installed();

/// Unmaps every free cached block (blocks in use are untouched). Returns the bytes released.
std::size_t release_cached_host_memory();

/// Current counters (all zero when the allocator is not installed).
HostCacheStats host_cache_stats();

}  // namespace kdad::methods
