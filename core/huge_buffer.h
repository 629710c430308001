// Large scratch arrays backed by transparent huge pages: a multi-GB buffer touched once otherwise
// spends a sizeable share of its time in page faults (4 KiB each).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace kdad {

/// Anonymous memory of `bytes` bytes, advised for huge pages where the kernel supports it.
/// Contents are zero on first touch. Throws std::bad_alloc when the mapping fails.
void* map_huge_memory(std::size_t bytes);
void unmap_huge_memory(void* memory, std::size_t bytes) noexcept;

/// An array of `size` trivially copyable T in huge-page-advised memory (not initialised by kdad).
template <class T>
class HugeBuffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit HugeBuffer(std::size_t size)
      : size_(size), data_(size ? static_cast<T*>(map_huge_memory(size * sizeof(T))) : nullptr) {}
  ~HugeBuffer() {
    if (data_) unmap_huge_memory(data_, size_ * sizeof(T));
  }
  HugeBuffer(HugeBuffer&& other) noexcept
      : size_(std::exchange(other.size_, 0)), data_(std::exchange(other.data_, nullptr)) {}
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
  HugeBuffer& operator=(HugeBuffer&&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }

 private:
  std::size_t size_;
  T* data_;
};

}  // namespace kdad
