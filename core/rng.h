// Seeded random numbers whose streams are identical on every compiler and platform.
#pragma once

#include <cstdint>
#include <string_view>

namespace kdad {

/// xoshiro256** generator with its own distributions (the standard library's distributions are
/// implementation-defined, which would make generated data differ between toolchains).
class Rng {
 public:
  /// Seeds the state from `seed` through splitmix64, so nearby seeds give unrelated streams.
  explicit Rng(std::uint64_t seed);

  /// An independent generator for a named sub-stream (e.g. a sample id) of the same seed.
  Rng derive(std::string_view stream) const;
  /// An independent generator for a numbered sub-stream.
  Rng derive(std::uint64_t stream) const;

  std::uint64_t next_u64();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi);
  /// Uniform integer in [lo, hi] (inclusive), unbiased; requires lo <= hi.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  /// Standard normal N(0, 1) (Marsaglia polar method).
  double normal();
  /// Gamma(shape, scale) for shape ≥ 1 (Marsaglia–Tsang), mean shape·scale.
  double gamma(double shape, double scale);
  /// True with probability p.
  bool bernoulli(double p);

 private:
  std::uint64_t seed_;
  std::uint64_t s_[4];
};

/// 64-bit FNV-1a of a string: a stable, platform-independent stream id.
std::uint64_t stable_hash(std::string_view text);

}  // namespace kdad
