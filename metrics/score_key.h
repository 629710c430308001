// Maps float scores to unsigned keys whose ascending order is descending score order, so that an
// integer radix sort visits thresholds from the highest score down.
#pragma once

#include <bit>
#include <cstdint>

namespace kdad::metrics {

/// Key of a finite score: a < b (as floats) ⇔ key(a) > key(b). +0 and −0 get the same key, so
/// they form one tie group as they compare equal.
inline std::uint32_t descending_key(float score) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(score == 0.0f ? 0.0f : score);
  const std::uint32_t ascending = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return ~ascending;
}

/// Inverse of descending_key.
inline float score_from_descending_key(std::uint32_t key) {
  const std::uint32_t ascending = ~key;
  const std::uint32_t bits = (ascending & 0x80000000u) ? (ascending & 0x7FFFFFFFu) : ~ascending;
  return std::bit_cast<float>(bits);
}

}  // namespace kdad::metrics
