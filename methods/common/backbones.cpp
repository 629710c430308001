// Teacher backbones with torchvision's names.
#include "methods/common/backbones.h"

#include "core/error.h"
#include "methods/common/blocks.h"

#include <fmt/format.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/nn/init.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/pooling.h>

namespace kdad::methods {
namespace {

const std::vector<BackboneInfo>& all_backbones() {
  static const std::vector<BackboneInfo> kInfo = {
      {BackboneKind::wide_resnet50_2, "wide_resnet50_2", "wide_resnet50_2-95faca4d.pth",
       "https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth", {256, 512, 1024}, 320},
      {BackboneKind::resnet18, "resnet18", "resnet18-f37072fd.pth", "https://download.pytorch.org/models/resnet18-f37072fd.pth",
       {64, 128, 256}, 122},
      {BackboneKind::vgg16, "vgg16", "vgg16-397923af.pth", "https://download.pytorch.org/models/vgg16-397923af.pth",
       {128, 256, 512, 512}, 32},
  };
  return kInfo;
}

template <class Block>
torch::nn::Sequential make_stage(std::int64_t& inplanes, std::int64_t planes, std::int64_t blocks, std::int64_t stride,
                                 std::int64_t width) {
  torch::nn::Sequential stage;
  const bool project = stride != 1 || inplanes != planes * Block::Impl::kExpansion;
  if constexpr (std::is_same_v<Block, Bottleneck>) {
    stage->push_back(Block(inplanes, planes, stride, width, project));
  } else {
    stage->push_back(Block(inplanes, planes, stride, project));
  }
  inplanes = planes * Block::Impl::kExpansion;
  for (std::int64_t i = 1; i < blocks; ++i) {
    if constexpr (std::is_same_v<Block, Bottleneck>) {
      stage->push_back(Block(inplanes, planes, 1, width, false));
    } else {
      stage->push_back(Block(inplanes, planes, 1, false));
    }
  }
  return stage;
}

}  // namespace

const BackboneInfo& backbone_info(const std::string& name) {
  for (const auto& info : all_backbones()) {
    if (info.name == name) return info;
  }
  throw ConfigError(name, "unknown backbone (known: wide_resnet50_2, resnet18, vgg16)");
}

const BackboneInfo& backbone_info(BackboneKind kind) {
  for (const auto& info : all_backbones()) {
    if (info.kind == kind) return info;
  }
  throw InternalError("backbone_info", "unknown backbone kind");
}

ResNetImpl::ResNetImpl(BackboneKind kind) {
  conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false)));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
  std::int64_t inplanes = 64;
  if (kind == BackboneKind::wide_resnet50_2) {
    // width = planes · 128 / 64 (width_per_group 128)
    layer1 = register_module("layer1", make_stage<Bottleneck>(inplanes, 64, 3, 1, 128));
    layer2 = register_module("layer2", make_stage<Bottleneck>(inplanes, 128, 4, 2, 256));
    layer3 = register_module("layer3", make_stage<Bottleneck>(inplanes, 256, 6, 2, 512));
    layer4 = register_module("layer4", make_stage<Bottleneck>(inplanes, 512, 3, 2, 1024));
  } else if (kind == BackboneKind::resnet18) {
    layer1 = register_module("layer1", make_stage<BasicBlock>(inplanes, 64, 2, 1, 0));
    layer2 = register_module("layer2", make_stage<BasicBlock>(inplanes, 128, 2, 2, 0));
    layer3 = register_module("layer3", make_stage<BasicBlock>(inplanes, 256, 2, 2, 0));
    layer4 = register_module("layer4", make_stage<BasicBlock>(inplanes, 512, 2, 2, 0));
  } else {
    throw InternalError("ResNetImpl", "not a ResNet backbone");
  }
  fc = register_module("fc", torch::nn::Linear(inplanes, 1000));
  init_like_torchvision(*this);
}

std::vector<torch::Tensor> ResNetImpl::features(const torch::Tensor& x) {
  torch::Tensor y = bn1(conv1(x)).relu_();
  y = torch::max_pool2d(y, 3, 2, 1);
  torch::Tensor f1 = layer1->forward(y);
  torch::Tensor f2 = layer2->forward(f1);
  torch::Tensor f3 = layer3->forward(f2);
  return {f1, f2, f3};
}

Vgg16Impl::Vgg16Impl() {
  features_ = torch::nn::Sequential();
  const std::vector<int> plan = {64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1};
  std::int64_t in = 3;
  for (int v : plan) {
    if (v < 0) {
      features_->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
    } else {
      features_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in, v, 3).padding(1)));
      features_->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(true)));
      in = v;
    }
  }
  register_module("features", features_);
  classifier_ = register_module("classifier", torch::nn::Sequential(
      torch::nn::Linear(512 * 7 * 7, 4096), torch::nn::ReLU(true), torch::nn::Dropout(0.5),
      torch::nn::Linear(4096, 4096), torch::nn::ReLU(true), torch::nn::Dropout(0.5), torch::nn::Linear(4096, 1000)));
  torch::NoGradGuard no_grad;
  for (auto& child : modules(false)) {
    if (auto* conv = child->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
      torch::nn::init::zeros_(conv->bias);
    } else if (auto* linear = child->as<torch::nn::Linear>()) {
      torch::nn::init::normal_(linear->weight, 0, 0.01);
      torch::nn::init::zeros_(linear->bias);
    }
  }
}

std::vector<torch::Tensor> Vgg16Impl::features(const torch::Tensor& x) {
  // Pool outputs sit at indices 9 (pool2), 16 (pool3), 23 (pool4) and 30 (pool5).
  std::vector<torch::Tensor> taps;
  torch::Tensor y = x;
  std::size_t index = 0;
  for (auto& layer : *features_) {
    y = layer.forward(y);
    if (index == 9 || index == 16 || index == 23 || index == 30) taps.push_back(y);
    ++index;
  }
  return taps;
}

std::shared_ptr<BackboneImpl> make_backbone(BackboneKind kind) {
  if (kind == BackboneKind::vgg16) return std::make_shared<Vgg16Impl>();
  return std::make_shared<ResNetImpl>(kind);
}

}  // namespace kdad::methods
