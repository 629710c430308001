// The speed calibration workload.
#include "methods/common/calibration.h"

#include <torch/cuda.h>
#include <torch/nn.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace kdad::methods {

SpeedCalibration measure_conv_calibration(const std::string& device_name, int threads) {
  constexpr int kWarmup = 2;
  constexpr int kRepeats = 9;
  torch::set_num_threads(std::max(1, threads));
  const torch::Device device(device_name);
  torch::manual_seed(0);
  std::vector<torch::Tensor> weights;
  for (int i = 0; i < 4; ++i) weights.push_back((0.05 * torch::randn({64, 64, 3, 3})).to(device).requires_grad_(true));
  const torch::Tensor input = torch::randn({8, 64, 64, 64}).to(device);
  std::vector<double> seconds;
  for (int r = 0; r < kWarmup + kRepeats; ++r) {
    if (device.is_cuda()) torch::cuda::synchronize();
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor x = input;
    for (const auto& w : weights) x = torch::relu(torch::conv2d(x, w, {}, 1, 1));
    x.mean().backward();
    for (auto& w : weights) w.mutable_grad() = torch::Tensor();
    if (device.is_cuda()) torch::cuda::synchronize();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (r >= kWarmup) seconds.push_back(elapsed);
  }
  std::nth_element(seconds.begin(), seconds.begin() + kRepeats / 2, seconds.end());
  return {"conv3x3-64ch-8x64x64-fwd-bwd", seconds[kRepeats / 2], kRepeats, std::max(1, threads), device_name};
}

}  // namespace kdad::methods
