// The one function that sets torch's process-wide state at the start of every cell.
#pragma once

#include "methods/registry.h"

namespace kdad::methods {

/// Seeds torch (CPU and CUDA), sets the intra-op thread count, requests deterministic algorithms
/// (warning only where none exists), turns cuDNN benchmarking off, keeps OpenCV single-threaded
/// (the data loader brings its own threads), and installs (emptied) or removes the caching host
/// allocator.
void apply_torch_environment(const CellEnvironment& environment);

/// Whether a device can be used here (parse_device), and for "cuda" / "cuda:N" devices: peak memory
/// from the caching allocator, synchronisation before timings, and the device's description (name,
/// memory, CUDA/cuDNN versions, cuDNN flags); these do nothing on CPU or without CUDA.
DeviceProbe torch_device_probe();

}  // namespace kdad::methods
