// ResNet building blocks with torchvision's parameter names (conv1, bn1, ..., downsample.0/1),
// shared by the backbones and RD's one-class bottleneck.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

namespace kdad::methods {

/// torchvision's Bottleneck (ResNet v1.5: the stride sits in the 3×3 conv).
/// in → 1×1 width → 3×3 width (stride) → 1×1 planes·4, plus an optional projection shortcut.
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t kExpansion = 4;
  BottleneckImpl(std::int64_t inplanes, std::int64_t planes, std::int64_t stride, std::int64_t width, bool project);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

/// torchvision's BasicBlock: 3×3 (stride) → 3×3, plus an optional projection shortcut.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t kExpansion = 1;
  BasicBlockImpl(std::int64_t inplanes, std::int64_t planes, std::int64_t stride, bool project);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

/// Conv without bias, as torchvision's conv1x1/conv3x3 helpers make them.
torch::nn::Conv2d conv_no_bias(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride);

/// Kaiming-normal (fan_out, ReLU) for every Conv2d and BN weight 1 / bias 0 below `module`, as
/// torchvision's ResNet and RD4AD initialise; ConvTranspose2d and Linear keep their defaults.
void init_like_torchvision(torch::nn::Module& module);

}  // namespace kdad::methods
