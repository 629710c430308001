// The bridge between kdad's images and torch tensors.
#include "methods/common/tensors.h"

#include "core/error.h"

#include <fmt/format.h>
#include <torch/cuda.h>

#include <cstring>

namespace kdad::methods {

torch::Tensor stack_images(const std::vector<datasets::FloatImage>& images, const torch::Device& device) {
  if (images.empty()) throw InternalError("stack_images", "empty batch");
  const auto& first = images.front();
  torch::Tensor batch = torch::empty({static_cast<std::int64_t>(images.size()), first.channels, first.height, first.width});
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (images[i].height != first.height || images[i].width != first.width || images[i].channels != first.channels) {
      throw InternalError("stack_images", "images of one batch differ in size");
    }
    std::memcpy(batch[static_cast<std::int64_t>(i)].data_ptr<float>(), images[i].data.data(), images[i].data.size() * sizeof(float));
  }
  return batch.to(device);
}

cv::Mat tensor_to_mat(const torch::Tensor& map) {
  const torch::Tensor cpu = map.detach().to(torch::kCPU, torch::kFloat).contiguous();
  cv::Mat mat(static_cast<int>(cpu.size(0)), static_cast<int>(cpu.size(1)), CV_32FC1);
  std::memcpy(mat.data, cpu.data_ptr<float>(), static_cast<std::size_t>(cpu.numel()) * sizeof(float));
  return mat;
}

torch::Device parse_device(const std::string& device) {
  torch::Device parsed(torch::kCPU);
  try {
    parsed = torch::Device(device);
  } catch (const std::exception&) {
    throw ConfigError(device, "not a device (use cpu, cuda or cuda:N)");
  }
  if (parsed.is_cuda() && !torch::cuda::is_available()) {
    throw ConfigError(device, "CUDA requested but this LibTorch has no CUDA device (build against a CUDA LibTorch)");
  }
  if (parsed.is_cuda() && parsed.has_index()) {
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (parsed.index() >= count) {
      throw ConfigError(device, fmt::format("no such GPU: this machine has {} (cuda:0 to cuda:{})", count, count - 1));
    }
  }
  return parsed;
}

}  // namespace kdad::methods
