// RD's trainable networks.
#include "methods/rd/networks.h"

#include "core/error.h"
#include "methods/common/blocks.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>

namespace kdad::methods {
namespace {

torch::nn::ConvTranspose2d deconv2x2(std::int64_t in, std::int64_t out) {
  return torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, 2).stride(2).bias(false));
}

// A decoder block of RD4AD's de_resnet: the stride-2 block upsamples with transposed convs.
class DeBlockImpl : public torch::nn::Module {
 public:
  DeBlockImpl(bool bottleneck, std::int64_t inplanes, std::int64_t planes, std::int64_t width, bool up, bool project)
      : bottleneck_(bottleneck) {
    const std::int64_t out = bottleneck ? planes * 4 : planes;
    if (bottleneck) {
      conv1 = register_module("conv1", conv_no_bias(inplanes, width, 1, 1));
      bn1 = register_module("bn1", torch::nn::BatchNorm2d(width));
      if (up) {
        deconv2 = register_module("conv2", deconv2x2(width, width));
      } else {
        conv2 = register_module("conv2", conv_no_bias(width, width, 3, 1));
      }
      bn2 = register_module("bn2", torch::nn::BatchNorm2d(width));
      conv3 = register_module("conv3", conv_no_bias(width, out, 1, 1));
      bn3 = register_module("bn3", torch::nn::BatchNorm2d(out));
    } else {
      if (up) {
        deconv1 = register_module("conv1", deconv2x2(inplanes, planes));
      } else {
        conv1 = register_module("conv1", conv_no_bias(inplanes, planes, 3, 1));
      }
      bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
      conv2 = register_module("conv2", conv_no_bias(planes, planes, 3, 1));
      bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
    }
    if (project) {
      upsample = register_module("upsample", torch::nn::Sequential(deconv2x2(inplanes, out), torch::nn::BatchNorm2d(out)));
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor y;  // in-place ReLU and add, as RD4AD's blocks
    if (bottleneck_) {
      y = bn1(conv1(x)).relu_();
      y = bn2(deconv2 ? deconv2(y) : conv2(y)).relu_();
      y = bn3(conv3(y));
    } else {
      y = bn1(deconv1 ? deconv1(x) : conv1(x)).relu_();
      y = bn2(conv2(y));
    }
    y += upsample ? upsample->forward(x) : x;
    return y.relu_();
  }

 private:
  bool bottleneck_;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::ConvTranspose2d deconv1{nullptr}, deconv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
  torch::nn::Sequential upsample{nullptr};
};
TORCH_MODULE(DeBlock);

bool uses_bottleneck(BackboneKind teacher) {
  if (teacher == BackboneKind::wide_resnet50_2) return true;
  if (teacher == BackboneKind::resnet18) return false;
  throw ConfigError("backbone", "RD and MRKD need a ResNet teacher (wide_resnet50_2 or resnet18)");
}

torch::nn::Sequential generation_head(std::int64_t channels) {
  return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)),
                               torch::nn::ReLU(torch::nn::ReLUOptions(true)),
                               torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).padding(1)));
}

}  // namespace

OneClassBottleneckImpl::OneClassBottleneckImpl(BackboneKind teacher) {
  const bool bottleneck = uses_bottleneck(teacher);
  const std::int64_t e = bottleneck ? 4 : 1;
  conv1 = register_module("conv1", conv_no_bias(64 * e, 128 * e, 3, 2));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(128 * e));
  conv2 = register_module("conv2", conv_no_bias(128 * e, 256 * e, 3, 2));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(256 * e));
  conv3 = register_module("conv3", conv_no_bias(128 * e, 256 * e, 3, 2));
  bn3 = register_module("bn3", torch::nn::BatchNorm2d(256 * e));
  conv4 = register_module("conv4", conv_no_bias(1024 * e, 512 * e, 1, 1));
  bn4 = register_module("bn4", torch::nn::BatchNorm2d(512 * e));
  // RD's _make_layer: the first block takes the 3 concatenated levels (3·256·e channels).
  const std::int64_t inplanes = 256 * e * 3;
  bn_layer = torch::nn::Sequential();
  if (bottleneck) {
    bn_layer->push_back(Bottleneck(inplanes, 512, 2, 1024, true));
    for (int i = 1; i < 3; ++i) bn_layer->push_back(Bottleneck(2048, 512, 1, 1024, false));
  } else {
    bn_layer->push_back(BasicBlock(inplanes, 512, 2, true));
    bn_layer->push_back(BasicBlock(512, 512, 1, false));
  }
  register_module("bn_layer", bn_layer);
  init_like_torchvision(*this);
}

torch::Tensor OneClassBottleneckImpl::forward(const std::vector<torch::Tensor>& f) {
  const torch::Tensor l1 = bn2(conv2(bn1(conv1(f[0])).relu_())).relu_();
  const torch::Tensor l2 = bn3(conv3(f[1])).relu_();
  return bn_layer->forward(torch::cat({l1, l2, f[2]}, 1)).contiguous();
}

ReverseDecoderImpl::ReverseDecoderImpl(BackboneKind teacher, bool generation_heads) {
  const bool bottleneck = uses_bottleneck(teacher);
  const std::vector<std::int64_t> blocks = bottleneck ? std::vector<std::int64_t>{3, 4, 6} : std::vector<std::int64_t>{2, 2, 2};
  const std::int64_t e = bottleneck ? 4 : 1;
  const std::int64_t width_factor = bottleneck ? 2 : 1;  // WRN's width_per_group 128
  std::int64_t inplanes = 512 * e;
  const std::int64_t planes[] = {256, 128, 64};
  torch::nn::Sequential* stages[] = {&layer1, &layer2, &layer3};
  const char* names[] = {"layer1", "layer2", "layer3"};
  for (int s = 0; s < 3; ++s) {
    torch::nn::Sequential stage;
    const std::int64_t width = planes[s] * width_factor;
    stage->push_back(DeBlock(bottleneck, inplanes, planes[s], width, true, true));
    inplanes = planes[s] * e;
    for (std::int64_t b = 1; b < blocks[static_cast<std::size_t>(s)]; ++b) {
      stage->push_back(DeBlock(bottleneck, inplanes, planes[s], width, false, false));
    }
    *stages[s] = register_module(names[s], stage);
  }
  if (generation_heads) {
    conv1 = register_module("conv1", conv_no_bias(512 * e, 128 * e, 1, 1));  // present in MRKD, never used
    generation1 = register_module("generation1", generation_head(256 * e));
    generation2 = register_module("generation2", generation_head(128 * e));
    generation3 = register_module("generation3", generation_head(64 * e));
  }
  init_like_torchvision(*this);
}

std::vector<torch::Tensor> ReverseDecoderImpl::forward(const torch::Tensor& embedding) {
  const torch::Tensor a = layer1->forward(embedding);
  const torch::Tensor b = layer2->forward(a);
  const torch::Tensor c = layer3->forward(b);
  return {c, b, a};
}

std::vector<torch::Tensor> ReverseDecoderImpl::generate(const std::vector<torch::Tensor>& levels,
                                                        const std::vector<torch::Tensor>& masks) {
  if (!generation1) throw InternalError("ReverseDecoder", "generate() needs the generation heads");
  return {generation3->forward(levels[0] * masks[0]), generation2->forward(levels[1] * masks[1]),
          generation1->forward(levels[2] * masks[2])};
}

}  // namespace kdad::methods
