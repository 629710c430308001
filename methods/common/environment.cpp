// torch's process-wide state for a cell.
#include "methods/common/environment.h"

#include "methods/common/host_allocator.h"
#include "methods/common/tensors.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <opencv2/core/utility.hpp>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <unistd.h>

#if defined(KDAD_WITH_CUDA)
#include "methods/common/torch_compat.h"

#include <ATen/cuda/CUDAContext.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>
#endif

namespace kdad::methods {
namespace {

// A quarter of the machine's memory may sit free in the host cache; the working set of a training
// step is reused far below that, and the rest of the machine keeps its room.
std::size_t host_cache_limit() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::size_t{4} << 30;
  return static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) / 4;
}

}  // namespace

void apply_torch_environment(const CellEnvironment& environment) {
  torch::manual_seed(environment.seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(environment.seed);
  torch::set_num_threads(std::max(1, environment.threads));
  at::globalContext().setDeterministicAlgorithms(environment.deterministic, /*warn_only=*/true);
  at::globalContext().setBenchmarkCuDNN(false);
  at::globalContext().setDeterministicCuDNN(environment.deterministic);
  // kdad parallelises image work with its own loader threads; OpenCV's thread pool on top of that
  // competes with torch's OpenMP threads for the cores (MRKD step at batch 4: 4.2 s → 3.9 s).
  cv::setNumThreads(1);
  if (environment.caching_host_allocator) {
    install_caching_host_allocator(host_cache_limit());
    release_cached_host_memory();  // a cell starts without its predecessor's blocks (peak RSS per cell)
  } else {
    uninstall_caching_host_allocator();
  }
}

DeviceProbe torch_device_probe() {
  DeviceProbe probe;
  probe.check = [](const std::string& device) { parse_device(device); };
#if defined(KDAD_WITH_CUDA)
  auto index = [](const std::string& device) -> std::optional<c10::DeviceIndex> {
    if (device.rfind("cuda", 0) != 0) return std::nullopt;
    const torch::Device parsed(device);
    return parsed.has_index() ? parsed.index() : c10::DeviceIndex{0};
  };
  namespace allocator = c10::cuda::CUDACachingAllocator;
  probe.reset = [index](const std::string& device) {
    if (const auto i = index(device)) allocator::resetPeakStats(*i);
  };
  probe.peak = [index](const std::string& device) -> std::optional<std::int64_t> {
    const auto i = index(device);
    if (!i) return std::nullopt;
    const auto stats = allocator::getDeviceStats(*i);
    return stats.allocated_bytes[kCudaStatAggregate].peak;
  };
  probe.synchronize = [index](const std::string& device) {
    if (const auto i = index(device)) torch::cuda::synchronize(*i);
  };
  probe.describe = [index](const std::string& device) -> std::string {
    const auto i = index(device);
    if (!i) return {};
    const cudaDeviceProp* properties = at::cuda::getDeviceProperties(*i);
    int runtime = 0;
    cudaRuntimeGetVersion(&runtime);
    const auto& context = at::globalContext();
    return fmt::format(
        R"({{"gpu":"{}","memory_bytes":{},"compute_capability":"{}.{}","cuda_runtime":{},"cudnn":{},)"
        R"("cudnn_deterministic":{},"cudnn_benchmark":{},"deterministic_algorithms":{}}})",
        properties->name, properties->totalGlobalMem, properties->major, properties->minor, runtime,
        at::detail::getCUDAHooks().hasCuDNN() ? at::detail::getCUDAHooks().versionCuDNN() : 0, context.deterministicCuDNN(),
        context.benchmarkCuDNN(), context.deterministicAlgorithms());
  };
#endif
  return probe;
}

}  // namespace kdad::methods
