// ResNet building blocks with torchvision's names.
#include "methods/common/blocks.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

namespace kdad::methods {

torch::nn::Conv2d conv_no_bias(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
}

BottleneckImpl::BottleneckImpl(std::int64_t inplanes, std::int64_t planes, std::int64_t stride, std::int64_t width,
                               bool project) {
  conv1 = register_module("conv1", conv_no_bias(inplanes, width, 1, 1));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(width));
  conv2 = register_module("conv2", conv_no_bias(width, width, 3, stride));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(width));
  conv3 = register_module("conv3", conv_no_bias(width, planes * kExpansion, 1, 1));
  bn3 = register_module("bn3", torch::nn::BatchNorm2d(planes * kExpansion));
  if (project) {
    downsample = register_module("downsample", torch::nn::Sequential(conv_no_bias(inplanes, planes * kExpansion, 1, stride),
                                                                     torch::nn::BatchNorm2d(planes * kExpansion)));
  }
}

// In-place ReLU and residual add, as torchvision's blocks do: fewer multi-MB temporaries per step.
torch::Tensor BottleneckImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = bn1(conv1(x)).relu_();
  out = bn2(conv2(out)).relu_();
  out = bn3(conv3(out));
  out += downsample ? downsample->forward(x) : x;
  return out.relu_();
}

BasicBlockImpl::BasicBlockImpl(std::int64_t inplanes, std::int64_t planes, std::int64_t stride, bool project) {
  conv1 = register_module("conv1", conv_no_bias(inplanes, planes, 3, stride));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv_no_bias(planes, planes, 3, 1));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
  if (project) {
    downsample = register_module("downsample", torch::nn::Sequential(conv_no_bias(inplanes, planes, 1, stride),
                                                                     torch::nn::BatchNorm2d(planes)));
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = bn1(conv1(x)).relu_();
  out = bn2(conv2(out));
  out += downsample ? downsample->forward(x) : x;
  return out.relu_();
}

void init_like_torchvision(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& child : module.modules(/*include_self=*/false)) {
    if (auto* conv = child->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = child->as<torch::nn::BatchNorm2d>()) {
      torch::nn::init::ones_(bn->weight);
      torch::nn::init::zeros_(bn->bias);
    }
  }
}

}  // namespace kdad::methods
