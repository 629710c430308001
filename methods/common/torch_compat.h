// Every difference between the LibTorch versions kdad builds against (Debian's 1.13; 2.x from a
// PyTorch installation, e.g. a CUDA build): the rest of methods/ uses one spelling.
#pragma once

#include <torch/version.h>

/// True when the LibTorch in use is at least major.minor.
#define KDAD_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// c10::Allocator: allocate() lost its const in 2.3, which also added the pure virtual copy_data().
#if KDAD_TORCH_AT_LEAST(2, 3)
#define KDAD_ALLOCATOR_ALLOCATE_CONST
#define KDAD_ALLOCATOR_HAS_COPY_DATA 1
#else
#define KDAD_ALLOCATOR_ALLOCATE_CONST const
#define KDAD_ALLOCATOR_HAS_COPY_DATA 0
#endif

namespace kdad::methods {

/// Index of the aggregate pool in the CUDA caching allocator's per-pool statistics arrays
/// (StatType::AGGREGATE, 0 in every version; the enum moved namespaces in 2.5).
inline constexpr std::size_t kCudaStatAggregate = 0;

}  // namespace kdad::methods
