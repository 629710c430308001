// Huge-page-advised anonymous memory (Linux); plain allocation elsewhere.
#include "core/huge_buffer.h"

#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#else
#include <cstdlib>
#endif

namespace kdad {

void* map_huge_memory(std::size_t bytes) {
#if defined(__linux__)
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  madvise(memory, bytes, MADV_HUGEPAGE);  // advisory: ignored where THP is off
  return memory;
#else
  void* memory = std::calloc(bytes, 1);
  if (!memory) throw std::bad_alloc();
  return memory;
#endif
}

void unmap_huge_memory(void* memory, std::size_t bytes) noexcept {
#if defined(__linux__)
  munmap(memory, bytes);
#else
  (void)bytes;
  std::free(memory);
#endif
}

}  // namespace kdad
