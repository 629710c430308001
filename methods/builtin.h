// The methods kdad ships, registered explicitly (no static self-registration).
#pragma once

#include "methods/registry.h"

namespace kdad::methods {

/// Adds every built-in method and the cell-environment setup they need to `registry`.
void register_builtin_methods(MethodRegistry& registry);

}  // namespace kdad::methods
