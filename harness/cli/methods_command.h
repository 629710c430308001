// `kdad methods`: every registered method with its options, defaults and presets.
#pragma once

#include "methods/registry.h"

#include <ostream>

namespace kdad::harness {

/// Prints the option tables; returns 0.
int print_methods(const methods::MethodRegistry& registry, std::ostream& out);

}  // namespace kdad::harness
