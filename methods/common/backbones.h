// Teacher backbones whose parameter names and shapes equal torchvision's state dicts, so
// torchvision's own .pth files load directly: WideResNet50-2, ResNet18 (layer1–3 features) and
// VGG16 (pool2–pool5 features).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <string>
#include <vector>

namespace kdad::methods {

enum class BackboneKind { wide_resnet50_2, resnet18, vgg16 };

/// Facts about a backbone: torchvision file name and URL, and the channels of its feature levels.
struct BackboneInfo {
  BackboneKind kind;
  std::string name;          ///< option value, e.g. "wide_resnet50_2"
  std::string weights_file;  ///< torchvision's file name, e.g. "wide_resnet50_2-95faca4d.pth"
  std::string url;
  std::vector<std::int64_t> feature_channels;  ///< per returned level
  std::int64_t tensors = 0;                    ///< entries of torchvision's state dict
};

/// Throws ConfigError listing the known names.
const BackboneInfo& backbone_info(const std::string& name);
const BackboneInfo& backbone_info(BackboneKind kind);

/// A feature extractor returning several levels of features of an N×3×H×W ImageNet-normalised batch.
class BackboneImpl : public torch::nn::Module {
 public:
  virtual std::vector<torch::Tensor> features(const torch::Tensor& x) = 0;
};

/// torchvision's ResNet (all layers and fc registered, so the state dict matches key for key);
/// features() returns layer1, layer2, layer3 (layer4 is never computed).
class ResNetImpl : public BackboneImpl {
 public:
  explicit ResNetImpl(BackboneKind kind);
  std::vector<torch::Tensor> features(const torch::Tensor& x) override;

 private:
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
  torch::nn::Linear fc{nullptr};
};

/// torchvision's VGG16 (features.0–30, classifier.0/3/6); features() returns the outputs of
/// pool2, pool3, pool4 and pool5 (MKD's taps).
class Vgg16Impl : public BackboneImpl {
 public:
  Vgg16Impl();
  std::vector<torch::Tensor> features(const torch::Tensor& x) override;

 private:
  torch::nn::Sequential features_{nullptr}, classifier_{nullptr};
};

/// A backbone with torchvision's random initialisation (callers seed torch first).
std::shared_ptr<BackboneImpl> make_backbone(BackboneKind kind);

}  // namespace kdad::methods
