// torch's process-wide state for a cell.
#include "methods/common/environment.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

namespace kdad::methods {

void apply_torch_environment(const CellEnvironment& environment) {
  torch::manual_seed(environment.seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(environment.seed);
  torch::set_num_threads(std::max(1, environment.threads));
  at::globalContext().setDeterministicAlgorithms(environment.deterministic, /*warn_only=*/true);
  at::globalContext().setBenchmarkCuDNN(false);
  at::globalContext().setDeterministicCuDNN(environment.deterministic);
}

std::string torch_description() {
  return fmt::format("torch {}, {} threads", TORCH_VERSION, torch::get_num_threads());
}

}  // namespace kdad::methods
