// The LibTorch version from torch/version.h: a header of macros only, so no torch code is linked.
#include "methods/library_version.h"

#include <torch/version.h>

namespace kdad::methods {

std::string libtorch_version() { return TORCH_VERSION; }

}  // namespace kdad::methods
