// RD's trainable networks (hq-deng/RD4AD): the one-class bottleneck embedding (OCBE, "bn") and
// the reverse decoder, with RD4AD's parameter names; plus MRKD's generation heads (FLM).
#pragma once

#include "methods/common/backbones.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <vector>

namespace kdad::methods {

/// OCBE: f1 → 3×3 s2 → 3×3 s2, f2 → 3×3 s2, concat with f3, then RD's bottleneck stage
/// ("bn_layer": 3 Bottlenecks for WRN50-2, 2 BasicBlocks for ResNet18, the first with stride 2).
/// conv4/bn4 exist in RD4AD's state dict but are never used; they are kept for compatibility.
class OneClassBottleneckImpl : public torch::nn::Module {
 public:
  explicit OneClassBottleneckImpl(BackboneKind teacher);
  /// {f1, f2, f3} → N×(512·e)×(H/32)×(W/32)
  torch::Tensor forward(const std::vector<torch::Tensor>& features);

 private:
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr}, bn4{nullptr};
  torch::nn::Sequential bn_layer{nullptr};
};
TORCH_MODULE(OneClassBottleneck);

/// The reverse decoder: three up-stages whose first block replaces the 3×3 conv (or, for basic
/// blocks, the first conv) by a 2×2 stride-2 transposed conv and projects the shortcut the same
/// way. With `generation_heads` it also holds MRKD's unused conv1 and generation1–3.
class ReverseDecoderImpl : public torch::nn::Module {
 public:
  ReverseDecoderImpl(BackboneKind teacher, bool generation_heads);
  /// Bottleneck embedding → {D-c, D-b, D-a}, the shapes of the teacher's {f1, f2, f3}.
  std::vector<torch::Tensor> forward(const torch::Tensor& embedding);
  /// MRKD's FLM: each level times its 0/1 position mask (N×1×h×w), then its generation head.
  /// `masks` are ordered like forward's output.
  std::vector<torch::Tensor> generate(const std::vector<torch::Tensor>& levels, const std::vector<torch::Tensor>& masks);

 private:
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr};
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::Sequential generation1{nullptr}, generation2{nullptr}, generation3{nullptr};
};
TORCH_MODULE(ReverseDecoder);

}  // namespace kdad::methods
