// Range checks shared by the methods' option parsing: each throws a ConfigError naming the option
// and its value ("epochs=0: must be at least 1").
#pragma once

#include "core/error.h"
#include "methods/registry.h"

#include <fmt/format.h>

#include <string>

namespace kdad::methods {

inline int integer_at_least(const MethodOptions& options, const std::string& name, std::int64_t minimum) {
  const std::int64_t value = options.integer(name);
  if (value < minimum) throw ConfigError(fmt::format("{}={}", name, value), fmt::format("must be at least {}", minimum));
  return static_cast<int>(value);
}

inline double real_positive(const MethodOptions& options, const std::string& name) {
  const double value = options.real(name);
  if (!(value > 0)) throw ConfigError(fmt::format("{}={}", name, value), "must be positive");
  return value;
}

/// `zero` says what 0 means, e.g. "no smoothing".
inline double real_non_negative(const MethodOptions& options, const std::string& name, const std::string& zero = "") {
  const double value = options.real(name);
  if (!(value >= 0)) {
    throw ConfigError(fmt::format("{}={}", name, value), zero.empty() ? "must be 0 or positive" : fmt::format("must be 0 ({}) or positive", zero));
  }
  return value;
}

}  // namespace kdad::methods
