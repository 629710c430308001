// The LibTorch version kdad was built against, readable without loading LibTorch.
#pragma once

#include <string>

namespace kdad::methods {

/// The version in LibTorch's headers at build time ("1.13.0"); torch-free, so the light `kdad`
/// (which never loads LibTorch) reports the same libraries as `kdad-torch`.
std::string libtorch_version();

}  // namespace kdad::methods
